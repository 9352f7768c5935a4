// Copyright openlpu contributors.
//
// lpu_vxm_lutmul: combinational signed x unsigned multiplier built from LUTs and carry chains.
//
// Computes prod_o = signed(a_i) * unsigned(b_i), truncated to ProdW bits, as a balanced adder tree
// of partial products. It exists so that a multiply stays *off* the DSP blocks: Yosys maps every
// `*` to a MULT18X18D, and the small configuration's DSPs belong to the MXM. Use it only for narrow
// products on paths that cannot share a DSP (see lpu_vxm_lane). Do not use it for wide products: a
// 16x16 costs a few hundred LUT4.

module lpu_vxm_lutmul #(
  parameter int unsigned AW    = 16,  // width of the signed operand a_i
  parameter int unsigned BW    = 16,  // width of the unsigned operand b_i
  parameter int unsigned ProdW = AW + BW
) (
  input  logic [AW-1:0]    a_i,
  input  logic [BW-1:0]    b_i,
  output logic [ProdW-1:0] prod_o
);

  // Leaves of the tree: one partial product per bit of b, padded to a power of two.
  localparam int unsigned Leaves = 1 << $clog2(BW);

  logic [ProdW-1:0] a_ext;
  // keep: each tree node stays a separate adder on a CCU2C carry chain. Without it Yosys merges the
  // tree into one $macc and maps that to LUT full adders: 574 instead of 149 LUT4 (+58 CCU2C) for a
  // 16x16 -> 16.
  (* keep *) logic [ProdW-1:0] node [2*Leaves];

  // Sign-extend (or truncate) a to the product width once; each partial product is a shifted copy.
  always_comb begin
    a_ext = '0;
    for (int unsigned i = 0; i < ProdW; i++) begin
      a_ext[i] = (i < AW) ? a_i[i] : a_i[AW-1];
    end
  end

  always_comb begin
    for (int unsigned i = 0; i < 2 * Leaves; i++) begin
      node[i] = '0;
    end
    for (int unsigned i = 0; i < Leaves; i++) begin
      if (i < BW) begin
        node[Leaves+i] = b_i[i] ? (a_ext << i) : '0;
      end
    end
    for (int unsigned i = Leaves - 1; i >= 1; i--) begin
      node[i] = node[2*i] + node[2*i+1];
    end
  end

  assign prod_o = node[1];

endmodule
