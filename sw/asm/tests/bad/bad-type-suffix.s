; expect: bad-type-suffix.s:3:8: error: bad type suffix '.f32' on 'add'; expected add.i8, add.i16 or add.i32
.queue VXM
    add.f32 E0, E1, E2
