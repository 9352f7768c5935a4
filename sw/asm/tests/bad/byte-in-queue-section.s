; expect: byte-in-queue-section.s:3:5: error: '.byte' outside a data section; expected a .data directive before it
.queue VXM
    .byte 1
