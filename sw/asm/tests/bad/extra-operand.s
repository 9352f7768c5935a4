; expect: extra-operand.s:3:15: error: too many operands for 'read'; expected 2 operands
.queue MEM_W0
    read 0, E1, E2
