; expect: repeat-without-predecessor.s:3:5: error: repeat at the start of queue MEM_W0; expected it after the instruction it repeats
.queue MEM_W0
    repeat 3, 1
