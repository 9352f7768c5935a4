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
  auto op = [](Opcode o, ElemType t, ElemType st = ElemType::kI8) {
    Instruction i = makeInsn(o);
    i.type = t;
    i.stype = st;
    return i;
  };
  Instruction rq = op(Opcode::kReq, ElemType::kI8);
  rq.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
  const std::vector<std::int64_t> m(L_, n.multiplier[0]);
  const bool spread = G.col_tiles > 2;
  for (unsigned r = 0; r < G.rows; ++r)
    for (unsigned ct = 0; ct < G.col_tiles; ++ct) {
      const std::string tile = fmt::format("{} row {} tile {}", n.name, r, ct);
      const int a = static_cast<int>(ct % 2);
      const VecVal s = newVal(2, a, {}, spread);
      vxmOp(ni, tile + ": silu", op(Opcode::kSilu, ElemType::kI16), {{tensorVal(G, r, ct), Field::kSrca, 2}}, s);
      const VecVal s32 = newVal(4, a, {}, spread);
      vxmOp(ni, tile + ": widen gate", op(Opcode::kCvt, ElemType::kI32, ElemType::kI16), {{s, Field::kSrca, 2}}, s32);
      const VecVal u32 = newVal(4, 1 - a, {}, spread);
      vxmOp(ni, tile + ": widen up", op(Opcode::kCvt, ElemType::kI32, ElemType::kI8),
            {{tensorVal(U, r, ct), Field::kSrca, 1}}, u32);
      const VecVal p = newVal(4, a, {}, spread);
      vxmOp(ni, tile + ": product", op(Opcode::kMul, ElemType::kI32), {{s32, Field::kSrca, 4}, {u32, Field::kSrcb, 4}},
            p);
      vxmOp(ni, tile + ": req", rq, {{p, Field::kSrca, 4}, {constVal(2, m, 1 - a), Field::kSrcb, 2}},
            tensorVal(Y, r, ct), copiesOf(Y, r, ct));
    }
}

}  // namespace lpu::compiler::lowering
