; expect: missing-type-suffix.s:3:5: error: missing type suffix on 'add'; expected add.i8, add.i16 or add.i32
.queue VXM
    add E0, E1, E2
