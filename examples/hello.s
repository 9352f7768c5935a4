; hello.s: C = A + B, lane by lane, in int8.
;
; A sits in MEM_W0 and B in MEM_E0, the two neighbours of the VXM; the sum goes to MEM_E1. These slices are at
; the same distances from the VXM in every configuration, so the program has no .config line and runs on all of
; them (in the wider ones, lanes 8 and up of A and B are 0, so are those of C).
;
; Timing (docs/architecture.md section 4): a result of latency L dispatched at cycle t at position p is visible at
; p+-1 at t+L and h hops away at t+L+h-1. Latencies: read 2, add 2, write 1.
;   t=0  MEM_W0 reads A onto E0 (eastward) and MEM_E0 reads B onto W0 (westward): both at the VXM at t=2
;   t=2  the VXM adds them onto E1: visible at MEM_E0 at t=4 and at MEM_E1 (2 hops) at t=5
;   t=5  MEM_E1 writes E1 into word c
; Expected result: c = 101, 102, ..., 108
;
; Machine-checked results (sw/asm/tests/examples_model_test.cpp runs the golden model; values are int8 lanes
; from lane 0, every further lane must be 0):
; result: MEM_E1 c = 101 102 103 104 105 106 107 108

.queue MEM_W0
    read a, E0                  ; t=0: A -> E0
                                ; (halt appended by the assembler)
.queue MEM_E0
    read b, W0                  ; t=0: B -> W0

.queue VXM
    nop 2                       ; t=0..1: wait for A and B
    add.i8 E1, E0, W0           ; t=2: E1 = A + B

.queue MEM_E1
    nop 5                       ; t=0..4
    write c, E1                 ; t=5: c = A + B

.data MEM_W0, 0x000
a:  .byte 1, 2, 3, 4, 5, 6, 7, 8

.data MEM_E0, 0x000
b:  .byte 100, 100, 100, 100, 100, 100, 100, 100

.data MEM_E1, 0x010
c:  .zero 8                     ; the result lands here
