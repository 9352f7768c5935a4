; expect: data-overlap.s:5:1: error: data for MEM_E0 words 0x011..0x011 overlaps the data section at data-overlap.s:3:1 (words 0x010..0x011); expected disjoint data sections
; two sections in MEM_E0: words 0x10..0x11 and 0x11
.data MEM_E0, 0x10
    .zero 17
.data MEM_E0, 0x11
    .byte 5
