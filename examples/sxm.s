; sxm.s: the switch slices. SXM_W permutes and shifts a vector; SXM_E transposes four rows.
;
; Positions (ulx3s): 0 MXM_W | 1 SXM_W | 2 MEM_W2 | 3 MEM_W1 | 4 MEM_W0 | 5 VXM | 6 MEM_E0 | 7 MEM_E1 | 8 MEM_E2
;                    | 9 SXM_E | 10 MXM_E
; Timing rule (docs/architecture.md section 4): a result of latency L dispatched at t is visible h hops away at
; t+L+h-1 (read 2, SXM 2, mov 2, write 1). Each slice issues at most one instruction per cycle.
;
; Part 1, SXM_W (position 1): permute and shift.
;   t=2    MEM_W1 reads the lane map onto W1: at SXM_W (2 hops) at t=5
;   t=3,4  MEM_W2 reads v onto W0 (twice): at SXM_W at t=5 and t=6
;   t=5    SXM_W permute E0, W0, W1: at MEM_W2 at t=7, which writes it to `permuted`
;   t=6    SXM_W shift E1, W0, 3: at MEM_W2 at t=8, which writes it to `shifted`
; Expected: permuted = 107, 106, ..., 100 (v reversed); shifted = 0, 0, 0, 100, 101, ..., 104
;
; Part 2, SXM_E (position 9): a 4x4 byte transpose of each 4-lane block (transpose_n = 4) needs rows 0..3 on
; E0..E3 at SXM_E in the same cycle, t=8. Four MEM slices each read one row, timed by their distance:
;   row:    0       1       2       3
;   from:   MEM_W2  MEM_W1  MEM_W0  MEM_E0
;   read:   t=0     t=1     t=2     t=4
;   t=8    SXM_E transpose W0, E0: output rows on W0..W3, at position 9-h at t=9+h
;   Each MEM slice stores the output row passing it: MEM_E2 W0 (t=10), MEM_E1 W1 (t=11), MEM_E0 W2 (t=12),
;   MEM_W0 W3 (t=14).
; Input row i, lane j holds 16*i + j. Output row i, lane 4*b + j = input row j, lane 4*b + i (block b = 0, 1):
;   t_i = i, 16+i, 32+i, 48+i, 4+i, 20+i, 36+i, 52+i
;
; Machine-checked results (sw/asm/tests/examples_model_test.cpp runs the golden model; int8 lanes from lane 0):
; result: MEM_W2 permuted = 107 106 105 104 103 102 101 100
; result: MEM_W2 shifted = 0 0 0 100 101 102 103 104
; result: MEM_E2 t0 = 0 16 32 48 4 20 36 52
; result: MEM_E1 t1 = 1 17 33 49 5 21 37 53
; result: MEM_E0 t2 = 2 18 34 50 6 22 38 54
; result: MEM_W0 t3 = 3 19 35 51 7 23 39 55

.config ulx3s

.queue SXM_W
    nop 5
    permute E0, W0, W1          ; t=5: E0[i] = v[map[i]]
    shift E1, W0, 3             ; t=6: E1[i] = v[i-3], 0 below lane 3

.queue SXM_E
    nop 8
    transpose W0, E0            ; t=8: 4x4 blocks of E0..E3 -> W0..W3

.queue MEM_W2
    read row0, E0               ; t=0
    nop 2                       ; t=1..2
    read v, W0                  ; t=3: for permute
    read v, W0                  ; t=4: for shift
    nop 2                       ; t=5..6
    write permuted, E0          ; t=7
    write shifted, E1           ; t=8

.queue MEM_W1
    nop 1
    read row1, E1               ; t=1
    read map, W1                ; t=2

.queue MEM_W0
    nop 2
    read row2, E2               ; t=2
    nop 11                      ; t=3..13
    write t3, W3                ; t=14

.queue MEM_E0
    nop 4
    read row3, E3               ; t=4
    nop 7                       ; t=5..11
    write t2, W2                ; t=12

.queue MEM_E1
    nop 11
    write t1, W1                ; t=11

.queue MEM_E2
    nop 10
    write t0, W0                ; t=10

; ---- inputs
.data MEM_W2, 0x000
row0: .byte 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
v:    .byte 100, 101, 102, 103, 104, 105, 106, 107
.data MEM_W1, 0x000
row1: .byte 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
map:  .byte 7, 6, 5, 4, 3, 2, 1, 0
.data MEM_W0, 0x000
row2: .byte 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27
.data MEM_E0, 0x000
row3: .byte 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37

; ---- outputs
.data MEM_W2, 0x010
permuted: .zero 8
shifted:  .zero 8
.data MEM_W0, 0x010
t3:       .zero 8
.data MEM_E0, 0x010
t2:       .zero 8
.data MEM_E1, 0x010
t1:       .zero 8
.data MEM_E2, 0x010
t0:       .zero 8
