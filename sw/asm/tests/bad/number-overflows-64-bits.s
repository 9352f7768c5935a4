; expect: number-overflows-64-bits.s:3:9: error: number '99999999999999999999' overflows 64 bits
.queue MEM_W0
    nop 99999999999999999999
