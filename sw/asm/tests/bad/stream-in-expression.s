; expect: stream-in-expression.s:3:10: error: stream register 'E3' in an expression; expected a number or name
.queue MEM_W0
    read E3, 0
