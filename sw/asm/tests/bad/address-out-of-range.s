; expect: address-out-of-range.s:3:10: error: MEM address 4096 out of range; expected 0..4095 (config 'small' has 4096 words per MEM slice)
.queue MEM_E2
    read 0x1000, E0
