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
// Fetch: the program counter only steps by one (or back to 0 at START), so the word after the
// head is fetched a cycle ahead and the decoder starts from a flop, not from the RAM's slow
// clock-to-out (DP16KD without its output register: about 6 ns of a 10 ns cycle):
//   - head_q holds the word at pc_q (the "head"); the RAM's output register holds the word at
//     pc_q + 1. A step of pc_q at the end of t loads head_q from the RAM output and reads the word
//     at pc_q + 2 (the RAM's read enable holds its output while pc_q stays): back-to-back dispatch,
//     no bubbles.
//   - While stopped the RAM reads word 0 in every cycle without a host write (a read of a word
//     being written returns undefined data), and in the START cycle word 1, so that cycle 0 finds
//     word 0 in head_q and word 1 behind it. The cycle before START never has a host write
//     (NoImemWriteBeforeStart: the host's START write itself is that cycle or an earlier one), and
//     a START written while running (start_req_i) rewinds the fetch in that last running cycle.
// Sequencer timing (cycle numbers count from the START cycle's successor, cycle 0):
//   - A slice instruction at the head is dispatched (issue_valid_o) in the cycle it is at the
//     head, unless lpu_decode finds it illegal (err_o: nothing is dispatched, the queue's state
//     stays as it is, and the machine stops after this cycle).
//   - nop n at the head in cycle t: the next head is dispatched at t+n.
//   - repeat n, d, s at the head in cycle t0+1 (the repeated instruction was dispatched at t0):
//     re-issues at t0+d, t0+2d, ... t0+nd with index + i*s; the next head at t0+nd+1. With d = 1
//     the first re-issue happens in the Repeat's own head cycle.
//   - sync at the head in cycle t parks the queue unless a Notify is dispatched in t by any queue
//     (notify_any_i); a parked queue is released by a Notify in cycle t and dispatches at t+1.
//   - notify at the head: notify_o in that cycle.
//   - halt at the head in cycle t: halted_o from t+1 on.
// All state updates happen only when commit_i (= running) and this queue raises no error (err_o,
// local: an error elsewhere does not stop this queue's cycle, the machine stops after it);
// start_i (the host's START) resets the sequencer so that cycle 0 dispatches word 0.
module lpu_queue #(
  parameter int unsigned SliceKind     = 32'(lpu_pkg::SLICE_MEM),
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
  input  logic [lpu_isa_pkg::INSN_BITS-1:0] imem_wdata_i,
  input  logic          imem_len_we_i,   // IMEM_ADDR write naming this queue
  input  logic [Lw-1:0] imem_len_i,      // word index written, clipped to QueueDepth
  // Run control.
  input  logic          start_req_i,     // the host writes START in this cycle (start_i follows)
  input  logic          start_i,         // host START in this cycle: cycle 0 is the next one
  input  logic          running_i,       // this is a program cycle
  input  logic          commit_i,        // this cycle commits (lpu_top: running_q, a flop)
  input  logic          notify_any_i,    // some queue dispatches a Notify in this cycle
  // Dispatch to the slice.
  output logic          issue_valid_o,
  output logic [lpu_isa_pkg::INSN_BITS-1:0] issue_insn_o,
  output logic          notify_o,        // this queue dispatches a Notify in this cycle
  output logic          halted_o,        // this queue dispatched Halt in an earlier cycle
  output logic          parked_o,        // this queue is parked in Sync
  // Word index of the instruction dispatched or checked now.
  output logic [lpu_isa_pkg::IMEM_ADDR_INDEX_BITS-1:0] issue_pc_o,
  // Word index of the Sync a parked queue waits in.
  output logic [lpu_isa_pkg::IMEM_ADDR_INDEX_BITS-1:0] sync_pc_o,
  output logic          err_o,
  output lpu_isa_pkg::err_e err_code_o,
  // BAD_ADDRESS: the (strided) address, else issue_pc_o (a MEM address fits a program counter).
  output logic [lpu_isa_pkg::IMEM_ADDR_INDEX_BITS-1:0] err_info_o
);

  // Inlined into lpu_top in the verilated model, every instance alike: a build in which Verilator
  // 5.006 kept some queues as modules and inlined others produced C++ that did not compile here.
  /* verilator inline_module */

  // The ISA slice class of this queue's slice kind (lpu_pkg::slice_kind_e names the same classes).
  // (An int, as the parameter it is passed on as.)
  localparam int unsigned Kind =
      (SliceKind == lpu_pkg::SLICE_MXM) ? 32'(lpu_isa_pkg::SLICE_MXM) :
      (SliceKind == lpu_pkg::SLICE_SXM) ? 32'(lpu_isa_pkg::SLICE_SXM) :
      (SliceKind == lpu_pkg::SLICE_VXM) ? 32'(lpu_isa_pkg::SLICE_VXM) : 32'(lpu_isa_pkg::SLICE_MEM);
  // A program counter as the ports and the host's IMEM_ADDR index carry it.
  localparam int unsigned PcW     = lpu_isa_pkg::IMEM_ADDR_INDEX_BITS;
  localparam int unsigned CountW  = lpu_isa_pkg::F_COUNT_BITS;
  localparam int unsigned RepNW   = lpu_isa_pkg::F_REP_N_BITS;
  localparam int unsigned RepDW   = lpu_isa_pkg::F_REP_D_BITS;
  localparam int unsigned StrideW = lpu_isa_pkg::F_STRIDE_BITS;
  localparam int unsigned AddrW   = lpu_isa_pkg::F_ADDR_BITS;
  localparam int unsigned IndexW  = lpu_isa_pkg::F_INDEX_BITS;
  // One down-counter serves the NOP wait and the Repeat interval (never both at once).
  localparam int unsigned WaitW   = (CountW > RepDW) ? CountW : RepDW;
  // A strided re-issue's field value: the previous (legal, so in-field) value plus the stride,
  // signed and one bit wider than either, so that leaving the field is visible.
  localparam int unsigned FieldW  = (AddrW > IndexW) ? AddrW : IndexW;
  localparam int unsigned ValW    = ((FieldW > StrideW) ? FieldW : StrideW) + 2;
  // Strided fields and value checks of the instructions this queue dispatches (generated table):
  // the re-issue logic of the others is not built.
  localparam int unsigned SW    = lpu_isa_pkg::SLICE_STRIDED_W;
  localparam int unsigned CW    = lpu_isa_pkg::SLICE_CHECKS_W;
  localparam int unsigned Entry = 2 * Kind + 32'(MxmLoad);  // this queue's row of the tables
  localparam logic [SW-1:0] Strided = lpu_isa_pkg::SLICE_STRIDED[SW * Entry +: SW];
  localparam logic [CW-1:0] Checks  = lpu_isa_pkg::SLICE_CHECKS[CW * Entry +: CW];
  localparam bit StridesAddr  = Strided[lpu_isa_pkg::STRIDED_ADDR];
  localparam bit StridesIndex = Strided[lpu_isa_pkg::STRIDED_INDEX];

  // ----------------------------------------------------------------------------------------------
  // Instruction memory and program length
  logic [Lw-1:0] pc_q, pc_d, pc_inc, len_q, len_d;
  logic          pc_step;                    // pc_q steps (to pc_inc, or to 0 at START)
  logic [lpu_isa_pkg::INSN_BITS-1:0] head_q; // the word at pc_q
  logic [lpu_isa_pkg::INSN_BITS-1:0] ahead;  // the RAM output: the word at pc_q + 1 while running
  logic          past_end;                   // pc_q is the program length: the head is word 0
  logic          fetch_run;                  // the fetch follows pc_q (else it rewinds to word 0)
  logic [Aw-1:0] fetch_addr;
  logic          fetch_re;

  // A read address wraps at the RAM's end like pc_q's low bits (QueueDepth is a power of two,
  // QueueDepthIsAPowerOfTwo); a word fetched past the program end is never dispatched.
  assign fetch_run  = running_i && !start_req_i;
  assign fetch_addr = fetch_run ? pc_q[Aw-1:0] + Aw'(2) : Aw'(start_i);
  assign fetch_re   = fetch_run ? pc_step : !imem_we_i;

  lpu_sram_bank #(
    .Width(lpu_isa_pkg::INSN_BITS),
    .Depth(QueueDepth)
  ) u_imem (
    .clk_i   (clk_i),
    .we_i    (imem_we_i),
    .waddr_i (imem_waddr_i),
    .wdata_i (imem_wdata_i),
    .re_i    (fetch_re),
    .raddr_i (fetch_addr),
    .rdata_o (ahead)
  );

  // Meaningful from cycle 0 on (loaded in the START cycle). The reset is there for synthesis
  // alone: Yosys merges a plain flop that addresses a ROM into the ROM's read port, and then maps
  // lpu_decode's opcode table (insn_desc) into two block RAMs, with their slow clock-to-out on
  // the decode path again; it does not merge a flop with an asynchronous reset.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      head_q <= '0;
    end else if (pc_step) begin
      head_q <= ahead;
    end
  end

  always_comb begin
    len_d = len_q;
    if (imem_we_i) begin
      len_d = Lw'(imem_waddr_i) + Lw'(1);
    end else if (imem_len_we_i) begin
      len_d = imem_len_i;
    end
  end

  // pc_q never passes len_q (PcNeverPassesTheProgramEnd), so "at or past the end" is equality.
  // The word there is not masked to zero: the decoder reports it as the all-zero word
  // (ILLEGAL_OPCODE), and an erroring word is never dispatched.
  assign past_end = pc_q == len_q;
  assign pc_inc   = pc_q + Lw'(1);
  assign pc_d     = start_i ? '0 : pc_step ? pc_inc : pc_q;

  // ----------------------------------------------------------------------------------------------
  // Decode of the head word
  logic h_icu, h_nop, h_rpt, h_sync, h_notify, h_halt, h_err;
  lpu_isa_pkg::strided_e h_strided;
  lpu_isa_pkg::check_e   h_check;
  lpu_isa_pkg::err_e     h_code;

  lpu_decode #(
    .SliceClass   (Kind),
    .Lanes        (Lanes),
    .StreamsPerDir(StreamsPerDir),
    .WordsPerSlice(WordsPerSlice),
    .MxmAccSlots  (MxmAccSlots),
    .TransposeN   (TransposeN),
    .MxmLoad      (MxmLoad)
  ) u_dec_head (
    .insn_i    (head_q),
    .past_end_i(past_end),
    .icu_o     (h_icu),
    .nop_o     (h_nop),
    .repeat_o  (h_rpt),
    .sync_o    (h_sync),
    .notify_o  (h_notify),
    .halt_o    (h_halt),
    .strided_o (h_strided),
    .check_o   (h_check),
    .err_o     (h_err),
    .err_code_o(h_code)
  );

  logic [CountW-1:0]  h_count;
  logic [RepNW-1:0]   h_rep_n;
  logic [RepDW-1:0]   h_rep_d;
  logic [StrideW-1:0] h_stride;
  assign h_count  = head_q[lpu_isa_pkg::F_COUNT_MSB:lpu_isa_pkg::F_COUNT_LSB];
  assign h_rep_n  = head_q[lpu_isa_pkg::F_REP_N_MSB:lpu_isa_pkg::F_REP_N_LSB];
  assign h_rep_d  = head_q[lpu_isa_pkg::F_REP_D_MSB:lpu_isa_pkg::F_REP_D_LSB];
  assign h_stride = head_q[lpu_isa_pkg::F_STRIDE_MSB:lpu_isa_pkg::F_STRIDE_LSB];

  // ----------------------------------------------------------------------------------------------
  // Sequencer state
  logic               halted_q, halted_d, parked_q, parked_d;
  // wait_q: NOP: cycles until the next head + 1; Repeat: cycles until the next re-issue + 1.
  // 0 or 1 when neither waits.
  logic [WaitW-1:0]   wait_q, wait_d;
  logic               rep_active_q, rep_active_d;
  logic [RepNW-1:0]   rep_left_q, rep_left_d;     // re-issues still to come
  logic [RepDW-1:0]   rep_d_q, rep_d_d;
  logic [StrideW-1:0] rep_stride_q, rep_stride_d;
  // The last slice instruction dispatched from the head, its word index, and whether it was the
  // previous instruction. A committed re-issue writes its strided field back, so the field always
  // holds the value of the latest issue.
  logic [lpu_isa_pkg::INSN_BITS-1:0] last_q, last_d;
  logic [Lw-1:0]          last_pc_q, last_pc_d;
  logic                   last_valid_q, last_valid_d;
  lpu_isa_pkg::strided_e  last_strided_q, last_strided_d;
  lpu_isa_pkg::check_e    last_check_q, last_check_d;

  logic at_head, rep_head, rep_engine, rep_now;
  assign at_head  = running_i && !halted_q && !parked_q && !rep_active_q
                 && (wait_q[WaitW-1:1] == '0);
  assign rep_head = at_head && h_rpt;

  // Repeat engine: the values in force in this cycle (from the head word in the Repeat's own
  // cycle).
  logic [WaitW-1:0]   eff_wait, wait_dec;
  logic [RepNW-1:0]   eff_left;
  logic [RepDW-1:0]   eff_d;
  logic [StrideW-1:0] eff_stride;
  assign eff_wait   = rep_head ? WaitW'(h_rep_d) : wait_q;
  assign wait_dec   = eff_wait - WaitW'(1);
  assign eff_d      = rep_head ? h_rep_d : rep_d_q;
  assign eff_left   = rep_head ? h_rep_n : rep_left_q;
  assign eff_stride = rep_head ? h_stride : rep_stride_q;
  assign rep_engine = rep_head || (running_i && rep_active_q);
  assign rep_now    = rep_engine && (eff_wait == WaitW'(1));

  // The re-issued word: the repeated instruction with the stride added to its strided field.
  logic [FieldW-1:0]          cur_val;
  logic signed [ValW-1:0]     rep_val;
  logic [lpu_isa_pkg::INSN_BITS-1:0] rep_word;
  always_comb begin
    cur_val = '0;
    if (StridesAddr && last_strided_q == lpu_isa_pkg::STRIDED_ADDR) begin
      cur_val = FieldW'(last_q[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB]);
    end else if (StridesIndex && last_strided_q == lpu_isa_pkg::STRIDED_INDEX) begin
      cur_val = FieldW'(last_q[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB]);
    end
  end
  assign rep_val = (StridesAddr || StridesIndex)
                 ? ValW'($signed({1'b0, cur_val})) + ValW'($signed(eff_stride)) : '0;

  always_comb begin
    rep_word = last_q;
    if (StridesAddr && last_strided_q == lpu_isa_pkg::STRIDED_ADDR) begin
      rep_word[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB] = rep_val[AddrW-1:0];
    end else if (StridesIndex && last_strided_q == lpu_isa_pkg::STRIDED_INDEX) begin
      rep_word[lpu_isa_pkg::F_INDEX_MSB:lpu_isa_pkg::F_INDEX_LSB] = rep_val[IndexW-1:0];
    end
  end

  // Errors of a re-issue: only its strided field differs from a word that was legal, so only the
  // value check of that field can fail (a value that left the field fails it as well).
  logic [lpu_isa_pkg::F_LWN_BITS-1:0] last_lwn;
  logic r_addr_bad, r_rows_bad, r_slot_bad;
  assign last_lwn   = last_q[lpu_isa_pkg::F_LWN_MSB:lpu_isa_pkg::F_LWN_LSB];
  assign r_addr_bad = Checks[lpu_isa_pkg::CHECK_ADDR] && (last_check_q == lpu_isa_pkg::CHECK_ADDR)
                   && (rep_val[ValW-1] || (32'(rep_val) >= WordsPerSlice));
  assign r_rows_bad = Checks[lpu_isa_pkg::CHECK_ROWS] && (last_check_q == lpu_isa_pkg::CHECK_ROWS)
                   && (rep_val[ValW-1] || (32'(rep_val) + 32'(last_lwn) > Lanes));
  assign r_slot_bad = Checks[lpu_isa_pkg::CHECK_SLOT] && (last_check_q == lpu_isa_pkg::CHECK_SLOT)
                   && (rep_val[ValW-1] || (32'(rep_val) >= MxmAccSlots));

  // ----------------------------------------------------------------------------------------------
  // Errors and dispatch of this cycle
  logic rep_ctx_bad;
  assign rep_ctx_bad = !last_valid_q
                    || ((h_stride != '0) && (last_strided_q == lpu_isa_pkg::STRIDED_NONE));

  // A re-issue in the Repeat's own head cycle (d = 1) is the instruction dispatched then. A parked
  // queue's pc_q is its Sync (it advances on the release).
  logic [Lw-1:0] issue_pc;
  assign issue_pc   = rep_now ? last_pc_q : pc_q;
  assign issue_pc_o = PcW'(issue_pc);
  assign sync_pc_o  = PcW'(pc_q);

  // err_info_o is what the model reports as the error's address (ERR_WHERE[31:17]): the offending
  // SRAM address for BAD_ADDRESS, else the word index of the instruction that failed.
  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    err_info_o = PcW'(pc_q);
    if (at_head && h_err) begin
      err_code_o = h_code;
      if (h_code == lpu_isa_pkg::ERR_BAD_ADDRESS) begin
        err_info_o = PcW'(head_q[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB]);
      end
    end else if (rep_head && rep_ctx_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_REPEAT;
    end else if (rep_now && r_addr_bad) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_ADDRESS;
      err_info_o = PcW'(rep_val);
    end else if (rep_now && (r_rows_bad || r_slot_bad)) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_OPERAND;
      err_info_o = PcW'(last_pc_q);
    end
  end
  assign err_o = err_code_o != lpu_isa_pkg::ERR_NONE;

  assign issue_valid_o = !err_o && ((at_head && !h_icu) || rep_now);
  assign issue_insn_o  = rep_now ? rep_word : head_q;
  assign notify_o      = at_head && h_notify && !h_err;
  assign halted_o      = halted_q;
  assign parked_o      = parked_q;

  // ----------------------------------------------------------------------------------------------
  // Next state
  always_comb begin
    pc_step        = 1'b0;
    halted_d       = halted_q;
    parked_d       = parked_q;
    wait_d         = wait_q;
    rep_active_d   = rep_active_q;
    rep_left_d     = rep_left_q;
    rep_d_d        = rep_d_q;
    rep_stride_d   = rep_stride_q;
    last_d         = last_q;
    last_pc_d      = last_pc_q;
    last_valid_d   = last_valid_q;
    last_strided_d = last_strided_q;
    last_check_d   = last_check_q;
    if (start_i) begin
      pc_step      = 1'b1;
      halted_d     = 1'b0;
      parked_d     = 1'b0;
      wait_d       = '0;
      rep_active_d = 1'b0;
      last_valid_d = 1'b0;
    end else if (commit_i && !err_o) begin
      if (at_head) begin
        if (h_icu) begin
          last_valid_d = 1'b0;
          // A Sync not released in its own cycle parks with pc_q on it.
          if (!h_halt && !(h_sync && !notify_any_i)) pc_step = 1'b1;
          if (h_halt) halted_d = 1'b1;
          if (h_nop) wait_d = WaitW'(h_count);
          if (h_sync) parked_d = !notify_any_i;
        end else begin
          pc_step        = 1'b1;
          last_d         = head_q;
          last_pc_d      = pc_q;
          last_valid_d   = 1'b1;
          last_strided_d = h_strided;
          last_check_d   = h_check;
        end
      end else if (parked_q) begin
        if (notify_any_i) begin
          parked_d = 1'b0;
          pc_step  = 1'b1;
        end
      end else if (!rep_active_q && (wait_q[WaitW-1:1] != '0)) begin
        wait_d = wait_dec;
      end
      if (rep_head) begin
        rep_d_d      = h_rep_d;
        rep_stride_d = h_stride;
      end
      if (rep_engine) begin
        if (rep_now) begin
          rep_left_d   = eff_left - RepNW'(1);
          rep_active_d = eff_left != RepNW'(1);
          wait_d       = (eff_left != RepNW'(1)) ? WaitW'(eff_d) : '0;
          last_d       = rep_word;
        end else begin
          rep_left_d   = eff_left;
          rep_active_d = 1'b1;
          wait_d       = wait_dec;
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
      wait_q         <= '0;
      rep_active_q   <= 1'b0;
      last_valid_q   <= 1'b0;
    end else begin
      pc_q           <= pc_d;
      len_q          <= len_d;
      halted_q       <= halted_d;
      parked_q       <= parked_d;
      wait_q         <= wait_d;
      rep_active_q   <= rep_active_d;
      last_valid_q   <= last_valid_d;
    end
  end

  // Data flops without reset: read only under rep_active_q / last_valid_q, which START clears.
  always_ff @(posedge clk_i) begin
    rep_left_q     <= rep_left_d;
    rep_d_q        <= rep_d_d;
    rep_stride_q   <= rep_stride_d;
    last_q         <= last_d;
    last_pc_q      <= last_pc_d;
    last_strided_q <= last_strided_d;
    last_check_q   <= last_check_d;
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
  ParkedQueueWaitsOnASync: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (running_i && parked_q && !past_end) |-> h_sync);
  HaltedAndParkedAreExclusive: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(halted_q && parked_q));
  RepeatIntervalRunsWhileActive: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rep_active_q |-> (wait_q != '0));
  ImemWrittenOnlyWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (imem_we_i || imem_len_we_i) |-> !running_i);
  PcNeverPassesTheProgramEnd: assert property (@(posedge clk_i) disable iff (!rst_ni)
      running_i |-> (pc_q <= len_q));
  CommitOnlyWhileRunning: assert property (@(posedge clk_i) disable iff (!rst_ni)
      commit_i |-> running_i);
  // The fetch primes word 0 in the cycle before START (see the header).
  NoImemWriteBeforeStart: assert property (@(posedge clk_i) disable iff (!rst_ni)
      imem_we_i |=> !start_i);
  StartOnlyWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      start_i |-> !running_i);
  initial begin
    QueueDepthIsAPowerOfTwo: assert ((QueueDepth & (QueueDepth - 1)) == 0);
  end
`endif

endmodule
