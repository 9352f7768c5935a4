// Simulation models of the two ECP5 hard blocks that Yosys's share/ecp5/cells_sim.v does not model:
// DP16KD (declared there as an empty blackbox; tb/gate/CMakeLists.txt strips that declaration from
// its copy) and MULT18X18D (only in cells_bb.v, without behaviour). Written from Lattice's ECP5
// sysMEM and sysDSP usage guides (TN1264, TN1267) and from how Yosys maps onto them
// (share/lattice/brams_map_16kd.v, dsp_map_18x18.v); used only by the gate-level simulation
// (tb/gate), never synthesized.
//
// Cycle contract of both: everything happens at the selected clock edge; no timing, no X.
//
// DP16KD. The array is 1024 x 18 bits (slot s, bits 17:0; bits 8 and 17 are the "ninth" bits of the
// two 9-bit bytes). An address bus AD[13:0] is a bit address:
//   width 36 (port A writes, port B reads): row AD[13:5] = slots 2*row (DIA/DOA) and 2*row+1
//     (DIB/DOB), byte enables AD[3:0] (AD0: slot 2*row bits 8:0, AD1: 17:9, AD2/AD3: slot 2*row+1)
//   width 18: slot AD[13:4], byte enables AD[1:0] (AD0: bits 8:0, AD1: bits 17:9), write = WE &
//     enable
//   width 9:  slot AD[13:4], byte AD[3] (bits 9*AD[3] +: 9)
//   width 4/2/1: data bit d = AD[13:0] (low log2(width) bits ignored) of the 16 K data bits, which
//     are the eight low bits of each 9-bit byte: slot d/16, bit (d%16 < 8) ? d%16 : d%16 + 1
// (a port uses one width; the two ports of one block may differ, as Yosys's mapping asks). The read
// data register of a port loads on an edge with CE (and the chip select matching CSDECODE): the
// addressed data, or for a write on the same port what WRITEMODE says (NORMAL: keeps its value,
// WRITETHROUGH: the new contents, READBEFOREWRITE: the old ones). RST clears it (RESETMODE SYNC: at
// the edge, whatever CE; ASYNC: at once). REGMODE OUTREG adds an output register loaded when OCE. A
// read of a word the other port writes in the same edge returns the old contents (the hardware's
// result is undefined then; the RTL's memories never rely on it).
//
// MULT18X18D. P = A * B (each operand signed when its SIGNED* input is 1), 36 bits, through the
// input registers (A with SIGNEDA, B with SIGNEDB, C), the pipeline register and the output
// register that the REG_*_CLK parameters enable ("NONE": bypassed), each with its own CE and RST;
// RST clears it (RESETMODE SYNC at the edge, ASYNC at once). ROA/ROB/ROC and SROA/SROB give the
// operands after the input registers. Cascade inputs (SOURCEA/SOURCEB, SRIA/SRIB) and MULT_BYPASS
// are not modelled: a netlist that uses them stops the simulation.

module DP16KD (
  input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4,
  input DIA3, DIA2, DIA1, DIA0,
  input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
  input CEA, OCEA, CLKA, WEA, RSTA,
  input CSA2, CSA1, CSA0,
  output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4,
  output DOA3, DOA2, DOA1, DOA0,
  input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4,
  input DIB3, DIB2, DIB1, DIB0,
  input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
  input CEB, OCEB, CLKB, WEB, RSTB,
  input CSB2, CSB1, CSB0,
  output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4,
  output DOB3, DOB2, DOB1, DOB0
);
  parameter DATA_WIDTH_A = 18;
  parameter DATA_WIDTH_B = 18;
  parameter REGMODE_A = "NOREG";
  parameter REGMODE_B = "NOREG";
  parameter RESETMODE = "SYNC";
  parameter ASYNC_RESET_RELEASE = "SYNC";
  parameter CSDECODE_A = "0b000";
  parameter CSDECODE_B = "0b000";
  parameter WRITEMODE_A = "NORMAL";
  parameter WRITEMODE_B = "NORMAL";
  parameter CLKAMUX = "CLKA";
  parameter CLKBMUX = "CLKB";
  parameter GSR = "ENABLED";
  parameter INIT_DATA = "STATIC";
  parameter WID = 0;
  parameter INITVAL_00 = 320'h0; parameter INITVAL_01 = 320'h0; parameter INITVAL_02 = 320'h0;
  parameter INITVAL_03 = 320'h0; parameter INITVAL_04 = 320'h0; parameter INITVAL_05 = 320'h0;
  parameter INITVAL_06 = 320'h0; parameter INITVAL_07 = 320'h0; parameter INITVAL_08 = 320'h0;
  parameter INITVAL_09 = 320'h0; parameter INITVAL_0A = 320'h0; parameter INITVAL_0B = 320'h0;
  parameter INITVAL_0C = 320'h0; parameter INITVAL_0D = 320'h0; parameter INITVAL_0E = 320'h0;
  parameter INITVAL_0F = 320'h0; parameter INITVAL_10 = 320'h0; parameter INITVAL_11 = 320'h0;
  parameter INITVAL_12 = 320'h0; parameter INITVAL_13 = 320'h0; parameter INITVAL_14 = 320'h0;
  parameter INITVAL_15 = 320'h0; parameter INITVAL_16 = 320'h0; parameter INITVAL_17 = 320'h0;
  parameter INITVAL_18 = 320'h0; parameter INITVAL_19 = 320'h0; parameter INITVAL_1A = 320'h0;
  parameter INITVAL_1B = 320'h0; parameter INITVAL_1C = 320'h0; parameter INITVAL_1D = 320'h0;
  parameter INITVAL_1E = 320'h0; parameter INITVAL_1F = 320'h0; parameter INITVAL_20 = 320'h0;
  parameter INITVAL_21 = 320'h0; parameter INITVAL_22 = 320'h0; parameter INITVAL_23 = 320'h0;
  parameter INITVAL_24 = 320'h0; parameter INITVAL_25 = 320'h0; parameter INITVAL_26 = 320'h0;
  parameter INITVAL_27 = 320'h0; parameter INITVAL_28 = 320'h0; parameter INITVAL_29 = 320'h0;
  parameter INITVAL_2A = 320'h0; parameter INITVAL_2B = 320'h0; parameter INITVAL_2C = 320'h0;
  parameter INITVAL_2D = 320'h0; parameter INITVAL_2E = 320'h0; parameter INITVAL_2F = 320'h0;
  parameter INITVAL_30 = 320'h0; parameter INITVAL_31 = 320'h0; parameter INITVAL_32 = 320'h0;
  parameter INITVAL_33 = 320'h0; parameter INITVAL_34 = 320'h0; parameter INITVAL_35 = 320'h0;
  parameter INITVAL_36 = 320'h0; parameter INITVAL_37 = 320'h0; parameter INITVAL_38 = 320'h0;
  parameter INITVAL_39 = 320'h0; parameter INITVAL_3A = 320'h0; parameter INITVAL_3B = 320'h0;
  parameter INITVAL_3C = 320'h0; parameter INITVAL_3D = 320'h0; parameter INITVAL_3E = 320'h0;
  parameter INITVAL_3F = 320'h0;

  wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6,
                     DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
  wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6,
                     DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
  wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1,
                     ADA0};
  wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1,
                     ADB0};
  wire [2:0] csa = {CSA2, CSA1, CSA0};
  wire [2:0] csb = {CSB2, CSB1, CSB0};

  // "0bXYZ" -> 3'bXYZ
  function [2:0] csdecode(input [39:0] s);
    csdecode = {s[16], s[8], s[0]};
  endfunction

  reg [17:0] mem [0:1023];
  integer i;
  initial begin
    if (DATA_WIDTH_A != 1 && DATA_WIDTH_A != 2 && DATA_WIDTH_A != 4 && DATA_WIDTH_A != 9 &&
        DATA_WIDTH_A != 18 && DATA_WIDTH_A != 36) $fatal(1, "DP16KD: DATA_WIDTH_A %0d", DATA_WIDTH_A);
    if (DATA_WIDTH_B != 1 && DATA_WIDTH_B != 2 && DATA_WIDTH_B != 4 && DATA_WIDTH_B != 9 &&
        DATA_WIDTH_B != 18 && DATA_WIDTH_B != 36) $fatal(1, "DP16KD: DATA_WIDTH_B %0d", DATA_WIDTH_B);
    for (i = 0; i < 16; i = i + 1) begin
      mem[16 * 8'h00 + i] = INITVAL_00[20 * i +: 18];
      mem[16 * 8'h01 + i] = INITVAL_01[20 * i +: 18];
      mem[16 * 8'h02 + i] = INITVAL_02[20 * i +: 18];
      mem[16 * 8'h03 + i] = INITVAL_03[20 * i +: 18];
      mem[16 * 8'h04 + i] = INITVAL_04[20 * i +: 18];
      mem[16 * 8'h05 + i] = INITVAL_05[20 * i +: 18];
      mem[16 * 8'h06 + i] = INITVAL_06[20 * i +: 18];
      mem[16 * 8'h07 + i] = INITVAL_07[20 * i +: 18];
      mem[16 * 8'h08 + i] = INITVAL_08[20 * i +: 18];
      mem[16 * 8'h09 + i] = INITVAL_09[20 * i +: 18];
      mem[16 * 8'h0A + i] = INITVAL_0A[20 * i +: 18];
      mem[16 * 8'h0B + i] = INITVAL_0B[20 * i +: 18];
      mem[16 * 8'h0C + i] = INITVAL_0C[20 * i +: 18];
      mem[16 * 8'h0D + i] = INITVAL_0D[20 * i +: 18];
      mem[16 * 8'h0E + i] = INITVAL_0E[20 * i +: 18];
      mem[16 * 8'h0F + i] = INITVAL_0F[20 * i +: 18];
      mem[16 * 8'h10 + i] = INITVAL_10[20 * i +: 18];
      mem[16 * 8'h11 + i] = INITVAL_11[20 * i +: 18];
      mem[16 * 8'h12 + i] = INITVAL_12[20 * i +: 18];
      mem[16 * 8'h13 + i] = INITVAL_13[20 * i +: 18];
      mem[16 * 8'h14 + i] = INITVAL_14[20 * i +: 18];
      mem[16 * 8'h15 + i] = INITVAL_15[20 * i +: 18];
      mem[16 * 8'h16 + i] = INITVAL_16[20 * i +: 18];
      mem[16 * 8'h17 + i] = INITVAL_17[20 * i +: 18];
      mem[16 * 8'h18 + i] = INITVAL_18[20 * i +: 18];
      mem[16 * 8'h19 + i] = INITVAL_19[20 * i +: 18];
      mem[16 * 8'h1A + i] = INITVAL_1A[20 * i +: 18];
      mem[16 * 8'h1B + i] = INITVAL_1B[20 * i +: 18];
      mem[16 * 8'h1C + i] = INITVAL_1C[20 * i +: 18];
      mem[16 * 8'h1D + i] = INITVAL_1D[20 * i +: 18];
      mem[16 * 8'h1E + i] = INITVAL_1E[20 * i +: 18];
      mem[16 * 8'h1F + i] = INITVAL_1F[20 * i +: 18];
      mem[16 * 8'h20 + i] = INITVAL_20[20 * i +: 18];
      mem[16 * 8'h21 + i] = INITVAL_21[20 * i +: 18];
      mem[16 * 8'h22 + i] = INITVAL_22[20 * i +: 18];
      mem[16 * 8'h23 + i] = INITVAL_23[20 * i +: 18];
      mem[16 * 8'h24 + i] = INITVAL_24[20 * i +: 18];
      mem[16 * 8'h25 + i] = INITVAL_25[20 * i +: 18];
      mem[16 * 8'h26 + i] = INITVAL_26[20 * i +: 18];
      mem[16 * 8'h27 + i] = INITVAL_27[20 * i +: 18];
      mem[16 * 8'h28 + i] = INITVAL_28[20 * i +: 18];
      mem[16 * 8'h29 + i] = INITVAL_29[20 * i +: 18];
      mem[16 * 8'h2A + i] = INITVAL_2A[20 * i +: 18];
      mem[16 * 8'h2B + i] = INITVAL_2B[20 * i +: 18];
      mem[16 * 8'h2C + i] = INITVAL_2C[20 * i +: 18];
      mem[16 * 8'h2D + i] = INITVAL_2D[20 * i +: 18];
      mem[16 * 8'h2E + i] = INITVAL_2E[20 * i +: 18];
      mem[16 * 8'h2F + i] = INITVAL_2F[20 * i +: 18];
      mem[16 * 8'h30 + i] = INITVAL_30[20 * i +: 18];
      mem[16 * 8'h31 + i] = INITVAL_31[20 * i +: 18];
      mem[16 * 8'h32 + i] = INITVAL_32[20 * i +: 18];
      mem[16 * 8'h33 + i] = INITVAL_33[20 * i +: 18];
      mem[16 * 8'h34 + i] = INITVAL_34[20 * i +: 18];
      mem[16 * 8'h35 + i] = INITVAL_35[20 * i +: 18];
      mem[16 * 8'h36 + i] = INITVAL_36[20 * i +: 18];
      mem[16 * 8'h37 + i] = INITVAL_37[20 * i +: 18];
      mem[16 * 8'h38 + i] = INITVAL_38[20 * i +: 18];
      mem[16 * 8'h39 + i] = INITVAL_39[20 * i +: 18];
      mem[16 * 8'h3A + i] = INITVAL_3A[20 * i +: 18];
      mem[16 * 8'h3B + i] = INITVAL_3B[20 * i +: 18];
      mem[16 * 8'h3C + i] = INITVAL_3C[20 * i +: 18];
      mem[16 * 8'h3D + i] = INITVAL_3D[20 * i +: 18];
      mem[16 * 8'h3E + i] = INITVAL_3E[20 * i +: 18];
      mem[16 * 8'h3F + i] = INITVAL_3F[20 * i +: 18];
    end
  end

  // ---- The array as one port of a given width sees it: read (36 bits, the low slot in 17:0) and
  // write.
  function [35:0] rd(input integer width, input [13:0] ad);
    integer d, s, b;
    begin
      rd = 36'd0;
      if (width == 36) rd = {mem[{ad[13:5], 1'b1}], mem[{ad[13:5], 1'b0}]};
      else if (width == 18) rd[17:0] = mem[ad[13:4]];
      else if (width == 9) rd[8:0] = ad[3] ? mem[ad[13:4]][17:9] : mem[ad[13:4]][8:0];
      else begin
        for (b = 0; b < width; b = b + 1) begin
          d = (ad & ~(width - 1)) + b;
          s = d % 16;
          rd[b] = mem[d / 16][s < 8 ? s : s + 1];
        end
      end
    end
  endfunction

  wire clka = (CLKAMUX == "INV") ? ~CLKA : CLKA;
  wire clkb = (CLKBMUX == "INV") ? ~CLKB : CLKB;
  wire sel_a = csa == csdecode(CSDECODE_A);
  wire sel_b = csb == csdecode(CSDECODE_B);
  reg [17:0] lat_a, lat_b, out_a, out_b;
  reg [35:0] lat_wide;  // the 36-bit read of port B (DOA = 17:0, DOB = 35:18)
  initial begin
    lat_a = 18'd0; lat_b = 18'd0; out_a = 18'd0; out_b = 18'd0; lat_wide = 36'd0;
  end

  // A write of width <= 4 changes bits of one slot (an aligned group of 1, 2 or 4 data bits never
  // crosses a 16-bit boundary): the slot is rewritten whole, so two ports writing different bits of
  // one slot in the same edge keep only one write (the RTL never does that).
  task automatic wr(input integer width, input [13:0] ad, input [35:0] di, input we);
    integer d, s, b;
    reg [17:0] v;
    begin
      if (width == 36) begin
        if (ad[0]) mem[{ad[13:5], 1'b0}][8:0]  <= di[8:0];
        if (ad[1]) mem[{ad[13:5], 1'b0}][17:9] <= di[17:9];
        if (ad[2]) mem[{ad[13:5], 1'b1}][8:0]  <= di[26:18];
        if (ad[3]) mem[{ad[13:5], 1'b1}][17:9] <= di[35:27];
      end else if (width == 18) begin
        if (we && ad[0]) mem[ad[13:4]][8:0]  <= di[8:0];
        if (we && ad[1]) mem[ad[13:4]][17:9] <= di[17:9];
      end else if (width == 9) begin
        if (we && ad[3]) mem[ad[13:4]][17:9] <= di[8:0];
        if (we && !ad[3]) mem[ad[13:4]][8:0] <= di[8:0];
      end else if (we) begin
        d = ad & ~(width - 1);
        v = mem[d / 16];
        for (b = 0; b < width; b = b + 1) begin
          s = (d + b) % 16;
          v[s < 8 ? s : s + 1] = di[b];
        end
        mem[d / 16] <= v;
      end
    end
  endtask

  // The word a write leaves at the port's address, as the port reads it (WRITETHROUGH): a width-18
  // write with one byte enable keeps the other byte.
  function [17:0] merged(input integer width, input [13:0] ad, input [17:0] di);
    reg [35:0] old;
    begin
      old = rd(width, ad);
      merged = di;
      if (width == 18) begin
        if (!ad[0]) merged[8:0] = old[8:0];
        if (!ad[1]) merged[17:9] = old[17:9];
      end
    end
  endfunction

  // The read register's value on a read.
  function [17:0] rd18(input integer width, input [13:0] ad);
    reg [35:0] v;
    begin
      v = rd(width, ad);
      rd18 = v[17:0];
    end
  endfunction

  wire async_rst = RESETMODE == "ASYNC";
  wire rsta_async = async_rst && RSTA;
  wire rstb_async = async_rst && RSTB;

  always @(posedge clka or posedge rsta_async) begin
    if (rsta_async) begin
      lat_a <= 18'd0;
    end else begin
      if (CEA && sel_a) begin
        // A 36-bit port A is write-only (Yosys's PDPW mapping); WEA gates the other widths.
        if (DATA_WIDTH_A == 36 || WEA) begin
          wr(DATA_WIDTH_A, ada, {dib, dia}, WEA);
          if (DATA_WIDTH_A != 36) begin
            if (WRITEMODE_A == "WRITETHROUGH") lat_a <= merged(DATA_WIDTH_A, ada, dia);
            else if (WRITEMODE_A == "READBEFOREWRITE") lat_a <= rd18(DATA_WIDTH_A, ada);
          end
        end else begin
          lat_a <= rd18(DATA_WIDTH_A, ada);
        end
      end
      if (RSTA) lat_a <= 18'd0;
    end
  end

  always @(posedge clkb or posedge rstb_async) begin
    if (rstb_async) begin
      lat_b <= 18'd0;
      lat_wide <= 36'd0;
    end else begin
      if (CEB && sel_b) begin
        if (WEB && DATA_WIDTH_B != 36) begin
          wr(DATA_WIDTH_B, adb, {18'd0, dib}, WEB);
          if (WRITEMODE_B == "WRITETHROUGH") lat_b <= merged(DATA_WIDTH_B, adb, dib);
          else if (WRITEMODE_B == "READBEFOREWRITE") lat_b <= rd18(DATA_WIDTH_B, adb);
        end else if (DATA_WIDTH_B == 36) begin
          lat_wide <= rd(36, adb);
        end else begin
          lat_b <= rd18(DATA_WIDTH_B, adb);
        end
      end
      if (RSTB) begin
        lat_b <= 18'd0;
        lat_wide <= 36'd0;
      end
    end
  end

  // Output registers (REGMODE OUTREG).
  wire [17:0] pre_a = (DATA_WIDTH_B == 36) ? lat_wide[17:0] : lat_a;
  wire [17:0] pre_b = (DATA_WIDTH_B == 36) ? lat_wide[35:18] : lat_b;
  always @(posedge clka or posedge rsta_async) begin
    if (rsta_async) out_a <= 18'd0;
    else if (RSTA) out_a <= 18'd0;
    else if (OCEA) out_a <= pre_a;
  end
  always @(posedge clkb or posedge rstb_async) begin
    if (rstb_async) out_b <= 18'd0;
    else if (RSTB) out_b <= 18'd0;
    else if (OCEB) out_b <= pre_b;
  end
  wire [17:0] doa = (REGMODE_A == "OUTREG") ? out_a : pre_a;
  wire [17:0] dob = (REGMODE_B == "OUTREG") ? out_b : pre_b;
  assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4,
          DOA3, DOA2, DOA1, DOA0} = doa;
  assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4,
          DOB3, DOB2, DOB1, DOB0} = dob;
endmodule

module MULT18X18D (
  input A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0,
  input B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0,
  input C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0,
  input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
  input CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0,
  input SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6,
  input SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0,
  input SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6,
  input SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0,
  output SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6,
  output SROA5, SROA4, SROA3, SROA2, SROA1, SROA0,
  output SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6,
  output SROB5, SROB4, SROB3, SROB2, SROB1, SROB0,
  output ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4,
  output ROA3, ROA2, ROA1, ROA0,
  output ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4,
  output ROB3, ROB2, ROB1, ROB0,
  output ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4,
  output ROC3, ROC2, ROC1, ROC0,
  output P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18,
  output P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0,
  output SIGNEDP
);
  parameter REG_INPUTA_CLK = "NONE";
  parameter REG_INPUTA_CE = "CE0";
  parameter REG_INPUTA_RST = "RST0";
  parameter REG_INPUTB_CLK = "NONE";
  parameter REG_INPUTB_CE = "CE0";
  parameter REG_INPUTB_RST = "RST0";
  parameter REG_INPUTC_CLK = "NONE";
  parameter REG_INPUTC_CE = "CE0";
  parameter REG_INPUTC_RST = "RST0";
  parameter REG_PIPELINE_CLK = "NONE";
  parameter REG_PIPELINE_CE = "CE0";
  parameter REG_PIPELINE_RST = "RST0";
  parameter REG_OUTPUT_CLK = "NONE";
  parameter REG_OUTPUT_CE = "CE0";
  parameter REG_OUTPUT_RST = "RST0";
  parameter CLK0_DIV = "ENABLED";
  parameter CLK1_DIV = "ENABLED";
  parameter CLK2_DIV = "ENABLED";
  parameter CLK3_DIV = "ENABLED";
  parameter HIGHSPEED_CLK = "NONE";
  parameter GSR = "ENABLED";
  parameter CAS_MATCH_REG = "FALSE";
  parameter SOURCEB_MODE = "B_SHIFT";
  parameter MULT_BYPASS = "DISABLED";
  parameter RESETMODE = "SYNC";

  initial begin
    if (MULT_BYPASS != "DISABLED") $fatal(1, "MULT18X18D: MULT_BYPASS is not modelled");
  end

  wire [17:0] a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
  wire [17:0] b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};
  wire [17:0] c = {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0};
  wire [3:0] clk = {CLK3, CLK2, CLK1, CLK0};
  wire [3:0] ce = {CE3, CE2, CE1, CE0};
  wire [3:0] rst = {RST3, RST2, RST1, RST0};

  // Register stages: A (with SIGNEDA), B (with SIGNEDB), C, pipeline (product), output.
  wire [18:0] a_q, b_q;
  wire [17:0] c_q;
  wire [36:0] p_q, o_q;
  wire [36:0] prod;
  gatesim_mult_reg #(.W(19), .CLK(REG_INPUTA_CLK), .CE(REG_INPUTA_CE), .RST(REG_INPUTA_RST),
                     .RESETMODE(RESETMODE))
    u_rega (.clk(clk), .ce(ce), .rst(rst), .d({SIGNEDA, a}), .q(a_q));
  gatesim_mult_reg #(.W(19), .CLK(REG_INPUTB_CLK), .CE(REG_INPUTB_CE), .RST(REG_INPUTB_RST),
                     .RESETMODE(RESETMODE))
    u_regb (.clk(clk), .ce(ce), .rst(rst), .d({SIGNEDB, b}), .q(b_q));
  gatesim_mult_reg #(.W(18), .CLK(REG_INPUTC_CLK), .CE(REG_INPUTC_CE), .RST(REG_INPUTC_RST),
                     .RESETMODE(RESETMODE))
    u_regc (.clk(clk), .ce(ce), .rst(rst), .d(c), .q(c_q));
  // {SIGNEDP, P}: each operand extended by its sign when signed, by 0 otherwise.
  wire signed [36:0] a_ext = {{19{a_q[18] & a_q[17]}}, a_q[17:0]};
  wire signed [36:0] b_ext = {{19{b_q[18] & b_q[17]}}, b_q[17:0]};
  wire signed [36:0] mul = a_ext * b_ext;
  assign prod = {a_q[18] | b_q[18], mul[35:0]};
  gatesim_mult_reg #(.W(37), .CLK(REG_PIPELINE_CLK), .CE(REG_PIPELINE_CE), .RST(REG_PIPELINE_RST),
                     .RESETMODE(RESETMODE))
    u_regp (.clk(clk), .ce(ce), .rst(rst), .d(prod), .q(p_q));
  gatesim_mult_reg #(.W(37), .CLK(REG_OUTPUT_CLK), .CE(REG_OUTPUT_CE), .RST(REG_OUTPUT_RST),
                     .RESETMODE(RESETMODE))
    u_rego (.clk(clk), .ce(ce), .rst(rst), .d(p_q), .q(o_q));

  assign {SIGNEDP, P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19,
          P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = o_q;
  assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4,
          ROA3, ROA2, ROA1, ROA0} = a_q[17:0];
  assign {ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4,
          ROB3, ROB2, ROB1, ROB0} = b_q[17:0];
  assign {ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4,
          ROC3, ROC2, ROC1, ROC0} = c_q;
  assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6,
          SROA5, SROA4, SROA3, SROA2, SROA1, SROA0} = a_q[17:0];
  assign {SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6,
          SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = b_q[17:0];

  // The cascade inputs are not modelled: a netlist that drives them must not pass for verified.
  always @(*) begin
    if (SOURCEA === 1'b1 || SOURCEB === 1'b1) $fatal(1, "MULT18X18D: SOURCEA/SOURCEB cascade not modelled");
  end
  wire unused_sri = ^{SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8,
                      SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15,
                      SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4,
                      SRIB3, SRIB2, SRIB1, SRIB0};
endmodule

// One register stage of MULT18X18D: bypassed when CLK is "NONE", else clocked by CLKn with CEn and
// RSTn (the parameters name the port: "CLK0".."CLK3", "CE0".., "RST0"..).
module gatesim_mult_reg #(
  parameter W = 18,
  parameter CLK = "NONE",
  parameter CE = "CE0",
  parameter RST = "RST0",
  parameter RESETMODE = "SYNC"
) (
  input  [3:0] clk,
  input  [3:0] ce,
  input  [3:0] rst,
  input  [W-1:0] d,
  output [W-1:0] q
);
  // "CLKn"/"CEn"/"RSTn": n is the last character.
  localparam integer ClkIdx = CLK[7:0] - "0";
  localparam integer CeIdx = CE[7:0] - "0";
  localparam integer RstIdx = RST[7:0] - "0";
  generate
    if (CLK == "NONE") begin : g_bypass
      assign q = d;
    end else begin : g_reg
      reg [W-1:0] r;
      initial r = {W{1'b0}};
      wire rst_async = (RESETMODE == "ASYNC") && rst[RstIdx];
      always @(posedge clk[ClkIdx] or posedge rst_async) begin
        if (rst_async || rst[RstIdx]) r <= {W{1'b0}};
        else if (ce[CeIdx]) r <= d;
      end
      assign q = r;
    end
  endgenerate
endmodule
