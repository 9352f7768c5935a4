; expect: number-where-stream-expected.s:3:13: error: operand 2 (mstrm) of 'read' is '0'; expected a stream register E0..E7 or W0..W7
.queue MEM_W0
    read 0, 0
