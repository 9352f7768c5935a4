; expect: misaligned-transpose.s:3:19: error: stream 'E4' is not aligned for a transpose group of 8 streams; expected a multiple of 8
.queue SXM_E
    transpose W0, E4
