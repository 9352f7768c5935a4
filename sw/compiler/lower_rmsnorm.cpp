// Integer RMSNorm on the VXM and SXM: sw/llm's rmsnormInt (docs/llm.md §4) as a sequence of vector
// steps (lower_vector.cpp). Per row of x (i32, T column tiles of `lanes`):
//   per tile t:  u = shr.i32(x_t, 2); q = cvt.i16.i32(u) (saturating); q32 = cvt.i32.i16(q);
//                s_t = mul.i32(q32, q32)                                   (exact: q^2 <= 2^30)
//   ss = adds.i32 over the tiles (a balanced tree), then across the lanes: log2(lanes) times
//        ss = adds.i32(ss, rotate(ss, d)), d = lanes/2 .. 1 (4 SXM rotates, one per byte plane)
//   e = adds.i32(ss, eps_term); r = rsqrt.i32(e); m = cvt.i16.i32(shr.i32(r, r_shift))
//   per tile t:  y_t = req.i8(x_t, m, shift)
// Every term is non-negative, so the saturating sums equal min(2^31 - 1, eps_term + sum q^2) in any
// order: the value IntModel computes. Padding lanes of x are 0 and contribute 0; their y is 0.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerRmsnorm(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& X = layout_.tensor(n.inputs[0]);
  const TensorLayout& Y = layout_.tensor(n.output);
  auto side = [&] { return static_cast<int>(next_side_++ % 2); };
  // Many tiles: their steps are independent and the slice ports, not latency, limit.
  const bool spread = X.col_tiles > 8;
  const std::vector<std::int64_t> two(L_, 2), eps(L_, n.eps_term), rsh(L_, n.r_shift);
  for (unsigned r = 0; r < X.rows; ++r) {
    const std::string row = fmt::format("{} row {}", n.name, r);
    // Step by step over all tiles (each tile's chain is latency-bound, the tiles are independent):
    // placed in this order, every step of every tile finds the earliest free slots.
    const unsigned T = X.col_tiles;
    std::vector<VecVal> u(T), q(T), q32(T), squares(T);
    auto tile = [&](unsigned ct, const char* what) { return fmt::format("{} tile {}: {}", row, ct, what); };
    for (unsigned ct = 0; ct < T; ++ct) {
      const VecVal x = tensorVal(X, r, ct);
      const VecVal c2 = constVal(1, two, 1 - sideOf(x));
      u[ct] = newVal(4, side(), {}, spread);
      vxmOp(ni, tile(ct, "x >> 2"), vecInsn(Opcode::kShr, ElemType::kI32),
            {{x, Field::kSrca, 4}, {c2, Field::kSrcb, 4}}, u[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      q[ct] = newVal(2, side(), {}, spread);
      vxmOp(ni, tile(ct, "sat16"), vecInsn(Opcode::kCvt, ElemType::kI16, ElemType::kI32), {{u[ct], Field::kSrca, 4}},
            q[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      q32[ct] = newVal(4, side(), {}, spread);
      vxmOp(ni, tile(ct, "widen"), vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI16), {{q[ct], Field::kSrca, 2}},
            q32[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      squares[ct] = newVal(4, static_cast<int>(ct % 2), {}, spread);
      vxmOp(ni, tile(ct, "square"), vecInsn(Opcode::kMul, ElemType::kI32),
            {{q32[ct], Field::kSrca, 4}, {q32[ct], Field::kSrcb, 4}}, squares[ct]);
    }
    const Instruction adds = vecInsn(Opcode::kAdds, ElemType::kI32);
    VecVal ss = reduceTree(ni, row + " sum", squares, adds);
    ss = laneReduce(ni, row + " sum", ss, adds);
    const VecVal ce = constVal(4, eps, 1 - sideOf(ss));
    const VecVal e = newVal(4, side());
    vxmOp(ni, row + ": + eps", adds, {{ss, Field::kSrca, 4}, {ce, Field::kSrcb, 4}}, e);
    const VecVal rs = newVal(4, side());
    vxmOp(ni, row + ": rsqrt", vecInsn(Opcode::kRsqrt, ElemType::kI32), {{e, Field::kSrca, 4}}, rs);
    const VecVal cr = constVal(1, rsh, 1 - sideOf(rs));
    const VecVal rr = newVal(4, side());
    vxmOp(ni, row + ": >> r_shift", vecInsn(Opcode::kShr, ElemType::kI32),
          {{rs, Field::kSrca, 4}, {cr, Field::kSrcb, 4}}, rr);
    // m in the hemisphere opposite x's first tile (req reads both in one cycle); a copy on the other
    // side (mov) when tiles of x sit in both, as a matmul's output may.
    VecVal m[2];
    const int m_side = 1 - sideOf(tensorVal(X, r, 0));
    m[m_side] = newVal(2, m_side);
    vxmOp(ni, row + ": multiplier", vecInsn(Opcode::kCvt, ElemType::kI16, ElemType::kI32), {{rr, Field::kSrca, 4}},
          m[m_side]);
    bool have_other = false;
    Instruction rq = vecInsn(Opcode::kReq, ElemType::kI8);
    rq.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
    for (unsigned ct = 0; ct < X.col_tiles; ++ct) {
      const VecVal x = tensorVal(X, r, ct);
      const int ms = 1 - sideOf(x);
      if (ms != m_side && !have_other) {
        m[ms] = newVal(2, ms);
        vxmOp(ni, row + ": multiplier copy", vecInsn(Opcode::kMov, ElemType::kI16), {{m[m_side], Field::kSrca, 2}},
              m[ms]);
        have_other = true;
      }
      vxmOp(ni, fmt::format("{} tile {}: req", row, ct), rq, {{x, Field::kSrca, 4}, {m[ms], Field::kSrcb, 2}},
            tensorVal(Y, r, ct), copiesOf(Y, r, ct));
    }
  }
}

}  // namespace lpu::compiler::lowering
