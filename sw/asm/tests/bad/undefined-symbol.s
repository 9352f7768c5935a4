; expect: undefined-symbol.s:3:10: error: undefined name 'weigths'; expected a label or .equ constant
.queue MEM_W0
    read weigths, E0
.data MEM_W0, 0
weights:
    .byte 1
