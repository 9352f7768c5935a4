; expect: operand-on-halt.s:3:10: error: too many operands for 'halt'; expected none
.queue MEM_W0
    halt 3
