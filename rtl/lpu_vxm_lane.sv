// Copyright openlpu contributors.
//
// lpu_vxm_lane: the datapath of one VXM lane (one element of up to 32 bits per instruction).
//
// Three result paths, one per latency class of the VXM (lpu_vxm checks that the ISA's latencies match):
//   ALU  (LAT 2): every lane-wise op but mul/req/specials. Computed in the dispatch cycle t, registered:
//                 alu_q_o is valid in cycle t+1.
//   MUL  (LAT 3): mul. Operands registered at the end of t (the multipliers' input registers), products and
//                 their sum in t+1, registered: mul_q_o is valid in cycle t+2.
//   LONG (LAT 4): req, exp2, rsqrt, sigmoid, silu. t: operands and table address; t+1: products (req's a*m,
//                 the sigmoid slope D*f, silu's x*S) and table results; t+2: req rounding/saturation, silu's
//                 x*g and sum; long_q_o is valid in cycle t+3.
// Each output register holds the result replicated to all four byte positions of the word for narrow types
// (i8: 4 copies, i16: 2), so the parent routes byte (s mod 4) of a word to stream s without a type mux.
//
// Multipliers: M0 and M1 (17x17 signed, one MULT18X18D each) serve mul, req, sigmoid and silu in t+1.
// mul.i32 needs a third 16x16 product (only its low 16 bits), and silu x * ((D*f) >> 8) (16 x 10 bits) in t+2,
// when M0/M1 are busy with the next instruction: those two are LUT multipliers (lpu_vxm_lutmul) to spare DSPs.

module lpu_vxm_lane #(
  parameter bit TablesInBram = 1'b1
) (
  input  logic        clk_i,

  // Stage 0: the instruction dispatched in this cycle (t).
  input  logic [6:0]  op0_i,
  input  logic [1:0]  tw0_i,        // element type T (result, operands b and c)
  input  logic [1:0]  aw0_i,        // type of operand a (S for cvt, i32 for req, else T)
  input  logic [1:0]  bw0_i,        // type of operand b (i16 for req, else T)
  input  logic [31:0] a_i,          // raw operand bytes; bytes at and above the operand's width are ignored
  input  logic [31:0] b_i,
  input  logic [31:0] c_i,

  // Stage 1: the instruction dispatched in t-1 (op/type registered by the parent).
  input  logic [6:0]  op1_i,
  input  logic [1:0]  tw1_i,

  // Stage 2: the instruction dispatched in t-2.
  input  logic [6:0]  op2_i,
  input  logic [1:0]  tw2_i,
  input  logic [5:0]  shamt2_i,

  output logic [31:0] alu_q_o,      // ALU result of the instruction dispatched in t-1 (valid in t)
  output logic [31:0] mul_q_o,      // mul result of the instruction dispatched in t-2
  output logic [31:0] long_q_o      // LONG result of the instruction dispatched in t-3
);

  // -----------------------------------------------------------------------------------------------------------
  // Helpers
  // -----------------------------------------------------------------------------------------------------------

  // Sign-extends the low 8/16/32 bits of x (type t) to 34 bits.
  function automatic logic signed [33:0] sext(input logic [31:0] x, input logic [1:0] t);
    logic signed [33:0] r;
    unique case (t)
      lpu_isa_pkg::TYPE_I8:  r = 34'($signed(x[7:0]));
      lpu_isa_pkg::TYPE_I16: r = 34'($signed(x[15:0]));
      default:               r = 34'($signed(x));
    endcase
    sext = r;
  endfunction

  // Zero-extends the low 8/16/32 bits of x.
  function automatic logic [31:0] zext(input logic [31:0] x, input logic [1:0] t);
    logic [31:0] r;
    unique case (t)
      lpu_isa_pkg::TYPE_I8:  r = {24'b0, x[7:0]};
      lpu_isa_pkg::TYPE_I16: r = {16'b0, x[15:0]};
      default:               r = x;
    endcase
    zext = r;
  endfunction

  // Clamps x to the range of type t: x fits iff its bits from w-1 up are all equal (sign copies); otherwise the
  // sign picks the bound. Constant bit slices, no wide comparators.
  function automatic logic [31:0] sat(input logic [49:0] x, input logic [1:0] t);
    logic        fits;
    logic [31:0] bound;
    unique case (t)
      lpu_isa_pkg::TYPE_I8: begin
        fits  = (x[49:7] == '0) || (x[49:7] == '1);
        bound = x[49] ? 32'hFFFF_FF80 : 32'h0000_007F;
      end
      lpu_isa_pkg::TYPE_I16: begin
        fits  = (x[49:15] == '0) || (x[49:15] == '1);
        bound = x[49] ? 32'hFFFF_8000 : 32'h0000_7FFF;
      end
      default: begin
        fits  = (x[49:31] == '0) || (x[49:31] == '1);
        bound = x[49] ? 32'h8000_0000 : 32'h7FFF_FFFF;
      end
    endcase
    sat = fits ? x[31:0] : bound;
  endfunction

  // Copies the low element of x into every element position of the word (see the header).
  function automatic logic [31:0] repl(input logic [31:0] x, input logic [1:0] t);
    logic [31:0] r;
    unique case (t)
      lpu_isa_pkg::TYPE_I8:  r = {4{x[7:0]}};
      lpu_isa_pkg::TYPE_I16: r = {2{x[15:0]}};
      default:               r = x;
    endcase
    repl = r;
  endfunction

  // -----------------------------------------------------------------------------------------------------------
  // Stage 0 (cycle t): ALU
  // -----------------------------------------------------------------------------------------------------------
  logic signed [33:0] a_s, b_s;        // operands sign-extended from their types
  logic [31:0]        c_s;
  logic signed [33:0] sum_s, dif_s;
  logic [4:0]         shamt_alu;       // b mod w
  logic [31:0]        sh_in, sh_out;   // the one right shifter shared by shl, shr and shrl
  logic signed [33:0] sat_in;          // the one saturation shared by adds, subs and cvt
  logic [31:0]        sat_out;
  logic               sh_fill;
  logic [31:0]        alu_d;

  function automatic logic [31:0] bitrev(input logic [31:0] x);
    logic [31:0] r;
    for (int unsigned i = 0; i < 32; i++) begin
      r[i] = x[31-i];
    end
    bitrev = r;
  endfunction

  always_comb begin
    a_s   = sext(a_i, aw0_i);
    b_s   = sext(b_i, bw0_i);
    c_s   = 32'(sext(c_i, tw0_i));
    sum_s = a_s + b_s;
    dif_s = a_s - b_s;
    unique case (tw0_i)
      lpu_isa_pkg::TYPE_I8:  shamt_alu = {2'b0, b_i[2:0]};
      lpu_isa_pkg::TYPE_I16: shamt_alu = {1'b0, b_i[3:0]};
      default:               shamt_alu = b_i[4:0];
    endcase

    // shl is a right shift of the bit-reversed operand; shr fills with the sign of the sign-extended operand
    // (correct in the low w bits for every w), shrl shifts the zero-extended one.
    unique case (op0_i)
      lpu_isa_pkg::OP_SHL: sh_in = bitrev(a_i);
      lpu_isa_pkg::OP_SHR: sh_in = a_s[31:0];
      default:             sh_in = zext(a_i, tw0_i);
    endcase
    sh_fill = (op0_i == lpu_isa_pkg::OP_SHR) && a_s[33];

    unique case (op0_i)
      lpu_isa_pkg::OP_ADDS: sat_in = sum_s;
      lpu_isa_pkg::OP_SUBS: sat_in = dif_s;
      default:              sat_in = a_s;     // cvt: widening leaves a_s as is, narrowing saturates
    endcase
    sat_out = sat(50'(sat_in), tw0_i);
    sh_out  = 32'({{32{sh_fill}}, sh_in} >> shamt_alu);

    // Only the low w bits of alu_d matter; wrapping results are the low bits of the 32-bit ones.
    unique case (op0_i)
      lpu_isa_pkg::OP_ADD:   alu_d = sum_s[31:0];
      lpu_isa_pkg::OP_SUB:   alu_d = dif_s[31:0];
      lpu_isa_pkg::OP_ADDS,
      lpu_isa_pkg::OP_SUBS:  alu_d = sat_out;
      lpu_isa_pkg::OP_AND:   alu_d = a_i & b_i;
      lpu_isa_pkg::OP_OR:    alu_d = a_i | b_i;
      lpu_isa_pkg::OP_XOR:   alu_d = a_i ^ b_i;
      lpu_isa_pkg::OP_SHL:   alu_d = bitrev(sh_out);
      lpu_isa_pkg::OP_SHR,
      lpu_isa_pkg::OP_SHRL:  alu_d = sh_out;
      lpu_isa_pkg::OP_MIN:   alu_d = dif_s[33] ? a_s[31:0] : b_s[31:0];
      lpu_isa_pkg::OP_MAX:   alu_d = dif_s[33] ? b_s[31:0] : a_s[31:0];
      lpu_isa_pkg::OP_CMPEQ: alu_d = {32{a_s == b_s}};
      lpu_isa_pkg::OP_CMPLT: alu_d = {32{dif_s[33]}};
      lpu_isa_pkg::OP_SEL:   alu_d = (a_s != '0) ? b_s[31:0] : c_s;
      lpu_isa_pkg::OP_NEG:   alu_d = 32'(-a_s);
      lpu_isa_pkg::OP_ABS:   alu_d = a_s[33] ? 32'(-a_s) : a_s[31:0];
      lpu_isa_pkg::OP_NOT:   alu_d = ~a_i;
      lpu_isa_pkg::OP_MOV:   alu_d = a_i;
      lpu_isa_pkg::OP_RELU:  alu_d = a_s[33] ? '0 : a_s[31:0];
      lpu_isa_pkg::OP_CVT:   alu_d = sat_out;
      default:               alu_d = '0;
    endcase
  end

  always_ff @(posedge clk_i) begin
    alu_q_o <= repl(alu_d, tw0_i);
  end

  // -----------------------------------------------------------------------------------------------------------
  // Stage 0 (cycle t): multiplier operands and table address
  // -----------------------------------------------------------------------------------------------------------
  logic [16:0] m0a_d, m0b_d, m1a_d, m1b_d;
  logic [15:0] xa_d, xb_d;       // mul.i32 cross term; for specials xa = x, xb = {rsqrt k, v == 0}
  logic [8:0]  rom_addr;
  logic        rom_en;

  // rsqrt normalisation: k = floor(clz(v) / 2), m = (v << 2k) >> 24.
  logic [3:0]  rs_k;
  logic [7:0]  rs_m;

  always_comb begin
    rs_k = '0;
    for (int unsigned i = 0; i < 16; i++) begin
      // The highest set bit pair (2i+1, 2i) decides k; scanning upward leaves the last (highest) match.
      if (a_i[2*i+1] || a_i[2*i]) begin
        rs_k = 4'(15 - i);
      end
    end
    rs_m = 8'((a_i << {rs_k, 1'b0}) >> 24);
  end

  always_comb begin
    m0a_d    = {1'b0, a_i[15:0]};
    m0b_d    = {1'b0, b_i[15:0]};
    m1a_d    = {a_i[31], a_i[31:16]};
    m1b_d    = {1'b0, b_i[15:0]};
    xa_d     = a_i[15:0];
    xb_d     = b_i[31:16];
    rom_addr = '0;
    rom_en   = 1'b0;
    unique case (op0_i)
      lpu_isa_pkg::OP_REQ: begin
        // p = a * m = (a_hi * m) << 16 + a_lo(unsigned) * m, exact in 48 bits.
        m0b_d = {b_i[15], b_i[15:0]};
        m1b_d = {b_i[15], b_i[15:0]};
      end
      lpu_isa_pkg::OP_EXP2: begin
        rom_en   = 1'b1;
        rom_addr = {1'b1, a_i[7:0]};                 // E[f], f = x & 255
      end
      lpu_isa_pkg::OP_RSQRT: begin
        rom_en   = 1'b1;
        rom_addr = {1'b1, rs_m};                     // R[m]
        xb_d     = {11'b0, rs_k, a_i == '0};
      end
      lpu_isa_pkg::OP_SIGMOID, lpu_isa_pkg::OP_SILU: begin
        rom_en   = 1'b1;
        rom_addr = {1'b0, ~a_i[15], a_i[14:8]};      // j = (x >> 8) + 128
        m0a_d    = {a_i[15], a_i[15:0]};             // x, times S[j] in t+1 (silu)
        m1b_d    = {9'b0, a_i[7:0]};                 // f, times the slope D[j] in t+1
      end
      default: ;
    endcase
  end

  logic [16:0] m0a_q, m0b_q, m1a_q, m1b_q;
  logic [15:0] xa_q, xb_q;

  always_ff @(posedge clk_i) begin
    m0a_q <= m0a_d;
    m0b_q <= m0b_d;
    m1a_q <= m1a_d;
    m1b_q <= m1b_d;
    xa_q  <= xa_d;
    xb_q  <= xb_d;
  end

  logic [32:0] rom_q;

  lpu_vxm_rom #(
    .InBram (TablesInBram)
  ) u_rom (
    .clk_i  (clk_i),
    .en_i   (rom_en),
    .addr_i (rom_addr),
    .data_o (rom_q)
  );

  // -----------------------------------------------------------------------------------------------------------
  // Stage 1 (cycle t+1): products, table results
  // -----------------------------------------------------------------------------------------------------------
  logic               is_sig1;
  logic signed [16:0] m0b_eff, m1a_eff;
  logic signed [33:0] p0, p1;
  logic [15:0]        cross_lo;         // low 16 bits of a_lo * b_hi (mul.i32 only)
  logic signed [47:0] prod;
  logic [47:0]        prod_d;
  logic [31:0]        long2_d;

  assign is_sig1 = (op1_i == lpu_isa_pkg::OP_SIGMOID) || (op1_i == lpu_isa_pkg::OP_SILU);
  // The table words read in t feed the multipliers, which sigmoid/silu do not otherwise use: M1 = D[j] * f
  // (the slope term), M0 = x * S[j] (silu's x * s = x * S[j] + x * ((D[j] * f) >> 8)).
  assign m0b_eff = is_sig1 ? $signed({1'b0, rom_q[15:0]}) : $signed(m0b_q);
  assign m1a_eff = is_sig1 ? $signed({7'b0, rom_q[25:16]}) : $signed(m1a_q);

  assign p0 = $signed(m0a_q) * m0b_eff;
  assign p1 = m1a_eff * $signed(m1b_q);

  lpu_vxm_lutmul #(
    .AW    (16),
    .BW    (16),
    .ProdW (16)
  ) u_cross_mul (
    .a_i    (xa_q),
    .b_i    (xb_q),
    .prod_o (cross_lo)
  );

  always_comb begin
    // mul: low 32 bits of (a_hi*b_lo + a_lo*b_hi) << 16 + a_lo*b_lo. req: a*m exactly.
    prod = (48'(p1) <<< 16) + 48'(p0);
    if (op1_i == lpu_isa_pkg::OP_MUL) begin
      prod_d = {16'b0, repl(prod[31:0] + {cross_lo, 16'b0}, tw1_i)};
    end else if (op1_i == lpu_isa_pkg::OP_SILU) begin
      prod_d = 48'(p0);                              // x * S[j]
    end else begin
      prod_d = prod;
    end
  end

  // Special functions that finish in t+1.
  logic signed [7:0] ex_i;      // exp2 integer part
  logic [15:0]       ex_e;      // E[f]
  logic [31:0]       ex_res;
  logic [47:0]       rs_shifted;
  logic [31:0]       rs_res;
  logic [31:0]       sg_res;    // sigmoid(x), Q0.15

  always_comb begin
    ex_i = $signed(xa_q[15:8]);
    ex_e = rom_q[15:0];
    if (ex_i >= 8'sd1) begin
      ex_res = 32'd32767;
    end else if (ex_i == 8'sd0) begin
      ex_res = {16'b0, ex_e};
    end else if (ex_i >= -8'sd15) begin
      ex_res = {16'b0, ex_e >> 4'(-ex_i)};
    end else begin
      ex_res = '0;
    end

    rs_shifted = 48'(rom_q[32:16]) << xb_q[4:1];
    if (xb_q[0] || rs_shifted > 48'h7FFF_FFFF) begin
      rs_res = 32'h7FFF_FFFF;
    end else begin
      rs_res = rs_shifted[31:0];
    end

    // S[j] + ((D[j] * f) >> 8); D*f < 2^18.
    sg_res = 32'(rom_q[15:0]) + 32'(p1[17:8]);

    unique case (op1_i)
      lpu_isa_pkg::OP_EXP2:  long2_d = ex_res;
      lpu_isa_pkg::OP_RSQRT: long2_d = rs_res;
      lpu_isa_pkg::OP_SILU:  long2_d = 32'(p1[17:8]);  // g = (D[j] * f) >> 8, 0 .. 1019
      default:               long2_d = sg_res;
    endcase
  end

  logic [47:0] prod_q;
  logic [31:0] long2_q;
  logic [15:0] x2_q;

  always_ff @(posedge clk_i) begin
    prod_q  <= prod_d;
    long2_q <= long2_d;
    x2_q    <= xa_q;
  end

  assign mul_q_o = prod_q[31:0];

  // -----------------------------------------------------------------------------------------------------------
  // Stage 2 (cycle t+2): req rounding and saturation, silu
  // -----------------------------------------------------------------------------------------------------------
  // req: r = (p + 2^(sh-1) - (p < 0)) >> sh  ==  sign(p) * ((|p| + 2^(sh-1)) >> sh)  (round half away from
  // zero; for sh = 0 the half is 0 and r = p). |p| <= 2^46, so 49 bits hold the sum for every sh.
  logic        rq_neg;
  logic [48:0] rq_mag, rq_half, rq_q;
  logic signed [49:0] rq_r;
  logic [31:0] rq_res;

  always_comb begin
    rq_neg  = prod_q[47];
    rq_mag  = rq_neg ? -{prod_q[47], prod_q} : {prod_q[47], prod_q};
    rq_half = (shamt2_i == '0) ? '0 : (49'd1 << (shamt2_i - 6'd1));
    rq_q    = (rq_mag + rq_half) >> shamt2_i;
    rq_r    = rq_neg ? -$signed({1'b0, rq_q}) : $signed({1'b0, rq_q});
    rq_res  = sat(50'(rq_r), tw2_i);
  end

  // silu: (x * S[j] + x * g + 2^14) >> 15, x * S[j] from M0 in t+1, x * g (16 x 10 bits) here.
  logic [25:0]        si_xg;
  logic signed [31:0] si_res;

  lpu_vxm_lutmul #(
    .AW    (16),
    .BW    (10),
    .ProdW (26)
  ) u_silu_mul (
    .a_i    (x2_q),
    .b_i    (long2_q[9:0]),
    .prod_o (si_xg)
  );

  assign si_res = ($signed(prod_q[31:0]) + 32'($signed(si_xg)) + 32'sd16384) >>> 15;

  logic [31:0] long3_d;

  always_comb begin
    unique case (op2_i)
      lpu_isa_pkg::OP_REQ:  long3_d = rq_res;
      lpu_isa_pkg::OP_SILU: long3_d = si_res;
      default:              long3_d = long2_q;
    endcase
  end

  always_ff @(posedge clk_i) begin
    long_q_o <= repl(long3_d, tw2_i);
  end

endmodule
