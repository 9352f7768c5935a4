// Copyright openlpu contributors.
//
// lpu_vxm: the vector execution module, the slice at the centre of the chip.
//
// Lane-wise int8/int16/int32 arithmetic on stream groups (docs/isa.md, VXM). An element of type T
// occupies G = bytes(T) consecutive streams starting at an aligned base; lane i of the element is
// byte k of lane i on stream base+k. Block diagram:
//
//   sr_e_i/sr_w_i -> operand fetch (a, b, c: per lane 4 bytes from streams base|k)
//                 -> Lanes x lpu_vxm_lane (ALU / MUL / LONG result paths, see there)
//                 -> output merge: each (dir, stream) takes byte (s mod 4) of the lane word of
//                    whichever result path targets it this cycle; two paths on one (dir, stream) =
//                    STREAM_CONFLICT, and the register loads the longest-latency path's result
//                    (long, then mul, then ALU).
//
// Timing contract (t = dispatch cycle, operands read from sr_*_i in t):
//   ALU ops  (LAT_ADD .. LAT_CVT = 2): wr_*_o driven in t+1.
//   mul      (LAT_MUL = 3):            wr_*_o driven in t+2.
//   req, exp2, rsqrt, sigmoid, silu (LAT_* = 4): wr_*_o driven in t+3.
// The pipeline depths are fixed by the datapath; an elaboration check compares them with the ISA
// latencies.
// busy_o in cycle c: an instruction dispatched before c still drives a result in c or later.
// err_o in cycle c: two results drive one (dir, stream) in c. err_info_o = {7'b0, dir, stream[7:0]}
// of the lowest such register, east before west (the golden model's error order).
// commit_i = 0 (stopped: the cycle after an error, or before START): every in-flight result is
// dropped.

module lpu_vxm #(
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  // DP16KD for the special-function tables: lane pairs 0 .. TableBrams-1 read one each (a lane per
  // port), the other lanes' tables are LUT ROM (lpu_vxm_rom). 3 is the ulx3s block RAM budget
  // (docs/fpga.md).
  parameter int unsigned TableBrams    = 3
) (
  input  logic                                 clk_i,
  // The assertions' `disable iff (!rst_ni)` counts as a synchronous use of the asynchronous reset.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                                 rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic                                 issue_valid_i,
  input  logic [31:0]                          issue_insn_i,
  input  logic [StreamsPerDir*Lanes*8-1:0]     sr_e_i,
  input  logic [StreamsPerDir*Lanes*8-1:0]     sr_w_i,
  output logic [StreamsPerDir-1:0]             wr_e_en_o,
  output logic [StreamsPerDir-1:0]             wr_w_en_o,
  output logic [StreamsPerDir*Lanes*8-1:0]     wr_e_data_o,
  output logic [StreamsPerDir*Lanes*8-1:0]     wr_w_data_o,
  output logic                                 busy_o,
  output logic                                 err_o,
  output logic [3:0]                           err_code_o,
  output logic [15:0]                          err_info_o,
  input  logic                                 commit_i
);

  localparam int unsigned S  = StreamsPerDir;
  localparam int unsigned L  = Lanes;
  localparam int unsigned SW = $clog2(S);

  // Register stages from dispatch to the output of each result path (see lpu_vxm_lane).
  localparam int unsigned DepthAlu  = 1;
  localparam int unsigned DepthMul  = 2;
  localparam int unsigned DepthLong = 3;

  typedef enum logic [1:0] {
    ClsAlu  = 2'd0,
    ClsMul  = 2'd1,
    ClsLong = 2'd2
  } cls_e;

  // -----------------------------------------------------------------------------------------------
  // Elaboration checks: the datapath's depths are the ISA's latencies minus one.
  // -----------------------------------------------------------------------------------------------
  if (lpu_isa_pkg::LAT_ADD - 1 != DepthAlu || lpu_isa_pkg::LAT_SUB - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_ADDS - 1 != DepthAlu || lpu_isa_pkg::LAT_SUBS - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_AND - 1 != DepthAlu || lpu_isa_pkg::LAT_OR - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_XOR - 1 != DepthAlu || lpu_isa_pkg::LAT_SHL - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_SHR - 1 != DepthAlu || lpu_isa_pkg::LAT_SHRL - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_MIN - 1 != DepthAlu || lpu_isa_pkg::LAT_MAX - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_CMPEQ - 1 != DepthAlu || lpu_isa_pkg::LAT_CMPLT - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_SEL - 1 != DepthAlu || lpu_isa_pkg::LAT_NEG - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_ABS - 1 != DepthAlu || lpu_isa_pkg::LAT_NOT - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_MOV - 1 != DepthAlu || lpu_isa_pkg::LAT_RELU - 1 != DepthAlu ||
      lpu_isa_pkg::LAT_CVT - 1 != DepthAlu || lpu_isa_pkg::LAT_MUL - 1 != DepthMul ||
      lpu_isa_pkg::LAT_REQ - 1 != DepthLong || lpu_isa_pkg::LAT_EXP2 - 1 != DepthLong ||
      lpu_isa_pkg::LAT_RSQRT - 1 != DepthLong || lpu_isa_pkg::LAT_SIGMOID - 1 != DepthLong ||
      lpu_isa_pkg::LAT_SILU - 1 != DepthLong) begin : gen_latency_mismatch
    $fatal(1, "lpu_vxm: an ISA latency differs from the datapath depth; update lpu_vxm_lane");
  end
  if (Lanes % 2 != 0) begin : gen_odd_lanes
    $fatal(1, "lpu_vxm: Lanes must be even (two lanes share a table)");
  end
  if (S < 4 || (1 << SW) != S) begin : gen_bad_streams
    $fatal(1, "lpu_vxm: StreamsPerDir must be a power of two >= 4 (one i32 group)");
  end

  // -----------------------------------------------------------------------------------------------
  // Decode (cycle t)
  // -----------------------------------------------------------------------------------------------
  logic [6:0]    op0;
  logic [1:0]    tw0, aw0, bw0;
  logic          dst_dir0, a_dir0, b_dir0, c_dir0;
  logic [SW-1:0] dst_idx0, a_idx0, b_idx0, c_idx0;
  logic [5:0]    shamt0;
  cls_e          cls0;
  logic [S-1:0]  mask0;      // streams of the destination group

  always_comb begin
    op0      = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
    tw0      = issue_insn_i[lpu_isa_pkg::F_TYPE_MSB:lpu_isa_pkg::F_TYPE_LSB];
    shamt0   = issue_insn_i[lpu_isa_pkg::F_SHAMT_MSB:lpu_isa_pkg::F_SHAMT_LSB];
    dst_dir0 = issue_insn_i[lpu_isa_pkg::F_DST_MSB];
    a_dir0   = issue_insn_i[lpu_isa_pkg::F_SRCA_MSB];
    b_dir0   = issue_insn_i[lpu_isa_pkg::F_SRCB_MSB];
    c_dir0   = issue_insn_i[lpu_isa_pkg::F_SRCC_MSB];
    dst_idx0 = issue_insn_i[lpu_isa_pkg::F_DST_LSB+:SW];
    a_idx0   = issue_insn_i[lpu_isa_pkg::F_SRCA_LSB+:SW];
    b_idx0   = issue_insn_i[lpu_isa_pkg::F_SRCB_LSB+:SW];
    c_idx0   = issue_insn_i[lpu_isa_pkg::F_SRCC_LSB+:SW];

    aw0 = tw0;
    bw0 = tw0;
    unique case (op0)
      lpu_isa_pkg::OP_CVT: aw0 = issue_insn_i[lpu_isa_pkg::F_STYPE_MSB:lpu_isa_pkg::F_STYPE_LSB];
      lpu_isa_pkg::OP_REQ: begin
        aw0 = lpu_isa_pkg::TYPE_I32;
        bw0 = lpu_isa_pkg::TYPE_I16;
      end
      default: ;
    endcase

    unique case (op0)
      lpu_isa_pkg::OP_MUL: cls0 = ClsMul;
      lpu_isa_pkg::OP_REQ, lpu_isa_pkg::OP_EXP2, lpu_isa_pkg::OP_RSQRT, lpu_isa_pkg::OP_SIGMOID,
      lpu_isa_pkg::OP_SILU: cls0 = ClsLong;
      default: cls0 = ClsAlu;
    endcase

    unique case (tw0)
      lpu_isa_pkg::TYPE_I8:  mask0 = S'(1) << dst_idx0;
      lpu_isa_pkg::TYPE_I16: mask0 = S'(3) << dst_idx0;
      default:               mask0 = S'(15) << dst_idx0;
    endcase
  end

  // -----------------------------------------------------------------------------------------------
  // Operand fetch (cycle t): byte k of an operand group at base b is on stream b|k (b is aligned to
  // the group). Bytes above the operand's width come from other streams and are ignored by the
  // lanes.
  // Two levels, so that the wide choice is made once per 32-bit word rather than once per byte:
  // first the aligned 4-stream group word {R[d][4g+3], .., R[d][4g]} with g = b / 4 (a 2 x S/4 : 1
  // mux indexed by {dir, g}: 4:1 for S = 8 is two LUT4s and a PFUMX per bit), then within it byte
  // 0 = byte (b mod 4), byte 1 = byte (b mod 4) | 1, bytes 2 and 3 as they are (i32 groups are
  // aligned to 4, i16 groups to 2).
  // -----------------------------------------------------------------------------------------------
  localparam int unsigned NG = S / 4;   // 4-stream groups per direction

  logic [S-1:0][L-1:0][7:0] sr_e, sr_w;
  assign sr_e = sr_e_i;
  assign sr_w = sr_w_i;

  // grp[l][{dir, g}][k]: byte k of the 4-stream group g of direction dir in lane l.
  logic [L-1:0][2*NG-1:0][3:0][7:0] grp;
  logic [L-1:0][31:0] a_grp, b_grp, c_grp;
  logic [L-1:0][31:0] a_raw, b_raw, c_raw;

  always_comb begin
    for (int unsigned l = 0; l < L; l++) begin
      for (int unsigned g = 0; g < NG; g++) begin
        for (int unsigned k = 0; k < 4; k++) begin
          grp[l][g][k]      = sr_e[4*g+k][l];
          grp[l][NG + g][k] = sr_w[4*g+k][l];
        end
      end
    end
  end

  function automatic logic [31:0] pick_byte01(input logic [31:0] w, input logic [1:0] off);
    logic [31:0] r;
    r = w;
    r[7:0]  = w[8*off+:8];
    r[15:8] = off[1] ? w[31:24] : w[15:8];
    pick_byte01 = r;
  endfunction

  // The operand's group in grp: {dir, idx[SW-1:2]}, written as a shift so that it also holds for
  // S = 4 (one group per direction: the direction alone).
  logic [SW-2:0] a_gi, b_gi, c_gi;
  assign a_gi = (SW - 1)'({a_dir0, a_idx0} >> 2);
  assign b_gi = (SW - 1)'({b_dir0, b_idx0} >> 2);
  assign c_gi = (SW - 1)'({c_dir0, c_idx0} >> 2);

  always_comb begin
    for (int unsigned l = 0; l < L; l++) begin
      a_grp[l] = '0;
      b_grp[l] = '0;
      c_grp[l] = '0;
      for (int unsigned k = 0; k < 4; k++) begin
        a_grp[l][8*k+:8] = grp[l][a_gi][k];
        b_grp[l][8*k+:8] = grp[l][b_gi][k];
        c_grp[l][8*k+:8] = grp[l][c_gi][k];
      end
      a_raw[l] = pick_byte01(a_grp[l], a_idx0[1:0]);
      b_raw[l] = pick_byte01(b_grp[l], b_idx0[1:0]);
      c_raw[l] = pick_byte01(c_grp[l], c_idx0[1:0]);
    end
  end

  // -----------------------------------------------------------------------------------------------
  // One-hot controls for the lanes (cycle t), decoded once here instead of in every lane
  // -----------------------------------------------------------------------------------------------
  logic is_add0, is_sub0, is_adds0, is_subs0, is_and0, is_or0, is_xor0, is_shl0, is_shr0, is_shrl0;
  logic is_min0, is_max0, is_cmpeq0, is_cmplt0, is_sel0, is_neg0, is_abs0, is_not0, is_mov0,
        is_relu0;
  logic is_cvt0, is_req0, is_exp0, is_rsq0, is_sig0, is_silu0;
  logic [47:0] klow0, kone0;   // req's rounding constant masks (see lpu_vxm_lane)

  always_comb begin
    is_add0   = op0 == lpu_isa_pkg::OP_ADD;
    is_sub0   = op0 == lpu_isa_pkg::OP_SUB;
    is_adds0  = op0 == lpu_isa_pkg::OP_ADDS;
    is_subs0  = op0 == lpu_isa_pkg::OP_SUBS;
    is_and0   = op0 == lpu_isa_pkg::OP_AND;
    is_or0    = op0 == lpu_isa_pkg::OP_OR;
    is_xor0   = op0 == lpu_isa_pkg::OP_XOR;
    is_shl0   = op0 == lpu_isa_pkg::OP_SHL;
    is_shr0   = op0 == lpu_isa_pkg::OP_SHR;
    is_shrl0  = op0 == lpu_isa_pkg::OP_SHRL;
    is_min0   = op0 == lpu_isa_pkg::OP_MIN;
    is_max0   = op0 == lpu_isa_pkg::OP_MAX;
    is_cmpeq0 = op0 == lpu_isa_pkg::OP_CMPEQ;
    is_cmplt0 = op0 == lpu_isa_pkg::OP_CMPLT;
    is_sel0   = op0 == lpu_isa_pkg::OP_SEL;
    is_neg0   = op0 == lpu_isa_pkg::OP_NEG;
    is_abs0   = op0 == lpu_isa_pkg::OP_ABS;
    is_not0   = op0 == lpu_isa_pkg::OP_NOT;
    is_mov0   = op0 == lpu_isa_pkg::OP_MOV;
    is_relu0  = op0 == lpu_isa_pkg::OP_RELU;
    is_cvt0   = op0 == lpu_isa_pkg::OP_CVT;
    is_req0   = op0 == lpu_isa_pkg::OP_REQ;
    is_exp0   = op0 == lpu_isa_pkg::OP_EXP2;
    is_rsq0   = op0 == lpu_isa_pkg::OP_RSQRT;
    is_sig0   = op0 == lpu_isa_pkg::OP_SIGMOID;
    is_silu0  = op0 == lpu_isa_pkg::OP_SILU;

    // 2^(shamt-1) - (p < 0): klow for p < 0, kone otherwise; for shamt >= 48 both 2^47
    // (then r = 0).
    // Shifts of constants rather than per-bit comparisons (those map to carry chains).
    kone0 = 48'(1) << (shamt0 - 6'd1);
    klow0 = ~(48'hFFFF_FFFF_FFFF << (shamt0 - 6'd1));
    if (shamt0 == 6'd0) begin
      kone0 = '0;
      klow0 = '0;
    end else if (shamt0 >= 6'd48) begin
      kone0 = 48'(1) << 47;
      klow0 = 48'(1) << 47;
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Control pipeline: stage n holds the instruction dispatched n cycles ago while it still has
  // work.
  // -----------------------------------------------------------------------------------------------
  typedef struct packed {
    logic         valid;
    cls_e         cls;
    logic         t8;
    logic         t16;
    logic         is_req;
    logic         is_exp;
    logic         is_rsq;
    logic         is_sig;     // sigmoid or silu
    logic         is_silu;
    logic [5:0]   shamt;
    logic         dir;
    logic [S-1:0] mask;
  } stage_t;

  stage_t st0, st1_q, st2_q, st3_q;
  stage_t st1_d, st2_d, st3_d;

  always_comb begin
    st0.valid   = issue_valid_i;
    st0.cls     = cls0;
    st0.t8      = tw0 == lpu_isa_pkg::TYPE_I8;
    st0.t16     = tw0 == lpu_isa_pkg::TYPE_I16;
    st0.is_req  = is_req0;
    st0.is_exp  = is_exp0;
    st0.is_rsq  = is_rsq0;
    st0.is_sig  = is_sig0 || is_silu0;
    st0.is_silu = is_silu0;
    st0.shamt   = shamt0;
    st0.dir     = dst_dir0;
    st0.mask    = mask0;
    st1_d       = st0;
    st2_d       = st1_q;
    st3_d       = st2_q;
    // An instruction leaves the pipeline after its output stage.
    st2_d.valid = st1_q.valid && (st1_q.cls != ClsAlu);
    st3_d.valid = st2_q.valid && (st2_q.cls == ClsLong);
    // Stopped (the machine halted after an erroring cycle): drop everything in flight.
    if (!commit_i) begin
      st1_d.valid = 1'b0;
      st2_d.valid = 1'b0;
      st3_d.valid = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st1_q <= '0;
      st2_q <= '0;
      st3_q <= '0;
    end else begin
      st1_q <= st1_d;
      st2_q <= st2_d;
      st3_q <= st3_d;
    end
  end

  assign busy_o = st1_q.valid || st2_q.valid || st3_q.valid;

  // Datapath-only pipeline registers (no reset: they are read only under the stage's valid class).
  // req's masks: k in t+1, fits (bits j >= shamt + w - 1 of the rounded sum) in t+2.
  logic [47:0] klow1_q, kone1_q;
  logic [48:0] fits1, fits2_q;

  always_comb begin
    fits1 = {49{1'b1}} << (7'(st1_q.shamt) + (st1_q.t8 ? 7'd7 : 7'd15));
  end

  always_ff @(posedge clk_i) begin
    klow1_q <= klow0;
    kone1_q <= kone0;
    fits2_q <= fits1;
  end

  // The last stage only routes its result; the lanes took their controls from the earlier stages.
  logic unused_st3;
  assign unused_st3 = ^{st3_q.t8, st3_q.t16, st3_q.is_req, st3_q.is_exp, st3_q.is_rsq,
                        st3_q.is_sig, st3_q.is_silu, st3_q.shamt, st1_q.is_req, st2_q.is_exp,
                        st2_q.is_rsq, st2_q.is_sig};

  // -----------------------------------------------------------------------------------------------
  // Lanes
  // -----------------------------------------------------------------------------------------------
  logic [L-1:0][31:0] alu_q, mul_q, long_q;
  logic [L-1:0]       tab_en;
  logic [L-1:0][9:0]  tab_addr;
  logic [L-1:0][25:0] tab_data;

  for (genvar p = 0; p < L / 2; p++) begin : gen_tables
    lpu_vxm_rom #(
      .InBram (1'(p < TableBrams))
    ) u_rom (
      .clk_i  (clk_i),
      .en_i   (tab_en[2*p+:2]),
      .addr_i (tab_addr[2*p+:2]),
      .data_o (tab_data[2*p+:2])
    );
  end

  for (genvar l = 0; l < L; l++) begin : gen_lane
    lpu_vxm_lane u_lane (
      .clk_i      (clk_i),
      .t8_i       (tw0 == lpu_isa_pkg::TYPE_I8),
      .t16_i      (tw0 == lpu_isa_pkg::TYPE_I16),
      .a8_i       (aw0 == lpu_isa_pkg::TYPE_I8),
      .a16_i      (aw0 == lpu_isa_pkg::TYPE_I16),
      .b8_i       (bw0 == lpu_isa_pkg::TYPE_I8),
      .b16_i      (bw0 == lpu_isa_pkg::TYPE_I16),
      .x_neg_i    (is_neg0),
      .x_abs_i    (is_abs0),
      .y_zero_i   (is_neg0 || is_abs0 || is_cvt0),
      .y_inv_i    (is_sub0 || is_subs0 || is_min0 || is_max0 || is_cmplt0),
      .sat_i      (is_adds0 || is_subs0 || is_cvt0),
      .r_add_i    (is_add0 || is_sub0 || is_adds0 || is_subs0 || is_neg0 || is_abs0 || is_cvt0),
      .r_logic_i  (is_and0 || is_or0 || is_xor0 || is_not0),
      .lc_i       ({is_xor0 || is_not0, is_or0 || is_not0}),
      .r_shl_i    (is_shl0),
      .r_shr_i    (is_shr0 || is_shrl0),
      .sh_arith_i (is_shr0),
      .r_min_i    (is_min0),
      .r_max_i    (is_max0),
      .r_mov_i    (is_mov0),
      .r_relu_i   (is_relu0),
      .r_sel_i    (is_sel0),
      .r_cmpeq_i  (is_cmpeq0),
      .r_cmplt_i  (is_cmplt0),
      .req0_i     (is_req0),
      .exp0_i     (is_exp0),
      .rsq0_i     (is_rsq0),
      .sig0_i     (is_sig0 || is_silu0),
      .a_i        (a_raw[l]),
      .b_i        (b_raw[l]),
      .c_i        (c_raw[l]),
      .t8_1_i     (st1_q.t8),
      .t16_1_i    (st1_q.t16),
      .exp1_i     (st1_q.is_exp),
      .rsq1_i     (st1_q.is_rsq),
      .sig1_i     (st1_q.is_sig),
      .silu1_i    (st1_q.is_silu),
      .klow1_i    (klow1_q),
      .kone1_i    (kone1_q),
      .t8_2_i     (st2_q.t8),
      .t16_2_i    (st2_q.t16),
      .req2_i     (st2_q.is_req),
      .silu2_i    (st2_q.is_silu),
      .shamt2_i   (st2_q.shamt),
      .fits2_i    (fits2_q),
      .tab_en_o   (tab_en[l]),
      .tab_addr_o (tab_addr[l]),
      .tab_data_i (tab_data[l]),
      .alu_q_o    (alu_q[l]),
      .mul_q_o    (mul_q[l]),
      .long_q_o   (long_q[l])
    );
  end

  // -----------------------------------------------------------------------------------------------
  // Output merge and conflict detection (cycle of the results' output)
  // -----------------------------------------------------------------------------------------------
  logic [1:0][S-1:0] en_alu, en_mul, en_long, conflict;
  logic [1:0][S-1:0][L-1:0][7:0] wr_data;

  always_comb begin
    for (int unsigned d = 0; d < 2; d++) begin
      for (int unsigned s = 0; s < S; s++) begin
        en_alu[d][s]  = st1_q.valid && (st1_q.cls == ClsAlu) && (st1_q.dir == d[0]) &&
                        st1_q.mask[s];
        en_mul[d][s]  = st2_q.valid && (st2_q.cls == ClsMul) && (st2_q.dir == d[0]) &&
                        st2_q.mask[s];
        en_long[d][s] = st3_q.valid && (st3_q.cls == ClsLong) && (st3_q.dir == d[0]) &&
                        st3_q.mask[s];
        conflict[d][s] = (en_alu[d][s] && en_mul[d][s]) || (en_alu[d][s] && en_long[d][s]) ||
                         (en_mul[d][s] && en_long[d][s]);
        for (int unsigned l = 0; l < L; l++) begin
          // Data only matters where en is set: a priority choice (5 inputs per bit), not an
          // AND-OR (6).
          wr_data[d][s][l] = en_long[d][s] ? long_q[l][8*(s%4)+:8] :
                             (en_mul[d][s] ? mul_q[l][8*(s%4)+:8] : alu_q[l][8*(s%4)+:8]);
        end
      end
    end
  end

  assign wr_e_en_o   = en_alu[0] | en_mul[0] | en_long[0];
  assign wr_w_en_o   = en_alu[1] | en_mul[1] | en_long[1];
  assign wr_e_data_o = wr_data[0];
  assign wr_w_data_o = wr_data[1];

  always_comb begin
    err_o      = |conflict;
    err_code_o = err_o ? lpu_isa_pkg::ERR_STREAM_CONFLICT : lpu_isa_pkg::ERR_NONE;
    err_info_o = '0;
    // Lowest (dir, stream) first: scan downward so the last match wins.
    for (int d = 1; d >= 0; d--) begin
      for (int s = S - 1; s >= 0; s--) begin
        if (conflict[d][s]) begin
          err_info_o = {7'b0, d[0], 8'(s)};
        end
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Assertions
  // -----------------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  function automatic logic is_vxm_op(input logic [6:0] op);
    unique case (op)
      lpu_isa_pkg::OP_ADD, lpu_isa_pkg::OP_SUB, lpu_isa_pkg::OP_ADDS, lpu_isa_pkg::OP_SUBS,
      lpu_isa_pkg::OP_MUL, lpu_isa_pkg::OP_AND, lpu_isa_pkg::OP_OR, lpu_isa_pkg::OP_XOR,
      lpu_isa_pkg::OP_SHL, lpu_isa_pkg::OP_SHR, lpu_isa_pkg::OP_SHRL, lpu_isa_pkg::OP_MIN,
      lpu_isa_pkg::OP_MAX, lpu_isa_pkg::OP_CMPEQ, lpu_isa_pkg::OP_CMPLT, lpu_isa_pkg::OP_SEL,
      lpu_isa_pkg::OP_NEG, lpu_isa_pkg::OP_ABS, lpu_isa_pkg::OP_NOT, lpu_isa_pkg::OP_MOV,
      lpu_isa_pkg::OP_RELU, lpu_isa_pkg::OP_CVT, lpu_isa_pkg::OP_REQ, lpu_isa_pkg::OP_EXP2,
      lpu_isa_pkg::OP_RSQRT, lpu_isa_pkg::OP_SIGMOID, lpu_isa_pkg::OP_SILU: is_vxm_op = 1'b1;
      default: is_vxm_op = 1'b0;
    endcase
  endfunction

  // The decoder only dispatches legal VXM instructions here (docs/isa.md, BAD_OPERAND /
  // WRONG_SLICE).
  IssuedInsnIsForThisSlice : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> is_vxm_op(op0));
  IssuedTypeIsAssigned : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> tw0 != 2'd3 && aw0 != 2'd3);
  DestinationGroupIsAlignedAndInRange : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> (32'(issue_insn_i[lpu_isa_pkg::F_DST_MSB-1:lpu_isa_pkg::F_DST_LSB]) < S) &&
                        ((tw0 == lpu_isa_pkg::TYPE_I8) ||
                         (tw0 == lpu_isa_pkg::TYPE_I16 && !dst_idx0[0]) ||
                         (dst_idx0[1:0] == 2'b00)));
  // Each result path holds at most one instruction, so one path never drives two results in a
  // cycle.
  AStageHoldsOnlyItsOwnClass : assert property (@(posedge clk_i) disable iff (!rst_ni)
      (!st2_q.valid || st2_q.cls != ClsAlu) && (!st3_q.valid || st3_q.cls == ClsLong));
  ConflictIsReportedWithItsStream : assert property (@(posedge clk_i) disable iff (!rst_ni)
      err_o |-> conflict[err_info_o[8]][err_info_o[SW-1:0]]);
`endif

endmodule
