; expect: missing-comma.s:3:12: error: unexpected 'E1' after operand 1 of 'read'; expected ','
.queue MEM_W0
    read 0 E1
