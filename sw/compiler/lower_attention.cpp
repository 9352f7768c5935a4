// One attention head of sw/llm's IntModel (the `for (int h ...)` block of IntModel::forward with
// softmaxWeights and reciprocalQ21) at P = K.rows positions, on the MXMs, VXM and SXMs:
//   scores[t] = sum_i q[q_col + i] * K[t][kv_col + i]            t < P, i < hs (= Y.cols)
//   top = max scores; z = req16(scores - top, m, shift); w = min((exp2(z) + 64) >> 7, 127); sum = sum w
//   inv = req16(r, sat16(r >> 14), 27), r = rsqrt(sum);  Y[i] = req8(sum_t w[t] * V[t][kv_col + i], inv, 21)
// The head lies in one column tile of q and of K/V (c0 = kv_col mod lanes, hs <= lanes - c0).
// Node::part 1 is sections 1-3 (the weights w into the i8 tensor of attentionWeightsRows, a block per row), part 2
// sections 4 and 5 from that tensor (V its second input): one head in two programs where one no longer fits.
//
// Scores (MXM_W). The MXM computes x . W, a sum over the rows of W, but a K row holds one position's
// dims, so K rows as weights would sum over positions. Instead K's rows are the activations and q
// is the weight, one column at a time: W_j has q's head in column j (rows c0 .. c0+hs-1, zero
// elsewhere), so the ABC of K row t = b*lanes + j on W_j adds scores[t] to lane j of slot b. With
// the ABCs ordered by j (all blocks' position j on W_j, abc for j = 0, abca, abce at the block's last
// position) slot b ends holding the block's scores, one position per lane: the transpose a score
// vector needs happens in the accumulators. W_j's rows are built once: per dim i, a splat of q[i]
// (SXM permute with a constant map), then and.i8 with the one-hot mask of lane j (hs * lanes VXM
// steps). Up to mxm_acc_slots blocks per round; each round reloads the W_j.
// Softmax (VXM, vector steps, lower_vector.cpp), per block of lanes positions: the abce's i32 row
// goes through the VXM on its way to SRAM (mov.i32, or min.i32 with INT32_MIN in the padding lanes
// of a last partial block, so that they never win the max); top = max.i32 over blocks and lanes
// (every lane ends with it); d = subs.i32(s, top) (exact for real lanes: |scores| <= hs * 2^14);
// z = req.i16(d, m, shift); e = exp2.i16(z); w = req.i8(e, 1, 7), which is min((e + 64) >> 7, 127)
// for e >= 0 (e's two planes and two zero planes read as the i32 operand); a partial block's padding
// lanes are cleared (and.i8).
// Sum (MXM_E, or MXM_W with one MXM): each block's w row through an all-ones weight tile, accumulated over the blocks:
// every lane of the emitted row is sum w; rsqrt.i32 is applied as it passes the VXM, then
// shr.i32 14, cvt.i16.i32, req.i16 (27) give inv.
// Output (MXM_E): V's rows as weights, block b's rows b*lanes .. (K tile of up to lanes rows, rows
// past P never loaded: w is 0 in those lanes), activation w_b, accumulated over the blocks; the
// abce's row meets inv at the VXM in req.i8 (21). Lanes c0 .. c0+hs-1 hold the head: when c0 != 0
// or hs < lanes, a rotate and an and.i8 with the mask of lanes < hs put it in Y's lanes 0 .. hs-1
// with zero padding.
#include <fmt/format.h>

#include <limits>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::lowerAttention(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  // Part 1 (sections 1-3) ends in the weights tensor AW (attentionWeightsRows: w's blocks); part 2 (sections 4
  // and 5) starts from it; part 0 is both in one program.
  const bool first = n.part != 2, second = n.part != 1;
  const TensorLayout& Q = layout_.tensor(n.inputs[0]);  // part 2: AW
  const TensorLayout& K = layout_.tensor(n.inputs[1]);  // part 2: V
  const TensorLayout& V = layout_.tensor(n.inputs[n.part == 0 ? 2 : 1]);
  const TensorLayout& Y = layout_.tensor(n.output);  // part 1: AW
  const TensorLayout& AW = n.part == 1 ? Y : Q;
  const unsigned P = K.rows, hs = n.part == 1 ? n.head_size : Y.cols;
  // Many blocks: the planes of the scores and softmax values that share a slice go round the slices (newVal).
  rotate_shared_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{rotate_shared_};
  const unsigned qt = n.q_col / L_, q0 = n.q_col % L_, kt = n.kv_col / L_, c0 = n.kv_col % L_;
  auto fail = [&](const std::string& what) { throw CompileError(fmt::format("node {} ({}): {}", ni, n.name, what)); };
  if (q0 + hs > L_)
    fail(fmt::format("field 'q_col': head {}..{} crosses a column tile of {} lanes", n.q_col, n.q_col + hs - 1, L_));
  if (c0 + hs > L_)
    fail(fmt::format("field 'kv_col': head {}..{} crosses a column tile of {} lanes", n.kv_col, n.kv_col + hs - 1, L_));
  for (const TensorLayout* t : {&Q, &K, &V, &Y})
    if (t->tile_cols && t->tile_cols != L_) fail(fmt::format("'{}' has narrow column tiles", t->name));
  if (n.part != 0 && AW.cols != L_)
    fail(fmt::format("the weights tensor '{}' has {} columns, not the {} lanes", AW.name, AW.cols, L_));
  const unsigned S = cfg_.params().mxm_acc_slots, interval = cfg_.params().mxm_abc_interval;
  const unsigned NB = ceilDiv(P, L_);  // blocks of lanes positions
  const unsigned Lr = latencyOf(Opcode::kRead), Labce = latencyOf(Opcode::kAbce), Llwi = latencyOf(Opcode::kLwi);
  const unsigned nmax = std::min({16u, cfg_.streamsPerDir() - 1, L_});
  macs_ += std::uint64_t{n.part == 0 ? 2u : 1u} * P * hs;  // scores and w . V
  auto name = [&](const std::string& s) { return fmt::format("{}: {}", n.name, s); };
  auto lanes = [&](auto f) {
    std::vector<std::int64_t> v(L_);
    for (unsigned l = 0; l < L_; ++l) v[l] = f(l);
    return v;
  };

  // ---- MXM helpers (the timing of lower_matmul.cpp) ----
  // Loads weight rows locs[0 .. n) (row r of the tile from word locs[r]) into `u`: LWs of runs of
  // rows in distinct slices, the last one an LWI after the last ABC on the previous weights.
  auto loadTile = [&](MxmUnit& u, const std::vector<WordLoc>& locs, const std::string& what) {
    const auto rows = static_cast<unsigned>(locs.size());
    std::int64_t last_lw = -1, t_inst = 0;
    int last_lw_bundle = -1, inst_bundle = -1;
    for (unsigned r = 0; r < rows;) {
      unsigned cnt = 0;
      while (cnt < nmax && r + cnt < rows) {
        bool clash = false;
        for (unsigned j = r; j < r + cnt; ++j) clash |= locs[j].position == locs[r + cnt].position;
        if (clash) break;
        ++cnt;
      }
      const bool install = r + cnt == rows;
      Bundle b;
      Instruction li = indexInsn(install ? Opcode::kLwi : Opcode::kLw, r);
      li.set(Field::kLwn, static_cast<std::int32_t>(cnt));
      const int lw = b.add(u.ql, 0, li);
      const int g = b.group(u.in_dir, cnt);
      b.groups[static_cast<std::size_t>(g)].align = 1;
      b.groups[static_cast<std::size_t>(g)].prefer_base = static_cast<int>(cfg_.streamsPerDir() - cnt);
      Constraint c;
      c.at_least(u.staging_free, u.staging_bundle);
      for (unsigned j = 0; j < cnt; ++j) {
        const WordLoc& w = locs[r + j];
        const int off = Bundle::producerOffset(0, Lr, w.position, u.pos);
        const int rd = b.add(w.position, off, memInsn(Opcode::kRead, w.address));
        b.produce(g, rd, Field::kMstrm, w.position, Lr, j, 1);
        const Ready rdy = readyOf(w);
        c.at_least(rdy.t - off, rdy.bundle);
      }
      b.consume(lw, Field::kSrca, g, u.pos, 0, cnt);
      if (install) {
        c.at_least(u.t_last_abc, u.last_abc_bundle);
        c.at_least(last_lw + 1, last_lw_bundle);
      }
      const std::int64_t t = placeBundle(
          b, c, ni, fmt::format("{}: {} rows {}..{} ({})", n.name, install ? "lwi" : "lw", r, r + cnt - 1, what));
      const int id = static_cast<int>(sched_.placements().size() - 1);
      if (t > last_lw) last_lw = t, last_lw_bundle = id;
      if (install) t_inst = t, inst_bundle = id;
      r += cnt;
    }
    u.staging_free = t_inst + 1;
    u.staging_bundle = inst_bundle;
    u.active_ready = t_inst + Llwi;
    u.active_bundle = inst_bundle;
  };
  // One ABC of activation word `x` into `slot` (op abc/abca/abce). With abce, the emitted i32 row
  // goes through the VXM instruction `vi` (srca = the row, srcb = `other` when it has planes) and the
  // result to `dst`.
  struct Other {
    VecVal v;
    unsigned width = 0;  // 0: no second operand
  };
  std::map<std::pair<unsigned, unsigned>, Ready> slot_last;
  auto abcRow = [&](MxmUnit& u, const WordLoc& x, Opcode op, unsigned slot, const Instruction& vi, const Other& other,
                    const VecVal& dst, const std::vector<WordLoc>& also, const std::string& what) {
    Bundle b;
    const int abc = b.add(u.qc, 0, indexInsn(op, slot));
    auto [rd, grp] = addRead(b, x, u.pos, 0);
    b.consume(abc, Field::kSrca, grp, u.pos);
    b.excl.push_back(Bundle::Excl{u.abc_port, 0, interval});
    Constraint c;
    c.at_least(u.active_ready, u.active_bundle);
    const Ready rdy = readyOf(x);
    c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
    if (op != Opcode::kAbca) c.at_least(u.slot_free[slot], u.slot_bundle[slot]);
    // Into one slot in order (a block's ABCs on the same weights have nothing else to order them).
    const auto key = std::make_pair(u.side, slot);
    if (auto it = slot_last.find(key); it != slot_last.end()) c.at_least(it->second.t + 1, it->second.bundle);
    std::vector<std::pair<WordLoc, int>> writes;
    if (op == Opcode::kAbce) {
      const int og = b.group(u.out_dir, 4);
      b.produce(og, abc, Field::kDst, u.pos, Labce);
      const int when = b.arrival(og, 0, vxm_);
      const int v = b.add(vxm_, when, vi);
      b.consume(v, Field::kSrca, og, vxm_, 0, 4);
      if (other.width) {
        const int g2 = readVal(b, c, other.v, other.width, when);
        b.consume(v, Field::kSrcb, g2, vxm_, 0, other.v.width);
      }
      const int rg = b.group(toward(vxm_, dst.loc[0].position), isa::typeBytes(vi.type));
      b.produce(rg, v, Field::kDst, vxm_, vi.desc->latency);
      writes = writeVal(b, rg, dst);
      for (const WordLoc& w : also) writes.emplace_back(w, addWrite(b, rg, 0, w));
    }
    const std::int64_t t = placeBundle(b, c, ni, name(what));
    const int id = static_cast<int>(sched_.placements().size() - 1);
    if (t >= u.t_last_abc) u.t_last_abc = t, u.last_abc_bundle = id;
    slot_last[key] = Ready{t, id};
    if (op == Opcode::kAbce) {
      u.slot_free[slot] = t + 1;
      u.slot_bundle[slot] = id;
      for (const auto& [w, wi] : writes)
        setReady(w, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite), id);
    }
  };
  // abc on a block's first contribution, abce on its last, abca in between.
  auto accOp = [](bool first, bool last) { return last ? Opcode::kAbce : first ? Opcode::kAbc : Opcode::kAbca; };
  // The side an operand must come from to meet a row that MXM `u` emits at the VXM.
  auto meetSide = [](const MxmUnit& u) { return u.side == 0 ? 1 : 0; };

  MxmUnit& ue = mxm_[opt_.mxms >= 2 ? 1 : 0];
  std::vector<VecVal> w(NB);
  VecVal inv;
  if (first) {
    // ---- 1. W_j rows: splats of q's head dims, masked to one lane each ----
    const VecVal qv = tensorVal(Q, 0, qt);
    const int qs = sideOf(qv);
    const unsigned J = std::min(L_, P);  // weight matrices used
    std::vector<VecVal> splat(hs);
    for (unsigned i = 0; i < hs; ++i) {
      splat[i] = newVal(1, qs);
      permuteVal(ni, name(fmt::format("splat q{}", i)), qv,
                 constVal(1, lanes([&](unsigned) { return q0 + i; }), qs, {qv.loc[0].position}), splat[i]);
    }
    std::vector<std::vector<WordLoc>> W(J, std::vector<WordLoc>(L_));
    const VecVal zero = constVal(1, std::vector<std::int64_t>(L_, 0), 0);
    for (unsigned j = 0; j < J; ++j) {
      const VecVal onehot = constVal(1, lanes([&](unsigned l) { return l == j ? -1 : 0; }), 1 - qs);
      for (unsigned r = 0; r < L_; ++r) {
        if (r < c0 || r >= c0 + hs) {
          W[j][r] = zero.loc[0];
          continue;
        }
        const VecVal row = newVal(1, static_cast<int>((j + r) % 2), {}, true);
        vxmOp(ni, name(fmt::format("W{} row {}", j, r)), vecInsn(Opcode::kAnd, ElemType::kI8),
              {{splat[r - c0], Field::kSrca, 1}, {onehot, Field::kSrcb, 1}}, row);
        W[j][r] = row.loc[0];
      }
    }

    // ---- 2. scores on MXM_W, one block of lanes positions per accumulator slot ----
    MxmUnit& uw = mxm_[0];
    mxm_side_used_[0] = true;
    std::vector<VecVal> s(NB);
    const bool padded = P % L_ != 0;
    const VecVal cap = constVal(4, lanes([&](unsigned l) -> std::int64_t {
                                  return l < P % L_ ? std::numeric_limits<std::int32_t>::max()
                                                    : std::numeric_limits<std::int32_t>::min();
                                }),
                                meetSide(uw));
    for (unsigned r0 = 0; r0 < NB; r0 += S) {
      const unsigned r1 = std::min(NB, r0 + S);
      for (unsigned j = 0; j < J; ++j) {
        loadTile(uw, W[j], fmt::format("W{} blocks {}..{}", j, r0, r1 - 1));
        for (unsigned b = r0; b < r1; ++b) {
          const unsigned t = b * L_ + j;
          if (t >= P) continue;
          const unsigned jlast = std::min(L_ - 1, P - 1 - b * L_);
          const Opcode op = accOp(j == 0, j == jlast);
          const bool part = padded && b == NB - 1;
          if (op == Opcode::kAbce) s[b] = newVal(4, static_cast<int>(b % 2), {}, NB > 8);
          abcRow(uw, K.locate(t, kt), op, b - r0,
                 part ? vecInsn(Opcode::kMin, ElemType::kI32) : vecInsn(Opcode::kMov, ElemType::kI32),
                 part ? Other{cap, 4} : Other{}, s[b], {}, fmt::format("score t{} (block {}, W{})", t, b, j));
        }
      }
    }

    // ---- 3. softmax weights ----
    const Instruction maxi = vecInsn(Opcode::kMax, ElemType::kI32);
    VecVal top[2];
    {
      VecVal tv = NB > 1 ? reduceTree(ni, name("max"), s, maxi) : s[0];
      tv = laneReduce(ni, name("max"), tv, maxi);
      top[sideOf(tv)] = tv;
      top[1 - sideOf(tv)] = newVal(4, 1 - sideOf(tv));
      vxmOp(ni, name("top copy"), vecInsn(Opcode::kMov, ElemType::kI32), {{tv, Field::kSrca, 4}}, top[1 - sideOf(tv)]);
    }
    Instruction rz = vecInsn(Opcode::kReq, ElemType::kI16);
    rz.set(Field::kShamt, static_cast<std::int32_t>(n.shift));
    Instruction rw = vecInsn(Opcode::kReq, ElemType::kI8);
    rw.set(Field::kShamt, 7);
    const std::vector<std::int64_t> mul(L_, n.multiplier[0]), one(L_, 1);
    // Scratch nearest the VXM for a few blocks; past 8 blocks spread over the slices (and the planes that share
    // one going round them, rotate_shared_), so that the MEM queues fill evenly as P grows.
    const bool spread = NB > 8;
    std::vector<VecVal> d(NB), z(NB), e(NB), e32(NB);
    auto side = [](unsigned b) { return static_cast<int>(b % 2); };
    for (unsigned b = 0; b < NB; ++b) {
      d[b] = newVal(4, side(b), {}, spread);
      vxmOp(ni, name(fmt::format("block {}: s - top", b)), vecInsn(Opcode::kSubs, ElemType::kI32),
            {{s[b], Field::kSrca, 4}, {top[1 - sideOf(s[b])], Field::kSrcb, 4}}, d[b]);
    }
    for (unsigned b = 0; b < NB; ++b) {
      z[b] = newVal(2, 1 - side(b), {}, spread);
      vxmOp(ni, name(fmt::format("block {}: z", b)), rz,
            {{d[b], Field::kSrca, 4}, {constVal(2, mul, 1 - side(b)), Field::kSrcb, 2}}, z[b]);
    }
    for (unsigned b = 0; b < NB; ++b) {
      e[b] = newVal(2, side(b), {}, spread);
      vxmOp(ni, name(fmt::format("block {}: exp2", b)), vecInsn(Opcode::kExp2, ElemType::kI16),
            {{z[b], Field::kSrca, 2}}, e[b]);
    }
    for (unsigned b = 0; b < NB; ++b) {
      // e >= 0: its i32 value is its two planes and two zero planes, read as one operand (no cvt step).
      e32[b].width = 4;
      e32[b].loc[0] = e[b].loc[0], e32[b].loc[1] = e[b].loc[1];
      const VecVal z0 =
          constVal(2, std::vector<std::int64_t>(L_, 0), sideOf(e[b]), {e[b].loc[0].position, e[b].loc[1].position});
      e32[b].loc[2] = z0.loc[0], e32[b].loc[3] = z0.loc[1];
      // (Part 1: straight into AW, but for a padded last block, whose padding lanes are cleared on the way.)
      w[b] = n.part == 1 && !(padded && b == NB - 1) ? tensorVal(AW, b, 0) : newVal(1, side(b), {}, spread);
      vxmOp(ni, name(fmt::format("block {}: weight", b)), rw,
            {{e32[b], Field::kSrca, 4}, {constVal(2, one, 1 - sideOf(e[b])), Field::kSrcb, 2}}, w[b]);
    }
    if (padded) {
      const VecVal m = constVal(1, lanes([&](unsigned l) { return l < P % L_ ? -1 : 0; }), 1 - sideOf(w[NB - 1]));
      const VecVal wm = n.part == 1 ? tensorVal(AW, NB - 1, 0) : newVal(1, sideOf(w[NB - 1]));
      vxmOp(ni, name("clear padding weights"), vecInsn(Opcode::kAnd, ElemType::kI8),
            {{w[NB - 1], Field::kSrca, 1}, {m, Field::kSrcb, 1}}, wm);
      w[NB - 1] = wm;
    }

  }  // first
  if (!second) return;
  if (n.part == 2)
    for (unsigned b = 0; b < NB; ++b) w[b] = tensorVal(AW, b, 0);  // w's blocks as part 1 left them

  // ---- 4. sum and its reciprocal (MXM_E: w rows through all-ones weights) ----
  // (With CompileOptions::mxms = 1 everything runs on MXM_W.)
  mxm_side_used_[ue.side] = true;
  const VecVal ones = constVal(1, std::vector<std::int64_t>(L_, 1), 1);
  loadTile(ue, std::vector<WordLoc>(L_, ones.loc[0]), "ones");
  const VecVal r = newVal(4, 0);
  for (unsigned b = 0; b < NB; ++b)
    abcRow(ue, w[b].loc[0], accOp(b == 0, b == NB - 1), 0, vecInsn(Opcode::kRsqrt, ElemType::kI32), Other{}, r, {},
           fmt::format("sum block {}", b));
  const VecVal rr = newVal(4, 1);
  vxmOp(ni, name("r >> 14"), vecInsn(Opcode::kShr, ElemType::kI32),
        {{r, Field::kSrca, 4}, {constVal(1, std::vector<std::int64_t>(L_, 14), 1), Field::kSrcb, 4}}, rr);
  const VecVal m2 = newVal(2, 1);
  vxmOp(ni, name("sat16"), vecInsn(Opcode::kCvt, ElemType::kI16, ElemType::kI32), {{rr, Field::kSrca, 4}}, m2);
  Instruction ri = vecInsn(Opcode::kReq, ElemType::kI16);
  ri.set(Field::kShamt, 27);
  inv = newVal(2, meetSide(ue));
  vxmOp(ni, name("inv"), ri, {{r, Field::kSrca, 4}, {m2, Field::kSrcb, 2}}, inv);

  // ---- 5. output: w . V on MXM_E, req8 with inv ----
  Instruction ro = vecInsn(Opcode::kReq, ElemType::kI8);
  ro.set(Field::kShamt, 21);
  const bool direct = c0 == 0 && hs == L_;
  const VecVal out = direct ? tensorVal(Y, 0, 0) : newVal(1, 1);
  for (unsigned b = 0; b < NB; ++b) {
    std::vector<WordLoc> rows;
    for (unsigned t = b * L_; t < std::min(P, (b + 1) * L_); ++t) rows.push_back(V.locate(t, kt));
    loadTile(ue, rows, fmt::format("V block {}", b));
    abcRow(ue, w[b].loc[0], accOp(b == 0, b == NB - 1), 1, ro, Other{inv, 2}, out,
           direct ? copiesOf(Y, 0, 0) : std::vector<WordLoc>{}, fmt::format("w.V block {}", b));
  }
  if (!direct) {
    VecVal head = out;
    if (c0 != 0) {
      head = newVal(1, sideOf(out));
      rotateVal(ni, name("head to lane 0"), out, -static_cast<int>(c0), head);
    }
    const VecVal m = constVal(1, lanes([&](unsigned l) { return l < hs ? -1 : 0; }), 1 - sideOf(head));
    vxmOp(ni, name("clear other heads"), vecInsn(Opcode::kAnd, ElemType::kI8),
          {{head, Field::kSrca, 1}, {m, Field::kSrcb, 1}}, tensorVal(Y, 0, 0), copiesOf(Y, 0, 0));
  }
}

}  // namespace lpu::compiler::lowering
