; expect: nop-zero.s:3:9: error: nop count 0 out of range; expected 1..33554431
.queue VXM
    nop 0
