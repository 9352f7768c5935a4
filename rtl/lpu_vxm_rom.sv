// Copyright openlpu contributors.
//
// lpu_vxm_rom: one lane's special-function table, a 512 x 32-bit ROM with a registered read.
//
// All VXM special functions of one lane share it, since at most one special instruction is dispatched per
// cycle. The words are built from the ISA package's table functions (the single source of the tables):
//   addr 0   .. 255: {7'b0, D[j], S[j]}  sigmoid segment j: S[j] = sigmoid_table(j) (16 bits) and the slope
//                    D[j] = S[j+1] - S[j] (10 bits; 0 .. 1023 for the current table)
//   addr 256 .. 511: {R[i], E[i]}        R[i] = rsqrt_table(i) (16 bits: R[i] < 2^16 for the i >= 64 that
//                                        rsqrt reads), E[i] = exp2_table(i) (16 bits)
// Timing: the address is sampled at the end of cycle t; data_o is valid during cycle t+1.
// With InBram = 1 Yosys maps it to one DP16KD (512 x 36); with InBram = 0 to LUTs (about 900 LUT4).

module lpu_vxm_rom #(
  parameter bit InBram = 1'b1
) (
  input  logic        clk_i,
  input  logic        en_i,    // a special instruction reads the table this cycle
  input  logic [8:0]  addr_i,
  output logic [31:0] data_o
);

  // Slope width in the ROM word; the assertion below checks that every slope fits.
  localparam int unsigned SlopeW = 10;

  function automatic logic [31:0] rom_word(input int unsigned a);
    logic [15:0] s0, s1;
    logic [SlopeW-1:0] slope;
    logic [31:0] word;
    if (a < 256) begin
      s0    = lpu_isa_pkg::sigmoid_table(9'(a));
      s1    = lpu_isa_pkg::sigmoid_table(9'(a + 1));
      slope = SlopeW'(s1 - s0);
      word  = {6'b0, slope, s0};
    end else begin
      // R in 16 bits: the assertion below checks that none of the entries rsqrt reads loses a bit.
      word = {16'(lpu_isa_pkg::rsqrt_table(8'(a - 256))), lpu_isa_pkg::exp2_table(8'(a - 256))};
    end
    rom_word = word;
  endfunction

  if (InBram) begin : gen_bram
    (* rom_style = "block" *) logic [31:0] rom [512];
    initial begin
      for (int unsigned a = 0; a < 512; a++) begin
        rom[a] = rom_word(a);
      end
    end
    always_ff @(posedge clk_i) begin
      if (en_i) begin
        data_o <= rom[addr_i];
      end
    end
  end else begin : gen_logic
    // No reset: a table read is always preceded by its address; the output is ignored otherwise.
    always_ff @(posedge clk_i) begin
      if (en_i) begin
        data_o <= rom_word(32'(addr_i));
      end
    end
  end

  // ---------------------------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // The sigmoid table rises monotonically by less than 2^SlopeW per segment (else the slope word truncates).
  initial begin : check_slopes
    for (int unsigned j = 0; j < 256; j++) begin
      SigmoidSlopeFitsTheRomWord : assert (
          lpu_isa_pkg::sigmoid_table(9'(j + 1)) >= lpu_isa_pkg::sigmoid_table(9'(j)) &&
          17'(lpu_isa_pkg::sigmoid_table(9'(j + 1))) - 17'(lpu_isa_pkg::sigmoid_table(9'(j)))
              < 17'(1 << SlopeW));
    end
    for (int unsigned m = 64; m < 256; m++) begin
      RsqrtTableFitsSixteenBits : assert (lpu_isa_pkg::rsqrt_table(8'(m)) < 17'h1_0000);
    end
  end
`endif

endmodule
