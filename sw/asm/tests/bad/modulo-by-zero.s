; expect: modulo-by-zero.s:3:11: error: modulo by zero; expected a non-zero divisor
.queue VXM
    nop 5 % 0
