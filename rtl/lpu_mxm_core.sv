// Copyright openlpu contributors.
//
// lpu_mxm: the matrix execution module, a weight-stationary Lanes x Lanes int8 array with int32 accumulators
// (one per hemisphere, at the chip edge; docs/isa.md, MXM).
//
//   lw   : staging row `index` <- the int8 vector on srca (lane n to column n)        state, LAT_LW = 1
//   iw   : active weights <- staging (double buffering)                              state, LAT_IW = 1
//   abc  : acc[index]  = x . W   (y[n] = sum_k x[k] W[k][n], exact int32)            state, LAT_ABC = 3
//   abca : acc[index] += x . W   (wrapping; the old value is read when the sum is added, at t+2)
//   acc  : acc[index] (as of the dispatch cycle) onto the i32 group dst              stream, LAT_ACC = 2
//
// The product array has Lanes x Lanes/MxmAbcInterval multipliers (registered outputs, so Yosys puts each on a
// MULT18X18D); with MxmAbcInterval = 2 it computes the columns in two halves on consecutive cycles, which is why
// ABCs must be >= MxmAbcInterval cycles apart (MXM_OVERRUN otherwise):
//
//   cycle  t  : x = srca (read in t); p_q <= x * W[., 0 .. C-1]      (C = Lanes / MxmAbcInterval)
//   cycle t+1 : s_q <= column sums of p_q;  [interval 2] p_q <= x_q * W[., C .. 2C-1]
//   cycle t+2 : acc[index] <= (abca ? acc[index] : 0) + {[interval 2] column sums of p_q, s_q}
// so an instruction dispatched at t+3 (= t + LAT_ABC) sees the new accumulator. W is the active array of cycle t:
// nothing can change it before t+1 ends (an IW in t+1 installs at the end of t+1).
// ACC reads the accumulator in t and drives wr_*_o in t+1 (= t + LAT_ACC - 1) from a register.
//
// busy_o in cycle c: an ABC/ABCA dispatched before c has not yet updated its accumulator (c <= t+2), or an ACC
// dispatched in c-1 drives its result in c. LW and IW complete at the end of their dispatch cycle.
// err_o: MXM_OVERRUN in the dispatch cycle of an ABC/ABCA fewer than MxmAbcInterval cycles after the previous
// one (err_info_o = 0). ACC is the only stream producer (one latency), so STREAM_CONFLICT cannot happen here.
// commit_i = 0: no state update at the end of the cycle, everything in flight is dropped, and the whole MXM
// state (staging, weights, accumulators, ABC spacing) is cleared: a cycle that does not commit ends or precedes
// a run (lpu_top holds commit_i low while stopped), and a run starts from the zero state (the model's START).

module lpu_mxm #(
  parameter int unsigned Lanes          = 16,
  parameter int unsigned StreamsPerDir  = 8,
  parameter int unsigned MxmAccSlots    = 16,
  parameter int unsigned MxmAbcInterval = 2,
  // 1: build the int8 multipliers from LUTs (lpu_vxm_lutmul) instead of DSPs, e.g. for the second MXM of the
  // small configuration, whose 156 MULT18X18D cannot hold two 128-multiplier arrays.
  parameter bit          MulInLuts      = 1'b0
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
  localparam int unsigned A  = MxmAccSlots;
  localparam int unsigned P  = MxmAbcInterval;
  localparam int unsigned C  = L / P;               // columns computed per cycle
  localparam int unsigned SW = $clog2(S);
  localparam int unsigned AW = (A > 1) ? $clog2(A) : 1;
  localparam int unsigned ProdW = 16;              // int8 x int8
  localparam int unsigned SumW  = 32;
  localparam int unsigned TreeW = ProdW + $clog2(L);  // exact column sum, sign-extended to SumW

  // Cycles from dispatch to the state update (ABC) or the output register (ACC), see the header.
  localparam int unsigned DepthAbc = 3;
  localparam int unsigned DepthAcc = 1;

  // -----------------------------------------------------------------------------------------------------------
  // Elaboration checks
  // -----------------------------------------------------------------------------------------------------------
  if (lpu_isa_pkg::LAT_ABC != DepthAbc || lpu_isa_pkg::LAT_ABCA != DepthAbc ||
      lpu_isa_pkg::LAT_ACC - 1 != DepthAcc || lpu_isa_pkg::LAT_LW != 1 ||
      lpu_isa_pkg::LAT_IW != 1) begin : gen_latency_mismatch
    $fatal(1, "lpu_mxm: an MXM latency differs from the pipeline; update lpu_mxm");
  end
  if (!(P == 1 || P == 2) || (C * P != L) || (1 << SW) != S || S < 4 || L > 256 ||
      A > 256) begin : gen_bad_params
    $fatal(1, "lpu_mxm: MxmAbcInterval must be 1 or 2 and divide Lanes; StreamsPerDir a power of two >= 4");
  end

  // -----------------------------------------------------------------------------------------------------------
  // Decode (cycle t)
  // -----------------------------------------------------------------------------------------------------------
  logic [6:0]    op0;
  logic          a_dir0, dst_dir0;
  logic [SW-1:0] a_idx0, dst_idx0;
  logic [7:0]    index0;
  logic          is_lw0, is_iw0, is_abc0, is_abca0, is_acc0, any_abc0;

  always_comb begin
    op0      = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
    a_dir0   = issue_insn_i[lpu_isa_pkg::F_SRCA_MSB];
    a_idx0   = issue_insn_i[lpu_isa_pkg::F_SRCA_LSB+:SW];
    dst_dir0 = issue_insn_i[lpu_isa_pkg::F_DST_MSB];
    dst_idx0 = issue_insn_i[lpu_isa_pkg::F_DST_LSB+:SW];
    index0   = issue_insn_i[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB];
    is_lw0   = issue_valid_i && (op0 == lpu_isa_pkg::OP_LW);
    is_iw0   = issue_valid_i && (op0 == lpu_isa_pkg::OP_IW);
    is_abc0  = issue_valid_i && (op0 == lpu_isa_pkg::OP_ABC);
    is_abca0 = issue_valid_i && (op0 == lpu_isa_pkg::OP_ABCA);
    is_acc0  = issue_valid_i && (op0 == lpu_isa_pkg::OP_ACC);
    any_abc0 = is_abc0 || is_abca0;
  end

  logic [S-1:0][L-1:0][7:0] sr_e, sr_w;
  logic [L-1:0][7:0]        x_live;   // stream srca in cycle t

  assign sr_e = sr_e_i;
  assign sr_w = sr_w_i;

  // One-hot stream select and an AND-OR per bit: about half the LUTs of an indexed mux in Yosys' ECP5 mapping.
  always_comb begin
    for (int unsigned l = 0; l < L; l++) begin
      x_live[l] = '0;
      for (int unsigned s = 0; s < S; s++) begin
        x_live[l] = x_live[l] | ({8{!a_dir0 && (a_idx0 == SW'(s))}} & sr_e[s][l]) |
                    ({8{a_dir0 && (a_idx0 == SW'(s))}} & sr_w[s][l]);
      end
    end
  end

  // -----------------------------------------------------------------------------------------------------------
  // ABC spacing (MXM_OVERRUN)
  // -----------------------------------------------------------------------------------------------------------
  logic overrun;

  if (P > 1) begin : gen_spacing
    // hist_q[i]: an accepted ABC/ABCA was dispatched i+1 cycles ago.
    logic [P-2:0] hist_q, hist_d;
    if (P > 2) begin : gen_shift
      assign hist_d = {hist_q[P-3:0], any_abc0 && !overrun};
    end else begin : gen_one
      assign hist_d = any_abc0 && !overrun;
    end
    assign overrun = any_abc0 && (hist_q != '0);
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        hist_q <= '0;
      end else begin
        hist_q <= commit_i ? hist_d : '0;
      end
    end
  end else begin : gen_no_spacing
    assign overrun = 1'b0;
  end

  assign err_o      = overrun;
  assign err_code_o = overrun ? lpu_isa_pkg::ERR_MXM_OVERRUN : lpu_isa_pkg::ERR_NONE;
  assign err_info_o = '0;

  // -----------------------------------------------------------------------------------------------------------
  // Weights: staging (LW) and active (IW) arrays, W[k][n] = row k, column n
  // -----------------------------------------------------------------------------------------------------------
  logic [L-1:0][L-1:0][7:0] staging_q, active_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned k = 0; k < L; k++) begin
        staging_q[k] <= '0;
      end
    end else begin
      for (int unsigned k = 0; k < L; k++) begin
        if (!commit_i) begin
          staging_q[k] <= '0;
        end else if (is_lw0 && (32'(index0) == k)) begin
          staging_q[k] <= x_live;
        end
      end
    end
  end

  // Row by row: one assignment of a whole large array is an >8k-bit replication to Verilator.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned k = 0; k < L; k++) begin
        active_q[k] <= '0;
      end
    end else begin
      for (int unsigned k = 0; k < L; k++) begin
        if (!commit_i) begin
          active_q[k] <= '0;
        end else if (is_iw0) begin
          active_q[k] <= staging_q[k];
        end
      end
    end
  end

  // -----------------------------------------------------------------------------------------------------------
  // Product array (L x C multipliers) and column sums
  // -----------------------------------------------------------------------------------------------------------
  logic               abc1_q, abc2_q;      // an ABC/ABCA dispatched 1 / 2 cycles ago is in flight
  logic               abca1_q, abca2_q;
  logic [AW-1:0]      slot1_q, slot2_q;
  logic [L-1:0][7:0]  x_q;                 // x of the ABC dispatched last cycle (second half, interval 2)
  logic               second_half;         // the multipliers compute columns C .. 2C-1 this cycle

  assign second_half = (P == 2) && abc1_q;

  logic [L-1:0][C-1:0][ProdW-1:0] p_q;
  logic [C-1:0][SumW-1:0]         colsum;  // column sums of p_q (combinational)
  logic [C-1:0][SumW-1:0]         s_q;     // column sums of the first C columns, registered

  for (genvar k = 0; k < L; k++) begin : gen_row
    for (genvar j = 0; j < C; j++) begin : gen_col
      logic signed [7:0]       mx, mw;
      logic signed [ProdW-1:0] prod;
      assign mx = second_half ? $signed(x_q[k]) : $signed(x_live[k]);
      assign mw = second_half ? $signed(active_q[k][(P-1)*C+j]) : $signed(active_q[k][j]);
      if (MulInLuts) begin : gen_lut_mul
        // x * w = x * unsigned(w) - (w < 0 ? x << 8 : 0)
        logic [ProdW-1:0] prod_u;
        lpu_vxm_lutmul #(
          .AW    (8),
          .BW    (8),
          .ProdW (ProdW)
        ) u_mul (
          .a_i    (mx),
          .b_i    (mw),
          .prod_o (prod_u)
        );
        assign prod = $signed(prod_u - (mw[7] ? {mx, 8'b0} : '0));
      end else begin : gen_dsp_mul
        assign prod = ProdW'(mx * mw);
      end
      // Registered product: one MULT18X18D with its output register (or LUTs and a flop).
      always_ff @(posedge clk_i) begin
        p_q[k][j] <= prod;
      end
    end
  end

  for (genvar j = 0; j < C; j++) begin : gen_colsum
    logic [L*ProdW-1:0] terms;
    logic [TreeW-1:0]   sum;
    for (genvar k = 0; k < L; k++) begin : gen_term
      assign terms[k*ProdW+:ProdW] = p_q[k][j];
    end
    lpu_mxm_adder_tree #(
      .N    (L),
      .InW  (ProdW),
      .SumW (TreeW)
    ) u_tree (
      .terms_i (terms),
      .sum_o   (sum)
    );
    assign colsum[j] = SumW'($signed(sum));
  end

  always_ff @(posedge clk_i) begin
    s_q <= colsum;
    if (any_abc0) begin
      x_q <= x_live;
    end
  end

  // y: the product vector of the ABC dispatched two cycles ago, valid in its update cycle t+2.
  logic [L-1:0][SumW-1:0] y;
  if (P == 2) begin : gen_y_half
    assign y = {colsum, s_q};
  end else begin : gen_y_full
    assign y = s_q;
    // Full rate: every product is computed in the dispatch cycle; x is not needed afterwards.
    logic unused_x_q;
    assign unused_x_q = ^x_q;
  end

  // -----------------------------------------------------------------------------------------------------------
  // Accumulators: MxmAccSlots x Lanes int32, two asynchronous read ports (ACC in t, ABCA in t+2), one write
  // port (t+2). A slot not written since the last clear reads as 0 (slot_live_q), so the array itself needs no
  // reset and maps to distributed RAM.
  // -----------------------------------------------------------------------------------------------------------
  logic [L*SumW-1:0] acc_mem [A];
  logic [A-1:0]      slot_live_q;
  logic [AW-1:0]     acc_slot0;
  logic [L*SumW-1:0] acc_rd0, acc_rd2, acc_wr2;
  logic              acc_we2;

  assign acc_slot0 = AW'(index0);
  assign acc_rd0   = slot_live_q[acc_slot0] ? acc_mem[acc_slot0] : '0;
  assign acc_rd2   = slot_live_q[slot2_q] ? acc_mem[slot2_q] : '0;
  assign acc_we2   = abc2_q && commit_i;

  always_comb begin
    for (int unsigned n = 0; n < L; n++) begin
      acc_wr2[n*SumW+:SumW] = (abca2_q ? acc_rd2[n*SumW+:SumW] : '0) + y[n];
    end
  end

  always_ff @(posedge clk_i) begin
    if (acc_we2) begin
      acc_mem[slot2_q] <= acc_wr2;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slot_live_q <= '0;
    end else if (!commit_i) begin
      slot_live_q <= '0;
    end else if (acc_we2) begin
      slot_live_q[slot2_q] <= 1'b1;
    end
  end

  // -----------------------------------------------------------------------------------------------------------
  // Pipeline control
  // -----------------------------------------------------------------------------------------------------------
  logic         acc_v_q, acc_dir_q;
  logic [S-1:0] acc_mask_q;
  logic [L-1:0][SumW-1:0] acc_out_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      abc1_q     <= 1'b0;
      abc2_q     <= 1'b0;
      abca1_q    <= 1'b0;
      abca2_q    <= 1'b0;
      slot1_q    <= '0;
      slot2_q    <= '0;
      acc_v_q    <= 1'b0;
      acc_dir_q  <= 1'b0;
      acc_mask_q <= '0;
    end else begin
      // The erroring cycle halts the machine: everything in flight is dropped.
      abc1_q     <= commit_i && any_abc0 && !overrun;
      abc2_q     <= commit_i && abc1_q;
      abca1_q    <= is_abca0;
      abca2_q    <= abca1_q;
      slot1_q    <= AW'(index0);
      slot2_q    <= slot1_q;
      acc_v_q    <= commit_i && is_acc0;
      acc_dir_q  <= dst_dir0;
      acc_mask_q <= S'(15) << dst_idx0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (is_acc0) begin
      acc_out_q <= acc_rd0;
    end
  end

  // The i32 group: byte k of lane n on stream dst+k; dst is a multiple of 4, so stream s carries byte s mod 4.
  always_comb begin
    for (int unsigned s = 0; s < S; s++) begin
      for (int unsigned n = 0; n < L; n++) begin
        wr_e_data_o[(s*L+n)*8+:8] = acc_out_q[n][8*(s%4)+:8];
        wr_w_data_o[(s*L+n)*8+:8] = acc_out_q[n][8*(s%4)+:8];
      end
    end
  end
  assign wr_e_en_o = (acc_v_q && !acc_dir_q) ? acc_mask_q : '0;
  assign wr_w_en_o = (acc_v_q && acc_dir_q) ? acc_mask_q : '0;
  assign busy_o    = abc1_q || abc2_q || acc_v_q;

  // -----------------------------------------------------------------------------------------------------------
  // Assertions
  // -----------------------------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  IssuedInsnIsForThisSlice : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> (op0 == lpu_isa_pkg::OP_LW) || (op0 == lpu_isa_pkg::OP_IW) ||
                        (op0 == lpu_isa_pkg::OP_ABC) || (op0 == lpu_isa_pkg::OP_ABCA) ||
                        (op0 == lpu_isa_pkg::OP_ACC));
  RowAndSlotAreInRange : assert property (@(posedge clk_i) disable iff (!rst_ni)
      (!is_lw0 || 32'(index0) < L) && (!(any_abc0 || is_acc0) || 32'(index0) < A));
  AccGroupIsAligned : assert property (@(posedge clk_i) disable iff (!rst_ni)
      is_acc0 |-> dst_idx0[1:0] == 2'b00);
  // At most one ABC is in each stage: with interval 2 the second half of the products never overlaps a new ABC
  // that is allowed to proceed.
  SecondHalfNeverMeetsANewAbc : assert property (@(posedge clk_i) disable iff (!rst_ni)
      second_half && any_abc0 |-> overrun);
`endif

endmodule
