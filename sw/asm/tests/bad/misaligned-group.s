; expect: misaligned-group.s:3:13: error: stream 'E1' is not aligned for an i32 group; expected a multiple of 4
.queue VXM
    add.i32 E1, E4, W0
