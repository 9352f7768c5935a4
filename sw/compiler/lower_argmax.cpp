// Argmax of an i16 row on the VXM and SXM: the index of the first maximum (sw/llm's argmaxInt), as
// vector steps (lower_vector.cpp). Each element is turned into an i32 key without a VXM op: the
// key's byte planes are read from two places at once, planes 0-1 from a per-tile constant
// c = 32767 - index (i16) and planes 2-3 from the value's own two planes, so key = value * 2^16 + c
// and the signed maximum of the keys is the largest value with the smallest index. Per row:
//   (last tile, when padded) key = min.i32(key, cap): cap is INT32_MIN in the padding lanes
//   best = max.i32 over the tiles (a balanced tree), then across the lanes: log2(lanes) times
//          best = max.i32(best, rotate(best, d)) (4 SXM rotates, one per byte plane)
//   low = and.i32(best, 0xFFFF in lane 0, else 0); y = sub.i32(32767 in lane 0, else 0; low)
// y holds the index in lane 0 and 0 in the other lanes (a 1x1 i32 tensor, zero padding).
#include <fmt/format.h>

#include <limits>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerArgmax(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& X = layout_.tensor(n.inputs[0]);
  const TensorLayout& Y = layout_.tensor(n.output);
  const unsigned T = X.col_tiles;
  for (unsigned r = 0; r < X.rows; ++r) {
    const std::string row = fmt::format("{} row {}", n.name, r);
    std::vector<VecVal> keys;
    for (unsigned ct = 0; ct < T; ++ct) {
      const VecVal x = tensorVal(X, r, ct);
      std::set<unsigned> xs;
      for (unsigned k = 0; k < x.width; ++k) xs.insert(x.loc[k].position);
      std::vector<std::int64_t> c(L_);
      for (unsigned l = 0; l < L_; ++l) c[l] = 32767 - static_cast<std::int64_t>(ct * L_ + l);
      const VecVal cv = constVal(2, c, sideOf(x), xs);
      VecVal key;
      key.width = 4;
      key.loc[0] = cv.loc[0], key.loc[1] = cv.loc[1], key.loc[2] = x.loc[0], key.loc[3] = x.loc[1];
      if ((ct + 1) * L_ > X.cols) {
        std::vector<std::int64_t> cap(L_, std::numeric_limits<std::int32_t>::max());
        for (unsigned l = X.cols - ct * L_; l < L_; ++l) cap[l] = std::numeric_limits<std::int32_t>::min();
        const VecVal cc = constVal(4, cap, 1 - sideOf(key));
        const VecVal k2 = newVal(4, sideOf(key));
        vxmOp(ni, fmt::format("{} tile {}: mask padding", row, ct), vecInsn(Opcode::kMin, ElemType::kI32),
              {{key, Field::kSrca, 4}, {cc, Field::kSrcb, 4}}, k2);
        key = k2;
      }
      keys.push_back(key);
    }
    VecVal best = reduceTree(ni, row + " max", keys, vecInsn(Opcode::kMax, ElemType::kI32));
    best = laneReduce(ni, row + " max", best, vecInsn(Opcode::kMax, ElemType::kI32));
    std::vector<std::int64_t> mask(L_, 0), top(L_, 0);
    mask[0] = 0xFFFF, top[0] = 32767;
    const VecVal cm = constVal(4, mask, 1 - sideOf(best));
    const VecVal low = newVal(4, sideOf(best));
    vxmOp(ni, row + ": low half", vecInsn(Opcode::kAnd, ElemType::kI32),
          {{best, Field::kSrca, 4}, {cm, Field::kSrcb, 4}}, low);
    const VecVal y = tensorVal(Y, r, 0);
    const VecVal ct = constVal(4, top, 1 - sideOf(low));
    vxmOp(ni, row + ": index", vecInsn(Opcode::kSub, ElemType::kI32), {{ct, Field::kSrca, 4}, {low, Field::kSrcb, 4}},
          y);
  }
}

}  // namespace lpu::compiler::lowering
