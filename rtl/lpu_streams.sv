// Stream register file: R[E][s][p] and R[W][s][p] for every stream s and position p.
//
// Flattened layout (also what the testbench peeks): position p, stream s, lane i of a direction
// is byte [((p * StreamsPerDir + s) * Lanes + i) * 8 +: 8] of sr_e_o / sr_w_o. The bus of one
// position, [p * S*L*8 +: S*L*8], is what the slice at p reads (sr_e_i / sr_w_i).
//
// Timing contract (docs/architecture.md section 2), at the end of every cycle with advance_i:
//   R[E][s][p+1] <= wr_e_en[p][s] ? wr_e_data[p][s] : R[E][s][p]     (p+1 <= P-1)
//   R[W][s][p-1] <= wr_w_en[p][s] ? wr_w_data[p][s] : R[W][s][p]     (p-1 >= 0)
//   R[E][s][0] <= 0, R[W][s][P-1] <= 0                               (chip-edge entries)
// Exactly one producer (the slice at p) may load a register, so each register is a 2:1 mux
// (pass or load): the cheap structure measured in toolchain.md. Results written past an edge
// (wr_w_en at position 0, wr_e_en at position P-1) are dropped here; lpu_top raises EDGE_WRITE.
// Without advance_i (stopped, or the erroring cycle) every register holds; clear_i (START) zeros
// all registers, as at reset.
module lpu_streams #(
  parameter int unsigned Positions     = lpu_arch_pkg::CFG_SMALL_POSITIONS,
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  localparam int unsigned Vb = Lanes * 8,            // bits of one stream register
  localparam int unsigned Sb = StreamsPerDir * Vb,   // bits of one position, one direction
  localparam int unsigned Ab = Positions * Sb        // bits of one direction
) (
  input  logic                               clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                               rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic                               clear_i,
  input  logic                               advance_i,
  input  logic [Positions*StreamsPerDir-1:0] wr_e_en_i,
  input  logic [Ab-1:0]                      wr_e_data_i,
  input  logic [Positions*StreamsPerDir-1:0] wr_w_en_i,
  input  logic [Ab-1:0]                      wr_w_data_i,
  output logic [Ab-1:0]                      sr_e_o,
  output logic [Ab-1:0]                      sr_w_o
);

  logic [Ab-1:0] sr_e_q /*verilator public_flat_rd*/;
  logic [Ab-1:0] sr_w_q /*verilator public_flat_rd*/;
  logic [Ab-1:0] sr_e_d, sr_w_d;

  // The producers at the far edges write outside the chip: those results are dropped. (Wide sinks
  // are plain unused_* signals, not XOR reductions: a 16k-bit reduction is one huge C++ expression
  // in the verilated model that overflows the compiler's stack.)
  logic [StreamsPerDir-1:0] unused_edge_en_e, unused_edge_en_w;
  logic [Sb-1:0]            unused_edge_data_e, unused_edge_data_w;
  assign unused_edge_en_e   = wr_e_en_i[(Positions-1)*StreamsPerDir +: StreamsPerDir];
  assign unused_edge_data_e = wr_e_data_i[(Positions-1)*Sb +: Sb];
  assign unused_edge_en_w   = wr_w_en_i[0 +: StreamsPerDir];
  assign unused_edge_data_w = wr_w_data_i[0 +: Sb];

  always_comb begin
    // Every register is assigned below; the loops are per stream register (a single '0 over a
    // whole direction is a replication Verilator flags as suspicious).
    for (int unsigned s = 0; s < StreamsPerDir; s++) begin
      sr_e_d[s * Vb +: Vb] = '0;
      sr_w_d[((Positions - 1) * StreamsPerDir + s) * Vb +: Vb] = '0;
    end
    for (int unsigned p = 1; p < Positions; p++) begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        // Eastward: position p takes from p-1.
        sr_e_d[(p * StreamsPerDir + s) * Vb +: Vb] =
            wr_e_en_i[(p - 1) * StreamsPerDir + s]
            ? wr_e_data_i[((p - 1) * StreamsPerDir + s) * Vb +: Vb]
            : sr_e_q[((p - 1) * StreamsPerDir + s) * Vb +: Vb];
        // Westward: position p-1 takes from p.
        sr_w_d[((p - 1) * StreamsPerDir + s) * Vb +: Vb] =
            wr_w_en_i[p * StreamsPerDir + s]
            ? wr_w_data_i[(p * StreamsPerDir + s) * Vb +: Vb]
            : sr_w_q[(p * StreamsPerDir + s) * Vb +: Vb];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < Positions * StreamsPerDir; i++) begin
        sr_e_q[i * Vb +: Vb] <= '0;
        sr_w_q[i * Vb +: Vb] <= '0;
      end
    end else if (clear_i) begin
      for (int unsigned i = 0; i < Positions * StreamsPerDir; i++) begin
        sr_e_q[i * Vb +: Vb] <= '0;
        sr_w_q[i * Vb +: Vb] <= '0;
      end
    end else if (advance_i) begin
      sr_e_q <= sr_e_d;
      sr_w_q <= sr_w_d;
    end
  end

  assign sr_e_o = sr_e_q;
  assign sr_w_o = sr_w_q;

  // ----------------------------------------------------------------------------------------------
  // Assertions
`ifndef SYNTHESIS
  EastEntryRegistersStayZero: assert property (@(posedge clk_i) disable iff (!rst_ni)
      sr_e_q[0 +: Sb] == '0);
  WestEntryRegistersStayZero: assert property (@(posedge clk_i) disable iff (!rst_ni)
      sr_w_q[(Positions - 1) * Sb +: Sb] == '0);
  StreamsHoldWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (!advance_i && !clear_i) |=> ($stable(sr_e_q) && $stable(sr_w_q)));
`endif

endmodule
