; expect: garbage-after-operands.s:3:16: error: unexpected 'x' after operand 2 of 'read'; expected ',' or end of line
.queue MEM_W0
    read 0, E1 x
