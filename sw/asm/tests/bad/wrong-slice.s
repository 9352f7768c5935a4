; expect: wrong-slice.s:3:5: error: VXM instruction 'add' in queue MEM_W0; expected a MEM or ICU instruction
.queue MEM_W0
    add.i8 E0, E1, E2
