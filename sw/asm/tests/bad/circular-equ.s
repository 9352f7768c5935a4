; expect: circular-equ.s:4:9: error: circular definition of 'A'; expected a value that does not depend on itself
.equ A, B + 1
.equ B, C
.equ C, A
