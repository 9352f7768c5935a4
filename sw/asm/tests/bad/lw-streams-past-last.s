; expect: lw-streams-past-last.s:3:15: error: streams W6..W9 run past W7; expected stream + count <= 8
.queue MXM_E_LOAD
    lw 0, W6, 4
