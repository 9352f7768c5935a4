// A small design whose synthesized netlist exercises the ECP5 hard blocks the way Yosys maps
// lpu_top onto them: block RAMs 4096 x 4 (DP16KD x4, two side by side), 1024 x 18 with byte enables
// (x18) and 512 x 36 (x36 write and read port), and signed and unsigned 16 x 16 multipliers
// (MULT18X18D). tb/gate/cells_check_test.cpp runs the RTL and the netlist (with
// tb/gate/ecp5_hard_cells.v) side by side on random inputs: the check of the cell models
// themselves. Every output is registered; each memory reads the old contents on a same-address
// write.
module gatesim_cells_check (
  input  logic               clk_i,
  input  logic               we_i,
  input  logic [11:0]        waddr_i,
  input  logic [11:0]        raddr_i,
  input  logic [7:0]         wdata_i,
  output logic [7:0]         rdata_o,
  input  logic [1:0]         be_i,
  input  logic [9:0]         waddr2_i,
  input  logic [9:0]         raddr2_i,
  input  logic [17:0]        wdata2_i,
  output logic [17:0]        rdata2_o,
  input  logic [8:0]         waddr3_i,
  input  logic [8:0]         raddr3_i,
  input  logic [35:0]        wdata3_i,
  output logic [35:0]        rdata3_o,
  input  logic signed [15:0] a_i,
  input  logic signed [15:0] b_i,
  input  logic [15:0]        c_i,
  input  logic [15:0]        d_i,
  output logic signed [31:0] p_o,
  output logic [31:0]        q_o
);
  (* no_rw_check *) logic [7:0] mem1_q [4096];
  always_ff @(posedge clk_i) begin
    if (we_i) mem1_q[waddr_i] <= wdata_i;
    rdata_o <= mem1_q[raddr_i];
  end

  (* no_rw_check *) logic [17:0] mem2_q [1024];
  always_ff @(posedge clk_i) begin
    if (we_i && be_i[0]) mem2_q[waddr2_i][8:0] <= wdata2_i[8:0];
    if (we_i && be_i[1]) mem2_q[waddr2_i][17:9] <= wdata2_i[17:9];
    rdata2_o <= mem2_q[raddr2_i];
  end

  (* no_rw_check *) logic [35:0] mem3_q [512];
  always_ff @(posedge clk_i) begin
    if (we_i) mem3_q[waddr3_i] <= wdata3_i;
    rdata3_o <= mem3_q[raddr3_i];
  end

  logic signed [15:0] a_q, b_q;
  logic [15:0] c_q, d_q;
  always_ff @(posedge clk_i) begin
    a_q <= a_i;
    b_q <= b_i;
    c_q <= c_i;
    d_q <= d_i;
    p_o <= a_q * b_q;
    q_o <= c_q * d_q;
  end
endmodule
