// Pseudo-dual-port RAM: one write port, one registered read port, no reset on the array.
// Written so that Yosys infers ECP5 DP16KD block RAM (and Verilator simulates it as an array).
//
// Timing contract:
//   write: we_i in cycle t stores wdata_i at waddr_i at the end of t (visible to a read in t+1).
//   read:  re_i in cycle t loads rdata_o at the end of t (data valid in t+1, held until the next
//          re_i). A read and a write of the same address in one cycle return undefined data: the
//          callers never do that (one instruction per slice per cycle; the host only while
//          stopped), so no collision logic is generated ((* no_rw_check *)).
// Power-up contents: all zeros, as the model's SRAM starts. On the ECP5 the bitstream initialises
// every DP16KD (to zero, from this initial block); the array is never cleared after that.
// Do not use this for memories that need a reset or a combinational read.
module lpu_sram_bank #(
  // Defaults: one superlane's column of one MEM slice (lpu_mem_slice instantiates it that way).
  parameter int unsigned Width = lpu_arch_pkg::CFG_SMALL_SUPERLANE_LANES * 8,
  parameter int unsigned Depth = lpu_arch_pkg::CFG_SMALL_BANKS_PER_SLICE *
                                 lpu_arch_pkg::CFG_SMALL_WORDS_PER_BANK,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);

  (* no_rw_check *) logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  // Initial contents (see the header): Yosys turns this into the DP16KD INITVAL parameters.
  initial begin
    for (int unsigned i = 0; i < Depth; i++) begin
      mem_q[i] = '0;
    end
  end

  // Block RAM: no reset on the array or the read register (DP16KD has none that Yosys maps).
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
    if (re_i) begin
      rdata_q <= mem_q[raddr_i];
    end
  end

  assign rdata_o = rdata_q;

  // --------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  // The array has no read/write collision logic: a same-address read and write in one cycle
  // would return undefined data.
  NoReadOfAWordBeingWritten: assert property (@(posedge clk_i)
      !(we_i && re_i && (waddr_i == raddr_i)));
  WriteAddressInRange: assert property (@(posedge clk_i) !we_i || (32'(waddr_i) < Depth));
  ReadAddressInRange: assert property (@(posedge clk_i) !re_i || (32'(raddr_i) < Depth));
`endif

endmodule
