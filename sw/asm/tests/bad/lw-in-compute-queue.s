; expect: lw-in-compute-queue.s:3:5: error: MXM instruction 'lw' in queue MXM_W; expected it in an MXM load queue (MXM_W_LOAD, MXM_E_LOAD)
.queue MXM_W
    lw 0, W0, 1
