// openlpu core: instruction queues, slices, stream register file, error collector, host port.
//
//   host port --> host registers (CTRL/STATUS/ERR_*/CYCLE/CONFIG/IMEM_*/SRAM_*)
//                    |  IMEM writes            |  SRAM staging buffer <-> MEM host ports
//                    v                         v
//   position   0       1       2 .. M+1    M+2    M+3 .. 2M+2   P-2     P-1
//   load queue [qP]                                                  [qP+1]   lpu_queue (MxmLoad)
//              | ld_issue                                               |
//   queue    [q0]    [q1]    [q2 ..  ]   [qV]   [ ..      ]   [..]    [..]     lpu_queue
//              | issue |        |          |         |          |       |
//   slice    [MXM_W] [SXM_W] [MEM_W..]   [VXM]  [MEM_E..  ]  [SXM_E] [MXM_E]  lpu_* slices
//              | wr_en/wr_data results, status           ^ sr[E]/sr[W] (R[*][*][p])
//              v                                           |
//            lpu_streams: R[E][s][p+1] <- result or R[E][s][p];  R[W][s][p-1] likewise
//   error collector: first error (lowest position, then lowest code) stops the machine
//
// Queues (IMEM_ADDR queue index): q < P drives the slice at position q (for an MXM its compute
// queue: abc, abca, abce, acc); q = P is MXM_W_LOAD and q = P+1 MXM_E_LOAD, the MXMs' load queues
// (lw, lwi, iw), which feed lpu_mxm_core's second issue port so that a load and a compute
// instruction dispatch in the same cycle. A load queue's errors report its MXM's position; it
// takes part in Sync/Notify, deadlock and done detection like every other queue.
//
// Run control. The host's START (CTRL bit 0, accepted while stopped or running) clears status,
// error and cycle counter at once (STATUS reads RUNNING from then on); as soon as no slice is busy
// (immediately unless an interrupted run left results in flight) the stream registers are
// cleared and every queue is reset, and the next cycle is program cycle 0. In each program
// cycle t:
//   - every queue may dispatch one instruction to its slice;
//   - cycle t commits (commit = running_q, a flop: no stream, SRAM, MXM or queue enable depends
//     on this cycle's errors or on done detection);
//   - errors of cycle t (queue/decode errors, slice errors, EDGE_WRITE, SYNC_DEADLOCK) are
//     collected into ERR_* (ERR_CYCLE = t) and into running_d only: the cycle counter becomes
//     t+1 and the machine stops, DONE|ERROR, so cycle t+1 does not execute. The erroring
//     instruction's own effect is suppressed locally where it is raised: a queue error leaves the
//     queue's state unchanged and dispatches nothing; a map BAD_ADDRESS scatter writes no
//     superlane; an overrunning ABC is dropped; a result aimed past the chip edge is not stored;
//     a STREAM_CONFLICT loads one defined winner (lpu_vxm: the longest-latency path; lpu_mxm_core:
//     the ACC result over the ABCE sum), everything else of cycle t commits;
//   - else if every queue halted before t and no slice is busy, the machine stops with
//     CYCLE = t (the program's cycle count), DONE; cycle t commits too, but with nothing
//     dispatched and nothing in flight its only effect is one more stream hop;
//   - else the counter becomes t+1.
// CLEAR (CTRL bit 1) clears status and error and stops a running machine (what a host does on
// its own TIMEOUT). Instruction and SRAM loads are accepted only while stopped.
module lpu_top #(
  parameter int unsigned Lanes           = lpu_arch_pkg::CFG_ULX3S_LANES,
  parameter int unsigned SuperlaneLanes  = lpu_arch_pkg::CFG_ULX3S_SUPERLANE_LANES,
  parameter int unsigned StreamsPerDir   = lpu_arch_pkg::CFG_ULX3S_STREAMS_PER_DIR,
  parameter int unsigned MemSlicesPerHem = lpu_arch_pkg::CFG_ULX3S_MEM_SLICES_PER_HEM,
  parameter int unsigned BanksPerSlice   = lpu_arch_pkg::CFG_ULX3S_BANKS_PER_SLICE,
  parameter int unsigned WordsPerBank    = lpu_arch_pkg::CFG_ULX3S_WORDS_PER_BANK,
  parameter int unsigned QueueDepth      = lpu_arch_pkg::CFG_ULX3S_QUEUE_DEPTH,
  parameter int unsigned MxmAccSlots     = lpu_arch_pkg::CFG_ULX3S_MXM_ACC_SLOTS,
  parameter int unsigned MxmAbcInterval  = lpu_arch_pkg::CFG_ULX3S_MXM_ABC_INTERVAL,
  parameter int unsigned TransposeN      = lpu_arch_pkg::CFG_ULX3S_TRANSPOSE_N
) (
  input  logic        clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic        rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // Host register port: one access per cycle; read data is valid in the cycle after the request.
  input  logic        host_req_i,
  input  logic        host_we_i,
  input  logic [11:0] host_addr_i,
  input  logic [31:0] host_wdata_i,
  output logic [31:0] host_rdata_o
);

  // ----------------------------------------------------------------------------------------------
  // Derived sizes
  localparam int unsigned Positions     = 2 * (MemSlicesPerHem + 2) + 1;
  localparam int unsigned VxmPosition   = MemSlicesPerHem + 2;
  localparam int unsigned WordsPerSlice = BanksPerSlice * WordsPerBank;
  localparam int unsigned MemAw         = $clog2(WordsPerSlice);
  localparam int unsigned QAw           = $clog2(QueueDepth);
  localparam int unsigned S             = StreamsPerDir;
  localparam int unsigned Vb            = Lanes * 8;         // one stream register
  localparam int unsigned Sb            = S * Vb;            // one position, one direction
  localparam int unsigned StagingWords  = Lanes / 4;
  localparam int unsigned PcW           = lpu_isa_pkg::IMEM_ADDR_INDEX_BITS;  // queue word index
  // ERR_WHERE fields
  localparam int unsigned WherePosW     = lpu_isa_pkg::ERR_WHERE_POS_BITS;
  localparam int unsigned WhereStreamW  = lpu_isa_pkg::ERR_WHERE_STREAM_BITS;
  localparam int unsigned WhereAddrW    = lpu_isa_pkg::ERR_WHERE_ADDR_BITS;
  localparam int unsigned E             = lpu_isa_pkg::DIR_E;
  localparam int unsigned W             = lpu_isa_pkg::DIR_W;

  function automatic int unsigned slice_kind(input int unsigned p);
    if (p == 0 || p == Positions - 1) slice_kind = lpu_pkg::SLICE_MXM;
    else if (p == 1 || p == Positions - 2) slice_kind = lpu_pkg::SLICE_SXM;
    else if (p == VxmPosition) slice_kind = lpu_pkg::SLICE_VXM;
    else slice_kind = lpu_pkg::SLICE_MEM;
  endfunction

  // ----------------------------------------------------------------------------------------------
  // Run state and host registers
  logic        running_q, done_q, error_q;
  logic [63:0] cycle_q;
  lpu_isa_pkg::err_e err_code_q;
  logic [31:0] err_cycle_q, err_where_q;
  logic [lpu_isa_pkg::IMEM_ADDR_QUEUE_BITS-1:0] imem_queue_q;
  logic [lpu_isa_pkg::IMEM_ADDR_INDEX_BITS-1:0] imem_index_q;
  logic [lpu_isa_pkg::SRAM_ADDR_POS_BITS-1:0]   sram_pos_q;
  logic [lpu_isa_pkg::SRAM_ADDR_ADDR_BITS-1:0]  sram_addr_q;
  logic [Vb-1:0] staging_q, staging_d;
  logic        sram_rd_pending_q;
  logic [31:0] host_rdata_q;

  logic host_wr, start_wr, start, clear, start_req_q;
  assign host_wr  = host_req_i && host_we_i;
  assign start_wr = host_wr && (host_addr_i == lpu_isa_pkg::REG_CTRL)
                    && host_wdata_i[lpu_isa_pkg::CTRL_START_BIT];
  // The run begins once every slice has drained what an interrupted run left in flight (results
  // of a run stopped by an error, at most the longest latency): the model drops those at START.
  // start is the cycle before program cycle 0.
  assign start    = start_req_q && !busy_any;
  assign clear   = host_wr && (host_addr_i == lpu_isa_pkg::REG_CTRL)
                   && host_wdata_i[lpu_isa_pkg::CTRL_CLEAR_BIT];

  // Loads are ignored while running (and flagged by HostLoadsOnlyWhileStopped).
  logic stopped, imem_addr_wr, imem_data_wr, sram_cmd_wr, sram_cmd_ok, sram_host_rd, sram_host_wr;
  assign stopped      = !running_q && !start_req_q;
  assign imem_addr_wr = host_wr && (host_addr_i == lpu_isa_pkg::REG_IMEM_ADDR) && stopped;
  assign imem_data_wr = host_wr && (host_addr_i == lpu_isa_pkg::REG_IMEM_DATA) && stopped;
  assign sram_cmd_wr  = host_wr && (host_addr_i == lpu_isa_pkg::REG_SRAM_CMD) && stopped;
  assign sram_cmd_ok  = (32'(sram_pos_q) < Positions)
                        && (slice_kind(32'(sram_pos_q)) == lpu_pkg::SLICE_MEM)
                        && (32'(sram_addr_q) < WordsPerSlice);
  assign sram_host_rd = sram_cmd_wr && sram_cmd_ok && (host_wdata_i == lpu_isa_pkg::SRAM_CMD_READ);
  assign sram_host_wr = sram_cmd_wr && sram_cmd_ok && (host_wdata_i == lpu_isa_pkg::SRAM_CMD_WRITE);

  // ----------------------------------------------------------------------------------------------
  // Per-position wiring
  // Queue p dispatches issue[p] to slice p, which reports s_status[p] (lpu_isa_pkg bundles: their
  // fields are used through one scalar variable per position, see slice_issue_t).
  lpu_isa_pkg::slice_issue_t  [Positions-1:0] issue;
  lpu_isa_pkg::slice_status_t [Positions-1:0] s_status;
  logic [Positions-1:0]                       s_busy;  // s_status[p].busy, for busy_any
  logic [Positions-1:0]                       q_notify, q_halted, q_parked, q_err;
  lpu_isa_pkg::err_e          [Positions-1:0] q_code;
  logic [Positions-1:0][PcW-1:0]              q_info, q_issue_pc, q_sync_pc;
  // Stream buses and MEM host read data: one element per direction (lpu_isa_pkg::dir_e) and
  // position, each written by one producer (one packed vector of all positions costs the verilated
  // model quadratic concatenations every cycle). sr[E][p] / sr[W][p] = R[E][*][p] / R[W][*][p]
  // (lane i of stream s at byte s*Lanes+i), public_flat_rd for the testbench.
  logic [S-1:0]  wr_en   [2][Positions];
  logic [Sb-1:0] wr_data [2][Positions];
  logic [Sb-1:0] sr      [2][Positions] /*verilator public_flat_rd*/;
  logic [Vb-1:0] mem_host_rdata [Positions];
  logic          notify_any, commit, busy_any;

  // The two MXM load queues: index 0 = MXM_W_LOAD (queue P, position 0), 1 = MXM_E_LOAD (queue P+1,
  // position P-1).
  lpu_isa_pkg::slice_issue_t [1:0] ld_issue;
  logic [1:0]                      ld_notify, ld_halted, ld_parked, ld_err;
  lpu_isa_pkg::err_e         [1:0] ld_code;
  logic [1:0][PcW-1:0]             ld_info, ld_issue_pc, ld_sync_pc;

  assign notify_any = (|q_notify) || (|ld_notify);

  for (genvar l = 0; l < 2; l++) begin : gen_ldq
    lpu_isa_pkg::slice_issue_t iss;
    assign ld_issue[l] = iss;
    lpu_queue #(
      .SliceKind    (lpu_pkg::SLICE_MXM),
      .Lanes        (Lanes),
      .StreamsPerDir(StreamsPerDir),
      .WordsPerSlice(WordsPerSlice),
      .MxmAccSlots  (MxmAccSlots),
      .TransposeN   (TransposeN),
      .QueueDepth   (QueueDepth),
      .MxmLoad      (1'b1)
    ) u_queue (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .imem_we_i    (imem_data_wr && (32'(imem_queue_q) == Positions + l)
                     && (32'(imem_index_q) < QueueDepth)),
      .imem_waddr_i (imem_index_q[QAw-1:0]),
      .imem_wdata_i (host_wdata_i),
      .imem_len_we_i(imem_addr_wr && (32'(host_wdata_i[7:0]) == Positions + l)),
      .imem_len_i   ((32'(host_wdata_i[23:8]) > QueueDepth) ? (QAw + 1)'(QueueDepth)
                                                            : host_wdata_i[8 +: QAw + 1]),
      .start_req_i  (start_wr),
      .start_i      (start),
      .running_i    (running_q),
      .commit_i     (commit),
      .notify_any_i (notify_any),
      .issue_valid_o(iss.valid),
      .issue_insn_o (iss.insn),
      .notify_o     (ld_notify[l]),
      .halted_o     (ld_halted[l]),
      .parked_o     (ld_parked[l]),
      .issue_pc_o   (ld_issue_pc[l]),
      .sync_pc_o    (ld_sync_pc[l]),
      .err_o        (ld_err[l]),
      .err_code_o   (ld_code[l]),
      .err_info_o   (ld_info[l])
    );
  end

  // No MXM slice error comes from a load-queue instruction (lw/lwi/iw neither overrun nor drive
  // streams), so the load queues' dispatch word index is not needed.
  logic unused_ld;
  assign unused_ld = ^{ld_issue_pc, ld_info[0][PcW-1:WhereAddrW], ld_info[1][PcW-1:WhereAddrW],
                       ld_sync_pc[0][PcW-1:WhereAddrW], ld_sync_pc[1][PcW-1:WhereAddrW]};

  for (genvar p = 0; p < Positions; p++) begin : gen_pos
    localparam int unsigned Kind = slice_kind(p);
    lpu_isa_pkg::slice_issue_t  iss;
    lpu_isa_pkg::slice_status_t st;
    assign issue[p]    = iss;
    assign s_status[p] = st;
    assign s_busy[p]   = st.busy;

    lpu_queue #(
      .SliceKind    (Kind),
      .Lanes        (Lanes),
      .StreamsPerDir(StreamsPerDir),
      .WordsPerSlice(WordsPerSlice),
      .MxmAccSlots  (MxmAccSlots),
      .TransposeN   (TransposeN),
      .QueueDepth   (QueueDepth)
    ) u_queue (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .imem_we_i    (imem_data_wr && (32'(imem_queue_q) == p)
                     && (32'(imem_index_q) < QueueDepth)),
      .imem_waddr_i (imem_index_q[QAw-1:0]),
      .imem_wdata_i (host_wdata_i),
      .imem_len_we_i(imem_addr_wr && (32'(host_wdata_i[7:0]) == p)),
      .imem_len_i   ((32'(host_wdata_i[23:8]) > QueueDepth) ? (QAw + 1)'(QueueDepth)
                                                            : host_wdata_i[8 +: QAw + 1]),
      .start_req_i  (start_wr),
      .start_i      (start),
      .running_i    (running_q),
      .commit_i     (commit),
      .notify_any_i (notify_any),
      .issue_valid_o(iss.valid),
      .issue_insn_o (iss.insn),
      .notify_o     (q_notify[p]),
      .halted_o     (q_halted[p]),
      .parked_o     (q_parked[p]),
      .issue_pc_o   (q_issue_pc[p]),
      .sync_pc_o    (q_sync_pc[p]),
      .err_o        (q_err[p]),
      .err_code_o   (q_code[p]),
      .err_info_o   (q_info[p])
    );

    if (Kind == lpu_pkg::SLICE_MEM) begin : gen_mem
      lpu_mem_slice #(
        .Lanes         (Lanes),
        .StreamsPerDir (StreamsPerDir),
        .SuperlaneLanes(SuperlaneLanes),
        .BanksPerSlice (BanksPerSlice),
        .WordsPerBank  (WordsPerBank)
      ) u_slice (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .issue_valid_i(iss.valid),
        .issue_insn_i (iss.insn),
        .sr_e_i       (sr[E][p]),
        .sr_w_i       (sr[W][p]),
        .wr_e_en_o    (wr_en[E][p]),
        .wr_w_en_o    (wr_en[W][p]),
        .wr_e_data_o  (wr_data[E][p]),
        .wr_w_data_o  (wr_data[W][p]),
        .busy_o       (st.busy),
        .err_o        (st.err),
        .err_code_o   (st.code),
        .err_info_o   (st.info),
        .commit_i     (commit),
        .host_req_i   ((sram_host_rd || sram_host_wr) && (32'(sram_pos_q) == p)),
        .host_we_i    (sram_host_wr),
        .host_addr_i  (sram_addr_q[MemAw-1:0]),
        .host_wdata_i (staging_q),
        .host_rdata_o (mem_host_rdata[p])
      );
    end else begin : gen_fu
      assign mem_host_rdata[p] = '0;
      if (Kind == lpu_pkg::SLICE_VXM) begin : gen_vxm
        lpu_vxm #(
          .Lanes        (Lanes),
          .StreamsPerDir(StreamsPerDir)
        ) u_slice (
          .clk_i        (clk_i),
          .rst_ni       (rst_ni),
          .issue_valid_i(iss.valid),
          .issue_insn_i (iss.insn),
          .sr_e_i       (sr[E][p]),
          .sr_w_i       (sr[W][p]),
          .wr_e_en_o    (wr_en[E][p]),
          .wr_w_en_o    (wr_en[W][p]),
          .wr_e_data_o  (wr_data[E][p]),
          .wr_w_data_o  (wr_data[W][p]),
          .busy_o       (st.busy),
          .err_o        (st.err),
          .err_code_o   (st.code),
          .err_info_o   (st.info),
          .commit_i     (commit)
        );
      end else if (Kind == lpu_pkg::SLICE_SXM) begin : gen_sxm
        lpu_sxm #(
          .Lanes         (Lanes),
          .StreamsPerDir (StreamsPerDir),
          .SuperlaneLanes(SuperlaneLanes),
          .TransposeN    (TransposeN)
        ) u_slice (
          .clk_i        (clk_i),
          .rst_ni       (rst_ni),
          .issue_valid_i(iss.valid),
          .issue_insn_i (iss.insn),
          .sr_e_i       (sr[E][p]),
          .sr_w_i       (sr[W][p]),
          .wr_e_en_o    (wr_en[E][p]),
          .wr_w_en_o    (wr_en[W][p]),
          .wr_e_data_o  (wr_data[E][p]),
          .wr_w_data_o  (wr_data[W][p]),
          .busy_o       (st.busy),
          .err_o        (st.err),
          .err_code_o   (st.code),
          .err_info_o   (st.info),
          .commit_i     (commit)
        );
      end else begin : gen_mxm
        // Compute queue on issue_*, the MXM's load queue (MXM_W_LOAD / MXM_E_LOAD) on ld_issue_*.
        localparam int unsigned Ld = (p == 0) ? 0 : 1;
        lpu_isa_pkg::slice_issue_t ld_iss;
        assign ld_iss = ld_issue[Ld];
        lpu_mxm_core #(
          .Lanes         (Lanes),
          .StreamsPerDir (StreamsPerDir),
          .MxmAccSlots   (MxmAccSlots),
          .MxmAbcInterval(MxmAbcInterval)
        ) u_slice (
          .clk_i           (clk_i),
          .rst_ni          (rst_ni),
          .issue_valid_i   (iss.valid),
          .issue_insn_i    (iss.insn),
          .ld_issue_valid_i(ld_iss.valid),
          .ld_issue_insn_i (ld_iss.insn),
          .sr_e_i       (sr[E][p]),
          .sr_w_i       (sr[W][p]),
          .wr_e_en_o    (wr_en[E][p]),
          .wr_w_en_o    (wr_en[W][p]),
          .wr_e_data_o  (wr_data[E][p]),
          .wr_w_data_o  (wr_data[W][p]),
          .busy_o       (st.busy),
          .err_o        (st.err),
          .err_code_o   (st.code),
          .err_info_o   (st.info),
          .commit_i     (commit)
        );
      end
    end
  end

  // ----------------------------------------------------------------------------------------------
  // Stream register file: one lpu_streams per position holds R[E][*][p] and R[W][*][p]; its inputs
  // are the neighbours' producers and registers (0 at the chip-edge entries, which load 0).
  for (genvar p = 0; p < Positions; p++) begin : gen_sr
    logic [S-1:0]  e_en, w_en;
    logic [Sb-1:0] e_data, e_sr, w_data, w_sr;
    if (p == 0) begin : gen_east_entry
      assign e_en   = '0;
      assign e_data = '0;
      assign e_sr   = '0;
    end else begin : gen_east
      assign e_en   = wr_en[E][p - 1];
      assign e_data = wr_data[E][p - 1];
      assign e_sr   = sr[E][p - 1];
    end
    if (p == Positions - 1) begin : gen_west_entry
      assign w_en   = '0;
      assign w_data = '0;
      assign w_sr   = '0;
    end else begin : gen_west
      assign w_en   = wr_en[W][p + 1];
      assign w_data = wr_data[W][p + 1];
      assign w_sr   = sr[W][p + 1];
    end

    lpu_streams #(
      .StreamsPerDir(StreamsPerDir),
      .Lanes        (Lanes),
      .EastEntry    (p == 0),
      .WestEntry    (p == Positions - 1)
    ) u_streams (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .clear_i    (start),
      .advance_i  (commit),
      .wr_e_en_i  (e_en),
      .wr_e_data_i(e_data),
      .sr_e_i     (e_sr),
      .wr_w_en_i  (w_en),
      .wr_w_data_i(w_data),
      .sr_w_i     (w_sr),
      .sr_e_o     (sr[E][p]),
      .sr_w_o     (sr[W][p])
    );
  end

  // Results aimed past the chip edges are not stored (EDGE_WRITE, in the error collector): the
  // edge positions' streams have no input for them, so the erroring cycle drops them locally.
  logic [Sb-1:0] unused_edge_data_e, unused_edge_data_w;
  assign unused_edge_data_e = wr_data[E][Positions - 1];
  assign unused_edge_data_w = wr_data[W][0];

  // ----------------------------------------------------------------------------------------------
  // Error collector. Per position, the lowest code among: the queue (instruction checks at
  // dispatch), the slice (STREAM_CONFLICT, map BAD_ADDRESS, MXM_OVERRUN) and EDGE_WRITE (a result
  // aimed west of position 0 or east of position P-1). Across positions the lowest position wins.
  // An MXM's load queue competes at its MXM's position with the model's full order (code, then
  // direction, stream, address: for two queue errors of one code the lower word index).
  // SYNC_DEADLOCK (every queue halted or parked, one parked, nothing busy) names the lowest parked
  // queue (by queue index: q0 .. qP-1, then MXM_W_LOAD, MXM_E_LOAD). ERR_WHERE: position; stream
  // and direction for STREAM_CONFLICT and EDGE_WRITE; the low 15 bits of the address for
  // BAD_ADDRESS.
  lpu_isa_pkg::err_e [Positions-1:0]  pos_code;
  logic [Positions-1:0][31:0]         pos_where;

  // ERR_WHERE from its parts: position, stream register (direction: 1 west; index), address
  // (low 15 bits). Slices report STREAM_CONFLICT as err_info = {7'b0, dir, stream[7:0]}.
  function automatic logic [31:0] where_of(input logic [WherePosW-1:0] p, input logic dir,
                                           input logic [WhereStreamW-1:0] stream,
                                           input logic [WhereAddrW-1:0] addr);
    where_of = (32'(p) << lpu_isa_pkg::ERR_WHERE_POS_LSB)
             | (32'(stream) << lpu_isa_pkg::ERR_WHERE_STREAM_LSB)
             | (32'(dir) << lpu_isa_pkg::ERR_WHERE_DIR_BIT)
             | (32'(addr) << lpu_isa_pkg::ERR_WHERE_ADDR_LSB);
  endfunction

  // The model's order of two errors at one position: code, then direction, stream, address.
  function automatic logic err_before(input lpu_isa_pkg::err_e c1, input logic [31:0] w1,
                                      input lpu_isa_pkg::err_e c2, input logic [31:0] w2);
    logic [lpu_isa_pkg::ERR_WHERE_DIR_BITS + WhereStreamW + WhereAddrW - 1:0] k1, k2;
    k1 = {w1[lpu_isa_pkg::ERR_WHERE_DIR_BIT],
          w1[lpu_isa_pkg::ERR_WHERE_STREAM_LSB +: lpu_isa_pkg::ERR_WHERE_STREAM_BITS],
          w1[lpu_isa_pkg::ERR_WHERE_ADDR_LSB +: lpu_isa_pkg::ERR_WHERE_ADDR_BITS]};
    k2 = {w2[lpu_isa_pkg::ERR_WHERE_DIR_BIT],
          w2[lpu_isa_pkg::ERR_WHERE_STREAM_LSB +: lpu_isa_pkg::ERR_WHERE_STREAM_BITS],
          w2[lpu_isa_pkg::ERR_WHERE_ADDR_LSB +: lpu_isa_pkg::ERR_WHERE_ADDR_BITS]};
    err_before = (c1 < c2) || (c1 == c2 && k1 < k2);
  endfunction

  for (genvar p = 0; p < Positions; p++) begin : gen_err
    localparam logic [WherePosW-1:0] Pos = WherePosW'(p);
    lpu_isa_pkg::slice_issue_t  iss;
    lpu_isa_pkg::slice_status_t st;
    assign iss = issue[p];
    assign st  = s_status[p];

    logic [S-1:0]              edge_en;
    logic                      edge_dir;  // 1: westward result at position 0
    logic [WhereStreamW-1:0]   edge_stream;
    if (p == 0) begin : gen_west_edge
      assign edge_en  = wr_en[W][p];
      assign edge_dir = 1'b1;
    end else if (p == Positions - 1) begin : gen_east_edge
      assign edge_en  = wr_en[E][p];
      assign edge_dir = 1'b0;
    end else begin : gen_no_edge
      assign edge_en  = '0;
      assign edge_dir = 1'b0;
    end
    always_comb begin
      edge_stream = '0;
      for (int s = S - 1; s >= 0; s--) begin
        if (edge_en[s]) edge_stream = WhereStreamW'(s);
      end
    end

    // What the model reports with each code (sw/model/machine.hpp): queue errors name the
    // instruction's word index (or the SRAM address for BAD_ADDRESS); a map BAD_ADDRESS also names
    // the map stream; STREAM_CONFLICT and EDGE_WRITE name the stream register, address 0; other
    // slice errors (MXM_OVERRUN) name the word index of the dispatched instruction.
    lpu_isa_pkg::err_e sc;
    logic [31:0]       q_where, s_where;
    assign sc      = st.code;
    assign q_where = where_of(Pos, 1'b0, '0, q_info[p][WhereAddrW-1:0]);
    always_comb begin
      if (sc == lpu_isa_pkg::ERR_BAD_ADDRESS) begin
        // The map stream: direction bit, then the stream index.
        s_where = where_of(Pos, iss.insn[lpu_isa_pkg::F_MMAP_MSB],
                           WhereStreamW'(iss.insn[lpu_isa_pkg::F_MMAP_LSB
                                                  +: lpu_isa_pkg::F_MMAP_BITS - 1]),
                           st.info[WhereAddrW-1:0]);
      end else if (sc == lpu_isa_pkg::ERR_STREAM_CONFLICT) begin
        s_where = where_of(Pos, st.info[8], st.info[7:0], '0);
      end else begin
        s_where = where_of(Pos, 1'b0, '0, q_issue_pc[p][WhereAddrW-1:0]);
      end
    end

    lpu_isa_pkg::err_e c;
    logic [31:0]       w;
    // Beyond ERR_WHERE's address field, and what the collector does not need (busy, valid).
    logic              unused_err;
    assign unused_err = ^{q_info[p][PcW-1:WhereAddrW], st.info[PcW-1:WhereAddrW],
                          q_issue_pc[p][PcW-1:WhereAddrW], q_sync_pc[p][PcW-1:WhereAddrW],
                          st.busy, iss.valid};
    // The MXM's load queue (at positions 0 and P-1 only).
    logic              l_err;
    lpu_isa_pkg::err_e l_code;
    logic [31:0]       l_where;
    if (p == 0 || p == Positions - 1) begin : gen_ld_err
      localparam int unsigned Ld = (p == 0) ? 0 : 1;
      assign l_err   = ld_err[Ld];
      assign l_code  = ld_code[Ld];
      assign l_where = where_of(Pos, 1'b0, '0, ld_info[Ld][WhereAddrW-1:0]);
    end else begin : gen_no_ld_err
      assign l_err   = 1'b0;
      assign l_code  = lpu_isa_pkg::ERR_NONE;
      assign l_where = '0;
    end

    always_comb begin
      c = lpu_isa_pkg::ERR_NONE;
      w = '0;
      if (q_err[p]) begin
        c = q_code[p];
        w = q_where;
      end
      if (l_err && (c == lpu_isa_pkg::ERR_NONE || err_before(l_code, l_where, c, w))) begin
        c = l_code;
        w = l_where;
      end
      if (st.err && (c == lpu_isa_pkg::ERR_NONE || sc < c)) begin
        c = sc;
        w = s_where;
      end
      if ((edge_en != '0) && (c == lpu_isa_pkg::ERR_NONE || lpu_isa_pkg::ERR_EDGE_WRITE < c)) begin
        c = lpu_isa_pkg::ERR_EDGE_WRITE;
        w = where_of(Pos, edge_dir, edge_stream, '0);
      end
    end
    assign pos_code[p]  = c;
    assign pos_where[p] = w;
  end

  logic              all_halted, all_quiet, any_parked, deadlock, done_now, err_now;
  lpu_isa_pkg::err_e err_code;
  logic [31:0]       err_where;

  assign busy_any   = |s_busy;
  assign all_halted = (&q_halted) && (&ld_halted);
  assign all_quiet  = (&(q_halted | q_parked)) && (&(ld_halted | ld_parked));
  assign any_parked = (|q_parked) || (|ld_parked);
  assign deadlock   = all_quiet && any_parked && !busy_any;

  always_comb begin
    err_code  = lpu_isa_pkg::ERR_NONE;
    err_where = '0;
    for (int p = Positions - 1; p >= 0; p--) begin
      if (pos_code[p] != lpu_isa_pkg::ERR_NONE) begin
        err_code  = pos_code[p];
        err_where = pos_where[p];
      end
    end
    if (err_code == lpu_isa_pkg::ERR_NONE && deadlock) begin
      err_code = lpu_isa_pkg::ERR_SYNC_DEADLOCK;
      // Lowest parked queue index wins (assigned last): load queues P+1, P, then P-1 .. 0.
      if (ld_parked[1]) begin
        err_where = where_of(WherePosW'(Positions - 1), 1'b0, '0, ld_sync_pc[1][WhereAddrW-1:0]);
      end
      if (ld_parked[0]) err_where = where_of('0, 1'b0, '0, ld_sync_pc[0][WhereAddrW-1:0]);
      for (int p = Positions - 1; p >= 0; p--) begin
        if (q_parked[p]) begin
          err_where = where_of(WherePosW'(p), 1'b0, '0, q_sync_pc[p][WhereAddrW-1:0]);
        end
      end
    end
  end

  assign err_now  = running_q && (err_code != lpu_isa_pkg::ERR_NONE);
  assign done_now = running_q && all_halted && !busy_any;
  // Timing contract: commit is the run flop itself. The error and done trees above (every
  // position's queue, slice and edge checks, deadlock, done) end in running_q's D input and the
  // ERR_* registers only; the chip-wide enables never wait for them.
  assign commit   = running_q;

  // ----------------------------------------------------------------------------------------------
  // Run state
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_req_q <= 1'b0;
      running_q   <= 1'b0;
      done_q      <= 1'b0;
      error_q     <= 1'b0;
      cycle_q     <= '0;
      err_code_q  <= lpu_isa_pkg::ERR_NONE;
      err_cycle_q <= '0;
      err_where_q <= '0;
    end else if (start_wr) begin
      start_req_q <= 1'b1;
      running_q   <= 1'b0;
      done_q      <= 1'b0;
      error_q     <= 1'b0;
      cycle_q     <= '0;
      err_code_q  <= lpu_isa_pkg::ERR_NONE;
      err_cycle_q <= '0;
      err_where_q <= '0;
    end else if (start) begin
      start_req_q <= 1'b0;
      running_q   <= 1'b1;
    end else if (clear) begin
      start_req_q <= 1'b0;
      running_q   <= 1'b0;
      done_q      <= 1'b0;
      error_q     <= 1'b0;
      err_code_q  <= lpu_isa_pkg::ERR_NONE;
      err_cycle_q <= '0;
      err_where_q <= '0;
    end else if (running_q) begin
      if (err_now) begin
        running_q   <= 1'b0;
        done_q      <= 1'b1;
        error_q     <= 1'b1;
        cycle_q     <= cycle_q + 64'd1;
        err_code_q  <= err_code;
        err_cycle_q <= cycle_q[31:0];
        err_where_q <= err_where;
      end else if (done_now) begin
        running_q <= 1'b0;
        done_q    <= 1'b1;
      end else begin
        cycle_q <= cycle_q + 64'd1;
      end
    end
  end

  // ----------------------------------------------------------------------------------------------
  // Host registers
  logic [Vb-1:0] sram_rdata;
  always_comb begin
    sram_rdata = '0;
    for (int unsigned p = 0; p < Positions; p++) begin
      if (32'(sram_pos_q) == p) sram_rdata = mem_host_rdata[p];
    end
  end

  // Staging buffer: SRAM read data arrives the cycle after SRAM_CMD = read; a SRAM_DATA read
  // request in that same cycle already returns it (reads use staging_d).
  logic        staging_sel;
  logic [11:0] staging_off;
  assign staging_off = host_addr_i - lpu_isa_pkg::REG_SRAM_DATA;
  assign staging_sel = (host_addr_i >= lpu_isa_pkg::REG_SRAM_DATA)
                       && (32'(staging_off) < 4 * StagingWords) && (staging_off[1:0] == 2'b00);

  always_comb begin
    staging_d = staging_q;
    if (sram_rd_pending_q) staging_d = sram_rdata;
    if (host_wr && staging_sel) begin
      for (int unsigned i = 0; i < StagingWords; i++) begin
        if (32'(staging_off[11:2]) == i) staging_d[i * 32 +: 32] = host_wdata_i;
      end
    end
  end

  logic [31:0] config_word, rdata_d;
  // Every parameter fits its CONFIG field (gen_isa.py and ConfigFieldsHoldTheParameters check it).
  assign config_word = (32'(Lanes) << lpu_isa_pkg::CONFIG_LANES_LSB)
                     | (32'(StreamsPerDir) << lpu_isa_pkg::CONFIG_STREAMS_PER_DIR_LSB)
                     | (32'(MemSlicesPerHem) << lpu_isa_pkg::CONFIG_MEM_SLICES_PER_HEM_LSB)
                     | (32'($clog2(WordsPerBank)) << lpu_isa_pkg::CONFIG_LOG2_WORDS_PER_BANK_LSB)
                     | (32'(MxmAbcInterval) << lpu_isa_pkg::CONFIG_MXM_ABC_INTERVAL_LSB);

  always_comb begin
    rdata_d = '0;
    unique case (host_addr_i)
      lpu_isa_pkg::REG_STATUS: begin
        rdata_d[lpu_isa_pkg::STATUS_RUNNING_BIT] = running_q || start_req_q;
        rdata_d[lpu_isa_pkg::STATUS_DONE_BIT]    = done_q;
        rdata_d[lpu_isa_pkg::STATUS_ERROR_BIT]   = error_q;
      end
      lpu_isa_pkg::REG_ERR_CODE:  rdata_d = 32'(err_code_q);
      lpu_isa_pkg::REG_ERR_CYCLE: rdata_d = err_cycle_q;
      lpu_isa_pkg::REG_ERR_WHERE: rdata_d = err_where_q;
      lpu_isa_pkg::REG_CYCLE_LO:  rdata_d = cycle_q[31:0];
      lpu_isa_pkg::REG_CYCLE_HI:  rdata_d = cycle_q[63:32];
      lpu_isa_pkg::REG_CONFIG:    rdata_d = config_word;
      lpu_isa_pkg::REG_IMEM_ADDR: rdata_d = (32'(imem_index_q) << lpu_isa_pkg::IMEM_ADDR_INDEX_LSB)
                                          | (32'(imem_queue_q) << lpu_isa_pkg::IMEM_ADDR_QUEUE_LSB);
      lpu_isa_pkg::REG_SRAM_ADDR: rdata_d = (32'(sram_addr_q) << lpu_isa_pkg::SRAM_ADDR_ADDR_LSB)
                                          | (32'(sram_pos_q) << lpu_isa_pkg::SRAM_ADDR_POS_LSB);
      default: begin
        if (staging_sel) begin
          for (int unsigned i = 0; i < StagingWords; i++) begin
            if (32'(staging_off[11:2]) == i) rdata_d = staging_d[i * 32 +: 32];
          end
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      imem_queue_q      <= '0;
      imem_index_q      <= '0;
      sram_pos_q        <= '0;
      sram_addr_q       <= '0;
      staging_q         <= '0;
      sram_rd_pending_q <= 1'b0;
      host_rdata_q      <= '0;
    end else begin
      staging_q         <= staging_d;
      sram_rd_pending_q <= sram_host_rd;
      if (host_req_i && !host_we_i) host_rdata_q <= rdata_d;
      if (imem_addr_wr) begin
        imem_queue_q <= host_wdata_i[lpu_isa_pkg::IMEM_ADDR_QUEUE_LSB
                                     +: lpu_isa_pkg::IMEM_ADDR_QUEUE_BITS];
        imem_index_q <= host_wdata_i[lpu_isa_pkg::IMEM_ADDR_INDEX_LSB
                                     +: lpu_isa_pkg::IMEM_ADDR_INDEX_BITS];
      end else if (imem_data_wr) begin
        imem_index_q <= imem_index_q + 16'd1;
      end
      if (host_wr && host_addr_i == lpu_isa_pkg::REG_SRAM_ADDR) begin
        sram_pos_q  <= host_wdata_i[lpu_isa_pkg::SRAM_ADDR_POS_LSB
                                    +: lpu_isa_pkg::SRAM_ADDR_POS_BITS];
        sram_addr_q <= host_wdata_i[lpu_isa_pkg::SRAM_ADDR_ADDR_LSB
                                    +: lpu_isa_pkg::SRAM_ADDR_ADDR_BITS];
      end
    end
  end

  assign host_rdata_o = host_rdata_q;

  // The upper halves of the host write data are reserved in IMEM_ADDR / SRAM_ADDR.
  logic unused_host;
  assign unused_host = ^{host_wdata_i[31:24]};

  // ----------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  initial begin
    ConfigFieldsHoldTheParameters: assert (
        Lanes < (1 << lpu_isa_pkg::CONFIG_LANES_BITS)
        && StreamsPerDir < (1 << lpu_isa_pkg::CONFIG_STREAMS_PER_DIR_BITS)
        && MemSlicesPerHem < (1 << lpu_isa_pkg::CONFIG_MEM_SLICES_PER_HEM_BITS)
        && $clog2(WordsPerBank) < (1 << lpu_isa_pkg::CONFIG_LOG2_WORDS_PER_BANK_BITS)
        && MxmAbcInterval < (1 << lpu_isa_pkg::CONFIG_MXM_ABC_INTERVAL_BITS));
  end
  HostLoadsOnlyWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (host_wr && (host_addr_i == lpu_isa_pkg::REG_IMEM_ADDR
                   || host_addr_i == lpu_isa_pkg::REG_IMEM_DATA
                   || host_addr_i == lpu_isa_pkg::REG_SRAM_CMD)) |-> stopped);
  RunningAndDoneAreExclusive: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(running_q && done_q));
  ErrorImpliesDone: assert property (@(posedge clk_i) disable iff (!rst_ni)
      error_q |-> done_q);
  ErrorCodeSetIffError: assert property (@(posedge clk_i) disable iff (!rst_ni)
      error_q == (err_code_q != lpu_isa_pkg::ERR_NONE));
  // (A plain signal again: Verilator 5.006 cannot select an array element inside a property.)
  logic dispatch_any;
  always_comb begin
    dispatch_any = ld_issue[0].valid || ld_issue[1].valid;
    for (int p = 0; p < Positions; p++) dispatch_any = dispatch_any || issue[p].valid;
  end
  NoDispatchWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !running_q |-> !dispatch_any);
  NothingCommitsWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      commit |-> running_q);
  SlicesIdleWhenDoneWithoutError: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (done_q && !error_q) |-> !busy_any);
  // A slice drives only streams that exist: its enables are S bits by construction, so the one
  // remaining way to lose a result is the chip edge, which is EDGE_WRITE.
  // (The enables are sampled through a plain signal: Verilator 5.006 cannot select an array element
  // inside a property.)
  logic edge_results;
  assign edge_results = (wr_en[W][0] != '0) || (wr_en[E][Positions - 1] != '0);
  EdgeResultsAreErrors: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ((running_q && edge_results) |-> err_now));
  // The commit contract: the cycle that raises an error is the run's last committing cycle.
  ErrorCycleIsTheLastCommit: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (err_now && !start_wr) |=> !commit);
  CycleCounterFrozenWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (!running_q && !start_wr) |=> $stable(cycle_q));
`endif

endmodule
