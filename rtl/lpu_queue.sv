// One instruction queue (ICU): instruction memory plus sequencer for the slice at one position
// (for an MXM: its compute queue, or with MxmLoad its load queue).
//
// Instruction memory: QueueDepth x 32 block RAM. The host writes it (only while stopped) through
// the IMEM_ADDR/IMEM_DATA registers; the sequencer reads it with the registered read port.
// The program of a queue ends after the last word the host wrote: an IMEM_ADDR write for this
// queue sets the program length to the word index written (so a program loaded from index 0
// starts empty), and each IMEM_DATA write sets it to one past the word written. Fetching at or
// past the length returns the all-zero word (ILLEGAL_OPCODE), as docs/architecture.md section 3
// asks, without clearing the RAM.
//
// Sequencer timing (cycle numbers count from the START cycle's successor, cycle 0):
//   - The word at pc_q is the "head". The RAM is addressed with pc_d, so the head of cycle t+1
//     is in the RAM's output register at t+1: back-to-back dispatch, no bubbles.
//   - A slice instruction at the head is dispatched (issue_valid_o) in the cycle it is at the
//     head, unless lpu_decode finds it illegal (err_o; the machine then stops, commit_i = 0).
//   - nop n at the head in cycle t: the next head is dispatched at t+n.
//   - repeat n, d, s at the head in cycle t0+1 (the repeated instruction was dispatched at t0):
//     re-issues at t0+d, t0+2d, ... t0+nd with index + i*s; the next head at t0+nd+1. With d = 1
//     the first re-issue happens in the Repeat's own head cycle.
//   - sync at the head in cycle t parks the queue unless a Notify is dispatched in t by any queue
//     (notify_any_i); a parked queue is released by a Notify in cycle t and dispatches at t+1.
//   - notify at the head: notify_o in that cycle.
//   - halt at the head in cycle t: halted_o from t+1 on.
// All state updates happen only when commit_i (running and no error anywhere in this cycle);
// start_i (the host's START) resets the sequencer so that cycle 0 dispatches word 0.
module lpu_queue #(
  parameter int unsigned SliceKind     = lpu_pkg::SLICE_MEM,
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned WordsPerSlice = lpu_arch_pkg::CFG_SMALL_BANKS_PER_SLICE
                                         * lpu_arch_pkg::CFG_SMALL_WORDS_PER_BANK,
  parameter int unsigned MxmAccSlots   = lpu_arch_pkg::CFG_SMALL_MXM_ACC_SLOTS,
  parameter int unsigned TransposeN    = lpu_arch_pkg::CFG_SMALL_TRANSPOSE_N,
  parameter int unsigned QueueDepth    = lpu_arch_pkg::CFG_SMALL_QUEUE_DEPTH,
  // Decode role for SliceKind = SLICE_MXM: 1 = the MXM's load queue (lw, lwi, iw), 0 = its compute
  // queue (abc, abca, abce, acc). An MXM instruction on the other queue is WRONG_SLICE.
  parameter bit          MxmLoad       = 1'b0,
  localparam int unsigned Aw = $clog2(QueueDepth),
  localparam int unsigned Lw = Aw + 1
) (
  input  logic          clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic          rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // Host port (only while stopped).
  input  logic          imem_we_i,       // IMEM_DATA write to this queue
  input  logic [Aw-1:0] imem_waddr_i,
  input  logic [31:0]   imem_wdata_i,
  input  logic          imem_len_we_i,   // IMEM_ADDR write naming this queue
  input  logic [Lw-1:0] imem_len_i,      // word index written, clipped to QueueDepth
  // Run control.
  input  logic          start_i,         // host START in this cycle: cycle 0 is the next one
  input  logic          running_i,       // this is a program cycle
  input  logic          commit_i,        // running_i and no error anywhere in this cycle
  input  logic          notify_any_i,    // some queue dispatches a Notify in this cycle
  // Dispatch to the slice.
  output logic          issue_valid_o,
  output logic [31:0]   issue_insn_o,
  output logic          notify_o,        // this queue dispatches a Notify in this cycle
  output logic          halted_o,        // this queue dispatched Halt in an earlier cycle
  output logic          parked_o,        // this queue is parked in Sync
  output logic [15:0]   issue_pc_o,      // word index of the instruction dispatched or checked now
  output logic [15:0]   sync_pc_o,       // word index of the Sync a parked queue waits in
  output logic          err_o,
  output logic [3:0]    err_code_o,
  output logic [15:0]   err_info_o       // BAD_ADDRESS: the (strided) address, else issue_pc_o
);

  localparam int unsigned OffW = 20;  // |n * stride| <= 1023 * 64 < 2^17, plus sign
  localparam int unsigned ValW = OffW + 1;
  localparam int unsigned AddrBits  = lpu_isa_pkg::F_ADDR_MSB - lpu_isa_pkg::F_ADDR_LSB + 1;
  localparam int unsigned IndexBits = lpu_isa_pkg::F_INDEX_MSB - lpu_isa_pkg::F_INDEX_LSB + 1;

  // ----------------------------------------------------------------------------------------------
  // Instruction memory and program length
  logic [Lw-1:0] pc_q, pc_d, len_q, len_d;
  logic [31:0]   imem_rdata, head;

  lpu_sram_bank #(
    .Width(32),
    .Depth(QueueDepth)
  ) u_imem (
    .clk_i   (clk_i),
    .we_i    (imem_we_i),
    .waddr_i (imem_waddr_i),
    .wdata_i (imem_wdata_i),
    .re_i    (start_i || running_i),
    .raddr_i (pc_d[Aw-1:0]),
    .rdata_o (imem_rdata)
  );

  always_comb begin
    len_d = len_q;
    if (imem_we_i) begin
      len_d = Lw'(imem_waddr_i) + Lw'(1);
    end else if (imem_len_we_i) begin
      len_d = imem_len_i;
    end
  end

  assign head = (pc_q < len_q) ? imem_rdata : '0;

  // ----------------------------------------------------------------------------------------------
  // Decode of the head word
  logic h_icu, h_nop, h_rpt, h_sync, h_notify, h_halt, h_strided, h_strided_addr, h_err;
  logic [3:0] h_code;

  lpu_decode #(
    .SliceKind    (SliceKind),
    .Lanes        (Lanes),
    .StreamsPerDir(StreamsPerDir),
    .WordsPerSlice(WordsPerSlice),
    .MxmAccSlots  (MxmAccSlots),
    .TransposeN   (TransposeN)
  ) u_dec_head (
    .insn_i        (head),
    .mxm_load_i    (MxmLoad),
    .index_oob_i   (1'b0),
    .icu_o         (h_icu),
    .nop_o         (h_nop),
    .repeat_o      (h_rpt),
    .sync_o        (h_sync),
    .notify_o      (h_notify),
    .halt_o        (h_halt),
    .strided_o     (h_strided),
    .strided_addr_o(h_strided_addr),
    .err_o         (h_err),
    .err_code_o    (h_code)
  );

  logic [24:0] h_count;
  logic [9:0]  h_rep_n;
  logic [7:0]  h_rep_d;
  logic [6:0]  h_stride;
  assign h_count  = head[lpu_isa_pkg::F_COUNT_MSB:lpu_isa_pkg::F_COUNT_LSB];
  assign h_rep_n  = head[lpu_isa_pkg::F_REP_N_MSB:lpu_isa_pkg::F_REP_N_LSB];
  assign h_rep_d  = head[lpu_isa_pkg::F_REP_D_MSB:lpu_isa_pkg::F_REP_D_LSB];
  assign h_stride = head[lpu_isa_pkg::F_STRIDE_MSB:lpu_isa_pkg::F_STRIDE_LSB];

  // ----------------------------------------------------------------------------------------------
  // Sequencer state
  logic            halted_q, halted_d, parked_q, parked_d;
  logic [24:0]     nop_q, nop_d;            // cycles still to wait after a NOP
  logic            rep_active_q, rep_active_d;
  logic [9:0]      rep_left_q, rep_left_d;  // re-issues still to come
  logic [7:0]      rep_timer_q, rep_timer_d;  // cycles until the next re-issue
  logic [7:0]      rep_d_q, rep_d_d;
  logic [6:0]      rep_stride_q, rep_stride_d;
  logic [OffW-1:0] rep_off_q, rep_off_d;    // i * stride of the last re-issue
  logic [31:0]     last_q, last_d;          // the last slice instruction dispatched from the head
  logic [Lw-1:0]   last_pc_q, last_pc_d;    // ... and its word index
  logic            last_valid_q, last_valid_d;  // ... and it was the previous instruction
  logic            last_strided_q, last_strided_d, last_addr_q, last_addr_d;

  logic at_head, rep_head, rep_engine, rep_now;
  assign at_head  = running_i && !halted_q && !parked_q && (nop_q == '0) && !rep_active_q;
  assign rep_head = at_head && h_rpt;

  // Repeat engine: values in force in this cycle (from the head word in the Repeat's own cycle).
  logic [7:0]      eff_timer, eff_d;
  logic [9:0]      eff_left;
  logic [OffW-1:0] eff_off, new_off;
  logic [6:0]      eff_stride;
  assign eff_timer  = rep_head ? (h_rep_d - 8'd1) : rep_timer_q;
  assign eff_d      = rep_head ? h_rep_d : rep_d_q;
  assign eff_left   = rep_head ? h_rep_n : rep_left_q;
  assign eff_off    = rep_head ? '0 : rep_off_q;
  assign eff_stride = rep_head ? h_stride : rep_stride_q;
  assign new_off    = eff_off + {{(OffW - 7){eff_stride[6]}}, eff_stride};
  assign rep_engine = rep_head || (running_i && rep_active_q);
  assign rep_now    = rep_engine && (eff_timer == '0);

  // The re-issued word: the repeated instruction with new_off added to its index field.
  logic [ValW-1:0] orig_val, rep_val;
  logic [31:0]     rep_word;
  logic            rep_oob;
  assign orig_val = last_addr_q
      ? ValW'(last_q[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB])
      : ValW'(last_q[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB]);
  assign rep_val  = orig_val + {new_off[OffW-1], new_off};

  always_comb begin
    rep_word = last_q;
    if (last_addr_q) begin
      rep_word[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB] = rep_val[AddrBits-1:0];
      rep_oob = rep_val[ValW-1] || (rep_val[ValW-2:AddrBits] != '0);
    end else if (last_strided_q) begin
      rep_word[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB] = rep_val[IndexBits-1:0];
      rep_oob = rep_val[ValW-1] || (rep_val[ValW-2:IndexBits] != '0);
    end else begin
      rep_oob = 1'b0;  // stride is 0 here (else BAD_REPEAT)
    end
  end

  logic r_err;
  logic [3:0] r_code;
  // The re-issued word is the repeated instruction itself: only its error matters here.
  logic [7:0] r_flags;
  logic unused_r_flags;
  assign unused_r_flags = ^r_flags;
  lpu_decode #(
    .SliceKind    (SliceKind),
    .Lanes        (Lanes),
    .StreamsPerDir(StreamsPerDir),
    .WordsPerSlice(WordsPerSlice),
    .MxmAccSlots  (MxmAccSlots),
    .TransposeN   (TransposeN)
  ) u_dec_rep (
    .insn_i        (rep_word),
    .mxm_load_i    (MxmLoad),
    .index_oob_i   (rep_oob),
    .icu_o         (r_flags[0]),
    .nop_o         (r_flags[1]),
    .repeat_o      (r_flags[2]),
    .sync_o        (r_flags[3]),
    .notify_o      (r_flags[4]),
    .halt_o        (r_flags[5]),
    .strided_o     (r_flags[6]),
    .strided_addr_o(r_flags[7]),
    .err_o         (r_err),
    .err_code_o    (r_code)
  );

  // ----------------------------------------------------------------------------------------------
  // Errors and dispatch of this cycle
  logic rep_ctx_bad;
  assign rep_ctx_bad = !last_valid_q || ((h_stride != '0) && !last_strided_q);

  // A re-issue in the Repeat's own head cycle (d = 1) is the instruction dispatched then.
  logic [Lw-1:0] issue_pc, sync_pc;
  assign issue_pc   = rep_now ? last_pc_q : pc_q;
  assign sync_pc    = pc_q - Lw'(1);
  assign issue_pc_o = 16'(issue_pc);
  assign sync_pc_o  = 16'(sync_pc);

  // err_info_o is what the model reports as the error's address (ERR_WHERE[31:17]): the offending
  // SRAM address for BAD_ADDRESS, else the word index of the instruction that failed.
  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    err_info_o = 16'(pc_q);
    if (at_head && h_err) begin
      err_code_o = h_code;
      if (h_code == lpu_isa_pkg::ERR_BAD_ADDRESS) begin
        err_info_o = 16'(head[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB]);
      end
    end else if (rep_head && rep_ctx_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_REPEAT;
    end else if (rep_now && r_err) begin
      err_code_o = r_code;
      err_info_o = (r_code == lpu_isa_pkg::ERR_BAD_ADDRESS) ? rep_val[15:0] : 16'(last_pc_q);
    end
  end
  assign err_o = err_code_o != lpu_isa_pkg::ERR_NONE;

  assign issue_valid_o = !err_o && ((at_head && !h_icu) || rep_now);
  assign issue_insn_o  = rep_now ? rep_word : head;
  assign notify_o      = at_head && h_notify && !h_err;
  assign halted_o      = halted_q;
  assign parked_o      = parked_q;

  // ----------------------------------------------------------------------------------------------
  // Next state
  always_comb begin
    pc_d           = pc_q;
    halted_d       = halted_q;
    parked_d       = parked_q;
    nop_d          = nop_q;
    rep_active_d   = rep_active_q;
    rep_left_d     = rep_left_q;
    rep_timer_d    = rep_timer_q;
    rep_d_d        = rep_d_q;
    rep_stride_d   = rep_stride_q;
    rep_off_d      = rep_off_q;
    last_d         = last_q;
    last_pc_d      = last_pc_q;
    last_valid_d   = last_valid_q;
    last_strided_d = last_strided_q;
    last_addr_d    = last_addr_q;
    if (start_i) begin
      pc_d         = '0;
      halted_d     = 1'b0;
      parked_d     = 1'b0;
      nop_d        = '0;
      rep_active_d = 1'b0;
      last_valid_d = 1'b0;
    end else if (commit_i) begin
      if (at_head) begin
        if (h_icu) begin
          last_valid_d = 1'b0;
          if (!h_halt) pc_d = pc_q + Lw'(1);
          if (h_halt) halted_d = 1'b1;
          if (h_nop) nop_d = h_count - 25'd1;
          if (h_sync) parked_d = !notify_any_i;
        end else begin
          pc_d           = pc_q + Lw'(1);
          last_d         = head;
          last_pc_d      = pc_q;
          last_valid_d   = 1'b1;
          last_strided_d = h_strided;
          last_addr_d    = h_strided_addr;
        end
      end else if (parked_q) begin
        if (notify_any_i) parked_d = 1'b0;
      end else if (nop_q != '0) begin
        nop_d = nop_q - 25'd1;
      end
      if (rep_engine) begin
        rep_d_d      = eff_d;
        rep_stride_d = eff_stride;
        if (rep_now) begin
          rep_left_d   = eff_left - 10'd1;
          rep_active_d = eff_left != 10'd1;
          rep_timer_d  = eff_d - 8'd1;
          rep_off_d    = new_off;
        end else begin
          rep_left_d   = eff_left;
          rep_active_d = 1'b1;
          rep_timer_d  = eff_timer - 8'd1;
          rep_off_d    = eff_off;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pc_q           <= '0;
      len_q          <= '0;
      halted_q       <= 1'b0;
      parked_q       <= 1'b0;
      nop_q          <= '0;
      rep_active_q   <= 1'b0;
      rep_left_q     <= '0;
      rep_timer_q    <= '0;
      rep_d_q        <= '0;
      rep_stride_q   <= '0;
      rep_off_q      <= '0;
      last_q         <= '0;
      last_pc_q      <= '0;
      last_valid_q   <= 1'b0;
      last_strided_q <= 1'b0;
      last_addr_q    <= 1'b0;
    end else begin
      pc_q           <= pc_d;
      len_q          <= len_d;
      halted_q       <= halted_d;
      parked_q       <= parked_d;
      nop_q          <= nop_d;
      rep_active_q   <= rep_active_d;
      rep_left_q     <= rep_left_d;
      rep_timer_q    <= rep_timer_d;
      rep_d_q        <= rep_d_d;
      rep_stride_q   <= rep_stride_d;
      rep_off_q      <= rep_off_d;
      last_q         <= last_d;
      last_pc_q      <= last_pc_d;
      last_valid_q   <= last_valid_d;
      last_strided_q <= last_strided_d;
      last_addr_q    <= last_addr_d;
    end
  end

  // ----------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  NoDispatchWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_o |-> running_i);
  NoDispatchWhileHalted: assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_o |-> !halted_q);
  NoDispatchWhileParked: assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_o |-> !parked_q);
  NoDispatchedWordIsAnIcuInstruction: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (issue_valid_o && !rep_now) |-> !h_icu);
  HaltedAndParkedAreExclusive: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(halted_q && parked_q));
  RepeatEngineAndNopCounterAreExclusive: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(rep_active_q && (nop_q != '0)));
  ImemWrittenOnlyWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (imem_we_i || imem_len_we_i) |-> !running_i);
  PcNeverPassesTheProgramEnd: assert property (@(posedge clk_i) disable iff (!rst_ni)
      running_i |-> (pc_q <= len_q));
  CommitOnlyWhileRunning: assert property (@(posedge clk_i) disable iff (!rst_ni)
      commit_i |-> running_i);
`endif

endmodule
