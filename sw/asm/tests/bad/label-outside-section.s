; expect: label-outside-section.s:2:1: error: label 'early' outside a section; expected a .queue or .data directive before it
early:
.queue VXM
    nop 1
