; expect: duplicate-label.s:5:1: error: duplicate definition of 'top'; expected a unique name (first defined at duplicate-label.s:3:1)
.queue MEM_W0
top:
    nop 1
top:
    nop 2
