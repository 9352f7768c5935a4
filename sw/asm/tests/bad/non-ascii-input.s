; expect: non-ascii-input.s:3:16: error: non-ASCII byte 0xc3; expected ASCII text
.queue VXM
    nop 1 ; café
