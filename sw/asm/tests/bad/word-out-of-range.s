; expect: word-out-of-range.s:3:11: error: word value 4294967296 out of range; expected 0..0xffffffff
.queue VXM
    .word 0x100000000
