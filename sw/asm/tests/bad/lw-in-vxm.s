; expect: lw-in-vxm.s:3:5: error: MXM instruction 'lw' in queue VXM; expected a VXM or ICU instruction (or move it to MXM_W_LOAD, MXM_E_LOAD)
.queue VXM
    lw 0, W0, 1
