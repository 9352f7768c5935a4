// SwiGLU on the VXM: sw/llm's swigluInt, y = req8(silu(gate) * up, m, shift), as vector steps
// (lower_vector.cpp). Per row and column tile:
//   s = silu.i16(gate)  (Q4.11 -> Q4.11);  s32 = cvt.i32.i16(s);  u32 = cvt.i32.i8(up)
//   p = mul.i32(s32, u32)  (exact: |s * up| < 2^22);  y = req.i8(p, m, shift)
// silu(0) = 0, so zero padding stays zero. The tiles are independent: slice ports, not latency,
// set the rate.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerSwiglu(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& G = layout_.tensor(n.inputs[0]);
  const TensorLayout& U = layout_.tensor(n.inputs[1]);
  const TensorLayout& Y = layout_.tensor(n.output);
  Instruction rq = vecInsn(Opcode::kReq, ElemType::kI8);
  rq.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
  const std::vector<std::int64_t> m(L_, n.multiplier[0]);
  const bool spread = G.col_tiles > 2;
  // Step by step over groups of up to kWave tiles: each tile's chain is latency-bound and the tiles
  // are independent, so a group's steps fill each other's gaps (on the measured shapes whole rows did
  // better than groups of 2, 4 or 8 tiles).
  constexpr unsigned kWave = 32;
  for (unsigned r = 0; r < G.rows; ++r)
    for (unsigned c0 = 0; c0 < G.col_tiles; c0 += kWave) {
      const unsigned c1 = std::min(G.col_tiles, c0 + kWave);
      std::vector<VecVal> s(c1), s32(c1), u32(c1), p(c1);
      auto tile = [&](unsigned ct, const char* what) {
        return fmt::format("{} row {} tile {}: {}", n.name, r, ct, what);
      };
      auto side = [](unsigned ct) { return static_cast<int>(ct % 2); };
      for (unsigned ct = c0; ct < c1; ++ct) {
        s[ct] = newVal(2, side(ct), {}, spread);
        vxmOp(ni, tile(ct, "silu"), vecInsn(Opcode::kSilu, ElemType::kI16), {{tensorVal(G, r, ct), Field::kSrca, 2}},
              s[ct]);
      }
      for (unsigned ct = c0; ct < c1; ++ct) {
        u32[ct] = newVal(4, 1 - side(ct), {}, spread);
        vxmOp(ni, tile(ct, "widen up"), vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI8),
              {{tensorVal(U, r, ct), Field::kSrca, 1}}, u32[ct]);
      }
      for (unsigned ct = c0; ct < c1; ++ct) {
        s32[ct] = newVal(4, side(ct), {}, spread);
        vxmOp(ni, tile(ct, "widen gate"), vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI16),
              {{s[ct], Field::kSrca, 2}}, s32[ct]);
      }
      for (unsigned ct = c0; ct < c1; ++ct) {
        p[ct] = newVal(4, side(ct), {}, spread);
        vxmOp(ni, tile(ct, "product"), vecInsn(Opcode::kMul, ElemType::kI32),
              {{s32[ct], Field::kSrca, 4}, {u32[ct], Field::kSrcb, 4}}, p[ct]);
      }
      for (unsigned ct = c0; ct < c1; ++ct)
        vxmOp(ni, tile(ct, "req"), rq, {{p[ct], Field::kSrca, 4}, {constVal(2, m, 1 - side(ct)), Field::kSrcb, 2}},
              tensorVal(Y, r, ct), copiesOf(Y, r, ct));
    }
}

}  // namespace lpu::compiler::lowering
