; expect: overflowing-shamt.s:3:24: error: shift amount 64 out of range; expected 0..63
.queue VXM
    req.i8 E0, W4, W2, 64
