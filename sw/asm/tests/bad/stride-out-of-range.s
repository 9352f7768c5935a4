; expect: stride-out-of-range.s:4:18: error: repeat steps the MEM address of 'read' to 4097 on its last issue; expected 0..4095
.queue MEM_W0
    read 4090, E0
    repeat 7, 1, 1
