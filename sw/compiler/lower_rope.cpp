// RoPE on the SXM and VXM: sw/llm's ropeInt. X (i16, rows x cols) holds interleaved pairs (x0, x1);
// C and S (i16, 1 x cols, Q1.14) hold, in every lane, the cos and sin of that lane's pair at the
// token's position: the host writes the position's makeRopeTable row with each value in both lanes
// of its pair and repeated per head (or points the node at a constant table row). Per lane i,
// with the pair swapped (w[i] = x[i ^ 1]) and the sign folded into the sine (s'[i] = -s on even,
// +s on odd lanes):
//   y[i] = req8(x[i] * c[i] + w[i] * s'[i], 1, 22)
// which is x0*c - x1*s on even and x1*c + x0*s on odd lanes, exactly ropeInt (|x*c| <= 2^29, so
// the i32 sum is exact). Steps per column tile, once for all rows:
//   c32 = cvt.i32.i16(C);  s32 = cvt.i32.i16(S);  s' = mul.i32(s32, +-1)
// and per row and tile:
//   w = permute(x, map i ^ 1)  (SXM, one bundle per i16 plane; pairs never straddle a tile: lanes
//   are even);  x32 = cvt.i32.i16(x);  w32 = cvt.i32.i16(w);  p = mul.i32(x32, c32);
//   q = mul.i32(w32, s');  y = req.i8(add.i32(p, q), 1, 22)
// Every two-operand step takes its operands from opposite hemispheres (an i32 operand fills a
// direction's streams on ulx3s). Zero padding stays zero. The tiles are independent: as swiglu,
// the steps go step by step over the tiles so that their chains fill each other's gaps.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerRope(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& X = layout_.tensor(n.inputs[0]);
  const TensorLayout& C = layout_.tensor(n.inputs[1]);
  const TensorLayout& S = layout_.tensor(n.inputs[2]);
  const TensorLayout& Y = layout_.tensor(n.output);
  const Instruction widen = vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI16);
  const Instruction mul = vecInsn(Opcode::kMul, ElemType::kI32);
  Instruction rq = vecInsn(Opcode::kReq, ElemType::kI8);
  rq.set(Field::kShamt, 22);
  std::vector<std::int64_t> swap(L_), sign(L_);
  for (unsigned l = 0; l < L_; ++l) {
    swap[l] = l ^ 1U;
    sign[l] = l % 2 ? 1 : -1;
  }
  const std::vector<std::int64_t> one(L_, 1);
  const bool spread = X.col_tiles > 2;
  auto side = [](unsigned ct) { return static_cast<int>(ct % 2); };
  auto name = [&](unsigned r, unsigned ct, const char* what) {
    return r == ~0U ? fmt::format("{} tile {}: {}", n.name, ct, what)
                    : fmt::format("{} row {} tile {}: {}", n.name, r, ct, what);
  };
  // The position's factors, widened once (every row of X is at the same position).
  const unsigned T = X.col_tiles;
  std::vector<VecVal> c32(T), s32(T), ss(T);
  for (unsigned ct = 0; ct < T; ++ct) {
    c32[ct] = newVal(4, 1 - side(ct), {}, spread);
    vxmOp(ni, name(~0U, ct, "widen cos"), widen, {{tensorVal(C, 0, ct), Field::kSrca, 2}}, c32[ct]);
  }
  for (unsigned ct = 0; ct < T; ++ct) {
    s32[ct] = newVal(4, 1 - side(ct), {}, spread);
    vxmOp(ni, name(~0U, ct, "widen sin"), widen, {{tensorVal(S, 0, ct), Field::kSrca, 2}}, s32[ct]);
  }
  for (unsigned ct = 0; ct < T; ++ct) {
    ss[ct] = newVal(4, side(ct), {}, spread);
    vxmOp(ni, name(~0U, ct, "signed sin"), mul,
          {{s32[ct], Field::kSrca, 4}, {constVal(4, sign, side(ct)), Field::kSrcb, 4}}, ss[ct]);
  }
  for (unsigned r = 0; r < X.rows; ++r) {
    std::vector<VecVal> w(T), x32(T), w32(T), p(T), q(T), sum(T);
    for (unsigned ct = 0; ct < T; ++ct) {
      const VecVal x = tensorVal(X, r, ct);
      const int xs = sideOf(x);
      std::set<unsigned> xsl;
      for (unsigned k = 0; k < x.width; ++k) xsl.insert(x.loc[k].position);
      w[ct] = newVal(2, xs, {}, spread);
      permuteVal(ni, name(r, ct, "swap pairs"), x, constVal(1, swap, xs, xsl), w[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      x32[ct] = newVal(4, side(ct), {}, spread);
      vxmOp(ni, name(r, ct, "widen x"), widen, {{tensorVal(X, r, ct), Field::kSrca, 2}}, x32[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      w32[ct] = newVal(4, 1 - side(ct), {}, spread);
      vxmOp(ni, name(r, ct, "widen swapped"), widen, {{w[ct], Field::kSrca, 2}}, w32[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      p[ct] = newVal(4, side(ct), {}, spread);
      vxmOp(ni, name(r, ct, "x cos"), mul, {{x32[ct], Field::kSrca, 4}, {c32[ct], Field::kSrcb, 4}}, p[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      q[ct] = newVal(4, 1 - side(ct), {}, spread);
      vxmOp(ni, name(r, ct, "swapped sin"), mul, {{w32[ct], Field::kSrca, 4}, {ss[ct], Field::kSrcb, 4}}, q[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      sum[ct] = newVal(4, side(ct), {}, spread);
      vxmOp(ni, name(r, ct, "sum"), vecInsn(Opcode::kAdd, ElemType::kI32),
            {{p[ct], Field::kSrca, 4}, {q[ct], Field::kSrcb, 4}}, sum[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct)
      vxmOp(ni, name(r, ct, "req"), rq, {{sum[ct], Field::kSrca, 4}, {constVal(2, one, 1 - side(ct)), Field::kSrcb, 2}},
            tensorVal(Y, r, ct), copiesOf(Y, r, ct));
  }
}

}  // namespace lpu::compiler::lowering
