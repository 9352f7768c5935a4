// Allocation: fusion planning and the SRAM placement of every tensor before any bundle is placed
// (docs/compiler.md). Operator-specific placement (matmul weights, transpose inputs) lives with its
// lowering in lower_*.cpp.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

void Lowering::planFusion() {
  fused_into_.assign(g_.nodes.size(), -1);
  skipped_.assign(g_.nodes.size(), false);
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if (n.op == OpKind::kResidualAdd) {
      // The req16 of a residual_add becomes its matmul's epilogue (the VXM takes the ABCE's i32
      // group, as for a requant) when acc is that matmul's temp result read only here, neither acc
      // nor m is pinned, and the matmul would not be K-split anyway (a fused req needs whole sums):
      // one MXM, or an even number of column tiles. The node itself still runs cvt and adds.
      const int p = g_.producer(n.inputs[1]);
      const Tensor& mid = g_.tensor(n.inputs[1]);
      if (p < 0 || g_.nodes[static_cast<std::size_t>(p)].op != OpKind::kMatmul || mid.kind != TensorKind::kTemp ||
          g_.consumers(n.inputs[1]).size() != 1 || !mid.pin.empty() || !g_.tensor(n.inputs[2]).pin.empty())
        continue;
      if (opt_.mxms >= 2 && ceilDiv(mid.cols, L_) % 2 == 1) continue;
      fused_into_[static_cast<std::size_t>(p)] = static_cast<int>(i);
      continue;
    }
    if (n.op != OpKind::kRequant) continue;
    const int p = g_.producer(n.inputs[0]);
    const Tensor& mid = g_.tensor(n.inputs[0]);
    if (p >= 0 && g_.nodes[static_cast<std::size_t>(p)].op == OpKind::kMatmul && mid.kind == TensorKind::kTemp &&
        g_.consumers(n.inputs[0]).size() == 1) {
      fused_into_[static_cast<std::size_t>(p)] = static_cast<int>(i);
      skipped_[i] = true;
    } else {
      throw CompileError(
          fmt::format("node '{}': requant reads '{}', which is not the temp result of a matmul "
                      "used only here; the VXM reads an "
                      "i32 operand straight from the MXM (fused), not from SRAM",
                      n.name, n.inputs[0]));
    }
  }
}

TensorLayout& Lowering::declare(const std::string& name, DType dtype, TensorKind kind, unsigned rows, unsigned cols,
                                unsigned planes) {
  TensorLayout t;
  t.name = name;
  t.dtype = dtype;
  t.kind = kind;
  t.rows = rows;
  t.cols = cols;
  t.col_tiles = ceilDiv(cols, L_);
  t.planes = planes;
  return layout_.tensors[name] = t;
}

std::vector<unsigned> Lowering::pickSlices(int side, const std::set<unsigned>& avoid, const std::set<unsigned>& forbid,
                                           bool strict_side, unsigned n, std::uint32_t words) {
  // Preference: the requested hemisphere without avoided slices; then anywhere without avoided
  // slices; then anywhere. Among those, the most free space first.
  std::vector<std::vector<unsigned>> tiers;
  auto filter = [&](int s, bool use_avoid) {
    std::vector<unsigned> v;
    for (unsigned p : alloc_.bySpace(s))
      if ((!use_avoid || !avoid.count(p)) && !forbid.count(p) && alloc_.freeWords(p) >= words) v.push_back(p);
    return v;
  };
  tiers.push_back(filter(side, true));
  if (!strict_side) tiers.push_back(filter(-1, true));
  tiers.push_back(filter(side, false));
  if (!strict_side) tiers.push_back(filter(-1, false));
  for (auto& v : tiers)
    if (v.size() >= n) {
      if (prefer_near_ >= 0)
        std::stable_sort(v.begin(), v.end(), [&](unsigned a, unsigned b) {
          return std::abs(static_cast<int>(a) - prefer_near_) < std::abs(static_cast<int>(b) - prefer_near_);
        });
      v.resize(n);
      return v;
    }
  return {};
}

void Lowering::place(TensorLayout& t, unsigned copy, unsigned plane, unsigned ct0, unsigned ct1, int side,
                     std::set<unsigned>& avoid, unsigned max_slices, const std::set<unsigned>& forbid, bool strict_side,
                     bool widest) {
  const unsigned tiles = ct1 - ct0;
  if (tiles == 0) return;
  std::set<unsigned> hard = forbid;
  if (auto it = partners_.find(t.name); it != partners_.end())
    for (const std::string& other : it->second)
      if (auto o = layout_.tensors.find(other); o != layout_.tensors.end())
        for (const Fragment& f : o->second.fragments) hard.insert(f.slices.begin(), f.slices.end());
  const unsigned limit = max_slices ? std::min(max_slices, tiles) : tiles;
  for (unsigned i = 1; i <= limit; ++i) {
    const unsigned ns = widest ? limit + 1 - i : i;
    const std::uint32_t words = ceilDiv(tiles, ns) * t.rows;
    std::vector<unsigned> s = pickSlices(side, avoid, hard, strict_side, ns, words);
    if (s.empty()) continue;
    Fragment f;
    f.copy = copy;
    f.plane = plane;
    f.ct_begin = ct0;
    f.ct_end = ct1;
    f.slices = s;
    f.rows = t.rows;
    f.base = alloc_.allocate(s, words);
    for (unsigned p : s) avoid.insert(p);
    t.fragments.push_back(f);
    return;
  }
  throw CompileError(fmt::format("SRAM full: cannot place tensor '{}' ({} rows x {} column tiles, plane {})", t.name,
                                 t.rows, tiles, plane));
}

void Lowering::allocateAll() {
  installPins();
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if ((n.op == OpKind::kAdd || n.op == OpKind::kMul) && n.inputs[0] != n.inputs[1]) {
      partners_[n.inputs[0]].insert(n.inputs[1]);
      partners_[n.inputs[1]].insert(n.inputs[0]);
    }
  }
  auto allocated = [&](const std::string& n) { return layout_.tensors.count(n) > 0; };
  auto slicesOf = [&](const std::string& n) {
    std::set<unsigned> s;
    if (!allocated(n)) return s;
    for (const Fragment& f : layout_.tensors.at(n).fragments) s.insert(f.slices.begin(), f.slices.end());
    return s;
  };
  // Plans first (in node order, as the balancing expects): a produced i8 tensor that both MXMs
  // read as A gets two copies, so that each MXM streams it from its own slice.
  std::set<std::string> two_copies;
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    if (g_.nodes[i].op != OpKind::kMatmul || skipped_[i]) continue;
    const MatmulPlan& p = planMatmul(i);
    const std::string& a = g_.nodes[i].inputs[0];
    if (p.c1[0] > p.c0[0] && p.c1[1] > p.c0[1] && g_.producer(a) >= 0) two_copies.insert(a);
  }
  auto i8plain = [&](const std::string& n, std::set<unsigned> avoid) {
    if (allocated(n)) return;
    const Tensor& t = g_.tensor(n);
    TensorLayout& tl = declare(n, t.dtype, t.kind, t.rows, t.cols, dtypeBytes(t.dtype));
    for (unsigned p = 0; p < tl.planes; ++p) place(tl, 0, p, 0, tl.col_tiles, -1, avoid);
    if (tl.planes == 1 && two_copies.count(n)) {
      // Copy 1 on the same side of the VXM as copy 0 (one result stream passes both), in other
      // slices; skipped when there is no room.
      const Fragment f0 = tl.fragments[0];
      const int side = f0.slices[0] < vxm_ ? 0 : 1;
      std::set<unsigned> a = avoid, forbid(f0.slices.begin(), f0.slices.end());
      try {
        place(tl, 1, 0, 0, tl.col_tiles, side, a, static_cast<unsigned>(f0.slices.size()), forbid, true);
      } catch (const CompileError&) {
      }
    }
  };

  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if (skipped_[i]) continue;
    switch (n.op) {
      case OpKind::kMatmul: {
        const Tensor& A = g_.tensor(n.inputs[0]);
        const Tensor& B = g_.tensor(n.inputs[1]);
        const MatmulPlan& plan = planMatmul(i);
        const unsigned KT = ceilDiv(A.cols, plan.h);
        std::vector<unsigned> used;  // sides, first the one that gets copy 0 of A
        for (unsigned s = 0; s < 2; ++s)
          if (plan.c1[s] > plan.c0[s] || plan.split >= 0) used.push_back(s);
        for (unsigned s : used) mxm_side_used_[s] = true;
        std::set<unsigned> avoid = slicesOf(n.inputs[1]);
        // A: a copy per hemisphere whose MXM reads it when it comes from the host; else wherever
        // its producer put it.
        if (!allocated(n.inputs[0])) {
          TensorLayout& tl = declare(n.inputs[0], A.dtype, A.kind, A.rows, A.cols, 1);
          if (plan.h != L_) tl.tile_cols = plan.h, tl.col_tiles = KT;
          for (std::size_t c = 0; c < used.size(); ++c) {
            std::set<unsigned> a = avoid;
            place(tl, static_cast<unsigned>(c), 0, 0, KT, static_cast<int>(used[c]), a);
          }
        }
        for (unsigned p : slicesOf(n.inputs[0])) avoid.insert(p);
        const int rq = fused_into_[i];
        if (rq < 0) {
          // C (i32): 4 byte planes on 4 distinct slices per hemisphere (one ABCE writes all four
          // in one cycle), preferring that hemisphere and avoiding A.
          const Tensor& C = g_.tensor(n.output);
          TensorLayout& tl = declare(n.output, C.dtype, C.kind, C.rows, C.cols, 4);
          for (unsigned s : used) {
            std::set<unsigned> a = plan.load_bound ? std::set<unsigned>{} : avoid, planes;
            // Load-bound: in the other hemisphere, whose MXM then sees all four writes of an
            // ABCE arrive in one load cycle (t_abce + L(abce) - 1 + p + hops(p -> that MXM) + 1
            // does not depend on p), instead of four cycles of this MXM's own loading.
            // (With many K tiles per output row the writes are rare and the own hemisphere,
            // nearer, shortens the program's tail.)
            const bool cross = plan.load_bound && KT <= kCrossOutputMaxKTiles;
            const int ps = cross ? static_cast<int>(1 - s) : static_cast<int>(s);
            // (Load-bound: nearest the MXM that is to write them, for the shortest path of the
            // last rows: the VXM end of the other hemisphere, or the MXM end of its own.)
            prefer_near_ = !plan.load_bound ? -1 : cross ? static_cast<int>(vxm_) : static_cast<int>(mxm_[s].pos);
            // Except the last column tile of the graph's last matmul: its rows end the program,
            // and the own hemisphere next to the MXM is the shortest way into SRAM.
            bool last_matmul = true;
            for (std::size_t j = i + 1; j < g_.nodes.size(); ++j) last_matmul &= g_.nodes[j].op != OpKind::kMatmul;
            const unsigned cend = cross && last_matmul && plan.c1[s] > plan.c0[s] ? plan.c1[s] - 1 : plan.c1[s];
            for (unsigned p = 0; p < 4 && cend > plan.c0[s]; ++p) {
              place(tl, 0, p, plan.c0[s], cend, ps, a, 1, planes);
              planes.insert(tl.fragments.back().slices.begin(), tl.fragments.back().slices.end());
            }
            if (cend < plan.c1[s]) {
              std::set<unsigned> own;
              prefer_near_ = static_cast<int>(mxm_[s].pos);
              for (unsigned p = 0; p < 4; ++p) {
                place(tl, 0, p, cend, plan.c1[s], static_cast<int>(s), a, 1, own);
                own.insert(tl.fragments.back().slices.begin(), tl.fragments.back().slices.end());
              }
            }
            prefer_near_ = -1;
          }
          if (plan.split >= 0) {
            // The split tile's row leaves the VXM's add once, eastward: its 4 planes on 4 slices
            // of the east hemisphere, nearest the VXM (the shortest tail). With fewer slices
            // (small: 3) the rest go anywhere east; lowerMatmul turns those planes around at
            // SXM_E and writes them on the way back.
            std::set<unsigned> a, planes;
            prefer_near_ = static_cast<int>(vxm_);
            const auto x = static_cast<unsigned>(plan.split);
            for (unsigned p = 0; p < 4; ++p) {
              const bool direct = p < cfg_.memSlicesPerHem();
              place(tl, 0, p, x, x + 1, 1, a, 1, direct ? planes : std::set<unsigned>{}, true);
              planes.insert(tl.fragments.back().slices.begin(), tl.fragments.back().slices.end());
            }
            prefer_near_ = -1;
          }
          for (unsigned p : slicesOf(n.output)) avoid.insert(p);
        } else {
          const Node& r = g_.nodes[static_cast<std::size_t>(rq)];
          // A fused residual_add: its m is the multiplier tensor (the program's data carries it as a
          // weight) and its req16 result, i16, goes to r.name + ".r16" (two planes on two slices of
          // one hemisphere: one result group passes both).
          const bool residual = r.op == OpKind::kResidualAdd;
          const Tensor& Q = g_.tensor(residual ? r.inputs[1] : r.output);
          // Multipliers: i16 per column, two byte planes on two slices of one hemisphere. A
          // requant's multiplier input is a weight of the graph (packed with the others, or
          // resident: pinned where an earlier compile of the same matmul placed it).
          const std::string mname = multiplierOf(r);
          const bool m_input = !residual && r.inputs.size() == 2;
          const bool m_pinned = allocated(mname);
          TensorLayout& ml = m_pinned ? layout_.tensors.at(mname)
                                      : declare(mname, residual || m_input ? DType::kI16 : DType::kI32,
                                                TensorKind::kWeight, 1, Q.cols, 2);
          // With few streams per direction an ABCE's i32 group and the multiplier pair cannot
          // travel to the VXM side by side (multiplierOpposite): the column tiles MXM side s
          // computes are then kept in the other hemisphere, so that they arrive on the other
          // direction's streams (one copy, each tile opposite its MXM).
          auto placeMultiplier = [&](unsigned copy, int side, unsigned ct0, unsigned ct1) {
            if (m_pinned) {
              // Where the fused req reads it: both planes of each column tile in one hemisphere
              // (one 2-wide group), in two slices.
              for (unsigned ct = ct0; ct < ct1; ++ct) {
                if (!ml.hasCopy(copy, ct))
                  throw CompileError(
                      fmt::format("node '{}': multiplier '{}' is pinned without copy {} of column tile {}, which the "
                                  "fused req of matmul '{}' reads",
                                  r.name, mname, copy, ct, n.name));
                const WordLoc lo = ml.locate(0, ct, 0, copy), hi = ml.locate(0, ct, 1, copy);
                if (lo.position == hi.position || sideOf(lo.position) != sideOf(hi.position))
                  throw CompileError(fmt::format(
                      "node '{}': multiplier '{}' is pinned with the planes of column tile {} in {} and {}; the "
                      "fused req reads them as one group (two slices of one hemisphere)",
                      r.name, mname, ct, cfg_.sliceName(lo.position), cfg_.sliceName(hi.position)));
              }
              return;
            }
            std::set<unsigned> a = avoid;
            const std::size_t first = ml.fragments.size();
            if (ct1 <= ct0) return;
            // A multiplier weight (persistent in a chain of programs) over up to half the hemisphere's slices
            // per plane: a word or two in each rather than a column of words in one, which would raise the
            // common base of every later multi-slice weight allocation by as much.
            const unsigned spread = m_input ? std::max(1u, cfg_.memSlicesPerHem() / 2) : 1;
            place(ml, copy, 0, ct0, ct1, side, a, spread, {}, true, m_input);
            place(ml, copy, 1, ct0, ct1, side, a, spread,
                  std::set<unsigned>(ml.fragments[first].slices.begin(), ml.fragments[first].slices.end()), true,
                  m_input);
          };
          if (multiplierOpposite())
            for (unsigned s : used) placeMultiplier(0, static_cast<int>(1 - s), plan.c0[s], plan.c1[s]);
          else
            placeMultiplier(0, static_cast<int>(used.back()), 0, ml.col_tiles);
          if (!residual && !m_input) {
            std::vector<std::int32_t> mv(Q.cols);
            for (unsigned c = 0; c < Q.cols; ++c) mv[c] = r.multiplier.size() == 1 ? r.multiplier[0] : r.multiplier[c];
            for (auto& seg : packTensor(layout_, mname, mv)) constants_.push_back(std::move(seg));
          }
          std::set<unsigned> aq = avoid;
          for (unsigned p : slicesOf(mname)) aq.insert(p);
          if (residual) {
            TensorLayout& ql = declare(r.name + ".r16", DType::kI16, TensorKind::kTemp, Q.rows, Q.cols, 2);
            place(ql, 0, 0, 0, ql.col_tiles, -1, aq, 1);
            const std::set<unsigned> p0(ql.fragments[0].slices.begin(), ql.fragments[0].slices.end());
            place(ql, 0, 1, 0, ql.col_tiles, sideOf(*p0.begin()), aq, 1, p0, true);
            aq.insert(ql.fragments[1].slices.begin(), ql.fragments[1].slices.end());
            for (unsigned p : slicesOf(ql.name)) avoid.insert(p);
          } else if (Q.dtype == DType::kI8) {
            i8plain(r.output, aq);
          } else if (!allocated(r.output)) {
            // i16: req's 2-wide result group leaves the VXM in one direction, so both byte planes
            // lie in one hemisphere, on distinct slices (both written in the same cycle).
            TensorLayout& ql = declare(r.output, Q.dtype, Q.kind, Q.rows, Q.cols, 2);
            std::set<unsigned> distinct;
            for (unsigned p = 0; p < 2; ++p) {
              place(ql, 0, p, 0, ql.col_tiles, static_cast<int>(used.back()), aq, 1, distinct, true);
              distinct.insert(ql.fragments.back().slices.begin(), ql.fragments.back().slices.end());
            }
          }
          for (unsigned p : slicesOf(mname)) avoid.insert(p);
          if (!residual)
            for (unsigned p : slicesOf(r.output)) avoid.insert(p);
        }
        // B: each hemisphere's column tiles row-interleaved over several slices of that
        // hemisphere (multi-row LW). A load-bound product (few activation rows per weight tile)
        // spreads them over every slice of the hemisphere, sharing with A and C; otherwise up to
        // kGemmWeightSlices slices that A and C do not use.
        if (!allocated(n.inputs[1])) {
          TensorLayout& tl = declare(n.inputs[1], B.dtype, B.kind, B.rows, B.cols, 1);
          const TensorLayout& al = layout_.tensor(n.inputs[0]);
          for (std::size_t c = 0; c < used.size(); ++c) {
            // The slice the MXM of this side reads A from (its copy, else copy 0).
            int a_slice = -1;
            if (al.hasCopy(static_cast<unsigned>(c), 0))
              a_slice = static_cast<int>(al.locate(0, 0, 0, static_cast<unsigned>(c)).position);
            else
              a_slice = static_cast<int>(al.locate(0, 0, 0, 0).position);
            placeWeights(tl, plan.c0[used[c]], plan.c1[used[c]], static_cast<int>(used[c]), avoid, plan.load_bound,
                         plan.h, a_slice, slicesOf(n.inputs[0]));
            // The split tile: a whole copy in each hemisphere (copy = side), of which each MXM
            // loads its K tiles.
            if (plan.split >= 0) {
              const auto x = static_cast<unsigned>(plan.split);
              placeWeights(tl, x, x + 1, static_cast<int>(used[c]), avoid, plan.load_bound, plan.h, a_slice,
                           slicesOf(n.inputs[0]), used[c]);
            }
          }
        }
        break;
      }
      case OpKind::kAdd:
      case OpKind::kMul: {
        std::set<unsigned> avoid = slicesOf(n.inputs[0]);
        i8plain(n.inputs[1], avoid);
        i8plain(n.inputs[0], slicesOf(n.inputs[1]));
        std::set<unsigned> ao = slicesOf(n.inputs[0]);
        for (unsigned p : slicesOf(n.inputs[1])) ao.insert(p);
        i8plain(n.output, ao);
        break;
      }
      case OpKind::kTranspose: {
        // X: k consecutive rows of a tile in k slices (phase 1 reads them in one cycle). A layout
        // chosen by an earlier node that is not like that is copied into one first (phase 0).
        const unsigned k = transposeRows();
        const Tensor& X = g_.tensor(n.inputs[0]);
        std::string xs = n.inputs[0];
        // (An operand of add/mul must not share a slice with its partner: a tensor spread over k
        // slices would leave it none on large, so such an X is laid out plainly and copied.)
        if (!allocated(xs) && partners_.count(xs)) i8plain(xs, {});
        if (!allocated(xs)) {
          TensorLayout& tl = declare(xs, X.dtype, X.kind, X.rows, X.cols, 1);
          placeInterleaved(tl, k, {});
        } else if (!transposable(layout_.tensor(xs), k)) {
          if (const unsigned tc = layout_.tensor(xs).tile_cols; tc && tc != L_)
            throw CompileError(
                fmt::format("node '{}': transpose of '{}', whose words hold {} columns (the K tiles of a "
                            "load-bound matmul), is not supported; transpose it before the matmul reads it",
                            n.name, xs, tc));
          xs = n.name + ".x";
          TensorLayout& tl = declare(xs, DType::kI8, TensorKind::kTemp, X.rows, X.cols, 1);
          placeInterleaved(tl, k, {});
        }
        // T: the transposed groups as they leave the SXM, word (g * N + i, ct) = output stream i of
        // row group g of column tile ct; interleaved so that one transpose's k kept outputs go to
        // k different slices.
        const unsigned N = cfg_.params().transpose_n;
        const unsigned G = ceilDiv(X.rows, k);
        TensorLayout& tt = declare(n.name + ".t", DType::kI8, TensorKind::kTemp, G * N, X.cols, 1);
        placeInterleaved(tt, k, {});
        // Masks: one word per distinct (first lane, lanes) of a row group inside a Y word.
        TransposeMasks tm;
        for (unsigned g = 0; g < G; ++g) {
          const std::pair<unsigned, unsigned> r{(g * k) % L_, std::min(k, X.rows - g * k)};
          if (std::find(tm.ranges.begin(), tm.ranges.end(), r) == tm.ranges.end()) tm.ranges.push_back(r);
        }
        const std::string mname = n.name + ".masks";
        TensorLayout& ml =
            declare(mname, DType::kI8, TensorKind::kWeight, static_cast<unsigned>(tm.ranges.size()), L_, 1);
        std::set<unsigned> none;
        place(ml, 0, 0, 0, 1, -1, none, 1);
        std::vector<std::int32_t> mv(tm.ranges.size() * L_, 0);
        for (std::size_t m = 0; m < tm.ranges.size(); ++m)
          for (unsigned l = 0; l < tm.ranges[m].second; ++l) mv[m * L_ + tm.ranges[m].first + l] = -1;
        for (auto& seg : packTensor(layout_, mname, mv)) constants_.push_back(std::move(seg));
        transpose_masks_[static_cast<int>(i)] = std::move(tm);
        // Y: the sel of phase 2 reads the mask and the Y word being completed in one cycle, so
        // they must not share a slice.
        // U0, U1: the words of Y while pieces are still being merged in, alternating so that
        // each piece reads one buffer and writes the other (each slice then sees runs of reads or
        // of writes of consecutive words, which Repeat folds).
        std::set<unsigned> ms = slicesOf(mname);
        for (const std::string& u : {n.output, n.name + ".u0", n.name + ".u1"}) {
          partners_[u].insert(mname);
          if (u == n.output) {
            i8plain(u, ms);
          } else {
            TensorLayout& ul = declare(u, DType::kI8, TensorKind::kTemp, X.cols, X.rows, 1);
            std::set<unsigned> a = ms;
            place(ul, 0, 0, 0, ul.col_tiles, -1, a);
          }
        }
        break;
      }
      case OpKind::kRmsnorm:
        // x: each tile's 4 planes in one hemisphere (an i32 operand of the VXM, lower_vector.cpp).
        if (!allocated(n.inputs[0])) placeSided(n.inputs[0], false);
        i8plain(n.output, {});
        break;
      case OpKind::kArgmax:
        // x: tiles alternately west and east (the first reduction round pairs a west with an east
        // tile); the index: 4 planes in one hemisphere.
        if (!allocated(n.inputs[0])) placeSided(n.inputs[0], true);
        if (!allocated(n.output)) placeSided(n.output, false);
        break;
      case OpKind::kSwiglu:
        // gate: i16 planes in one hemisphere (read as one operand); up and the result anywhere.
        if (!allocated(n.inputs[0])) placeSided(n.inputs[0], false);
        i8plain(n.inputs[1], {});
        i8plain(n.output, {});
        break;
      case OpKind::kRope:
        // x, cos, sin: i16 planes in one hemisphere each (read as one operand, x's planes also one
        // by one by the SXM's permute); the result anywhere.
        for (unsigned k = 0; k < 3; ++k)
          if (!allocated(n.inputs[k])) placeSided(n.inputs[k], false);
        i8plain(n.output, {});
        break;
      case OpKind::kResidualAdd: {
        // x, acc and the result: each tile's planes in one hemisphere (i32 operands of the VXM; acc
        // is normally a matmul's result, placed by it). m: a copy in each hemisphere, so that the
        // req finds it opposite acc's tile wherever the matmul put that.
        // (A fused acc is never stored.)
        const bool fused = std::find(fused_into_.begin(), fused_into_.end(), static_cast<int>(i)) != fused_into_.end();
        for (const std::string& t : {n.inputs[0], n.inputs[1], n.output})
          if (!allocated(t) && !(fused && t == n.inputs[1])) placeSided(t, false);
        if (!allocated(n.inputs[2])) {
          const Tensor& m = g_.tensor(n.inputs[2]);
          TensorLayout& tl = declare(m.name, m.dtype, m.kind, m.rows, m.cols, 2);
          for (unsigned cp = 0; cp < 2; ++cp) {
            const std::vector<unsigned> sl = alloc_.bySpace(static_cast<int>(cp));
            for (unsigned p = 0; p < 2; ++p) {
              Fragment f;
              f.copy = cp;
              f.plane = p;
              f.ct_end = tl.col_tiles;
              f.rows = 1;
              f.slices = {sl[p % sl.size()]};
              f.base = alloc_.allocate(f.slices, tl.col_tiles);
              tl.fragments.push_back(f);
            }
          }
        }
        break;
      }
      case OpKind::kEmbedding:
        // token: its two i16 planes in one hemisphere (one VXM operand); the table and the
        // multipliers plainly (each column tile's rows consecutive in one slice, as gather needs);
        // the result's planes in one hemisphere.
        if (!allocated(n.inputs[0])) placeSided(n.inputs[0], false);
        i8plain(n.inputs[1], {});
        i8plain(n.inputs[2], {});
        if (!allocated(n.output)) placeSided(n.output, false);
        break;
      case OpKind::kAttention:
        // q, K, V and the result: plain i8 tensors anywhere (K and V usually pinned: the KV cache).
        for (const std::string& in : n.inputs) i8plain(in, {});
        i8plain(n.output, {});
        break;
      default:
        i8plain(n.inputs[0], {});
        i8plain(n.output, slicesOf(n.inputs[0]));
        break;
    }
  }
  // Tensors nobody touched (e.g. an unused input) still get a place so the host can write them.
  for (const auto& [name, t] : g_.tensors) {
    if (allocated(name)) continue;
    bool fused_mid = false;
    for (std::size_t i = 0; i < g_.nodes.size(); ++i)
      if (fused_into_[i] >= 0 && g_.nodes[i].output == name) fused_mid = true;
    if (!fused_mid) i8plain(name, {});
  }
  layout_.words_used = alloc_.used();
}

}  // namespace lpu::compiler::lowering
