; expect: division-by-zero.s:3:11: error: division by zero; expected a non-zero divisor
.equ Z, 0
.equ X, 4 / Z
.queue VXM
    nop X
