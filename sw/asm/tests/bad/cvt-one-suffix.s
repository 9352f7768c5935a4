; expect: cvt-one-suffix.s:3:5: error: missing type suffix on 'cvt.i32'; expected cvt.T.S
.queue VXM
    cvt.i32 E0, W4
