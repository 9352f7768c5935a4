; expect: repeat-after-icu.s:4:5: error: repeat after 'nop'; expected a non-ICU instruction before it
.queue MEM_W0
    nop 2
    repeat 3, 1
