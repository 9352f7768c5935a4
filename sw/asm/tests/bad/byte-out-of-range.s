; expect: byte-out-of-range.s:3:14: error: byte value 256 out of range; expected -128..255
.data MEM_W1, 0
    .byte 1, 256
