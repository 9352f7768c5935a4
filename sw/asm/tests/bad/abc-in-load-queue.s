; expect: abc-in-load-queue.s:3:5: error: MXM instruction 'abc' in queue MXM_E_LOAD; expected it in an MXM compute queue (MXM_W, MXM_E)
.queue MXM_E_LOAD
    abc W0, 0
