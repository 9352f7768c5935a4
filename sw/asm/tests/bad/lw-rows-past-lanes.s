; expect: lw-rows-past-lanes.s:3:16: error: weight rows 15..16 out of range; expected row + count <= 16
.queue MXM_W_LOAD
    lw 15, W0, 2
