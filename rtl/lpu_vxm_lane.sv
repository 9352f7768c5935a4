// Copyright openlpu contributors.
//
// lpu_vxm_lane: the datapath of one VXM lane (one element of up to 32 bits per instruction).
//
// The parent (lpu_vxm) decodes each instruction once into the one-hot controls below and pipelines
// them, so a lane holds no opcode decoder. Three result paths, one per latency class of the VXM
// (lpu_vxm checks that the ISA's latencies match):
//   ALU  (LAT 2): every lane-wise op but mul/req/specials. Computed in the dispatch cycle t,
//                 registered: alu_q_o is valid in cycle t+1. One 33-bit adder serves
//                 add/sub/adds/subs/neg/abs/cvt and the comparison of min/max/cmplt; one rotator
//                 and a mask serve shl, shr and shrl.
//   MUL  (LAT 3): mul. Operands registered at the end of t (the multipliers' input registers),
//                 products and their sum in t+1, registered: mul_q_o is valid in cycle t+2.
//   LONG (LAT 4): req, exp2, rsqrt, sigmoid, silu. t: operands and table address; t+1: products
//                 (req's a*m, the sigmoid slope D*f, silu's x*S + 2^14 and the five partial
//                 products of x*g), table results, req's rounding constant; t+2: req rounding,
//                 shift and saturation, silu's sum; long_q_o is valid in cycle t+3.
// Each output register holds the result replicated to all four byte positions of the word for
// narrow types (i8: 4 copies, i16: 2), so the parent routes byte (s mod 4) of a word to stream s
// without a type mux.
//
// Multipliers: M0 and M1 (17x17 signed, one MULT18X18D each) serve mul, req, sigmoid and silu in
// t+1; M2 (a third MULT18X18D) the cross product mul.i32 needs (16x16, only its low 16 bits).
// silu's x * g, g = (D*f) >> 8 (16 x 10 bits), cannot use M0/M1: g comes out of M1 in t+1. It is
// built from LUTs and carry chains instead: five partial products x * g[2k+1:2k] in t+1 (one
// 18-bit adder each, right behind M1), registered, and summed with x*S in t+2 by a tree of
// 2-input adders.
// The special-function table is outside the lane (lpu_vxm_rom, one per lane pair): address out in
// t, data in t+1.

module lpu_vxm_lane (
  input  logic        clk_i,

  // Stage 0 (cycle t): the instruction dispatched in this cycle, decoded by the parent.
  input  logic        t8_i,         // element type T (result, operands b and c) is i8
  input  logic        t16_i,        // ... is i16 (neither: i32)
  input  logic        a8_i,         // type of operand a (S for cvt, i32 for req, else T) is i8
  input  logic        a16_i,
  input  logic        b8_i,         // type of operand b (i16 for req, else T) is i8
  input  logic        b16_i,
  input  logic        x_neg_i,      // adder x = ~a, carry 1 (neg)
  input  logic        x_abs_i,      // adder x = a or ~a by the sign of a, carry likewise (abs)
  input  logic        y_zero_i,     // adder y = 0 (neg, abs, cvt)
  input  logic        y_inv_i,      // adder y = ~b, carry 1 (sub, subs, min, max, cmplt)
  input  logic        sat_i,        // saturate the adder's result to T (adds, subs, cvt)
  input  logic        r_add_i,      // result: the adder (add, sub, adds, subs, neg, abs, cvt)
  input  logic        r_logic_i,    // result: a op b, op by lc_i
  input  logic [1:0]  lc_i,         // 0 and, 1 or, 2 xor, 3 not
  input  logic        r_shl_i,
  input  logic        r_shr_i,      // shr or shrl
  input  logic        sh_arith_i,   // shr
  input  logic        r_min_i,
  input  logic        r_max_i,
  input  logic        r_mov_i,
  input  logic        r_relu_i,
  input  logic        r_sel_i,
  input  logic        r_cmpeq_i,
  input  logic        r_cmplt_i,
  input  logic        req0_i,
  input  logic        exp0_i,
  input  logic        rsq0_i,
  input  logic        sig0_i,       // sigmoid or silu
  // raw operand bytes; bytes at and above the operand's width are ignored
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  input  logic [31:0] c_i,

  // Stage 1 (cycle t+1): the instruction dispatched in t-1, registered by the parent.
  input  logic        t8_1_i,
  input  logic        t16_1_i,
  input  logic        exp1_i,
  input  logic        rsq1_i,
  input  logic        sig1_i,       // sigmoid or silu
  input  logic        silu1_i,
  // req: ones below bit shamt-1 (2^(shamt-1) - 1); bit 47 for shamt >= 48
  input  logic [47:0] klow1_i,
  // req: bit shamt-1 (2^(shamt-1)); bit 47 for shamt >= 48; 0 for shamt 0
  input  logic [47:0] kone1_i,

  // Stage 2 (cycle t+2): the instruction dispatched in t-2.
  input  logic        t8_2_i,
  input  logic        t16_2_i,
  input  logic        req2_i,
  input  logic        silu2_i,
  input  logic [5:0]  shamt2_i,
  // req: bits j >= shamt + w - 1 of the rounded sum (must equal its sign)
  input  logic [48:0] fits2_i,

  // Special-function table (lpu_vxm_rom, shared with a neighbour lane): address in t, data in t+1.
  output logic        tab_en_o,     // a special instruction reads the table (t)
  output logic [9:0]  tab_addr_o,   // {function, index} (t)
  input  logic [25:0] tab_data_i,   // {D[j], S[j] / E[f] / R[m]} (t+1)

  output logic [31:0] alu_q_o,      // ALU result of the instruction dispatched in t-1 (valid in t)
  output logic [31:0] mul_q_o,      // mul result of the instruction dispatched in t-2
  output logic [31:0] long_q_o      // LONG result of the instruction dispatched in t-3
);

  // -----------------------------------------------------------------------------------------------
  // Helpers
  // -----------------------------------------------------------------------------------------------

  // Sign-extends the low 8/16/32 bits of x to 33 bits.
  function automatic logic [32:0] sext(input logic [31:0] x, input logic t8, input logic t16);
    logic [32:0] r;
    r = {x[31], x};
    if (t8) begin
      r = {{25{x[7]}}, x[7:0]};
    end else if (t16) begin
      r = {{17{x[15]}}, x[15:0]};
    end
    sext = r;
  endfunction

  // Copies the low element of x into every element position of the word (see the header).
  function automatic logic [31:0] repl(input logic [31:0] x, input logic t8, input logic t16);
    logic [31:0] r;
    r = x;
    if (t8) begin
      r = {4{x[7:0]}};
    end else if (t16) begin
      r = {2{x[15:0]}};
    end
    repl = r;
  endfunction


  // -----------------------------------------------------------------------------------------------
  // Stage 0 (cycle t): ALU
  // -----------------------------------------------------------------------------------------------
  logic [32:0] a_s, b_s;         // operands sign-extended from their types
  logic [32:0] add_x, add_y, sum;
  logic        unused_sum_lsb;
  logic        add_cin;
  logic        lt, eq, a_neg, a_nz;
  logic [31:0] lowm;             // bits below w-1 of type T
  logic        fits;
  logic [31:0] add_res;          // the adder's result, saturated if asked
  logic [31:0] logic_res, pick_res, sh_rot, sh_keep, sh_res;
  logic        sh_fill, cmp_true;
  logic [4:0]  shamt_alu;        // b mod w
  logic [4:0]  sh_rot_amt;
  logic        pick_a, pick_b, pick_c;
  logic [31:0] alu_d;

  always_comb begin
    a_s = sext(a_i, a8_i, a16_i);
    b_s = sext(b_i, b8_i, b16_i);

    // One adder: x + y + cin. neg: ~a + 1; abs: a or ~a + 1 by the sign; cvt: a + 0 (then
    // saturated); sub-like: a + ~b + 1 (lt = the sign of the 33-bit difference, which cannot
    // overflow).
    a_neg   = a_s[32];
    add_x   = a_s ^ {33{x_neg_i | (x_abs_i & a_neg)}};
    add_y   = (b_s & {33{!y_zero_i}}) ^ {33{y_inv_i}};
    add_cin = x_neg_i | (x_abs_i & a_neg) | y_inv_i;
    // The carry enters as the LSB of a 34-bit two-operand add: `x + y + cin` would become a
    // three-operand $macc that Yosys maps to LUT full adders instead of one carry chain.
    {sum, unused_sum_lsb} = {add_x, 1'b1} + {add_y, add_cin};
    lt      = sum[32];

    // Saturation to T: the sum fits iff its bits from w-1 up are all copies of its sign (bit 32).
    lowm = t8_i ? 32'h0000_007F : (t16_i ? 32'h0000_7FFF : 32'h7FFF_FFFF);
    fits = ((sum[31:0] ^ {32{sum[32]}}) & ~lowm) == '0;
    add_res = (sat_i && !fits) ? ({32{sum[32]}} ^ lowm) : sum[31:0];

    // Compare and select on the raw operands: only the low w bits of the result matter.
    eq   = ((a_i ^ b_i) & {{16{!t8_i && !t16_i}}, {8{!t8_i}}, 8'hFF}) == '0;
    a_nz = (a_i & {{16{!t8_i && !t16_i}}, {8{!t8_i}}, 8'hFF}) != '0;
    cmp_true = (r_cmpeq_i && eq) || (r_cmplt_i && lt);
    pick_a = r_mov_i || (r_min_i && lt) || (r_max_i && !lt) || (r_relu_i && !a_neg);
    pick_b = (r_min_i && !lt) || (r_max_i && lt) || (r_sel_i && a_nz);
    pick_c = r_sel_i && !a_nz;
    pick_res = ({32{pick_a}} & a_i) | ({32{pick_b}} & b_i) | ({32{pick_c}} & c_i);

    unique case (lc_i)
      2'd0:    logic_res = a_i & b_i;
      2'd1:    logic_res = a_i | b_i;
      2'd2:    logic_res = a_i ^ b_i;
      default: logic_res = ~a_i;
    endcase

    // Shifts by s = b mod w as one rotation of the raw operand and a mask; only the low w bits of
    // the result matter. shl: rotate left by s (right by -s mod 32), bit i kept iff i >= s, else 0.
    // shr/shrl: rotate right by s, bit i kept iff i + s < w (bit i + s of the element), else the
    // fill: the element's sign (shr) or 0 (shrl).
    shamt_alu  = {b_i[4] && !t8_i && !t16_i, b_i[3] && !t8_i, b_i[2:0]};
    sh_fill    = sh_arith_i && a_neg;
    sh_rot_amt = r_shl_i ? 5'(5'd0 - shamt_alu) : shamt_alu;
    sh_keep    = r_shl_i ? (32'hFFFF_FFFF << shamt_alu) :
                 ({{16{!t8_i && !t16_i}}, {8{!t8_i}}, 8'hFF} >> shamt_alu);
  end

  always_comb begin
    sh_rot = 32'({a_i, a_i} >> sh_rot_amt);
    sh_res = (sh_rot & sh_keep) | (~sh_keep & {32{sh_fill}});
    // One-hot AND-OR of the result paths (the parent raises exactly one r_* for an ALU
    // instruction).
    alu_d  = ({32{r_add_i}} & add_res) | ({32{r_logic_i}} & logic_res) |
             ({32{r_shl_i || r_shr_i}} & sh_res) | pick_res | {32{cmp_true}};
  end

  always_ff @(posedge clk_i) begin
    alu_q_o <= repl(alu_d, t8_i, t16_i);
  end

  // -----------------------------------------------------------------------------------------------
  // Stage 0 (cycle t): multiplier operands and table address
  // -----------------------------------------------------------------------------------------------
  logic [16:0] m0a_d, m0b_d, m1a_d, m1b_d;
  logic [15:0] xa_d, xb_d;       // mul.i32 cross term; for specials xa = x, xb = {rsqrt k, v == 0}
  logic        neg_d;            // req: a * m < 0

  // rsqrt normalisation: k = floor(clz(v) / 2), m = (v << 2k) >> 24.
  logic [3:0]  rs_k;
  logic [7:0]  rs_m;

  always_comb begin
    rs_k = '0;
    for (int unsigned i = 0; i < 16; i++) begin
      // The highest set bit pair (2i+1, 2i) decides k; scanning upward leaves the last (highest)
      // match.
      if (a_i[2*i+1] || a_i[2*i]) begin
        rs_k = 4'(15 - i);
      end
    end
    rs_m = 8'((a_i << {rs_k, 1'b0}) >> 24);
  end

  always_comb begin
    // p = a * m = (a_hi * m) << 16 + a_lo(unsigned) * m, exact in 48 bits (req, m sign-extended);
    // mul: a_lo * b_lo and a_hi * b_lo (b_lo unsigned).
    m0a_d    = sig0_i ? {a_i[15], a_i[15:0]} : {1'b0, a_i[15:0]};   // x, times S[j] in t+1 (silu)
    m0b_d    = {req0_i && b_i[15], b_i[15:0]};
    m1a_d    = {a_i[31], a_i[31:16]};
    // f, times the slope D[j]
    m1b_d    = sig0_i ? {9'b0, a_i[7:0]} : {req0_i && b_i[15], b_i[15:0]};
    xa_d     = a_i[15:0];
    xb_d     = rsq0_i ? {11'b0, rs_k, a_i == '0} : b_i[31:16];
    tab_en_o   = exp0_i || rsq0_i || sig0_i;
    tab_addr_o = sig0_i ? {2'b00, ~a_i[15], a_i[14:8]} :             // S[j], j = (x >> 8) + 128
                 (rsq0_i ? {2'b10, rs_m} : {2'b01, a_i[7:0]});       // R[m] or E[f], f = x & 255
    neg_d    = (a_i[31] ^ b_i[15]) && (a_i != '0) && (b_i[15:0] != '0);
  end

  logic [16:0] m0a_q, m0b_q, m1a_q, m1b_q;
  logic [15:0] xa_q, xb_q;
  logic        neg_q;

  always_ff @(posedge clk_i) begin
    m0a_q <= m0a_d;
    m0b_q <= m0b_d;
    m1a_q <= m1a_d;
    m1b_q <= m1b_d;
    xa_q  <= xa_d;
    xb_q  <= xb_d;
    neg_q <= neg_d;
  end

  logic [25:0] rom_q;
  assign rom_q = tab_data_i;

  // -----------------------------------------------------------------------------------------------
  // Stage 1 (cycle t+1): products, table results, req's rounding constant
  // -----------------------------------------------------------------------------------------------
  logic signed [16:0] m0b_eff, m1a_eff;
  logic signed [33:0] p0, p1;
  logic [15:0]        cross_lo;         // low 16 bits of a_lo * b_hi (mul.i32 only)
  logic [47:0]        prod_d;
  logic [31:0]        mul_d;
  logic [31:0]        long2_d;
  logic [47:0]        k_d;

  // The table words read in t feed the multipliers, which sigmoid/silu do not otherwise use:
  // M1 = D[j] * f (the slope term), M0 = x * S[j]
  // (silu's x * s = x * S[j] + x * ((D[j] * f) >> 8)).
  assign m0b_eff = sig1_i ? $signed({1'b0, rom_q[15:0]}) : $signed(m0b_q);
  assign m1a_eff = sig1_i ? $signed({7'b0, rom_q[25:16]}) : $signed(m1a_q);

  assign p0 = $signed(m0a_q) * m0b_eff;
  assign p1 = m1a_eff * $signed(m1b_q);

  // M2: the third MULT18X18D (only the low 16 bits are used).
  assign cross_lo = xa_q * xb_q;

  always_comb begin
    // mul: low 32 bits of (a_hi*b_lo + a_lo*b_hi) << 16 + a_lo*b_lo. req: a*m exactly;
    // silu: x * S[j].
    mul_d  = {p0[31:16] + p1[15:0] + cross_lo, p0[15:0]};
    // silu: x * S[j] + 2^14 (its rounding constant, folded in here so t+2 has one term less).
    // One adder, its second operand muxed: p1 << 16 has no bits below 16.
    prod_d = 48'(p0) + (silu1_i ? 48'h4000 : (48'(p1) << 16));
    // req's rounding constant 2^(shamt-1) - (p < 0), from the parent's masks.
    k_d    = neg_q ? klow1_i : kone1_i;
  end

  // Special functions that finish in t+1.
  logic signed [7:0] ex_i;      // exp2 integer part
  logic [15:0]       ex_e;      // E[f]
  logic [31:0]       ex_res;
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

    // R[m] < 2^16 for every m >= 64 (lpu_vxm_rom checks it), so R[m] << k < 2^31 never saturates;
    // v = 0 does.
    rs_res = xb_q[0] ? 32'h7FFF_FFFF : (32'(rom_q[15:0]) << xb_q[4:1]);

    // S[j] + ((D[j] * f) >> 8); D*f < 2^18.
    sg_res = 32'(rom_q[15:0]) + 32'(p1[17:8]);

    long2_d = sg_res;
    if (exp1_i) begin
      long2_d = ex_res;
    end else if (rsq1_i) begin
      long2_d = rs_res;
    end else if (silu1_i) begin
      long2_d = 32'(p1[17:8]);                       // g = (D[j] * f) >> 8, 0 .. 1019
    end
  end

  // silu: the partial products x * g_k, g_k = g[2k+1:2k] (k = 0..4, g = p1[17:8]), each exact in
  // 18 bits signed (|x * g_k| <= 3 * 2^15). Written as an and-or and one add, not `*`: Yosys would
  // map a `*` to a MULT18X18D.
  logic [17:0]       sx_x;      // x, sign-extended to 18 bits
  logic [4:0][17:0]  sx_d;

  always_comb begin
    sx_x = {{2{xa_q[15]}}, xa_q};
    for (int unsigned k = 0; k < 5; k++) begin
      sx_d[k] = ({18{p1[8+2*k]}} & sx_x) + ({18{p1[9+2*k]}} & {sx_x[16:0], 1'b0});
    end
  end

  logic [47:0]      prod_q, k_q;
  logic [31:0]      long2_q;
  logic [4:0][17:0] sx_q;

  always_ff @(posedge clk_i) begin
    mul_q_o <= repl(mul_d, t8_1_i, t16_1_i);
    prod_q  <= prod_d;
    k_q     <= k_d;
    long2_q <= long2_d;
    sx_q    <= sx_d;
  end

  // -----------------------------------------------------------------------------------------------
  // Stage 2 (cycle t+2): req rounding and saturation, silu
  // -----------------------------------------------------------------------------------------------
  // req: r = (p + 2^(sh-1) - (p < 0)) >> sh (arithmetic). |p| <= 2^46, so the 49-bit sum s cannot
  // overflow; for sh >= 48 the parent's constant 2^47 makes s positive and below 2^48, so r = 0 as
  // required.
  // Only the low 16 bits of r are kept (req's types are i8 and i16): r fits in w bits iff the bits
  // of s from sh + w - 1 up (the parent's fits mask) all equal its sign.
  logic [48:0] rq_s;
  logic [15:0] rq_win;
  logic        rq_fits;
  logic [15:0] rq_lowm;
  logic [31:0] rq_res;

  always_comb begin
    rq_s    = {prod_q[47], prod_q} + {1'b0, k_q};
    rq_fits = ((rq_s ^ {49{rq_s[48]}}) & fits2_i) == '0;
    rq_lowm = t8_2_i ? 16'h007F : 16'h7FFF;
  end

  // For shamt >= 48 the sum is positive, so the fill (its sign) is right for every window bit.
  assign rq_win = 16'({{15{rq_s[48]}}, rq_s} >> shamt2_i);
  assign rq_res = {16'b0, rq_fits ? rq_win : ({16{rq_s[48]}} ^ rq_lowm)};

  // silu: (x * S[j] + 2^14 + x * g) >> 15 with x * g = sum_k (x * g_k) << 2k. Every node below is
  // exact in its width (|x * g[2i+1:0]| < 2^15 * 4^(i+1)), so the sum equals the 32-bit
  // (x * S[j] + x * g + 2^14) mod 2^32 the reference computes. Depth 3: {s01, s23, s4p}, s03, sum.
  // keep: each node stays a separate 2-input adder on its own carry chain. Without it Yosys merges
  // the tree into one $macc: 70.6 instead of 77.2 MHz (block_pnr.sh), worst path sx_q -> long_q_o.
  (* keep *) logic [19:0] si_s01, si_s23;  // x * g[3:0], x * g[7:4]
  (* keep *) logic [23:0] si_s03;          // x * g[7:0]
  (* keep *) logic [31:0] si_s4p;          // x * S[j] + 2^14 + (x * g[9:8]) << 8
  logic [31:0]        si_sum;
  logic signed [31:0] si_res;

  assign si_s01 = 20'($signed(sx_q[0])) + (20'($signed(sx_q[1])) << 2);
  assign si_s23 = 20'($signed(sx_q[2])) + (20'($signed(sx_q[3])) << 2);
  assign si_s03 = 24'($signed(si_s01)) + (24'($signed(si_s23)) << 4);
  assign si_s4p = prod_q[31:0] + (32'($signed(sx_q[4])) << 8);
  assign si_sum = si_s4p + 32'($signed(si_s03));
  assign si_res = $signed(si_sum) >>> 15;

  logic [31:0] long3_d;

  always_comb begin
    long3_d = long2_q;
    if (req2_i) begin
      long3_d = rq_res;
    end else if (silu2_i) begin
      long3_d = si_res;
    end
  end

  always_ff @(posedge clk_i) begin
    long_q_o <= repl(long3_d, t8_2_i, t16_2_i);
  end

endmodule
