; expect: data-address-out-of-range.s:2:15: error: data address 4096 out of range; expected 0..4095
.data MEM_W1, 4096
    .byte 1
