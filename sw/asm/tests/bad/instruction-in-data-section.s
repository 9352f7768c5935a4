; expect: instruction-in-data-section.s:4:5: error: instruction 'nop' in a data section; expected a .queue directive before it
.data MEM_E0, 0
    .byte 1
    nop 1
