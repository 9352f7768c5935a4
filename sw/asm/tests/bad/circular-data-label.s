; expect: circular-data-label.s:2:15: error: circular definition of 'here'; expected a value that does not depend on itself
.data MEM_E0, here
here:
    .byte 1
