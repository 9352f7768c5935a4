; expect: suffix-on-untyped.s:3:9: error: type suffix '.i8' on 'read'; expected 'read' without a suffix
.queue MEM_W0
    read.i8 0, E0
