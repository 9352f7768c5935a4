; expect: overflowing-immediate.s:3:19: error: lane count 200 out of range; expected -128..127
.queue SXM_W
    shift E0, E1, 200
