; pipeline.s: the default program of `make sim` -- eight vectors streamed through the VXM back to back.
;
; y[j] = adds.i8(x[j], b) for j = 0..7: a saturating int8 add, one vector per cycle. MEM_W0 reads x[0..7] onto E0
; on eight consecutive cycles (read + repeat with stride 1), MEM_E0 reads the bias b onto W0 eight times (stride 0),
; the VXM issues one adds.i8 per cycle (repeat), and MEM_E1 writes y[0..7] as they pass (repeat, stride 1).
; Every slice issues every cycle for eight cycles; the stream registers E0, W0 and E1 carry a new vector each cycle.
; Like hello.s it uses only the VXM and its nearest MEM slices, so it runs unchanged on every configuration.
;
; Timing (docs/architecture.md section 4: latency L dispatched at t is visible h hops away at t+L+h-1):
;   t=0..7   MEM_W0 read x[j] -> E0, MEM_E0 read b -> W0     (read L=2: at the VXM, 1 hop, at t=2..9)
;   t=2..9   VXM adds.i8 E1, E0, W0                           (L=2: at MEM_E1, 2 hops, at t=5..12)
;   t=5..12  MEM_E1 write y[j]
;   the machine stops at t=14 (last write at 12, halt at 13)
; x[j] lane i = 8j + i - 32, b = 110 in every lane, so y[j] lane i = min(8j + i + 78, 127): from vector 6 on the
; sum saturates at 127 instead of wrapping.
;
; Machine-checked results (tb/lockstep/tests/examples_test.cpp: golden model, and the RTL in lockstep):
; result: MEM_E1 y0 = 78 79 80 81 82 83 84 85
; result: MEM_E1 y3 = 102 103 104 105 106 107 108 109
; result: MEM_E1 y6 = 126 127 127 127 127 127 127 127
; result: MEM_E1 y7 = 127 127 127 127 127 127 127 127

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

; One .data section per vector: each starts a new word, so the program also assembles for wider configurations
; (small: 16 lanes, large: 64; the lanes past 8 are 0 there).
.data MEM_W0, 0x000
x0: .byte -32, -31, -30, -29, -28, -27, -26, -25
.data MEM_W0, 0x001
x1: .byte -24, -23, -22, -21, -20, -19, -18, -17
.data MEM_W0, 0x002
x2: .byte -16, -15, -14, -13, -12, -11, -10, -9
.data MEM_W0, 0x003
x3: .byte -8, -7, -6, -5, -4, -3, -2, -1
.data MEM_W0, 0x004
x4: .byte 0, 1, 2, 3, 4, 5, 6, 7
.data MEM_W0, 0x005
x5: .byte 8, 9, 10, 11, 12, 13, 14, 15
.data MEM_W0, 0x006
x6: .byte 16, 17, 18, 19, 20, 21, 22, 23
.data MEM_W0, 0x007
x7: .byte 24, 25, 26, 27, 28, 29, 30, 31

.data MEM_E0, 0x000
b:  .byte 110, 110, 110, 110, 110, 110, 110, 110

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
