; expect: c2c-in-queue.s:3:5: error: C2C instruction 'send' in queue MEM_E0; expected no C2C instruction (config 'small' has no C2C queue)
.queue MEM_E0
    send E0, 1
