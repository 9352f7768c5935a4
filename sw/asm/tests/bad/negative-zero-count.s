; expect: negative-zero-count.s:3:5: error: .zero count -1 is negative; expected 0 or more
.data MEM_W1, 0
    .zero 3 - 4
