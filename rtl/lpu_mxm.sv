// Copyright openlpu contributors.
//
// lpu_mxm: the matrix execution module behind one issue port (the slice interface of docs/rtl-slices.md).
//
// Routes the load-queue instructions (lw, lwi, iw) and the compute-queue instructions (abc, abca, abce, acc)
// arriving on the one issue port to lpu_mxm_core's two ports; timing, errors and state are lpu_mxm_core's.
// Use it while the top feeds each MXM from a single queue. A top with the MXM load queue (docs/architecture.md
// §3) instantiates lpu_mxm_core and connects the load queue to ld_issue_valid_i / ld_issue_insn_i, so that a
// load and a compute instruction can be dispatched in the same cycle.

module lpu_mxm #(
  parameter int unsigned Lanes          = 16,
  parameter int unsigned StreamsPerDir  = 8,
  parameter int unsigned MxmAccSlots    = 16,
  parameter int unsigned MxmAbcInterval = 2,
  parameter bit          MulInLuts      = 1'b0
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 issue_valid_i,
  input  logic [31:0]                          issue_insn_i,
  input  logic [StreamsPerDir*Lanes*8-1:0]     sr_e_i,
  input  logic [StreamsPerDir*Lanes*8-1:0]     sr_w_i,
  output logic [StreamsPerDir-1:0]             wr_e_en_o,
  output logic [StreamsPerDir-1:0]             wr_w_en_o,
  output logic [StreamsPerDir*Lanes*8-1:0]     wr_e_data_o,
  output logic [StreamsPerDir*Lanes*8-1:0]     wr_w_data_o,
  output logic                                 busy_o,
  output logic                                 err_o,
  output logic [3:0]                           err_code_o,
  output logic [15:0]                          err_info_o,
  input  logic                                 commit_i
);

  logic [6:0] op;
  logic       is_load;

  assign op      = issue_insn_i[lpu_isa_pkg::OPCODE_MSB:lpu_isa_pkg::OPCODE_LSB];
  assign is_load = (op == lpu_isa_pkg::OP_LW) || (op == lpu_isa_pkg::OP_LWI) || (op == lpu_isa_pkg::OP_IW);

  lpu_mxm_core #(
    .Lanes          (Lanes),
    .StreamsPerDir  (StreamsPerDir),
    .MxmAccSlots    (MxmAccSlots),
    .MxmAbcInterval (MxmAbcInterval),
    .MulInLuts      (MulInLuts)
  ) u_core (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .issue_valid_i    (issue_valid_i && !is_load),
    .issue_insn_i     (issue_insn_i),
    .ld_issue_valid_i (issue_valid_i && is_load),
    .ld_issue_insn_i  (issue_insn_i),
    .sr_e_i           (sr_e_i),
    .sr_w_i           (sr_w_i),
    .wr_e_en_o        (wr_e_en_o),
    .wr_w_en_o        (wr_w_en_o),
    .wr_e_data_o      (wr_e_data_o),
    .wr_w_data_o      (wr_w_data_o),
    .busy_o           (busy_o),
    .err_o            (err_o),
    .err_code_o       (err_code_o),
    .err_info_o       (err_info_o),
    .commit_i         (commit_i)
  );

endmodule
