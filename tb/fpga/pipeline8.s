; pipeline8.s: tb/demo/pipeline.s with 8-byte vectors, for the ulx3s configuration (8 lanes) of the board
; tests (tb/fpga): eight vectors through the VXM back to back, y[j] = adds.i8(x[j], b), one vector per cycle,
; with read/write repeats on MEM_W0, MEM_E0 and MEM_E1. x[j] lane i = 8j + i - 16, b = 100, so from lane 4
; of vector 5 on the sums saturate at 127 instead of wrapping. The golden model computes the expected words
; (tb/fpga/tests/fpga_test.cpp).
.config ulx3s

.queue MEM_W0
    read x0, E0                 ; t=0: x[0] -> E0
    repeat 7, 1, 1              ; t=1..7: x[1..7]

.queue MEM_E0
    read b, W0                  ; t=0: b -> W0
    repeat 7, 1, 0              ; t=1..7: b again

.queue VXM
    nop 2                       ; t=0..1
    adds.i8 E1, E0, W0          ; t=2: y[0] = sat(x[0] + b)
    repeat 7, 1                 ; t=3..9: y[1..7]

.queue MEM_E1
    nop 5                       ; t=0..4
    write y0, E1                ; t=5: y[0]
    repeat 7, 1, 1              ; t=6..12: y[1..7]

.data MEM_W0, 0x000
x0: .byte -16, -15, -14, -13, -12, -11, -10, -9
.data MEM_W0, 0x001
x1: .byte -8, -7, -6, -5, -4, -3, -2, -1
.data MEM_W0, 0x002
x2: .byte 0, 1, 2, 3, 4, 5, 6, 7
.data MEM_W0, 0x003
x3: .byte 8, 9, 10, 11, 12, 13, 14, 15
.data MEM_W0, 0x004
x4: .byte 16, 17, 18, 19, 20, 21, 22, 23
.data MEM_W0, 0x005
x5: .byte 24, 25, 26, 27, 28, 29, 30, 31
.data MEM_W0, 0x006
x6: .byte 32, 33, 34, 35, 36, 37, 38, 39
.data MEM_W0, 0x007
x7: .byte 40, 41, 42, 43, 44, 45, 46, 47

.data MEM_E0, 0x000
b:  .byte 100, 100, 100, 100, 100, 100, 100, 100

.data MEM_E1, 0x020
y0: .zero 8
.data MEM_E1, 0x021
y1: .zero 8
.data MEM_E1, 0x022
y2: .zero 8
.data MEM_E1, 0x023
y3: .zero 8
.data MEM_E1, 0x024
y4: .zero 8
.data MEM_E1, 0x025
y5: .zero 8
.data MEM_E1, 0x026
y6: .zero 8
.data MEM_E1, 0x027
y7: .zero 8
