// Copyright openlpu contributors.
//
// lpu_sxm: the switch execution module, the only cross-lane path (one per hemisphere).
//
// shift, rotate, permute and distribute move the bytes of one stream between lanes; transpose
// exchanges lanes and streams within TransposeN x TransposeN blocks of a TransposeN-stream group
// (docs/isa.md, SXM).
//
//   sr_e_i/sr_w_i -> group fetch: the TransposeN streams of the group holding srca, and the map
//                    stream b
//                 -> per output lane a source lane (+ zero) for the one-stream ops, or the
//                    transposed group
//                 -> result register res_q: TransposeN rows of Lanes bytes (a one-stream result is
//                    copied to every row, so stream s always takes row s mod TransposeN) -> wr_*_o
//
// Timing contract (t = dispatch cycle, operands read from sr_*_i in t): every SXM instruction has
// latency LAT_SHIFT = ... = LAT_TRANSPOSE = 2 (checked at elaboration): wr_*_o are driven in t+1
// from res_q. One latency and one instruction per cycle: two results can never meet, so err_o is
// always 0. busy_o in cycle c: the instruction dispatched in c-1 drives its result in c.
// commit_i = 0 (stopped: the cycle after an error, or before START): the result in flight is
// dropped.

module lpu_sxm #(
  parameter int unsigned Lanes          = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir  = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned SuperlaneLanes = lpu_arch_pkg::CFG_SMALL_SUPERLANE_LANES,
  parameter int unsigned TransposeN     = lpu_arch_pkg::CFG_SMALL_TRANSPOSE_N
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
  localparam int unsigned N  = TransposeN;
  localparam int unsigned SW = $clog2(S);
  localparam int unsigned LW = $clog2(L);
  localparam int unsigned SLW = $clog2(SuperlaneLanes);

  // Stream index bits within a transpose group.
  localparam logic [SW-1:0] InGroup = SW'(N - 1);

  // Register stages from dispatch to the output (the result register).
  localparam int unsigned Depth = 1;

  // -----------------------------------------------------------------------------------------------
  // Elaboration checks
  // -----------------------------------------------------------------------------------------------
  if (lpu_isa_pkg::LAT_SHIFT - 1 != Depth || lpu_isa_pkg::LAT_ROTATE - 1 != Depth ||
      lpu_isa_pkg::LAT_PERMUTE - 1 != Depth || lpu_isa_pkg::LAT_DISTRIBUTE - 1 != Depth ||
      lpu_isa_pkg::LAT_TRANSPOSE - 1 != Depth) begin : gen_latency_mismatch
    $fatal(1,
      "lpu_sxm: an SXM latency differs from the datapath depth; conflicts would become possible");
  end
  if ((1 << LW) != L || L > 256 || (1 << SW) != S || (1 << $clog2(N)) != N || N > S || N > L ||
      (1 << SLW) != SuperlaneLanes || SuperlaneLanes > L) begin : gen_bad_params
    $fatal(1,
      "lpu_sxm: Lanes, StreamsPerDir, TransposeN, SuperlaneLanes must be powers of two, N <= S, L");
  end

  // -----------------------------------------------------------------------------------------------
  // Decode (cycle t)
  // -----------------------------------------------------------------------------------------------
  logic [6:0]        op0;
  logic              dst_dir0, a_dir0, b_dir0;
  logic [SW-1:0]     dst_idx0, a_idx0, b_idx0;
  logic signed [7:0] imm0;
  logic              is_transpose0;
  logic [S-1:0]      mask0;

  always_comb begin
    op0           = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
    dst_dir0      = issue_insn_i[lpu_isa_pkg::F_DST_MSB];
    a_dir0        = issue_insn_i[lpu_isa_pkg::F_SRCA_MSB];
    b_dir0        = issue_insn_i[lpu_isa_pkg::F_SRCB_MSB];
    dst_idx0      = issue_insn_i[lpu_isa_pkg::F_DST_LSB+:SW];
    a_idx0        = issue_insn_i[lpu_isa_pkg::F_SRCA_LSB+:SW];
    b_idx0        = issue_insn_i[lpu_isa_pkg::F_SRCB_LSB+:SW];
    imm0          = $signed(issue_insn_i[lpu_isa_pkg::F_IMM8_MSB:lpu_isa_pkg::F_IMM8_LSB]);
    is_transpose0 = (op0 == lpu_isa_pkg::OP_TRANSPOSE);
    mask0         = is_transpose0 ? (S'((1 << N) - 1) << dst_idx0) : (S'(1) << dst_idx0);
  end

  // -----------------------------------------------------------------------------------------------
  // Operand fetch (cycle t)
  // -----------------------------------------------------------------------------------------------
  logic [S-1:0][L-1:0][7:0] sr_e, sr_w;
  assign sr_e = sr_e_i;
  assign sr_w = sr_w_i;

  // Every stream and lane selection below is a one-hot select and an AND-OR per bit: in Yosys' ECP5
  // mapping that is about half the LUTs of an indexed mux (docs/rtl-slices.md, resources). The
  // selects and the selected operands are kept as signals of their own (keep), so that each is
  // built once and shared by every bit that reads it instead of being merged into the wide LUTs of
  // its readers (measured: fewer LUTs).
  localparam int unsigned G = S / N;      // transpose groups per direction

  (* keep *) logic [1:0][G-1:0]         sel_grp;
  (* keep *) logic [1:0][S-1:0]         sel_map;
  (* keep *) logic [N-1:0]              sel_a;   // srca within its group
  (* keep *) logic [N-1:0][L-1:0][7:0]  grp;     // the N-stream group holding srca
  (* keep *) logic [L-1:0][7:0]         a_vec;   // stream srca: a member of grp
  (* keep *) logic [L-1:0][7:0]         map;     // stream srcb

  always_comb begin
    for (int unsigned d = 0; d < 2; d++) begin
      for (int unsigned s = 0; s < S; s++) begin
        sel_map[d][s] = (b_dir0 == d[0]) && (b_idx0 == SW'(s));
      end
      for (int unsigned g = 0; g < G; g++) begin
        sel_grp[d][g] = (a_dir0 == d[0]) && ((a_idx0 & ~InGroup) == SW'(g * N));
      end
    end
    for (int unsigned k = 0; k < N; k++) begin
      sel_a[k] = (a_idx0 & InGroup) == SW'(k);
    end
    for (int unsigned l = 0; l < L; l++) begin
      map[l] = '0;
      for (int unsigned s = 0; s < S; s++) begin
        map[l] = map[l] | ({8{sel_map[0][s]}} & sr_e[s][l]) | ({8{sel_map[1][s]}} & sr_w[s][l]);
      end
      for (int unsigned k = 0; k < N; k++) begin
        grp[k][l] = '0;
        for (int unsigned g = 0; g < G; g++) begin
          grp[k][l] = grp[k][l] | ({8{sel_grp[0][g]}} & sr_e[g*N+k][l])
                                | ({8{sel_grp[1][g]}} & sr_w[g*N+k][l]);
        end
      end
      a_vec[l] = '0;
      for (int unsigned k = 0; k < N; k++) begin
        a_vec[l] = a_vec[l] | ({8{sel_a[k]}} & grp[k][l]);
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Lane crossbar (cycle t): each output lane i picks source lane src[i] of a, or 0.
  // -----------------------------------------------------------------------------------------------
  logic [L-1:0][LW-1:0]   src;
  logic [L-1:0]           zero;
  (* keep *) logic [L-1:0][L-1:0] sel_lane;   // [i][j]: output lane i takes lane j of a
  logic [L-1:0][7:0]      moved;
  logic signed [9:0]      from [L];   // i - imm8 for shift/rotate: -127 .. L-1+128

  always_comb begin
    for (int unsigned i = 0; i < L; i++) begin
      from[i] = $signed(10'(i)) - 10'(imm0);
      src[i]  = LW'(from[i]);    // rotate: (i - imm8) mod L, L a power of two
      zero[i] = 1'b0;
      unique case (op0)
        lpu_isa_pkg::OP_SHIFT: zero[i] = (from[i] < 0) || (from[i] >= $signed(10'(L)));
        lpu_isa_pkg::OP_PERMUTE: src[i] = LW'(map[i]);
        lpu_isa_pkg::OP_DISTRIBUTE: begin
          src[i]  = LW'((i & ~(SuperlaneLanes - 1)) | (32'(map[i]) & (SuperlaneLanes - 1)));
          zero[i] = map[i][7];
        end
        default: ;
      endcase
      moved[i] = '0;
      for (int unsigned j = 0; j < L; j++) begin
        sel_lane[i][j] = !zero[i] && (src[i] == LW'(j));
        moved[i]       = moved[i] | ({8{sel_lane[i][j]}} & a_vec[j]);
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Result register (end of t) and outputs (t+1)
  // -----------------------------------------------------------------------------------------------
  logic [N-1:0][L-1:0][7:0] res_d, res_q;

  always_comb begin
    for (int unsigned k = 0; k < N; k++) begin
      for (int unsigned b = 0; b < L / N; b++) begin
        for (int unsigned j = 0; j < N; j++) begin
          // Stream dst+k, lane b*N+j <- stream srca+j, lane b*N+k; a one-stream result goes to
          // every row.
          res_d[k][b*N+j] = is_transpose0 ? grp[j][b*N+k] : moved[b*N+j];
        end
      end
    end
  end

  // Datapath register: no reset, it is only read while its valid bit is set.
  always_ff @(posedge clk_i) begin
    if (issue_valid_i) begin
      res_q <= res_d;
    end
  end

  logic         valid_q, dir_q;
  logic [S-1:0] mask_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
      dir_q   <= 1'b0;
      mask_q  <= '0;
    end else begin
      // The erroring cycle halts the machine: drop the result in flight.
      valid_q <= issue_valid_i && commit_i;
      dir_q   <= dst_dir0;
      mask_q  <= mask0;
    end
  end

  always_comb begin
    for (int unsigned s = 0; s < S; s++) begin
      wr_e_data_o[s*L*8+:L*8] = res_q[s%N];
      wr_w_data_o[s*L*8+:L*8] = res_q[s%N];
    end
  end
  assign wr_e_en_o  = (valid_q && !dir_q) ? mask_q : '0;
  assign wr_w_en_o  = (valid_q && dir_q) ? mask_q : '0;
  assign busy_o     = valid_q;
  assign err_o      = 1'b0;
  assign err_code_o = lpu_isa_pkg::ERR_NONE;
  assign err_info_o = '0;

  // -----------------------------------------------------------------------------------------------
  // Assertions
  // -----------------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  IssuedInsnIsForThisSlice : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> (op0 == lpu_isa_pkg::OP_SHIFT) || (op0 == lpu_isa_pkg::OP_ROTATE) ||
                        (op0 == lpu_isa_pkg::OP_PERMUTE) || (op0 == lpu_isa_pkg::OP_DISTRIBUTE) ||
                        (op0 == lpu_isa_pkg::OP_TRANSPOSE));
  StreamOperandsAreInRange : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |->
          (32'(issue_insn_i[lpu_isa_pkg::F_DST_MSB-1:lpu_isa_pkg::F_DST_LSB]) < S) &&
          (32'(issue_insn_i[lpu_isa_pkg::F_SRCA_MSB-1:lpu_isa_pkg::F_SRCA_LSB]) < S) &&
          (32'(issue_insn_i[lpu_isa_pkg::F_SRCB_MSB-1:lpu_isa_pkg::F_SRCB_LSB]) < S));
  TransposeGroupsAreAligned : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i && is_transpose0
          |-> ((dst_idx0 & InGroup) == '0) && ((a_idx0 & InGroup) == '0));
`endif

endmodule
