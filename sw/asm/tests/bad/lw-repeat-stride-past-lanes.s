; expect: lw-repeat-stride-past-lanes.s:5:18: error: repeat steps the weight row of 'lw' to 14 on its last issue; expected 0..12
; four rows per issue: the last issue, rows 14..17, would pass lane 15
.queue MXM_W_LOAD
    lw 0, W0, 4
    repeat 7, 1, 2
