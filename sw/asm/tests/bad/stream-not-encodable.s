; expect: stream-not-encodable.s:3:13: error: stream 'W16' out of range; expected E0..E7 or W0..W7 for config 'small'
.queue MEM_W0
    read 0, W16
