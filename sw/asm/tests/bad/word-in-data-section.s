; expect: word-in-data-section.s:3:5: error: '.word' in a data section; expected .byte or .zero
.data MEM_E0, 0
    .word 1
