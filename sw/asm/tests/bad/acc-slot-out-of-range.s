; expect: acc-slot-out-of-range.s:3:13: error: accumulator slot 16 out of range; expected 0..15
.queue MXM_E
    abc W0, 16
