; expect: unknown-mnemonic.s:3:5: error: unknown mnemonic 'ad'; expected an instruction or directive
.queue VXM
    ad.i8 E0, E1, E2
