; expect: bad-hex-number.s:3:9: error: bad number '0x'; expected digits after '0x'
.queue MEM_W0
    nop 0x
