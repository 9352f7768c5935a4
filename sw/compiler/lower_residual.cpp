// residual_add on the VXM: IntModel's residual update (sw/llm/int_model.cpp, addToResidual)
//   y = sat32(x + req16(acc, m[col], shift))
// as vector steps (lower_vector.cpp), per row r and column tile t:
//   r16 = req.i16(acc_t, m_t, shift)   (exact 48-bit product, rounded half away, saturated to i16:
//                                        sw/llm's req(acc, m, shift, 16))
//   r32 = cvt.i32.i16(r16)             (sign extension, exact)
//   y_t = adds.i32(x_t, r32)           (the exact sum clamped to i32: saturate(x + r, 32))
// Padding lanes: acc, m and x are 0 there, so y is 0. Fused (planFusion: acc is the temp result of
// a matmul read only here, nothing pinned, no K split lost): the matmul's ABCE bundle runs the
// req16 on the i32 group as it leaves the MXM and writes r16 to n.name + ".r16" (lowerMatmul), and
// only cvt and adds remain here. Otherwise acc is in SRAM (its 4 planes on the matmul's slices);
// the req reads acc and m from opposite hemispheres, so m is taken from its copy in the other
// hemisphere (allocateAll gives an unplaced m one on each side), or moved there once per tile by a
// mov.i16.
//
// In place: y may be pinned onto x's own words (installPins allows exactly that overlap). Each
// tile's adds reads x_t before it writes y_t in the same bundle, and vxmOp writes a word only after
// the latest read any earlier node placed of it (lastRead); no later node may read x.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerResidualAdd(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& X = layout_.tensor(n.inputs[0]);
  const TensorLayout* Ap = layout_.tensors.count(n.inputs[1]) ? &layout_.tensor(n.inputs[1]) : nullptr;
  const TensorLayout& Mt = layout_.tensor(n.inputs[2]);
  const TensorLayout& Y = layout_.tensor(n.output);
  // In place: no node after this one may read x (it would see y).
  bool in_place = false;
  for (unsigned ct = 0; ct < X.col_tiles && !in_place; ++ct)
    for (unsigned p = 0; p < X.planes && !in_place; ++p) {
      const WordLoc a = X.locate(0, ct, p), b = Y.locate(0, ct, p);
      in_place = a.position == b.position && a.address == b.address;
    }
  if (in_place)
    for (int c : g_.consumers(n.inputs[0]))
      if (c > ni)
        throw CompileError(fmt::format("node '{}': writes '{}' in place of '{}', which node '{}' reads later", n.name,
                                       n.output, n.inputs[0], g_.nodes[static_cast<std::size_t>(c)].name));
  auto side = [&] { return static_cast<int>(next_side_++ % 2); };
  // m_t in hemisphere `s`: a copy of m that is there, else one mov.i16 (kept for the other rows).
  std::map<std::pair<unsigned, int>, VecVal> mult;
  auto multiplier = [&](unsigned ct, int s) {
    if (auto it = mult.find({ct, s}); it != mult.end()) return it->second;
    // (A copy may hold only some tiles: a fused req's copy s holds those of MXM side s.)
    VecVal any;
    bool found = false;
    for (unsigned cp = 0; cp < 2; ++cp) {
      if (!Mt.hasCopy(cp, ct)) continue;
      VecVal v;
      v.width = 2;
      for (unsigned k = 0; k < 2; ++k) v.loc[k] = Mt.locate(0, ct, k, cp);
      if (sideOf(v) == s) return mult[{ct, s}] = v;
      if (!found) any = v, found = true;
    }
    if (!found)
      throw CompileError(
          fmt::format("node '{}': no copy of multiplier '{}' holds column tile {}", n.name, Mt.name, ct));
    const VecVal v = newVal(2, s);
    vxmOp(ni, fmt::format("{} tile {}: multiplier to the other hemisphere", n.name, ct),
          vecInsn(Opcode::kMov, ElemType::kI16), {{any, Field::kSrca, 2}}, v);
    return mult[{ct, s}] = v;
  };
  Instruction rq = vecInsn(Opcode::kReq, ElemType::kI16);
  rq.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
  const unsigned T = X.col_tiles;
  // Fused: the matmul's epilogue wrote req16(acc) to n.name + ".r16".
  bool fused = false;
  for (int f : fused_into_) fused |= f == ni;
  // Many tiles: independent steps, limited by slice ports rather than latency.
  const bool spread = T > 8;
  for (unsigned r = 0; r < X.rows; ++r) {
    // Step by step over the tiles (as rmsnorm): each step of every tile finds the earliest slots.
    std::vector<VecVal> r16(T), r32(T);
    auto what = [&](unsigned ct, const char* step) {
      return fmt::format("{} row {} tile {}: {}", n.name, r, ct, step);
    };
    for (unsigned ct = 0; ct < T && fused; ++ct) r16[ct] = tensorVal(layout_.tensor(n.name + ".r16"), r, ct);
    for (unsigned ct = 0; ct < T && !fused; ++ct) {
      const VecVal acc = tensorVal(*Ap, r, ct);
      r16[ct] = newVal(2, side(), {}, spread);
      vxmOp(ni, what(ct, "req16"), rq, {{acc, Field::kSrca, 4}, {multiplier(ct, 1 - sideOf(acc)), Field::kSrcb, 2}},
            r16[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct) {
      r32[ct] = newVal(4, 1 - sideOf(tensorVal(X, r, ct)), {}, spread);
      vxmOp(ni, what(ct, "widen"), vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI16), {{r16[ct], Field::kSrca, 2}},
            r32[ct]);
    }
    for (unsigned ct = 0; ct < T; ++ct)
      vxmOp(ni, what(ct, "x + r"), vecInsn(Opcode::kAdds, ElemType::kI32),
            {{tensorVal(X, r, ct), Field::kSrca, 4}, {r32[ct], Field::kSrcb, 4}}, tensorVal(Y, r, ct));
  }
}

}  // namespace lpu::compiler::lowering
