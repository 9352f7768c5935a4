; expect: misaligned-data-label.s:5:1: error: data label 'second' at byte 3 of a 16-byte word; expected a word boundary (add .zero 13 before it)
.data MEM_E2, 0
first:
    .byte 1, 2, 3
second:
    .byte 4
