; expect: unclosed-parenthesis.s:3:15: error: unexpected end of line in an expression; expected ')' to close the '(' at column 9
.queue VXM
    nop (1 + 2
