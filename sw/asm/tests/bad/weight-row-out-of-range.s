; expect: weight-row-out-of-range.s:3:8: error: weight row 16 out of range; expected 0..15 (config 'small' has 16 lanes)
.queue MXM_W_LOAD
    lw 16, W0, 1
