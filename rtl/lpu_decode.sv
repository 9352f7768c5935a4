// Legality check of one instruction word for the slice class and configuration of one queue.
// Purely combinational. The per-opcode properties (slice class, queue role, defined bits, allowed
// types, stream-group widths, value check, strided field) come from the generated table
// lpu_isa_pkg::insn_desc (sw/isa/isa.toml); field positions and error codes from lpu_isa_pkg.
//
// The checks and their order follow the ISA library (sw/isa/isa.cpp: decode(), then validate()),
// so the model and the RTL report the same code when one word breaks several rules:
//   1. opcode not assigned, or the word lies past the program  ILLEGAL_OPCODE
//   2. reserved bits set, type / source type not allowed     BAD_OPERAND
//   3. C2C instruction (no configuration has a C2C slice)    UNIMPLEMENTED
//   4. not an ICU instruction and not for this slice class,   WRONG_SLICE
//      or an MXM instruction on the wrong one of the MXM's
//      two queues (MxmLoad: lw/lwi/iw only on the load
//      queue, abc/abca/abce/acc only on the compute queue)
//   5. stream index + group width > StreamsPerDir, or base
//      not a multiple of the group width (1, 2, 4, T, S, N)  BAD_OPERAND
//   6. the value check of the instruction (check_e):
//      NOP count 0                                           BAD_OPERAND
//      Repeat n = 0 or d = 0                                 BAD_REPEAT
//      Read/Write address >= WordsPerSlice                   BAD_ADDRESS
//      LW/LWI n = 0, row + n > Lanes, srca + n >
//      StreamsPerDir; ABC/ABCA/ABCE/ACC slot >= MxmAccSlots  BAD_OPERAND
// Only the value checks that an instruction of this queue can reach (ICU or this slice class, see
// lpu_isa_pkg::SLICE_CHECKS) are built. Repeat legality that depends on the queue's history (after
// an ICU instruction, at the start, stride on an instruction without index field) and the checks
// of a strided re-issue are lpu_queue's.
module lpu_decode #(
  // The ISA slice class (lpu_isa_pkg::slice_e) of the queue's slice.
  parameter int unsigned SliceClass    = 32'(lpu_isa_pkg::SLICE_MEM),
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned WordsPerSlice = lpu_arch_pkg::CFG_SMALL_BANKS_PER_SLICE
                                         * lpu_arch_pkg::CFG_SMALL_WORDS_PER_BANK,
  parameter int unsigned MxmAccSlots   = lpu_arch_pkg::CFG_SMALL_MXM_ACC_SLOTS,
  parameter int unsigned TransposeN    = lpu_arch_pkg::CFG_SMALL_TRANSPOSE_N,
  // Role for SliceKind = SLICE_MXM: 1 = the MXM's load queue, 0 = its compute queue.
  parameter bit          MxmLoad       = 1'b0
) (
  input  logic [lpu_isa_pkg::INSN_BITS-1:0] insn_i,
  input  logic                  past_end_i,    // the word lies past the program: the all-zero word
  output logic                  icu_o,         // an ICU instruction (executed by the queue itself)
  output logic                  nop_o,
  output logic                  repeat_o,
  output logic                  sync_o,
  output logic                  notify_o,
  output logic                  halt_o,
  output lpu_isa_pkg::strided_e strided_o,     // the field a Repeat's stride applies to
  output lpu_isa_pkg::check_e   check_o,       // its value check (for the strided re-issue)
  output logic                  err_o,
  output lpu_isa_pkg::err_e     err_code_o
);

  localparam int unsigned Kind = SliceClass;
  // Value checks an instruction of this queue can reach.
  localparam int unsigned CW    = lpu_isa_pkg::SLICE_CHECKS_W;
  localparam int unsigned Entry = 2 * Kind + 32'(MxmLoad);  // this queue's row of the table
  localparam int unsigned IcuEntry = 2 * lpu_isa_pkg::SLICE_ICU;  // the ICU's (control) row
  localparam logic [CW-1:0] Checks = lpu_isa_pkg::SLICE_CHECKS[CW * IcuEntry +: CW]
                                   | lpu_isa_pkg::SLICE_CHECKS[CW * Entry +: CW];
  localparam int unsigned LgN = $clog2(TransposeN);

  // Stream groups: OkTable[lg][i] says that a group of 2^lg streams may start at stream i (fits in
  // StreamsPerDir and is aligned). A constant table: no adders for the check.
  typedef logic [15:0] ok_row_t;
  function automatic ok_row_t ok_row(input int unsigned lg);
    ok_row_t r;
    for (int unsigned i = 0; i < 16; i++) begin
      r[i] = (i + (32'd1 << lg) <= StreamsPerDir) && ((i & ((32'd1 << lg) - 1)) == 0);
    end
    ok_row = r;
  endfunction
  localparam ok_row_t Ok0 = ok_row(0);
  localparam ok_row_t Ok1 = ok_row(1);
  localparam ok_row_t Ok2 = ok_row(2);
  localparam ok_row_t Ok3 = ok_row(3);
  localparam ok_row_t OkN = ok_row(LgN);

  // Fields. Stream fields: bits 3:0 the index (bit 4, the direction, does not affect legality).
  logic [lpu_isa_pkg::OPCODE_BITS-1:0]  opcode;
  logic [lpu_isa_pkg::F_TYPE_BITS-1:0]  ftype, fstype;
  logic [3:0]                           fdst, fsrca, fsrcb, fsrcc, fmstrm, fmmap;
  logic [lpu_isa_pkg::F_COUNT_BITS-1:0] fcount;
  logic [lpu_isa_pkg::F_REP_N_BITS-1:0] frep_n;
  logic [lpu_isa_pkg::F_REP_D_BITS-1:0] frep_d;
  logic [lpu_isa_pkg::F_ADDR_BITS-1:0]  faddr;
  logic [lpu_isa_pkg::F_INDEX_BITS-1:0] findex;
  logic [lpu_isa_pkg::F_LWN_BITS-1:0]   flwn;

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

  lpu_isa_pkg::insn_desc_t d;
  assign d = lpu_isa_pkg::insn_desc(opcode);

  // A stream operand of group g at stream i is legal.
  function automatic logic stream_ok(input logic [3:0] i, input lpu_isa_pkg::group_e g,
                                     input logic [lpu_isa_pkg::F_TYPE_BITS-1:0] t,
                                     input logic [lpu_isa_pkg::F_TYPE_BITS-1:0] st);
    logic [lpu_isa_pkg::F_TYPE_BITS-1:0] lg;
    logic ok;
    lg = '0;
    unique case (g)
      lpu_isa_pkg::GROUP_T: lg = t;
      lpu_isa_pkg::GROUP_S: lg = st;
      default:              lg = '0;
    endcase
    unique case (g)
      lpu_isa_pkg::GROUP_NONE: ok = 1'b1;
      lpu_isa_pkg::GROUP_1:    ok = Ok0[i];
      lpu_isa_pkg::GROUP_2:    ok = Ok1[i];
      lpu_isa_pkg::GROUP_4:    ok = Ok2[i];
      lpu_isa_pkg::GROUP_N:    ok = OkN[i];
      lpu_isa_pkg::GROUP_T, lpu_isa_pkg::GROUP_S: begin
        // Type 3 is not allowed anywhere (the type check fires first).
        unique case (lg)
          2'd0:    ok = Ok0[i];
          2'd1:    ok = Ok1[i];
          2'd2:    ok = Ok2[i];
          default: ok = Ok3[i];
        endcase
      end
      default:                 ok = 1'b1;
    endcase
    stream_ok = ok;
  endfunction

  // Checks, in the order of the ISA library.
  logic known, reserved_bad, type_bad, wrong_slice, streams_bad;
  logic count_bad, repeat_bad, addr_bad, rows_bad, slot_bad;

  assign known        = d.known && !past_end_i;
  assign reserved_bad = (insn_i & ~d.used) != '0;
  assign type_bad     = ((d.type_mask != '0) && !d.type_mask[ftype])
                     || ((d.stype_mask != '0) && !d.stype_mask[fstype]);
  assign wrong_slice  = (d.slice != lpu_isa_pkg::SLICE_ICU)
                     && ((32'(d.slice) != Kind) || (d.load_queue != MxmLoad));
  assign streams_bad  = !stream_ok(fdst, d.group_dst, ftype, fstype)
                     || !stream_ok(fsrca, d.group_srca, ftype, fstype)
                     || !stream_ok(fsrcb, d.group_srcb, ftype, fstype)
                     || !stream_ok(fsrcc, d.group_srcc, ftype, fstype)
                     || !stream_ok(fmstrm, d.group_mstrm, ftype, fstype)
                     || !stream_ok(fmmap, d.group_mmap, ftype, fstype);

  // Value checks, each built only if this queue can meet it.
  assign count_bad  = Checks[lpu_isa_pkg::CHECK_COUNT] && (d.check == lpu_isa_pkg::CHECK_COUNT)
                   && (fcount == '0);
  assign repeat_bad = Checks[lpu_isa_pkg::CHECK_REPEAT] && (d.check == lpu_isa_pkg::CHECK_REPEAT)
                   && ((frep_n == '0) || (frep_d == '0));
  assign addr_bad   = Checks[lpu_isa_pkg::CHECK_ADDR] && (d.check == lpu_isa_pkg::CHECK_ADDR)
                   && (32'(faddr) >= WordsPerSlice);
  // LW/LWI: rows index .. index+n-1 from streams srca .. srca+n-1 (n = lwn >= 1), all in range.
  assign rows_bad   = Checks[lpu_isa_pkg::CHECK_ROWS] && (d.check == lpu_isa_pkg::CHECK_ROWS)
                   && ((flwn == '0) || (32'(findex) + 32'(flwn) > Lanes)
                       || (32'(fsrca) + 32'(flwn) > StreamsPerDir));
  assign slot_bad   = Checks[lpu_isa_pkg::CHECK_SLOT] && (d.check == lpu_isa_pkg::CHECK_SLOT)
                   && (32'(findex) >= MxmAccSlots);

  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    if (!known) begin
      err_code_o = lpu_isa_pkg::ERR_ILLEGAL_OPCODE;
    end else if (reserved_bad || type_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (d.slice == lpu_isa_pkg::SLICE_C2C) begin
      err_code_o = lpu_isa_pkg::ERR_UNIMPLEMENTED;
    end else if (wrong_slice) begin
      err_code_o = lpu_isa_pkg::ERR_WRONG_SLICE;
    end else if (streams_bad || count_bad || rows_bad || slot_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
    end else if (repeat_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_REPEAT;
    end else if (addr_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_ADDRESS;
    end
  end

  assign err_o     = err_code_o != lpu_isa_pkg::ERR_NONE;
  assign icu_o     = d.known && (d.slice == lpu_isa_pkg::SLICE_ICU);
  assign nop_o     = opcode == lpu_isa_pkg::OP_NOP;
  assign repeat_o  = opcode == lpu_isa_pkg::OP_REPEAT;
  assign sync_o    = opcode == lpu_isa_pkg::OP_SYNC;
  assign notify_o  = opcode == lpu_isa_pkg::OP_NOTIFY;
  assign halt_o    = opcode == lpu_isa_pkg::OP_HALT;
  assign strided_o = d.strided;
  assign check_o   = d.check;

  // --------------------------------------------------------------------------------------------
  // Assertions (elaboration-time: the group checks need power-of-two groups)
`ifndef SYNTHESIS
  initial begin
    TransposeBlockIsAPowerOfTwo: assert ((TransposeN & (TransposeN - 1)) == 0);
    StreamsPerDirFitTheStreamField: assert (StreamsPerDir >= 1 && StreamsPerDir <= 16);
  end
`endif

endmodule
