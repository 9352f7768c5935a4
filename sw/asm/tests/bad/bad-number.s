; expect: bad-number.s:3:9: error: bad number '12ab'; expected a decimal, 0x hex or 0b binary literal
.queue MEM_W0
    nop 12ab
