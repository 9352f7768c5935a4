; requant.s: y = relu(requantise_i8(x . W)), the tail of a quantised linear layer.
;
; The west MXM computes the int32 vector acc = x . W and emits it as an i32 group (4 byte-plane streams E0..E3,
; every eastward stream of ulx3s). The VXM requantises it with req.i8: each i32 element times the i16 multiplier M,
; shifted right by SHIFT with round-half-away-from-zero, saturated to int8. M comes from the east hemisphere on
; W0, W1, the westward streams, because the eastward ones are all taken by acc. A VXM result leaves the VXM, so to
; apply relu to it the program turns it around in MEM_E0 (write, then read back westward); MEM_E1 stores the
; final vector.
;
; Positions (ulx3s): 0 MXM_W | 1 SXM_W | 2 MEM_W2 | 3 MEM_W1 | 4 MEM_W0 | 5 VXM | 6 MEM_E0 | 7 MEM_E1 | ...
; Timing rule (docs/architecture.md section 4): a result of latency L dispatched at t is visible h hops away at
; t+L+h-1; a state write (lw, iw, abc, write) is seen by instructions dispatched at t+L or later.
;   t=0,1  MEM_W2 reads weight rows 0, 1 onto W0, W1 (lw loads row r from stream r mod 4): at MXM_W (2 hops)
;          at t=3, 4
;   t=3,4  MXM_W_LOAD, the MXM's weight-load queue, stages them (lw 0, W0 then lw 1, W1); rows 2..7 stay 0
;   t=3    MEM_W2 reads x onto W2: at MXM_W at t=6
;   t=5    MXM_W_LOAD iw installs the staged weights (latency 1: seen by the abc at t=6)
;   t=6    MXM_W, the MXM's compute queue, abc: acc[0] = x . W (latency 3: seen by acc at t=9)
;   t=9    MXM_W acc: acc[0] onto E0..E3 (latency 2): at the VXM (5 hops) at t=9+2+4 = 15
;   t=12   MEM_E1 reads the high byte plane of M onto W1: at the VXM (2 hops) at t=15
;   t=13   MEM_E0 reads the low byte plane of M onto W0: at the VXM (1 hop) at t=15
;   t=15   VXM req.i8 (latency 4) onto E0 (acc's registers end at the VXM): at MEM_E0 at t=19
;   t=19   MEM_E0 writes E0 into tmp; t=20 reads it back onto W0: at the VXM at t=22
;   t=22   VXM relu.i8 onto E0: at MEM_E1 (2 hops) at t=25
;   t=25   MEM_E1 writes E0 into y
; Expected: acc[n] = 50*(n-4) + 20*1 = 50n - 180; r = round(3*acc / 8) saturated to int8; y = max(r, 0):
;   y = 0, 0, 0, 0, 8, 26, 45, 64
;
; Machine-checked results (sw/asm/tests/examples_model_test.cpp runs the golden model; int8 lanes from lane 0):
; result: MEM_E1 y = 0 0 0 0 8 26 45 64
; result: MEM_E0 tmp = -68 -49 -30 -11 8 26 45 64

.config ulx3s

.equ M, 3                       ; requantisation multiplier (i16)
.equ SHIFT, 3                   ; requantisation right shift
.equ M_LO, M & 0xff             ; byte planes of M
.equ M_HI, (M >> 8) & 0xff

.queue MEM_W2
    read w, W0                  ; t=0: weight row 0
    read w + 1, W1              ; t=1: weight row 1, on the stream lw takes row 1 from
    nop 1                       ; t=2
    read x, W2                  ; t=3: activations

.queue MXM_W_LOAD               ; the MXM's load queue: weights
    nop 3                       ; t=0..2
    lw 0, W0, 1                 ; t=3: staging row 0 (one row, from W0)
    lw 1, W1, 1                 ; t=4: staging row 1 (from W1: row r takes stream r mod 4)
    iw                          ; t=5: install

.queue MXM_W                    ; the MXM's compute queue: activations in, results out
    nop 6                       ; t=0..5
    abc W2, 0                   ; t=6: acc[0] = x . W
    nop 2                       ; t=7..8
    acc E0, 0                   ; t=9: acc[0] -> E0..E3 (i32)

.queue VXM
    nop 15
    req.i8 E0, E0, W0, SHIFT    ; t=15: E0 = sat8(round(acc * M >> SHIFT))
    nop 6                       ; t=16..21
    relu.i8 E0, W0              ; t=22: E0 = max(req's result, 0), back from MEM_E0

.queue MEM_E0
    nop 13
    read m_lo, W0               ; t=13
    nop 5                       ; t=14..18
    write tmp, E0               ; t=19: turn the i8 result around...
    read tmp, W0                ; t=20: ...and send it back west

.queue MEM_E1
    nop 12
    read m_hi, W1               ; t=12
    nop 12                      ; t=13..24
    write y, E0                 ; t=25

.data MEM_W2, 0x000
w:  .byte -4, -3, -2, -1, 0, 1, 2, 3    ; row 0: W[0][n] = n - 4
    .byte 1, 1, 1, 1, 1, 1, 1, 1        ; row 1: W[1][n] = 1
x:  .byte 50, 20                                                    ; x[0], x[1]; the rest 0

.data MEM_E1, 0x000
m_hi:
    .byte M_HI, M_HI, M_HI, M_HI, M_HI, M_HI, M_HI, M_HI

.data MEM_E0, 0x000
m_lo:
    .byte M_LO, M_LO, M_LO, M_LO, M_LO, M_LO, M_LO, M_LO

.data MEM_E0, 0x100
tmp: .zero 8

.data MEM_E1, 0x100
y:  .zero 8                     ; the result lands here
