; expect: control-character.s:3:9: error: control character 0x1b; expected ASCII text
.queue VXM
    nop [1m
