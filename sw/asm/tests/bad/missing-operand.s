; expect: missing-operand.s:3:11: error: missing operand 2 (mstrm) of 'read'; expected 2 operands
.queue MEM_W0
    read 0
