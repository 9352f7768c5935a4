; expect: arithmetic-overflow.s:2:30: error: arithmetic overflow in an expression
.equ BIG, 0x4000000000000000 * 2
