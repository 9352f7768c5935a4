; expect: duplicate-equ-and-label.s:4:1: error: duplicate definition of 'N'; expected a unique name (first defined at duplicate-equ-and-label.s:2:6)
.equ N, 3
.queue VXM
N:  nop 1
