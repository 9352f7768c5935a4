// MEM slice: BanksPerSlice pseudo-dual-port banks of WordsPerBank vector words, executing
// read / write / gather / scatter, plus the host's access port (used only while stopped).
//
// Each bank is split into one lpu_sram_bank per superlane (SuperlaneLanes bytes wide) because
// Gather and Scatter address every superlane separately. A word address is {bank, word}, the bank
// in the top bits.
//
// Pipeline (instruction dispatched in cycle t; "drive" = wr_*_en_o/data in that cycle, so the
// neighbour register R[d][s][p±1] holds the result from t+L on):
//   read    L=2  t: address to the banks            t+1: drive the bank output
//   write   L=1  t: operand from R[d][s][p], stored at the end of t (if commit_i)
//   gather  L=2  t: map read from the int16 group (stream register R[d][s][p], a flop),
//                   per-superlane addresses to the banks (BAD_ADDRESS here)
//                                                   t+1: drive the bank output
//   scatter L=1  t: operand and map read, stored per superlane at the end of t (if commit_i)
// Every array access happens in the dispatch cycle, so one instruction per cycle never needs
// more than one read or one write port. Read and gather have the same latency, so the slice
// drives at most one result per cycle: the bank output, onto one stream slot. A MEM slice
// therefore never raises STREAM_CONFLICT, and every stream slot takes the same data.
module lpu_mem_slice #(
  parameter int unsigned Lanes          = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter int unsigned StreamsPerDir  = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned SuperlaneLanes = lpu_arch_pkg::CFG_SMALL_SUPERLANE_LANES,
  parameter int unsigned BanksPerSlice  = lpu_arch_pkg::CFG_SMALL_BANKS_PER_SLICE,
  parameter int unsigned WordsPerBank   = lpu_arch_pkg::CFG_SMALL_WORDS_PER_BANK,
  localparam int unsigned WordsPerSlice = BanksPerSlice * WordsPerBank,
  localparam int unsigned Aw = $clog2(WordsPerSlice),
  localparam int unsigned Vb = Lanes * 8,
  localparam int unsigned Sb = StreamsPerDir * Vb
) (
  input  logic                     clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                     rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  // Slice interface (docs/rtl.md)
  input  logic                     issue_valid_i,
  input  logic [31:0]              issue_insn_i,
  input  logic [Sb-1:0]            sr_e_i,
  input  logic [Sb-1:0]            sr_w_i,
  output logic [StreamsPerDir-1:0] wr_e_en_o,
  output logic [StreamsPerDir-1:0] wr_w_en_o,
  output logic [Sb-1:0]            wr_e_data_o,
  output logic [Sb-1:0]            wr_w_data_o,
  output logic                     busy_o,
  output logic                     err_o,
  output logic [3:0]               err_code_o,
  output logic [15:0]              err_info_o,
  input  logic                     commit_i,
  // Host port: one access per cycle, only while the machine is stopped. A read's data is on
  // host_rdata_o in the next cycle.
  input  logic                     host_req_i,
  input  logic                     host_we_i,
  input  logic [Aw-1:0]            host_addr_i,
  input  logic [Vb-1:0]            host_wdata_i,
  output logic [Vb-1:0]            host_rdata_o
);

  localparam int unsigned Superlanes = Lanes / SuperlaneLanes;
  localparam int unsigned Tb = SuperlaneLanes * 8;      // bits of one superlane tile

  // ----------------------------------------------------------------------------------------------
  // Instruction fields
  logic [6:0]    opcode;
  logic [4:0]    mstrm, mmap;
  logic [Aw-1:0] addr;
  logic          is_read, is_write, is_gather, is_scatter;

  assign opcode = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
  assign mstrm  = issue_insn_i[lpu_isa_pkg::F_MSTRM_MSB:lpu_isa_pkg::F_MSTRM_LSB];
  assign mmap   = issue_insn_i[lpu_isa_pkg::F_MMAP_MSB:lpu_isa_pkg::F_MMAP_LSB];
  assign addr   = issue_insn_i[lpu_isa_pkg::F_ADDR_LSB +: Aw];

  assign is_read    = issue_valid_i && (opcode == lpu_isa_pkg::OP_READ);
  assign is_write   = issue_valid_i && (opcode == lpu_isa_pkg::OP_WRITE);
  assign is_gather  = issue_valid_i && (opcode == lpu_isa_pkg::OP_GATHER);
  assign is_scatter = issue_valid_i && (opcode == lpu_isa_pkg::OP_SCATTER);

  // The addr field is wider than Aw when the slice is smaller than the field allows; lpu_decode
  // has already rejected such addresses.
  logic unused_insn;
  assign unused_insn = ^{issue_insn_i[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB + Aw - 1],
                         issue_insn_i[lpu_isa_pkg::F_MMAP_LSB - 1:lpu_isa_pkg::F_ADDR_MSB + 1]};

  // ----------------------------------------------------------------------------------------------
  // Operands: the data vector (write, scatter) and the per-superlane int16 map (gather, scatter).
  // (Measured at ulx3s: these index-compare multiplexers map to fewer LUTs than an AND-OR over a
  // one-hot decode.) src_oh is the data stream's slot one-hot (bit d*S + s: direction d, 1 west,
  // stream s), for the result pipeline.
  logic [2*StreamsPerDir-1:0] src_oh;
  logic [Vb-1:0]              src_vec;
  logic [Superlanes*16-1:0]   map;

  always_comb begin
    src_oh = '0;
    for (int unsigned s = 0; s < StreamsPerDir; s++) begin
      src_oh[s]                 = !mstrm[4] && (32'(mstrm[3:0]) == s);
      src_oh[StreamsPerDir + s] =  mstrm[4] && (32'(mstrm[3:0]) == s);
    end
  end

  always_comb begin
    src_vec = '0;
    for (int unsigned s = 0; s < StreamsPerDir; s++) begin
      if (32'(mstrm[3:0]) == s) src_vec = mstrm[4] ? sr_w_i[s * Vb +: Vb] : sr_e_i[s * Vb +: Vb];
    end
  end

  logic [Sb-1:0] map_bus;
  assign map_bus = mmap[4] ? sr_w_i : sr_e_i;
  always_comb begin
    map = '0;
    for (int unsigned k = 0; k < Superlanes; k++) begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        if (32'(mmap[3:0]) == s) begin
          map[k * 16 +: 8] = map_bus[s * Vb + k * Tb +: 8];
        end
        if (32'(mmap[3:0]) + 1 == s) begin
          map[k * 16 + 8 +: 8] = map_bus[s * Vb + k * Tb +: 8];
        end
      end
    end
  end

  // Per-superlane word address and BAD_ADDRESS of a map.
  logic [Superlanes*Aw-1:0] sl_addr;
  logic [Superlanes-1:0]    map_bad;
  logic                     indirect;
  assign indirect = is_gather || is_scatter;

  always_comb begin
    for (int unsigned k = 0; k < Superlanes; k++) begin
      map_bad[k] = map[k * 16 + 15] || (32'(map[k * 16 +: 16]) >= WordsPerSlice);
      sl_addr[k * Aw +: Aw] = indirect ? map[k * 16 +: Aw] : addr;
    end
  end

  // ----------------------------------------------------------------------------------------------
  // Memory: per superlane, WordsPerSlice words as columns of ColW bits. The ISA's banks are the top
  // address bits; one instruction accesses one word per superlane per cycle, so the banks need no
  // separate arrays and no output multiplexer. A column is as deep as the whole slice and as wide
  // as a 16 Kbit block RAM allows at that depth (ECP5 DP16KD: 8192 x 2, 4096 x 4, ...), so Yosys
  // maps each column to one DP16KD with no address decoding or output multiplexing (a 64-bit
  // array of 8192 words was mapped as 16 x 512 x 36 with a 16:1 output multiplexer).
  localparam int unsigned EbrBits = 16384;
  localparam int unsigned ColW = ((EbrBits / WordsPerSlice) >= 1
                                 && (Tb % (EbrBits / WordsPerSlice)) == 0)
                               ? EbrBits / WordsPerSlice : Tb;
  localparam int unsigned Cols = Tb / ColW;

  logic prog_rd, prog_wr, host_rd, host_wr;
  assign prog_rd = is_read || is_gather;
  // A scatter with an out-of-range map address (BAD_ADDRESS, err_o) writes no superlane: the
  // machine stops after this cycle, which otherwise commits. A gather's result would be driven
  // in the next cycle, when nothing commits any more.
  assign prog_wr = (is_write || (is_scatter && (map_bad == '0))) && commit_i;
  assign host_rd = host_req_i && !host_we_i;
  assign host_wr = host_req_i && host_we_i;

  logic [Vb-1:0] out;   // the word read in the previous cycle (held until the next read)

  for (genvar k = 0; k < Superlanes; k++) begin : gen_sl
    logic [Aw-1:0] a, waddr, raddr;
    logic [Tb-1:0] wdata;
    assign a     = sl_addr[k * Aw +: Aw];
    assign waddr = host_wr ? host_addr_i : a;
    assign raddr = host_rd ? host_addr_i : a;
    assign wdata = host_wr ? host_wdata_i[k * Tb +: Tb] : src_vec[k * Tb +: Tb];
    for (genvar c = 0; c < Cols; c++) begin : gen_col
      lpu_sram_bank #(
        .Width(ColW),
        .Depth(WordsPerSlice)
      ) u_bank (
        .clk_i  (clk_i),
        .we_i   (prog_wr || host_wr),
        .waddr_i(waddr),
        .wdata_i(wdata[c * ColW +: ColW]),
        .re_i   (prog_rd || host_rd),
        .raddr_i(raddr),
        .rdata_o(out[k * Tb + c * ColW +: ColW])
      );
    end
  end

  assign host_rdata_o = out;

  // ----------------------------------------------------------------------------------------------
  // Result pipeline: one result per cycle (read or gather dispatched in the previous cycle), the
  // bank output. Its stream slot is kept one-hot (bit d*S + s), registered, so the write enables
  // are flops and every slot's data is the bank output itself, with no select.
  logic [2*StreamsPerDir-1:0] r_oh_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      r_oh_q <= '0;
    end else begin
      r_oh_q <= prog_rd ? src_oh : '0;
    end
  end

  assign wr_e_en_o   = r_oh_q[StreamsPerDir-1:0];
  assign wr_w_en_o   = r_oh_q[2*StreamsPerDir-1:StreamsPerDir];
  assign wr_e_data_o = {StreamsPerDir{out}};
  assign wr_w_data_o = {StreamsPerDir{out}};

  assign busy_o = r_oh_q != '0;

  // ----------------------------------------------------------------------------------------------
  // Errors: BAD_ADDRESS of a map, in the dispatch cycle (the only runtime error of the slice).
  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    err_info_o = '0;
    if (indirect && (map_bad != '0)) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_ADDRESS;
      for (int k = Superlanes - 1; k >= 0; k--) begin
        if (map_bad[k]) err_info_o = map[k * 16 +: 16];
      end
    end
  end
  assign err_o = err_code_o != lpu_isa_pkg::ERR_NONE;

  // ----------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  HostAccessOnlyWhenStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      host_req_i |-> (!issue_valid_i && !commit_i));
  DirectAddressesAreInRange: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (is_read || is_write) |->
      (32'(issue_insn_i[lpu_isa_pkg::F_ADDR_MSB:lpu_isa_pkg::F_ADDR_LSB]) < WordsPerSlice));
  OnlyMemInstructionsAreIssued: assert property (@(posedge clk_i) disable iff (!rst_ni)
      issue_valid_i |-> (is_read || is_write || is_gather || is_scatter));
  // Read and gather share one result path: their latencies must stay equal (sw/isa/isa.toml).
  // At most one stream slot is driven per cycle, and only with the word the banks read for the
  // instruction dispatched in the previous cycle.
  OneResultPerCycle: assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0(r_oh_q));
  ResultIsThePreviousCyclesRead: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (r_oh_q != '0) |-> $past(prog_rd));
  MapStreamsAreAnAlignedPair: assert property (@(posedge clk_i) disable iff (!rst_ni)
      indirect |-> (!mmap[0] && (32'(mmap[3:0]) + 2 <= StreamsPerDir)));
  initial begin
    SuperlanesDivideTheLanes: assert (Lanes % SuperlaneLanes == 0);
    BanksArePowerOfTwo: assert ((BanksPerSlice & (BanksPerSlice - 1)) == 0);
    ReadAndGatherHaveOneLatency: assert (lpu_isa_pkg::LAT_READ == lpu_isa_pkg::LAT_GATHER
                                         && lpu_isa_pkg::LAT_READ == 2);
  end
`endif

endmodule
