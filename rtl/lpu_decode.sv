// Legality check of one instruction word for the slice kind and configuration of one queue.
// Purely combinational. Every opcode, field position and error code comes from lpu_isa_pkg.
//
// The checks and their order follow the ISA library (sw/isa/isa.cpp: decode(), then validate()),
// so the model and the RTL report the same code when one word breaks several rules:
//   1. opcode not assigned                                   ILLEGAL_OPCODE
//   2. reserved bits set, type / source type not allowed     BAD_OPERAND
//   3. C2C instruction (no configuration has a C2C slice)    UNIMPLEMENTED
//   4. not an ICU instruction and not for this slice kind,   WRONG_SLICE
//      or an MXM instruction on the wrong one of the MXM's
//      two queues (mxm_load_i: lw/lwi/iw only on the load
//      queue, abc/abca/abce/acc only on the compute queue)
//   5. stream index + group width > StreamsPerDir, or base
//      not a multiple of the group width (1, 2, 4, T, S, N)  BAD_OPERAND
//   6. NOP count 0                                           BAD_OPERAND
//      Repeat n = 0 or d = 0                                 BAD_REPEAT
//      Read/Write address >= WordsPerSlice                   BAD_ADDRESS
//      LW/LWI n = 0, row + n > Lanes, srca + n >
//      StreamsPerDir; ABC/ABCA/ABCE/ACC slot >= MxmAccSlots  BAD_OPERAND
// Repeat legality that depends on the queue's history (after an ICU instruction, at the start,
// stride on an instruction without index field) is checked by lpu_queue. For a re-issue of a
// Repeat, index_oob_i says that the strided index left its field's range (negative or too wide):
// that is an out-of-range address / row / slot as in step 6.
module lpu_decode #(
  parameter int unsigned SliceKind     = lpu_pkg::SLICE_MEM,
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned WordsPerSlice = lpu_arch_pkg::CFG_SMALL_BANKS_PER_SLICE
                                         * lpu_arch_pkg::CFG_SMALL_WORDS_PER_BANK,
  parameter int unsigned MxmAccSlots   = lpu_arch_pkg::CFG_SMALL_MXM_ACC_SLOTS,
  parameter int unsigned TransposeN    = lpu_arch_pkg::CFG_SMALL_TRANSPOSE_N
) (
  input  logic [31:0] insn_i,
  input  logic        mxm_load_i,    // role: this is an MXM's load queue (else its compute queue);
                                     // ignored unless SliceKind is SLICE_MXM
  input  logic        index_oob_i,   // Repeat re-issue: strided index outside its field's range
  output logic        icu_o,         // an ICU instruction (executed by the queue itself)
  output logic        nop_o,
  output logic        repeat_o,
  output logic        sync_o,
  output logic        notify_o,
  output logic        halt_o,
  output logic        strided_o,     // has an index field Repeat's stride applies to
  output logic        strided_addr_o,  // ... and that field is the MEM address (else MXM index)
  output logic        err_o,
  output logic [3:0]  err_code_o
);

  // Decoder-internal instruction classes: the four slice kinds plus ICU and C2C.
  localparam int unsigned ClsIcu = 4;
  localparam int unsigned ClsC2c = 5;

  function automatic logic [31:0] field_mask(input int unsigned msb, input int unsigned lsb);
    logic [31:0] m;
    m = '0;
    for (int unsigned i = 0; i < 32; i++) begin
      if (i >= lsb && i <= msb) m[i] = 1'b1;
    end
    field_mask = m;
  endfunction

  localparam logic [31:0] MOpcode = field_mask(lpu_isa_pkg::OPCODE_MSB, lpu_isa_pkg::OPCODE_LSB);
  localparam logic [31:0] MCount  = field_mask(lpu_isa_pkg::F_COUNT_MSB, lpu_isa_pkg::F_COUNT_LSB);
  localparam logic [31:0] MRepN   = field_mask(lpu_isa_pkg::F_REP_N_MSB, lpu_isa_pkg::F_REP_N_LSB);
  localparam logic [31:0] MRepD   = field_mask(lpu_isa_pkg::F_REP_D_MSB, lpu_isa_pkg::F_REP_D_LSB);
  localparam logic [31:0] MStride = field_mask(lpu_isa_pkg::F_STRIDE_MSB,
                                               lpu_isa_pkg::F_STRIDE_LSB);
  localparam logic [31:0] MMstrm  = field_mask(lpu_isa_pkg::F_MSTRM_MSB, lpu_isa_pkg::F_MSTRM_LSB);
  localparam logic [31:0] MMmap   = field_mask(lpu_isa_pkg::F_MMAP_MSB, lpu_isa_pkg::F_MMAP_LSB);
  localparam logic [31:0] MAddr   = field_mask(lpu_isa_pkg::F_ADDR_MSB, lpu_isa_pkg::F_ADDR_LSB);
  localparam logic [31:0] MType   = field_mask(lpu_isa_pkg::F_TYPE_MSB, lpu_isa_pkg::F_TYPE_LSB);
  localparam logic [31:0] MDst    = field_mask(lpu_isa_pkg::F_DST_MSB, lpu_isa_pkg::F_DST_LSB);
  localparam logic [31:0] MSrca   = field_mask(lpu_isa_pkg::F_SRCA_MSB, lpu_isa_pkg::F_SRCA_LSB);
  localparam logic [31:0] MSrcb   = field_mask(lpu_isa_pkg::F_SRCB_MSB, lpu_isa_pkg::F_SRCB_LSB);
  localparam logic [31:0] MSrcc   = field_mask(lpu_isa_pkg::F_SRCC_MSB, lpu_isa_pkg::F_SRCC_LSB);
  localparam logic [31:0] MStype  = field_mask(lpu_isa_pkg::F_STYPE_MSB, lpu_isa_pkg::F_STYPE_LSB);
  localparam logic [31:0] MShamt  = field_mask(lpu_isa_pkg::F_SHAMT_MSB, lpu_isa_pkg::F_SHAMT_LSB);
  localparam logic [31:0] MImm8   = field_mask(lpu_isa_pkg::F_IMM8_MSB, lpu_isa_pkg::F_IMM8_LSB);
  localparam logic [31:0] MIndex  = field_mask(lpu_isa_pkg::F_INDEX_MSB, lpu_isa_pkg::F_INDEX_LSB);
  localparam logic [31:0] MLwn    = field_mask(lpu_isa_pkg::F_LWN_MSB, lpu_isa_pkg::F_LWN_LSB);

  // A stream operand of group width g (bytes per element, a power of two) is legal when the
  // group fits in the streams of one direction and starts at a multiple of g.
  function automatic logic stream_bad(input logic [3:0] f, input int unsigned g);
    int unsigned idx;
    idx = 32'(f);
    stream_bad = (g != 0) && ((idx + g > StreamsPerDir) || ((idx & (g - 1)) != 0));
  endfunction

  // Fields.
  logic [6:0]  opcode;
  logic [1:0]  ftype, fstype;
  logic [3:0]  fdst, fsrca, fsrcb, fsrcc, fmstrm, fmmap;  // stream indices (bit 4, the direction,
                                                        // does not affect legality)
  logic [24:0] fcount;
  logic [9:0]  frep_n;
  logic [7:0]  frep_d;
  logic [12:0] faddr;
  logic [7:0]  findex;
  logic [4:0]  flwn;

  assign opcode = insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
  assign ftype  = insn_i[lpu_isa_pkg::F_TYPE_MSB:lpu_isa_pkg::F_TYPE_LSB];
  assign fstype = insn_i[lpu_isa_pkg::F_STYPE_MSB:lpu_isa_pkg::F_STYPE_LSB];
  assign fdst   = insn_i[lpu_isa_pkg::F_DST_MSB - 1:lpu_isa_pkg::F_DST_LSB];
  assign fsrca  = insn_i[lpu_isa_pkg::F_SRCA_MSB - 1:lpu_isa_pkg::F_SRCA_LSB];
  assign fsrcb  = insn_i[lpu_isa_pkg::F_SRCB_MSB - 1:lpu_isa_pkg::F_SRCB_LSB];
  assign fsrcc  = insn_i[lpu_isa_pkg::F_SRCC_MSB - 1:lpu_isa_pkg::F_SRCC_LSB];
  assign fmstrm = insn_i[lpu_isa_pkg::F_MSTRM_MSB - 1:lpu_isa_pkg::F_MSTRM_LSB];
  assign fmmap  = insn_i[lpu_isa_pkg::F_MMAP_MSB - 1:lpu_isa_pkg::F_MMAP_LSB];
  assign fcount = insn_i[lpu_isa_pkg::F_COUNT_MSB:lpu_isa_pkg::F_COUNT_LSB];
  assign frep_n = insn_i[lpu_isa_pkg::F_REP_N_MSB:lpu_isa_pkg::F_REP_N_LSB];
  assign frep_d = insn_i[lpu_isa_pkg::F_REP_D_MSB:lpu_isa_pkg::F_REP_D_LSB];
  assign faddr  = insn_i[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB];
  assign findex = insn_i[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB];
  assign flwn   = insn_i[lpu_isa_pkg::F_LWN_MSB:lpu_isa_pkg::F_LWN_LSB];

  // Per-opcode properties.
  logic        known;
  int unsigned cls;
  logic [31:0] used;       // bits the instruction defines (opcode, operands, type fields)
  logic [3:0]  tmask;      // allowed element types (bit i: type i); 0 = no type field
  logic [3:0]  smask;      // allowed CVT source types
  int unsigned g_dst, g_srca, g_srcb, g_srcc, g_mstrm, g_mmap;  // group widths, 0 = unused
  int unsigned tw, sw;     // widths of the element type and of the CVT source type
  logic        nop, rpt, sync, notify, halt, rw, lw, slot;
  logic        ld;       // MXM load-queue instruction (lw, lwi, iw)

  assign tw = 32'd1 << ftype;
  assign sw = 32'd1 << fstype;

  always_comb begin
    known   = 1'b1;
    cls     = ClsIcu;
    used    = MOpcode;
    tmask   = 4'b0000;
    smask   = 4'b0000;
    g_dst   = 0;
    g_srca  = 0;
    g_srcb  = 0;
    g_srcc  = 0;
    g_mstrm = 0;
    g_mmap  = 0;
    nop     = 1'b0;
    rpt     = 1'b0;
    sync    = 1'b0;
    notify  = 1'b0;
    halt    = 1'b0;
    rw      = 1'b0;
    lw      = 1'b0;
    slot    = 1'b0;
    ld      = 1'b0;
    unique case (opcode)
      // ICU
      lpu_isa_pkg::OP_NOP: begin
        nop  = 1'b1;
        used = used | MCount;
      end
      lpu_isa_pkg::OP_REPEAT: begin
        rpt  = 1'b1;
        used = used | MRepN | MRepD | MStride;
      end
      lpu_isa_pkg::OP_SYNC:   sync = 1'b1;
      lpu_isa_pkg::OP_NOTIFY: notify = 1'b1;
      lpu_isa_pkg::OP_HALT:   halt = 1'b1;
      // MEM
      lpu_isa_pkg::OP_READ, lpu_isa_pkg::OP_WRITE: begin
        cls     = lpu_pkg::SLICE_MEM;
        used    = used | MAddr | MMstrm;
        g_mstrm = 1;
        rw      = 1'b1;
      end
      lpu_isa_pkg::OP_GATHER, lpu_isa_pkg::OP_SCATTER: begin
        cls     = lpu_pkg::SLICE_MEM;
        used    = used | MMstrm | MMmap;
        g_mstrm = 1;
        g_mmap  = 2;
      end
      // VXM
      lpu_isa_pkg::OP_ADD, lpu_isa_pkg::OP_SUB, lpu_isa_pkg::OP_ADDS, lpu_isa_pkg::OP_SUBS,
      lpu_isa_pkg::OP_MUL, lpu_isa_pkg::OP_AND, lpu_isa_pkg::OP_OR, lpu_isa_pkg::OP_XOR,
      lpu_isa_pkg::OP_SHL, lpu_isa_pkg::OP_SHR, lpu_isa_pkg::OP_SHRL, lpu_isa_pkg::OP_MIN,
      lpu_isa_pkg::OP_MAX, lpu_isa_pkg::OP_CMPEQ, lpu_isa_pkg::OP_CMPLT: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca | MSrcb;
        tmask  = 4'b0111;
        g_dst  = tw;
        g_srca = tw;
        g_srcb = tw;
      end
      lpu_isa_pkg::OP_SEL: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca | MSrcb | MSrcc;
        tmask  = 4'b0111;
        g_dst  = tw;
        g_srca = tw;
        g_srcb = tw;
        g_srcc = tw;
      end
      lpu_isa_pkg::OP_NEG, lpu_isa_pkg::OP_ABS, lpu_isa_pkg::OP_NOT, lpu_isa_pkg::OP_MOV,
      lpu_isa_pkg::OP_RELU: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca;
        tmask  = 4'b0111;
        g_dst  = tw;
        g_srca = tw;
      end
      lpu_isa_pkg::OP_CVT: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MStype | MDst | MSrca;
        tmask  = 4'b0111;
        smask  = 4'b0111;
        g_dst  = tw;
        g_srca = sw;
      end
      lpu_isa_pkg::OP_REQ: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca | MSrcb | MShamt;
        tmask  = 4'b0011;
        g_dst  = tw;
        g_srca = 4;
        g_srcb = 2;
      end
      lpu_isa_pkg::OP_EXP2, lpu_isa_pkg::OP_SIGMOID, lpu_isa_pkg::OP_SILU: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca;
        tmask  = 4'b0010;
        g_dst  = tw;
        g_srca = tw;
      end
      lpu_isa_pkg::OP_RSQRT: begin
        cls    = lpu_pkg::SLICE_VXM;
        used   = used | MType | MDst | MSrca;
        tmask  = 4'b0100;
        g_dst  = tw;
        g_srca = tw;
      end
      // MXM
      lpu_isa_pkg::OP_LW, lpu_isa_pkg::OP_LWI: begin
        cls    = lpu_pkg::SLICE_MXM;
        used   = used | MIndex | MSrca | MLwn;
        g_srca = 1;
        lw     = 1'b1;
        ld     = 1'b1;
      end
      lpu_isa_pkg::OP_IW: begin
        cls = lpu_pkg::SLICE_MXM;
        ld  = 1'b1;
      end
      lpu_isa_pkg::OP_ABC, lpu_isa_pkg::OP_ABCA: begin
        cls    = lpu_pkg::SLICE_MXM;
        used   = used | MSrca | MIndex;
        g_srca = 1;
        slot   = 1'b1;
      end
      lpu_isa_pkg::OP_ABCE: begin
        cls    = lpu_pkg::SLICE_MXM;
        used   = used | MSrca | MIndex | MDst;
        g_srca = 1;
        g_dst  = 4;
        slot   = 1'b1;
      end
      lpu_isa_pkg::OP_ACC: begin
        cls   = lpu_pkg::SLICE_MXM;
        used  = used | MDst | MIndex;
        g_dst = 4;
        slot  = 1'b1;
      end
      // SXM
      lpu_isa_pkg::OP_SHIFT, lpu_isa_pkg::OP_ROTATE: begin
        cls    = lpu_pkg::SLICE_SXM;
        used   = used | MDst | MSrca | MImm8;
        g_dst  = 1;
        g_srca = 1;
      end
      lpu_isa_pkg::OP_PERMUTE, lpu_isa_pkg::OP_DISTRIBUTE: begin
        cls    = lpu_pkg::SLICE_SXM;
        used   = used | MDst | MSrca | MSrcb;
        g_dst  = 1;
        g_srca = 1;
        g_srcb = 1;
      end
      lpu_isa_pkg::OP_TRANSPOSE: begin
        cls    = lpu_pkg::SLICE_SXM;
        used   = used | MDst | MSrca;
        g_dst  = TransposeN;
        g_srca = TransposeN;
      end
      // C2C
      lpu_isa_pkg::OP_SEND: begin
        cls    = ClsC2c;
        used   = used | MSrca | MIndex;
        g_srca = 1;
      end
      lpu_isa_pkg::OP_RECV: begin
        cls   = ClsC2c;
        used  = used | MDst | MIndex;
        g_dst = 1;
      end
      lpu_isa_pkg::OP_DESKEW: cls = ClsC2c;
      default: known = 1'b0;
    endcase
  end

  // Checks, in the order of the ISA library.
  logic reserved_bad, type_bad, streams_bad, addr_bad, queue_bad, rows_bad;

  assign reserved_bad = (insn_i & ~used) != '0;
  assign type_bad     = ((tmask != '0) && !tmask[ftype]) || ((smask != '0) && !smask[fstype]);
  assign streams_bad  = stream_bad(fdst, g_dst) || stream_bad(fsrca, g_srca)
                     || stream_bad(fsrcb, g_srcb) || stream_bad(fsrcc, g_srcc)
                     || stream_bad(fmstrm, g_mstrm) || stream_bad(fmmap, g_mmap);
  assign addr_bad     = (32'(faddr) >= WordsPerSlice) || index_oob_i;
  // An MXM instruction on the other one of the MXM's two queues.
  assign queue_bad    = (cls == lpu_pkg::SLICE_MXM) && (ld != mxm_load_i);
  // LW/LWI: rows index .. index+n-1 from streams srca .. srca+n-1 (n = lwn >= 1), all in range;
  // a strided re-issue whose row left the index field (index_oob_i) is out of range as well.
  assign rows_bad     = (flwn == '0) || (32'(findex) + 32'(flwn) > Lanes)
                     || (32'(fsrca) + 32'(flwn) > StreamsPerDir) || index_oob_i;

  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    if (!known) begin
      err_code_o = lpu_isa_pkg::ERR_ILLEGAL_OPCODE;
    end else if (reserved_bad || type_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (cls == ClsC2c) begin
      err_code_o = lpu_isa_pkg::ERR_UNIMPLEMENTED;
    end else if (cls != ClsIcu && (cls != SliceKind || queue_bad)) begin
      err_code_o = lpu_isa_pkg::ERR_WRONG_SLICE;
    end else if (streams_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (nop && fcount == '0) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (rpt && (frep_n == '0 || frep_d == '0)) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_REPEAT;
    end else if (rw && addr_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_ADDRESS;
    end else if (lw && rows_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (slot && ((32'(findex) >= MxmAccSlots) || index_oob_i)) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end
  end

  assign err_o          = err_code_o != lpu_isa_pkg::ERR_NONE;
  assign icu_o          = known && (cls == ClsIcu);
  assign nop_o          = nop;
  assign repeat_o       = rpt;
  assign sync_o         = sync;
  assign notify_o       = notify;
  assign halt_o         = halt;
  assign strided_o      = rw || lw || slot;
  assign strided_addr_o = rw;

  // --------------------------------------------------------------------------------------------
  // Assertions (elaboration-time: the alignment check above needs power-of-two groups)
`ifndef SYNTHESIS
  initial begin
    TransposeBlockIsAPowerOfTwo: assert ((TransposeN & (TransposeN - 1)) == 0);
    StreamsPerDirFitTheStreamField: assert (StreamsPerDir >= 1 && StreamsPerDir <= 16);
  end
`endif

endmodule
