; expect: stride-on-non-strided.s:4:18: error: stride 1 after 'add', which has no strided field; expected stride 0
.queue VXM
    add.i8 E0, E1, E2
    repeat 3, 1, 1
