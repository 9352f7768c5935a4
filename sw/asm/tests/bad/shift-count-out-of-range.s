; expect: shift-count-out-of-range.s:2:11: error: shift count 64 out of range; expected 0..63
.equ S, 1 << 64
