; expect: byte-symbol-out-of-range.s:4:11: error: byte value -129 out of range; expected -128..255
.equ V, -129
.data MEM_W1, 0
    .byte V
