; expect: uppercase-mnemonic.s:3:5: error: unknown mnemonic 'ADD'; expected lower case 'add'
.queue VXM
    ADD.i8 E0, E1, E2
