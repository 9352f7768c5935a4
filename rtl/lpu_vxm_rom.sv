// Copyright openlpu contributors.
//
// lpu_vxm_rom: the special-function tables of a pair of VXM lanes, one registered read per lane and
// cycle.
//
// All VXM special functions of a lane share its read, since at most one special instruction is
// dispatched per cycle. The words are built from the ISA package's table functions (the single
// source of the tables). Each lane reads one 18-bit word of a 1024-word table (addr_i = {function,
// index}):
//   addr 0   .. 255: {D[j][1:0], S[j]}  sigmoid segment j: S[j] = sigmoid_table(j) (16 bits) and
//                                       the two low bits of the slope D[j] = S[j+1] - S[j]
//                                       (10 bits; 0 .. 1023 for the current table)
//   addr 256 .. 511: {2'b0, E[i]}       E[i] = exp2_table(i)
//   addr 512 .. 767: {2'b0, R[i]}       R[i] = rsqrt_table(i) in 16 bits (R[i] < 2^16 for the
//                                       i >= 64 that rsqrt reads)
//   addr 768 .. 1023: 0 (never read)
// and the slope's high bits D[j][9:2] from a 256 x 8 LUT ROM per lane (indexed by addr_i[7:0]), so
// that sigmoid needs 18 bits of the word table per lane and cycle: two lanes share one DP16KD, one
// lane on each of its two 1K x 18 ports. D's high bits are a smooth function of j (about 70 LUT4),
// its low bits are not (all ten: ~120). data_o[k] = {D[9:0], word[15:0]} for lane k (D only
// meaningful after a sigmoid read). Timing: the address is sampled at the end of cycle t; data_o is
// valid during cycle t+1. With InBram = 1 Yosys maps the word table to one DP16KD in true-dual-port
// 1K x 18 mode; with InBram = 0 to LUT ROM (both lanes' tables, about 1,500 LUT4), for the lanes
// beyond the block RAM budget (lpu_vxm).

module lpu_vxm_rom #(
  parameter bit InBram = 1'b1
) (
  input  logic             clk_i,
  input  logic [1:0]       en_i,    // lane k reads its table this cycle (a special instruction)
  input  logic [1:0][9:0]  addr_i,
  output logic [1:0][25:0] data_o
);

  // Slope width; the assertion below checks that every slope fits.
  localparam int unsigned SlopeW = 10;

  function automatic logic [SlopeW-1:0] slope(input int unsigned j);
    logic [15:0] s0, s1;
    s0    = lpu_isa_pkg::sigmoid_table(9'(j));
    s1    = lpu_isa_pkg::sigmoid_table(9'(j + 1));
    slope = SlopeW'(s1 - s0);
  endfunction

  function automatic logic [17:0] rom_word(input int unsigned a);
    logic [17:0] word;
    if (a < 256) begin
      word = {2'(slope(a)), lpu_isa_pkg::sigmoid_table(9'(a))};
    end else if (a < 512) begin
      word = {2'b0, lpu_isa_pkg::exp2_table(8'(a - 256))};
    end else if (a < 768) begin
      // R in 16 bits: the assertion below checks that none of the entries rsqrt reads loses a bit.
      word = {2'b0, 16'(lpu_isa_pkg::rsqrt_table(8'(a - 512)))};
    end else begin
      word = '0;
    end
    rom_word = word;
  endfunction

  logic [1:0][17:0] word_q;
  logic [1:0][7:0]  dhi_q;

  // Tables as initialised arrays (not a case on the address): Yosys then sees a ROM whose contents
  // are constants, not the table functions' logic evaluated at run time.
  if (InBram) begin : gen_bram
    (* rom_style = "block" *) logic [17:0] rom [1024];
    initial begin
      for (int unsigned a = 0; a < 1024; a++) begin
        rom[a] = rom_word(a);
      end
    end
    // Two read ports on one array: the two ports of one DP16KD.
    always_ff @(posedge clk_i) begin
      if (en_i[0]) begin
        word_q[0] <= rom[addr_i[0]];
      end
    end
    always_ff @(posedge clk_i) begin
      if (en_i[1]) begin
        word_q[1] <= rom[addr_i[1]];
      end
    end
  end else begin : gen_logic
    for (genvar k = 0; k < 2; k++) begin : gen_lane
      (* rom_style = "logic" *) logic [17:0] rom [1024];
      initial begin
        for (int unsigned a = 0; a < 1024; a++) begin
          rom[a] = rom_word(a);
        end
      end
      always_ff @(posedge clk_i) begin
        if (en_i[k]) begin
          word_q[k] <= rom[addr_i[k]];
        end
      end
    end
  end

  for (genvar k = 0; k < 2; k++) begin : gen_slope
    (* rom_style = "logic" *) logic [7:0] dhi [256];
    initial begin
      for (int unsigned j = 0; j < 256; j++) begin
        dhi[j] = 8'(slope(j) >> 2);
      end
    end
    // No reset: a table read is always preceded by its address; the output is ignored otherwise.
    always_ff @(posedge clk_i) begin
      if (en_i[k]) begin
        dhi_q[k] <= dhi[addr_i[k][7:0]];
      end
    end
    assign data_o[k] = {dhi_q[k], word_q[k]};
  end

  // -----------------------------------------------------------------------------------------------
  // Assertions
  // -----------------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // The sigmoid table rises monotonically by less than 2^SlopeW per segment (else the slope
  // truncates), and S[j] < 2^16 leaves the word's top two bits to the slope.
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
