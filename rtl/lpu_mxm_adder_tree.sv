// Copyright openlpu contributors.
//
// lpu_mxm_adder_tree: combinational balanced sum of N signed terms (one MXM column's dot product).
//
// Depth ceil(log2(N)) adders instead of the N-1 of a loop accumulation. Terms are sign-extended to
// SumW bits; the sum wraps modulo 2^SumW (choose SumW >= InW + clog2(N) for an exact sum). Not
// registered: the caller places it between the product registers and the accumulator.

module lpu_mxm_adder_tree #(
  parameter int unsigned N    = lpu_arch_pkg::CFG_SMALL_LANES,  // one term per lane
  parameter int unsigned InW  = 16,
  parameter int unsigned SumW = 32
) (
  input  logic [N*InW-1:0] terms_i,   // term i at bits [i*InW +: InW], signed
  output logic [SumW-1:0]  sum_o
);

  localparam int unsigned Leaves = (N > 1) ? (1 << $clog2(N)) : 1;

  // keep: each tree node stays a separate adder on a CCU2C carry chain (Yosys would otherwise merge
  // the tree into one $macc mapped to LUT full adders, about twice the LUTs).
  (* keep *) logic [SumW-1:0] node [2*Leaves];

  always_comb begin
    for (int unsigned i = 0; i < 2 * Leaves; i++) begin
      node[i] = '0;
    end
    for (int unsigned i = 0; i < N; i++) begin
      node[Leaves+i] = SumW'($signed(terms_i[i*InW+:InW]));
    end
    for (int unsigned i = Leaves - 1; i >= 1; i--) begin
      node[i] = node[2*i] + node[2*i+1];
    end
  end

  // node[0] is not part of the tree (heap numbering starts at 1).
  if (Leaves > 1) begin : gen_tree
    assign sum_o = node[1];
  end else begin : gen_single
    assign sum_o = node[Leaves];
  end

endmodule
