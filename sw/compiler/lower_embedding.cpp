// embedding: IntModel's first step (sw/llm/int_model.cpp, forward)
//   x = req16(E[token], mE[token], shift)        E: i8 vocab x dim, mE: i16 vocab x 1, x: i32 1 x dim
// with the table resident in SRAM and only the token id (a 1x1 i16 input: two words) written per
// token. The TSP's one indirect access is MEM `gather` (docs/isa.md): a slice reads, per superlane
// k, the word whose address is the i16 element in lane k * superlane_lanes of its map stream group.
// Row `token` of E's column tile t is word base_t + token of one slice (a plain layout: a tile's
// rows are consecutive words), so the map is token + base_t, computed on the VXM and sent straight
// to that slice (gatherStep):
//   token broadcast (superlanes > 1 only): SXM `permute` of the token's planes by an all-zero map,
//     so that every superlane's map lane holds it (the host writes lane 0);
//   multiplier, per plane p of mE: add.i16(token, base(mE, p)) -> gather (lane 0 = mE[token]) ->
//     write; then SXM `permute` by an all-zero map: mE[token] in every lane;
//   per tile t: add.i16(token, base_t) -> gather E[token] tile t -> cvt.i32.i8 on the VXM (one
//     bundle), then req.i16 with the multiplier and cvt.i32.i16 into x.
// Padding lanes of E are 0, so x is 0 there. A token outside 0..vocab-1 reads other words of the
// slice (or raises BAD_ADDRESS past its end): the host must not write one.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

std::int64_t Lowering::gatherStep(int node, const std::string& what, const VecVal& token, std::uint32_t base,
                                  unsigned pos, const Instruction* then, const VecVal& dst) {
  // Timing (VXM add at 0): the map is at `pos` at a = L(add) + h - 1 (h hops), where the gather
  // dispatches; its word is at the VXM at a + L(gather) + h - 1 for `then`, or at dst's slice as it
  // passes (written there).
  Bundle b;
  b.what = what;
  Constraint c;
  const int add = b.add(vxm_, 0, vecInsn(Opcode::kAdd, ElemType::kI16));
  const int tg = readVal(b, c, token, 2, 0);
  b.consume(add, Field::kSrca, tg, vxm_, 0, 2);
  const VecVal bv = constVal(2, std::vector<std::int64_t>(L_, base), 1 - sideOf(token));
  const int bg = readVal(b, c, bv, 2, 0);
  b.consume(add, Field::kSrcb, bg, vxm_, 0, 2);
  const int mg = b.group(toward(vxm_, pos), 2);
  b.produce(mg, add, Field::kDst, vxm_, latencyOf(Opcode::kAdd));
  const int gi = b.add(pos, b.arrival(mg, 0, pos), makeInsn(Opcode::kGather));
  b.consume(gi, Field::kMmap, mg, pos, 0, 2);
  std::vector<std::pair<WordLoc, int>> writes;
  if (then) {
    const int og = b.group(toward(pos, vxm_), 1);
    b.produce(og, gi, Field::kMstrm, pos, latencyOf(Opcode::kGather));
    const int ci = b.add(vxm_, b.arrival(og, 0, vxm_), *then);
    b.consume(ci, Field::kSrca, og, vxm_);
    const int dg = b.group(toward(vxm_, dst.loc[0].position), isa::typeBytes(then->type));
    b.produce(dg, ci, Field::kDst, vxm_, then->desc->latency);
    writes = writeVal(b, dg, dst);
  } else {
    const WordLoc& w = dst.loc[0];
    if (w.position == pos)
      throw std::logic_error(fmt::format("{}: gather result written in the gathering slice", what));
    const int og = b.group(toward(pos, w.position), 1);
    b.produce(og, gi, Field::kMstrm, pos, latencyOf(Opcode::kGather));
    writes.emplace_back(w, addWrite(b, og, 0, w));
  }
  const std::int64_t t = placeBundle(b, c, node, what);
  const int id = static_cast<int>(sched_.placements().size() - 1);
  for (const auto& [w, wi] : writes)
    setReady(w, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite), id);
  return t;
}

void Lowering::lowerEmbedding(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& TOK = layout_.tensor(n.inputs[0]);
  const TensorLayout& E = layout_.tensor(n.inputs[1]);
  const TensorLayout& ME = layout_.tensor(n.inputs[2]);
  const TensorLayout& Y = layout_.tensor(n.output);
  // Row 0 of tile ct, plane p of `t`, after checking that row r is word base + r of the same slice
  // (gather addresses a row by adding the token to one base).
  auto rowZero = [&](const TensorLayout& t, unsigned ct, unsigned p) {
    const WordLoc w0 = t.locate(0, ct, p), wl = t.locate(t.rows - 1, ct, p);
    if (t.fragmentOf(ct, p, 0).interleaved || wl.position != w0.position || wl.address != w0.address + t.rows - 1)
      throw CompileError(fmt::format(
          "node '{}': tensor '{}' tile {} plane {}: gather needs the tile's {} rows as consecutive words of one "
          "slice (a plain, not row-interleaved layout)",
          n.name, t.name, ct, p, t.rows));
    return w0;
  };
  const std::vector<std::int64_t> zeros(L_, 0);
  VecVal tok = tensorVal(TOK, 0, 0);
  if (cfg_.superlanes() > 1) {
    // Every superlane's gather takes its address from its own first lane: the token in all lanes.
    std::set<unsigned> used;
    for (unsigned k = 0; k < tok.width; ++k) used.insert(tok.loc[k].position);
    const int s = sideOf(tok);
    const VecVal zmap = constVal(1, zeros, s, used);
    std::set<unsigned> avoid = used;
    avoid.insert(zmap.loc[0].position);
    const VecVal tb = newVal(2, s, avoid);
    permuteVal(ni, n.name + ": token to every superlane", tok, zmap, tb);
    tok = tb;
  }
  // The multiplier: each plane gathered into a word of one hemisphere, then broadcast from lane 0.
  const int ms = 1 - sideOf(tok);
  VecVal mg = newVal(2, ms);
  for (unsigned p = 0; p < 2; ++p) {
    const WordLoc w0 = rowZero(ME, 0, p);
    if (mg.loc[p].position == w0.position) {
      // (gather's result leaves its slice: the word goes to another one.)
      std::set<unsigned> avoid{w0.position};
      for (unsigned k = 0; k < 2; ++k)
        if (k != p) avoid.insert(mg.loc[k].position);
      mg.loc[p] = newVal(1, ms, avoid).loc[0];
    }
    gatherStep(ni, fmt::format("{}: multiplier plane {}", n.name, p), tok, w0.address, w0.position, nullptr,
               VecVal{1, {mg.loc[p]}});
  }
  std::set<unsigned> mslices{mg.loc[0].position, mg.loc[1].position};
  const VecVal zmap = constVal(1, zeros, ms, mslices);
  // The broadcast multiplier opposite the tiles' i32 values (the req reads both in one cycle).
  const int es = 1 - ms;
  const VecVal m = newVal(2, 1 - es);
  permuteVal(ni, n.name + ": multiplier to every lane", mg, zmap, m);
  const unsigned T = E.col_tiles;
  const bool spread = T > 8;
  std::vector<VecVal> e32(T), r16(T);
  const Instruction widen8 = vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI8);
  for (unsigned ct = 0; ct < T; ++ct) {
    const WordLoc w0 = rowZero(E, ct, 0);
    e32[ct] = newVal(4, es, {}, spread);
    gatherStep(ni, fmt::format("{} tile {}: gather row", n.name, ct), tok, w0.address, w0.position, &widen8, e32[ct]);
  }
  Instruction rq = vecInsn(Opcode::kReq, ElemType::kI16);
  rq.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
  for (unsigned ct = 0; ct < T; ++ct) {
    r16[ct] = newVal(2, static_cast<int>(ct % 2), {}, spread);
    vxmOp(ni, fmt::format("{} tile {}: req16", n.name, ct), rq, {{e32[ct], Field::kSrca, 4}, {m, Field::kSrcb, 2}},
          r16[ct]);
  }
  for (unsigned ct = 0; ct < T; ++ct)
    vxmOp(ni, fmt::format("{} tile {}: widen", n.name, ct), vecInsn(Opcode::kCvt, ElemType::kI32, ElemType::kI16),
          {{r16[ct], Field::kSrca, 2}}, tensorVal(Y, 0, ct));
}

}  // namespace lpu::compiler::lowering
