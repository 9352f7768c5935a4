; expect: type-not-allowed.s:3:8: error: type '.i32' not allowed for 'req'; expected req.i8 or req.i16
.queue VXM
    req.i32 E0, W4, W2, 7
