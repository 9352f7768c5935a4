// Stream registers of one position p: R[E][s][p] and R[W][s][p] for every stream s. lpu_top
// instantiates one per position (gen_sr[p].u_streams); together they are the stream register file.
//
// Layout: lane i of stream s is byte [(s * Lanes + i) * 8 +: 8] of sr_e_q / sr_w_q (sr_e_o /
// sr_w_o) of the instance at position p, which is what the slice at p reads (sr_e_i / sr_w_i).
// lpu_top's sr_e[p] / sr_w[p] carry it (public_flat_rd: what the testbench peeks). The inputs of
// the instance at p come from its neighbours: the producer at p-1 (wr_e_en[p-1], wr_e_data[p-1])
// and R[E][*][p-1] for the eastward registers, the producer at p+1 and R[W][*][p+1] for the
// westward ones. (One instance per position keeps every stream bus a separate per-position
// vector: one packed vector of all positions costs the verilated model quadratic concatenations
// every cycle.)
//
// Timing contract (docs/architecture.md section 2), at the end of every cycle with advance_i:
//   R[E][s][p+1] <= wr_e_en[p][s] ? wr_e_data[p][s] : R[E][s][p]     (p+1 <= P-1)
//   R[W][s][p-1] <= wr_w_en[p][s] ? wr_w_data[p][s] : R[W][s][p]     (p-1 >= 0)
//   R[E][s][0] <= 0, R[W][s][P-1] <= 0                               (chip-edge entries)
// Exactly one producer (the slice at p) may load a register, so each register is a 2:1 mux
// (pass or load): the cheap structure measured in toolchain.md. Results written past an edge
// (wr_w_en at position 0, wr_e_en at position P-1) are dropped (no instance takes them); lpu_top
// raises EDGE_WRITE.
// Without advance_i (stopped, or the erroring cycle) every register holds; clear_i (START) zeros
// all registers, as at reset.
//
// EastEntry (p = 0) / WestEntry (p = P-1): the eastward / westward registers of this position are
// chip-edge entries and load 0; the corresponding inputs are unused (lpu_top ties them to 0).
module lpu_streams #(
  parameter int unsigned StreamsPerDir = lpu_arch_pkg::CFG_SMALL_STREAMS_PER_DIR,
  parameter int unsigned Lanes         = lpu_arch_pkg::CFG_SMALL_LANES,
  parameter bit          EastEntry     = 1'b0,
  parameter bit          WestEntry     = 1'b0,
  localparam int unsigned Vb = Lanes * 8,            // bits of one stream register
  localparam int unsigned Sb = StreamsPerDir * Vb    // bits of one position, one direction
) (
  input  logic                     clk_i,
  // The assertions' `disable iff (!rst_ni)` is a synchronous use of the asynchronous reset; that is
  // intended (assertions only), so SYNCASYNCNET is waived for this port alone.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                     rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic                     clear_i,
  input  logic                     advance_i,
  // Eastward: the producer at p-1 and R[E][*][p-1].
  input  logic [StreamsPerDir-1:0] wr_e_en_i,
  input  logic [Sb-1:0]            wr_e_data_i,
  input  logic [Sb-1:0]            sr_e_i,
  // Westward: the producer at p+1 and R[W][*][p+1].
  input  logic [StreamsPerDir-1:0] wr_w_en_i,
  input  logic [Sb-1:0]            wr_w_data_i,
  input  logic [Sb-1:0]            sr_w_i,
  // R[E][*][p], R[W][*][p].
  output logic [Sb-1:0]            sr_e_o,
  output logic [Sb-1:0]            sr_w_o
);

  logic [Sb-1:0] sr_e_q, sr_w_q;
  logic [Sb-1:0] sr_e_d, sr_w_d;

  // The loops are per stream register (Verilator flags a single '0 over a whole direction as a
  // suspicious replication).
  if (EastEntry) begin : gen_east_entry
    // Plain unused_* sinks, not XOR reductions: a wide reduction is one huge C++ expression in the
    // verilated model.
    logic [StreamsPerDir-1:0] unused_en;
    logic [Sb-1:0]            unused_data, unused_sr;
    assign unused_en   = wr_e_en_i;
    assign unused_data = wr_e_data_i;
    assign unused_sr   = sr_e_i;
    always_comb begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) sr_e_d[s * Vb +: Vb] = '0;
    end
  end else begin : gen_east
    always_comb begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        sr_e_d[s * Vb +: Vb] = wr_e_en_i[s] ? wr_e_data_i[s * Vb +: Vb] : sr_e_i[s * Vb +: Vb];
      end
    end
  end

  if (WestEntry) begin : gen_west_entry
    logic [StreamsPerDir-1:0] unused_en;
    logic [Sb-1:0]            unused_data, unused_sr;
    assign unused_en   = wr_w_en_i;
    assign unused_data = wr_w_data_i;
    assign unused_sr   = sr_w_i;
    always_comb begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) sr_w_d[s * Vb +: Vb] = '0;
    end
  end else begin : gen_west
    always_comb begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        sr_w_d[s * Vb +: Vb] = wr_w_en_i[s] ? wr_w_data_i[s * Vb +: Vb] : sr_w_i[s * Vb +: Vb];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        sr_e_q[s * Vb +: Vb] <= '0;
        sr_w_q[s * Vb +: Vb] <= '0;
      end
    end else if (clear_i) begin
      for (int unsigned s = 0; s < StreamsPerDir; s++) begin
        sr_e_q[s * Vb +: Vb] <= '0;
        sr_w_q[s * Vb +: Vb] <= '0;
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
  if (EastEntry) begin : gen_east_entry_check
    EastEntryRegistersStayZero: assert property (@(posedge clk_i) disable iff (!rst_ni)
        sr_e_q == '0);
  end
  if (WestEntry) begin : gen_west_entry_check
    WestEntryRegistersStayZero: assert property (@(posedge clk_i) disable iff (!rst_ni)
        sr_w_q == '0);
  end
  StreamsHoldWhileStopped: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (!advance_i && !clear_i) |=> ($stable(sr_e_q) && $stable(sr_w_q)));
`endif

endmodule
