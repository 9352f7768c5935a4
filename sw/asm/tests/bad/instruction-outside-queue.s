; expect: instruction-outside-queue.s:2:1: error: instruction 'nop' outside a queue section; expected a .queue directive before it
nop 1
