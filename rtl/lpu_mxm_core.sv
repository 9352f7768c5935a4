// Copyright openlpu contributors.
//
// lpu_mxm_core: the matrix execution module with its two issue ports: the compute queue (abc, abca,
// abce, acc) and the load queue (lw, lwi, iw), which dispatch in parallel (docs/architecture.md §3,
// §6). A weight-stationary Lanes x Lanes int8 array with int32 accumulators (docs/isa.md, MXM):
//
//   lw   (state, LAT 1) : staging rows index .. index+lwn-1 <- streams srca .. srca+lwn-1
//                         (lane n to column n)
//   lwi  (state, LAT 1) : lw, then active weights <- staging (including those rows)
//   iw   (state, LAT 1) : active weights <- staging (double buffering)
//   abc  (state, LAT 3) : acc[index]  = x . W   (y[n] = sum_k x[k] W[k][n], exact int32)
//   abca (state, LAT 3) : acc[index] += x . W   (wrapping; the old value is read when the sum is
//                         added, at t+2)
//   abce                : as abca, and at t+2 r = acc[index] + y goes to a register (driven in t+3,
//                         LAT 4) and the slot is 0
//   acc (stream, LAT 2) : acc[index] (as of the dispatch cycle) onto the i32 group dst
//
// The product array has Lanes x Lanes/MxmAbcInterval multipliers (registered outputs, so Yosys puts
// each on a MULT18X18D); with MxmAbcInterval = 2 it computes the columns in two halves on
// consecutive cycles, which is why ABCs must be >= MxmAbcInterval cycles apart (MXM_OVERRUN
// otherwise):
//
//   interval 2 (C = Lanes / 2 columns per cycle):
//   cycle  t  : x = srca (read in t); p_q <= x * W[., 0 .. C-1]
//   cycle t+1 : s_q <= column sums of p_q;  p_q <= x_q * W[., C .. 2C-1]
//   cycle t+2 : acc[index] <= (abca ? acc[index] : 0) + {column sums of p_q, s_q}
//   interval 1 (every multiplier between registers, as the MULT18X18D's input and output
//   registers):
//   cycle  t  : x_q <= srca (read in t)
//   cycle t+1 : p_q <= x_q * weights_q          (weights_q: the active array of t, one cycle late)
//   cycle t+2 : acc[index] <= (abca ? acc[index] : 0) + column sums of p_q
// so an instruction dispatched at t+3 (= t + LAT_ABC) sees the new accumulator. W is the active
// array of cycle t: an install (iw/lwi) dispatched on the load queue in the same cycle t takes
// effect for columns 0 .. C-1 at the end of t and, with interval 2, for columns C .. 2C-1 one cycle
// later, after the second half used them; no ABC can observe the difference (the next one comes at
// t+2 at the earliest). ACC reads the accumulator in t and drives wr_*_o in t+1 (= t + LAT_ACC - 1)
// from a register; ABCE's sum is driven in t+3 from its own register. Both can drive in one cycle:
// one register with two writers is a STREAM_CONFLICT (err_info_o = {7'b0, dir, stream}, lowest
// first), which wins over an MXM_OVERRUN; the register then loads the ACC result (a fixed priority,
// the cycle still commits).
//
// busy_o in cycle c: an ABC/ABCA/ABCE dispatched before c has not yet updated its accumulator or
// emitted its sum, or an ACC dispatched in c-1 drives its result in c. LW, LWI and IW complete at
// the end of their dispatch cycle. err_o: MXM_OVERRUN in the dispatch cycle of an ABC/ABCA/ABCE
// fewer than MxmAbcInterval cycles after the previous accepted one (err_info_o = 0; the overrunning
// ABC is dropped), or STREAM_CONFLICT (above). commit_i = 0: no state update at the end of the
// cycle, everything in flight is dropped, and the whole MXM state (staging, weights, accumulators,
// ABC spacing) is cleared: commit_i is lpu_top's run flop, low exactly while stopped, and a run
// starts from the zero state (the model's START). An erroring cycle still commits.

module lpu_mxm_core #(
  parameter int unsigned Lanes          = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir  = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned MxmAccSlots    = lpu_arch_pkg::CFG_SMALL_MXM_ACC_SLOTS,
  parameter int unsigned MxmAbcInterval = lpu_arch_pkg::CFG_SMALL_MXM_ABC_INTERVAL,
  // 1: build the int8 multipliers from LUTs (lpu_vxm_lutmul) instead of DSPs, e.g. for the second
  // MXM of the small configuration, whose 156 MULT18X18D cannot hold two 128-multiplier arrays.
  parameter bit          MulInLuts      = 1'b0
) (
  input  logic                                 clk_i,
  // The assertions' `disable iff (!rst_ni)` counts as a synchronous use of the asynchronous reset.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                                 rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // compute queue: abc, abca, abce, acc
  input  logic                                 issue_valid_i,
  input  logic [31:0]                          issue_insn_i,
  // load queue: lw, lwi, iw
  input  logic                                 ld_issue_valid_i,
  input  logic [31:0]                          ld_issue_insn_i,
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

  // -----------------------------------------------------------------------------------------------
  // Elaboration checks
  // -----------------------------------------------------------------------------------------------
  if (lpu_isa_pkg::LAT_ABC != DepthAbc || lpu_isa_pkg::LAT_ABCA != DepthAbc ||
      lpu_isa_pkg::LAT_ACC - 1 != DepthAcc || lpu_isa_pkg::LAT_LW != 1 ||
      lpu_isa_pkg::LAT_LWI != 1 || lpu_isa_pkg::LAT_IW != 1 ||
      lpu_isa_pkg::LAT_ABCE != DepthAbc + 1) begin : gen_latency_mismatch
    $fatal(1, "lpu_mxm_core: an MXM latency differs from the pipeline; update lpu_mxm_core");
  end
  if (!(P == 1 || P == 2) || (C * P != L) || (1 << SW) != S || S < 4 || L > 256 ||
      A > 256) begin : gen_bad_params
    $fatal(1,
      "lpu_mxm_core: MxmAbcInterval: 1 or 2 dividing Lanes; StreamsPerDir: a power of 2 >= 4");
  end

  // -----------------------------------------------------------------------------------------------
  // Decode (cycle t)
  // -----------------------------------------------------------------------------------------------
  logic [6:0]    op0, ld_op0;
  logic          a_dir0, dst_dir0, ld_dir0;
  logic [SW-1:0] a_idx0, dst_idx0, ld_idx0;
  logic [7:0]    index0, ld_row0;
  logic [4:0]    ld_n0;
  logic          is_lw0, is_lwi0, is_iw0, is_abc0, is_abca0, is_abce0, is_acc0, any_abc0, install0;

  always_comb begin
    op0      = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
    a_dir0   = issue_insn_i[lpu_isa_pkg::F_SRCA_MSB];
    a_idx0   = issue_insn_i[lpu_isa_pkg::F_SRCA_LSB+:SW];
    dst_dir0 = issue_insn_i[lpu_isa_pkg::F_DST_MSB];
    dst_idx0 = issue_insn_i[lpu_isa_pkg::F_DST_LSB+:SW];
    index0   = issue_insn_i[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB];
    is_abc0  = issue_valid_i && (op0 == lpu_isa_pkg::OP_ABC);
    is_abca0 = issue_valid_i && (op0 == lpu_isa_pkg::OP_ABCA);
    is_abce0 = issue_valid_i && (op0 == lpu_isa_pkg::OP_ABCE);
    is_acc0  = issue_valid_i && (op0 == lpu_isa_pkg::OP_ACC);
    any_abc0 = is_abc0 || is_abca0 || is_abce0;

    ld_op0   = ld_issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
    ld_dir0  = ld_issue_insn_i[lpu_isa_pkg::F_SRCA_MSB];
    ld_idx0  = ld_issue_insn_i[lpu_isa_pkg::F_SRCA_LSB+:SW];
    ld_row0  = ld_issue_insn_i[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB];
    ld_n0    = ld_issue_insn_i[lpu_isa_pkg::F_LWN_MSB:lpu_isa_pkg::F_LWN_LSB];
    is_lw0   = ld_issue_valid_i && (ld_op0 == lpu_isa_pkg::OP_LW);
    is_lwi0  = ld_issue_valid_i && (ld_op0 == lpu_isa_pkg::OP_LWI);
    is_iw0   = ld_issue_valid_i && (ld_op0 == lpu_isa_pkg::OP_IW);
    install0 = is_lwi0 || is_iw0;
  end

  logic [S-1:0][L-1:0][7:0] sr_e, sr_w;
  logic [L-1:0][7:0]        x_live;   // stream srca in cycle t

  assign sr_e = sr_e_i;
  assign sr_w = sr_w_i;

  // One-hot stream select and an AND-OR per bit: about half the LUTs of an indexed mux in Yosys'
  // ECP5 mapping.
  always_comb begin
    for (int unsigned l = 0; l < L; l++) begin
      x_live[l] = '0;
      for (int unsigned s = 0; s < S; s++) begin
        x_live[l] = x_live[l] | ({8{!a_dir0 && (a_idx0 == SW'(s))}} & sr_e[s][l]) |
                    ({8{a_dir0 && (a_idx0 == SW'(s))}} & sr_w[s][l]);
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // ABC spacing (MXM_OVERRUN)
  // -----------------------------------------------------------------------------------------------
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


  // -----------------------------------------------------------------------------------------------
  // Weights: staging (LW/LWI) and active (IW/LWI) arrays, W[k][n] = row k, column n
  // -----------------------------------------------------------------------------------------------
  // LW/LWI: row r <- stream srca + (r - index) of srca's direction, for index <= r < index + lwn.
  // Since srca + lwn <= S, that stream is (r + off) mod S with off = (srca - index) mod S: the S
  // streams of the direction are rotated by off (log2(S) stages of 2:1 muxes, shared by all rows)
  // and row r takes rotated stream r mod S. A per-row S:1 stream select would cost about twice the
  // LUTs.
  logic [L-1:0][L-1:0][7:0] staging_q;
  // ld_rot[i]: the direction's streams rotated by off mod 2^i
  logic [S-1:0][L-1:0][7:0] ld_rot [SW+1];
  logic [SW-1:0]            ld_off0;
  logic [L-1:0]             row_we;
  logic [L-1:0][L-1:0][7:0] row_data;

  assign ld_off0 = ld_idx0 - SW'(ld_row0);

  always_comb begin
    ld_rot[0] = ld_dir0 ? sr_w : sr_e;
    for (int unsigned i = 0; i < SW; i++) begin
      for (int unsigned s = 0; s < S; s++) begin
        ld_rot[i+1][s] = ld_off0[i] ? ld_rot[i][(s + (1 << i)) % S] : ld_rot[i][s];
      end
    end
    for (int unsigned r = 0; r < L; r++) begin
      row_we[r]    = (is_lw0 || is_lwi0) && (r >= 32'(ld_row0)) && (r < 32'(ld_row0) + 32'(ld_n0));
      row_data[r]  = ld_rot[SW][r % S];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned k = 0; k < L; k++) begin
        staging_q[k] <= '0;
      end
    end else begin
      for (int unsigned k = 0; k < L; k++) begin
        if (!commit_i) begin
          staging_q[k] <= '0;
        end else if (row_we[k]) begin
          staging_q[k] <= row_data[k];
        end
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Active weights and the multipliers' operands
  // -----------------------------------------------------------------------------------------------
  // abc: an ABC/ABCA/ABCE dispatched 1 / 2 cycles ago is in flight
  logic              abc1_q, abc2_q;
  logic              accum1_q, accum2_q;  // ... and it adds to the accumulator (abca, abce)
  logic              emit1_q, emit2_q;    // ... and it is an abce
  logic [AW-1:0]     slot1_q, slot2_q;
  logic [L-1:0][7:0] x_q;                 // x of the ABC dispatched last cycle
  logic [L-1:0][7:0] mul_x;               // the multipliers' x operand this cycle
  logic [L-1:0][C-1:0][7:0] mul_w;        // and their weights: [k][j] for column j of this pass
  logic              second_half;         // interval 2: the multipliers compute columns C .. 2C-1
  // The weights the multipliers read: interval 1, the active array one cycle late; interval 2, the
  // active array itself (declared here: Yosys cannot size a multi-dimensional signal of a generate
  // block).
  logic [L-1:0][L-1:0][7:0] weights_q;

  if (P == 1) begin : gen_full_rate
    // The ABC of t multiplies in t+1 from registers only: x_q (x of t) and weights_q, the active
    // array *as it was in t*. An install dispatched in t (or a cycle that does not commit, which
    // clears the array) changes the active array at the end of t, so weights_q loads staging one
    // cycle later: with install_q(c) = install in c-1 or no commit in c-1, the active array of c is
    //   install_q(c) ? staging_q(c) : active of c-1
    // (staging_q(c) holds the rows an lwi of c-1 loaded, and is 0 after a cycle that did not
    // commit), and weights_q(c+1) = that value. The install enable is registered and copied per
    // row: one copy enables L * 8 flops instead of L * L * 8.
    (* keep *) logic [L-1:0] install_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        install_q <= '0;
      end else begin
        install_q <= {L{install0 || !commit_i}};
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned k = 0; k < L; k++) begin
          weights_q[k] <= '0;
        end
      end else begin
        for (int unsigned k = 0; k < L; k++) begin
          if (install_q[k]) begin
            weights_q[k] <= staging_q[k];
          end
        end
      end
    end

    // x of every cycle: only the cycle after an ABC's dispatch multiplies it.
    always_ff @(posedge clk_i) begin
      x_q <= x_live;
    end

    assign second_half = 1'b0;
    assign mul_x       = x_q;
    assign mul_w       = weights_q;
  end else begin : gen_half_rate
    // t: columns 0 .. C-1 from the live x and the active array; t+1: columns C .. 2C-1 from x_q. An
    // install in the dispatch cycle of an ABC installs columns C .. 2C-1 one cycle later, after the
    // ABC's second half has used the old ones; a newer install in that cycle wins (it sees the same
    // rows).
    logic install_hi_late_q;
    logic install_lo, install_hi;

    assign install_lo = install0;
    assign install_hi = (install0 && !any_abc0) || install_hi_late_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        install_hi_late_q <= 1'b0;
      end else begin
        install_hi_late_q <= commit_i && install0 && any_abc0;
      end
    end

    // Row by row: one assignment of a whole large array is an >8k-bit replication to Verilator.
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned k = 0; k < L; k++) begin
          weights_q[k] <= '0;
        end
      end else begin
        for (int unsigned k = 0; k < L; k++) begin
          for (int unsigned n = 0; n < L; n++) begin
            if (!commit_i) begin
              weights_q[k][n] <= '0;
            end else if ((n < C) ? install_lo : install_hi) begin
              // iw/lwi install staging including this cycle's rows; the late half of an install of
              // t reads staging in t+1, which holds those rows (a load in t+1 lands only at its
              // end).
              weights_q[k][n] <= (install0 && row_we[k]) ? row_data[k][n] : staging_q[k][n];
            end
          end
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (any_abc0) begin
        x_q <= x_live;
      end
    end

    assign second_half = abc1_q;
    always_comb begin
      for (int unsigned k = 0; k < L; k++) begin
        mul_x[k] = second_half ? x_q[k] : x_live[k];
        for (int unsigned j = 0; j < C; j++) begin
          mul_w[k][j] = second_half ? weights_q[k][C+j] : weights_q[k][j];
        end
      end
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Product array (L x C multipliers) and column sums
  // -----------------------------------------------------------------------------------------------
  logic [L-1:0][C-1:0][ProdW-1:0] p_q;
  logic [C-1:0][SumW-1:0]         colsum;  // column sums of p_q (combinational)

  for (genvar k = 0; k < L; k++) begin : gen_row
    for (genvar j = 0; j < C; j++) begin : gen_col
      logic signed [7:0]       mx, mw;
      logic signed [ProdW-1:0] prod;
      assign mx = $signed(mul_x[k]);
      assign mw = $signed(mul_w[k][j]);
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

  // y: the product vector of the ABC dispatched two cycles ago, valid in its update cycle t+2.
  logic [L-1:0][SumW-1:0] y;
  if (P == 2) begin : gen_y_half
    // The first half's column sums, registered in t+1; the second half's are summed in t+2.
    // flat: Yosys cannot size a multi-dimensional signal of a generate block
    logic [C*SumW-1:0] s_q;
    always_ff @(posedge clk_i) begin
      s_q <= colsum;
    end
    assign y = {colsum, s_q};
  end else begin : gen_y_full
    // Products of t+1, summed in t+2.
    assign y = colsum;
  end

  // -----------------------------------------------------------------------------------------------
  // Accumulators: MxmAccSlots x Lanes int32, two asynchronous read ports (ACC in t, ABCA/ABCE in
  // t+2), one write port (t+2). A slot not written since the last clear reads as 0 (slot_live_q),
  // so the array itself needs no reset and maps to distributed RAM; ABCE clears its slot by marking
  // it not live.
  // -----------------------------------------------------------------------------------------------
  logic [L*SumW-1:0] acc_mem [A];
  logic [A-1:0]      slot_live_q;
  logic [AW-1:0]     acc_slot0;
  logic [L*SumW-1:0] acc_rd0, acc_rd2, acc_wr2;
  logic              acc_we2;

  assign acc_slot0 = AW'(index0);
  assign acc_rd0   = slot_live_q[acc_slot0] ? acc_mem[acc_slot0] : '0;
  assign acc_rd2   = slot_live_q[slot2_q] ? acc_mem[slot2_q] : '0;
  assign acc_we2   = abc2_q && !emit2_q && commit_i;

  // The new accumulator (abc, abca) or the emitted sum (abce).
  always_comb begin
    for (int unsigned n = 0; n < L; n++) begin
      acc_wr2[n*SumW+:SumW] = (accum2_q ? acc_rd2[n*SumW+:SumW] : '0) + y[n];
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
    end else if (abc2_q) begin
      slot_live_q[slot2_q] <= !emit2_q;
    end
  end

  // -----------------------------------------------------------------------------------------------
  // Pipeline control
  // -----------------------------------------------------------------------------------------------
  logic         acc_v_q, acc_dir_q, emit_v_q, emit_dir_q, edir1_q, edir2_q;
  logic [S-1:0] acc_mask_q, emit_mask_q, emask1_q, emask2_q, dst_mask0;
  logic [L-1:0][SumW-1:0] acc_out_q, emit_out_q;

  assign dst_mask0 = S'(15) << dst_idx0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      abc1_q      <= 1'b0;
      abc2_q      <= 1'b0;
      accum1_q    <= 1'b0;
      accum2_q    <= 1'b0;
      emit1_q     <= 1'b0;
      emit2_q     <= 1'b0;
      slot1_q     <= '0;
      slot2_q     <= '0;
      edir1_q     <= 1'b0;
      edir2_q     <= 1'b0;
      emask1_q    <= '0;
      emask2_q    <= '0;
      acc_v_q     <= 1'b0;
      acc_dir_q   <= 1'b0;
      acc_mask_q  <= '0;
      emit_v_q    <= 1'b0;
      emit_dir_q  <= 1'b0;
      emit_mask_q <= '0;
    end else begin
      // Stopped (the machine halted after an erroring cycle): everything in flight is dropped.
      abc1_q      <= commit_i && any_abc0 && !overrun;
      abc2_q      <= commit_i && abc1_q;
      accum1_q    <= is_abca0 || is_abce0;
      accum2_q    <= accum1_q;
      emit1_q     <= is_abce0;
      emit2_q     <= emit1_q;
      slot1_q     <= AW'(index0);
      slot2_q     <= slot1_q;
      edir1_q     <= dst_dir0;
      edir2_q     <= edir1_q;
      emask1_q    <= dst_mask0;
      emask2_q    <= emask1_q;
      acc_v_q     <= commit_i && is_acc0;
      acc_dir_q   <= dst_dir0;
      acc_mask_q  <= dst_mask0;
      emit_v_q    <= commit_i && abc2_q && emit2_q;
      emit_dir_q  <= edir2_q;
      emit_mask_q <= emask2_q;
    end
  end

  always_ff @(posedge clk_i) begin
    if (is_acc0) begin
      acc_out_q <= acc_rd0;
    end
    if (abc2_q && emit2_q) begin
      emit_out_q <= acc_wr2;
    end
  end

  // The i32 groups: byte k of lane n on stream dst+k; dst is a multiple of 4, so stream s carries
  // byte s mod 4. ACC (LAT 2) and ABCE (LAT 4) can both drive in one cycle; one register driven by
  // both is a STREAM_CONFLICT.
  logic [1:0][S-1:0] en_acc, en_emit, conflict;
  logic [1:0][S-1:0][L-1:0][7:0] wr_data;

  always_comb begin
    for (int unsigned d = 0; d < 2; d++) begin
      for (int unsigned s = 0; s < S; s++) begin
        en_acc[d][s]   = acc_v_q && (acc_dir_q == d[0]) && acc_mask_q[s];
        en_emit[d][s]  = emit_v_q && (emit_dir_q == d[0]) && emit_mask_q[s];
        conflict[d][s] = en_acc[d][s] && en_emit[d][s];
        for (int unsigned n = 0; n < L; n++) begin
          // A fixed priority (ACC over the ABCE sum) defines the STREAM_CONFLICT winner, which the
          // erroring cycle commits (sw/model: the result scheduled first wins).
          wr_data[d][s][n] = en_acc[d][s] ? acc_out_q[n][8*(s%4)+:8] : emit_out_q[n][8*(s%4)+:8];
        end
      end
    end
  end

  assign wr_e_data_o = wr_data[0];
  assign wr_w_data_o = wr_data[1];

  assign wr_e_en_o = en_acc[0] | en_emit[0];
  assign wr_w_en_o = en_acc[1] | en_emit[1];
  assign busy_o    = abc1_q || abc2_q || acc_v_q || emit_v_q;

  always_comb begin
    err_o      = (|conflict) || overrun;
    err_code_o = (|conflict) ? lpu_isa_pkg::ERR_STREAM_CONFLICT :
                 overrun     ? lpu_isa_pkg::ERR_MXM_OVERRUN : lpu_isa_pkg::ERR_NONE;
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
  IssuedInsnIsForThisSlice : assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> (op0 == lpu_isa_pkg::OP_ABC) || (op0 == lpu_isa_pkg::OP_ABCA) ||
                        (op0 == lpu_isa_pkg::OP_ABCE) || (op0 == lpu_isa_pkg::OP_ACC));
  LoadQueueInsnIsALoad : assert property (@(posedge clk_i) disable iff (!rst_ni)
      ld_issue_valid_i |-> (ld_op0 == lpu_isa_pkg::OP_LW) || (ld_op0 == lpu_isa_pkg::OP_LWI) ||
                           (ld_op0 == lpu_isa_pkg::OP_IW));
  LoadedRowsAndStreamsAreInRange : assert property (@(posedge clk_i) disable iff (!rst_ni)
      (is_lw0 || is_lwi0) |-> (ld_n0 >= 5'd1) && (32'(ld_row0) + 32'(ld_n0) <= L) &&
                              (32'(ld_idx0) + 32'(ld_n0) <= S) &&
                              (32'(ld_issue_insn_i[lpu_isa_pkg::F_SRCA_MSB-1:
                                                   lpu_isa_pkg::F_SRCA_LSB]) < S));
  SlotIsInRange : assert property (@(posedge clk_i) disable iff (!rst_ni)
      (any_abc0 || is_acc0) |-> 32'(index0) < A);
  DestinationGroupIsAligned : assert property (@(posedge clk_i) disable iff (!rst_ni)
      (is_acc0 || is_abce0) |-> dst_idx0[1:0] == 2'b00);
  // At most one ABC is in each stage: with interval 2 the second half of the products never
  // overlaps a new ABC that is allowed to proceed.
  SecondHalfNeverMeetsANewAbc : assert property (@(posedge clk_i) disable iff (!rst_ni)
      second_half && any_abc0 |-> overrun);
`endif

endmodule
