; expect: unterminated-expression.s:3:13: error: unexpected end of line; expected a number, name or '('
.queue VXM
    nop 1 + 
