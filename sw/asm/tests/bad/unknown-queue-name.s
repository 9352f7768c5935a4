; expect: unknown-queue-name.s:2:8: error: unknown queue 'MEM_W3'; expected one of MXM_W, SXM_W, MEM_W2, MEM_W1, MEM_W0, VXM, MEM_E0, MEM_E1, MEM_E2, SXM_E, MXM_E, MXM_W_LOAD, MXM_E_LOAD (config 'small')
.queue MEM_W3
    nop 1
