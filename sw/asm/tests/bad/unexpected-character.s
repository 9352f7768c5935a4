; expect: unexpected-character.s:3:9: error: unexpected character '$'; expected a name, number, operator, ',' or comment
.queue VXM
    nop $1
