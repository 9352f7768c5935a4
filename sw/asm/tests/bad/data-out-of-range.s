; expect: data-out-of-range.s:4:5: error: data for MEM_W1 at word 0xfff runs past the end of the slice; expected at most 16 bytes from there
.data MEM_W1, 0xfff
    .byte 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    .byte 17
