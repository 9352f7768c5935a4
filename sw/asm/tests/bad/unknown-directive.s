; expect: unknown-directive.s:2:1: error: unknown directive '.text'; expected .config, .equ, .queue, .data, .byte, .zero or .word
.text
