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
//   gather  L=3  t: map read from the int16 group, addresses to the banks (BAD_ADDRESS here)
//                t+1: bank output into g2_data_q    t+2: drive g2_data_q
//   scatter L=1  t: operand and map read, stored per superlane at the end of t (if commit_i)
// Every array access happens in the dispatch cycle, so one instruction per cycle never needs
// more than one read or one write port. A read dispatched at t+1 and a gather dispatched at t
// drive in the same cycle: on the same stream and direction that is STREAM_CONFLICT, else both
// results are loaded (so the data of each stream slot is selected separately).
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
  localparam int unsigned Wa = $clog2(WordsPerBank);
  localparam int unsigned Ba = (BanksPerSlice > 1) ? $clog2(BanksPerSlice) : 1;

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
  // Operands: the data vector (write, scatter) and the per-superlane int16 map (gather, scatter)
  logic [Vb-1:0] src_vec;
  logic [Sb-1:0] map_bus;
  logic [Superlanes*16-1:0] map;

  always_comb begin
    src_vec = '0;
    for (int unsigned s = 0; s < StreamsPerDir; s++) begin
      if (32'(mstrm[3:0]) == s) src_vec = mstrm[4] ? sr_w_i[s * Vb +: Vb] : sr_e_i[s * Vb +: Vb];
    end
  end

  assign map_bus = mmap[4] ? sr_w_i : sr_e_i;
  always_comb begin
    map = '0;
    for (int unsigned k = 0; k < Superlanes; k++) begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        // Byte 0 of the int16 element on stream mmap, byte 1 on stream mmap+1, lane k * SL.
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
  // Banks
  logic prog_rd, prog_wr, host_rd, host_wr;
  assign prog_rd = is_read || is_gather;
  assign prog_wr = (is_write || is_scatter) && commit_i;
  assign host_rd = host_req_i && !host_we_i;
  assign host_wr = host_req_i && host_we_i;

  function automatic logic [Ba-1:0] bank_of(input logic [Aw-1:0] a);
    if (BanksPerSlice > 1) bank_of = Ba'(a >> Wa);
    else bank_of = '0;
  endfunction

  logic [BanksPerSlice*Superlanes*Tb-1:0] bank_rdata;
  logic [Superlanes*Ba-1:0]               rd_bank_q, rd_bank_d;
  logic [Superlanes-1:0]                  rd_any;
  logic [Vb-1:0]                          out;   // the word read in the previous cycle

  for (genvar k = 0; k < Superlanes; k++) begin : gen_sl
    logic [Aw-1:0] a;
    assign a = sl_addr[k * Aw +: Aw];
    for (genvar b = 0; b < BanksPerSlice; b++) begin : gen_bank
      logic re, we;
      assign re = (prog_rd && bank_of(a) == Ba'(b)) || (host_rd && bank_of(host_addr_i) == Ba'(b));
      assign we = (prog_wr && bank_of(a) == Ba'(b)) || (host_wr && bank_of(host_addr_i) == Ba'(b));
      lpu_sram_bank #(
        .Width(Tb),
        .Depth(WordsPerBank)
      ) u_bank (
        .clk_i  (clk_i),
        .we_i   (we),
        .waddr_i(host_wr ? host_addr_i[Wa-1:0] : a[Wa-1:0]),
        .wdata_i(host_wr ? host_wdata_i[k * Tb +: Tb] : src_vec[k * Tb +: Tb]),
        .re_i   (re),
        .raddr_i(host_rd ? host_addr_i[Wa-1:0] : a[Wa-1:0]),
        .rdata_o(bank_rdata[(b * Superlanes + k) * Tb +: Tb])
      );
    end
    assign rd_any[k] = prog_rd || host_rd;
    assign rd_bank_d[k * Ba +: Ba] = host_rd ? bank_of(host_addr_i) : bank_of(a);
  end

  always_comb begin
    out = '0;
    for (int unsigned k = 0; k < Superlanes; k++) begin
      for (int unsigned b = 0; b < BanksPerSlice; b++) begin
        if (rd_bank_q[k * Ba +: Ba] == Ba'(b)) out[k * Tb +: Tb] = bank_rdata[(b * Superlanes + k) * Tb +: Tb];
      end
    end
  end

  assign host_rdata_o = out;

  // ----------------------------------------------------------------------------------------------
  // Result pipeline
  logic          r_valid_q, g1_valid_q, g2_valid_q;
  logic [4:0]    r_strm_q, g1_strm_q, g2_strm_q;
  logic [Vb-1:0] g2_data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_bank_q  <= '0;
      r_valid_q  <= 1'b0;
      g1_valid_q <= 1'b0;
      g2_valid_q <= 1'b0;
      r_strm_q   <= '0;
      g1_strm_q  <= '0;
      g2_strm_q  <= '0;
      g2_data_q  <= '0;
    end else begin
      for (int unsigned k = 0; k < Superlanes; k++) begin
        if (rd_any[k]) rd_bank_q[k * Ba +: Ba] <= rd_bank_d[k * Ba +: Ba];
      end
      r_valid_q  <= is_read;
      g1_valid_q <= is_gather;
      g2_valid_q <= g1_valid_q;
      if (is_read) r_strm_q <= mstrm;
      if (is_gather) g1_strm_q <= mstrm;
      if (g1_valid_q) begin
        g2_strm_q <= g1_strm_q;
        g2_data_q <= out;
      end
    end
  end

  logic [StreamsPerDir-1:0] out_g_e, out_g_w;  // stream slot s carries the gather result
  for (genvar s = 0; s < StreamsPerDir; s++) begin : gen_out
    logic r_e, r_w, g_e, g_w;
    assign r_e = r_valid_q && (r_strm_q == {1'b0, 4'(s)});
    assign r_w = r_valid_q && (r_strm_q == {1'b1, 4'(s)});
    assign g_e = g2_valid_q && (g2_strm_q == {1'b0, 4'(s)});
    assign g_w = g2_valid_q && (g2_strm_q == {1'b1, 4'(s)});
    assign wr_e_en_o[s] = r_e || g_e;
    assign wr_w_en_o[s] = r_w || g_w;
    assign out_g_e[s]   = g_e;
    assign out_g_w[s]   = g_w;
  end

  // The data of every stream slot in one procedural block: per-slot continuous assigns become a
  // chain of ever-wider concatenations in the verilated model.
  always_comb begin
    for (int unsigned s = 0; s < StreamsPerDir; s++) begin
      wr_e_data_o[s * Vb +: Vb] = out_g_e[s] ? g2_data_q : out;
      wr_w_data_o[s * Vb +: Vb] = out_g_w[s] ? g2_data_q : out;
    end
  end

  assign busy_o = r_valid_q || g1_valid_q || g2_valid_q;

  // ----------------------------------------------------------------------------------------------
  // Errors: BAD_ADDRESS of a map (dispatch cycle) before STREAM_CONFLICT (lowest code first)
  always_comb begin
    err_code_o = lpu_isa_pkg::ERR_NONE;
    err_info_o = '0;
    if (indirect && (map_bad != '0)) begin
      err_code_o = lpu_isa_pkg::ERR_BAD_ADDRESS;
      for (int k = Superlanes - 1; k >= 0; k--) begin
        if (map_bad[k]) err_info_o = map[k * 16 +: 16];
      end
    end else if (r_valid_q && g2_valid_q && (r_strm_q == g2_strm_q)) begin
      err_code_o = lpu_isa_pkg::ERR_STREAM_CONFLICT;
      err_info_o = {7'b0, r_strm_q[4], 4'b0, r_strm_q[3:0]};  // {dir, stream} as every slice
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
  MapStreamsAreAnAlignedPair: assert property (@(posedge clk_i) disable iff (!rst_ni)
      indirect |-> (!mmap[0] && (32'(mmap[3:0]) + 2 <= StreamsPerDir)));
  initial begin
    SuperlanesDivideTheLanes: assert (Lanes % SuperlaneLanes == 0);
    BanksArePowerOfTwo: assert ((BanksPerSlice & (BanksPerSlice - 1)) == 0);
  end
`endif

endmodule
