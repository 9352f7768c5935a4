; expect: data-in-vxm.s:2:7: error: slice 'VXM' has no SRAM; expected a MEM slice (MEM_W2, MEM_W1, MEM_W0, MEM_E0, MEM_E1, MEM_E2)
.data VXM, 0
    .byte 1
