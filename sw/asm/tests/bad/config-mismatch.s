; expect: config-mismatch.s:2:9: error: configuration 'large' differs from the one being assembled for; expected .config small
.config large
.queue VXM
    nop 1
