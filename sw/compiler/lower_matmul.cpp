// Matmul (GEMM and matvec) on the MXMs, with the requant (or a residual_add's req16) fused into it
// when planFusion() allows: the per-product plan and weight placement used by allocation, and the
// lowering itself.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

const Lowering::MatmulPlan& Lowering::planMatmul(std::size_t i) {
  if (auto it = plans_.find(i); it != plans_.end()) return it->second;
  const Node& n = g_.nodes[i];
  const Tensor& A = g_.tensor(n.inputs[0]);
  const Tensor& B = g_.tensor(n.inputs[1]);
  const unsigned M = A.rows, K = A.cols, NT = ceilDiv(B.cols, L_);
  const unsigned S = cfg_.params().mxm_acc_slots, interval = cfg_.params().mxm_abc_interval;
  const unsigned block = std::min(M, S);
  MatmulPlan p;
  p.load_bound = 2 * block * interval <= L_;
  p.h = L_;
  if (auto a = layout_.tensors.find(n.inputs[0]); a != layout_.tensors.end()) {
    if (a->second.tile_cols) p.h = a->second.tile_cols;
  } else if (p.load_bound && g_.producer(n.inputs[0]) < 0) {
    // Load-bound with A laid out here: the K tile height whose LWs, from the memSlicesPerHem()
    // slices holding a hemisphere's weights, leave kSpareSlots slots per tile for the A read and
    // the output writes in whole cycles (large: 62 rows in 8 cycles of 8 slices instead of 64 in
    // 9). Fewest estimated cycles; ties to the taller tile. With an odd number of column tiles
    // on two MXMs, one is split by K tiles (below), so the estimate is that of the busier MXM:
    // half the other tiles plus the larger part of the split one (large, 1x288x288: h = 47
    // splits 141 : 147 rows, h = 63 only 126 : 162).
    const unsigned s = cfg_.memSlicesPerHem(), NT0 = ceilDiv(B.cols, L_);
    const bool odd_split = opt_.mxms >= 2 && NT0 % 2 == 1 && fused_into_[i] < 0;
    std::uint64_t best = ~std::uint64_t{0};
    for (unsigned h = L_; h >= std::max(1u, L_ / 2); --h) {
      std::vector<std::uint64_t> tc;
      for (unsigned k0 = 0; k0 < K; k0 += h) tc.push_back(ceilDiv(std::min(h, K - k0) + kSpareSlots, s));
      std::uint64_t T = 0;
      for (auto c : tc) T += c;
      std::uint64_t cyc = T * (odd_split ? NT0 / 2 : 1);
      if (odd_split) {
        std::uint64_t part = T, prefix = 0;
        for (std::size_t ks = 1; ks < tc.size(); ++ks) {
          prefix += tc[ks - 1];
          part = std::min(part, std::max(prefix, T - prefix));
        }
        cyc += part;
      }
      if (cyc < best) best = cyc, p.h = h;
    }
  }
  const unsigned KT = ceilDiv(K, p.h);
  // Estimated MXM cycles per column tile: per M-block and K tile, the ABCs or the LWs, whichever
  // is longer.
  const unsigned lw_rows = p.load_bound ? cfg_.memSlicesPerHem() : std::min(kGemmWeightSlices, cfg_.memSlicesPerHem());
  const double per_tile =
      static_cast<double>(ceilDiv(M, S)) * KT * std::max<double>(ceilDiv(L_, lw_rows), double(block) * interval);
  // Splitting one column tile's K range between the MXMs balances an odd number of tiles (or an
  // imbalance left by earlier matmuls) to within one K tile. Load-bound only (one M-block, the
  // partial rows meet in the VXM once), without a fused requant (its req would need the sum).
  const bool may_split = opt_.mxms >= 2 && p.load_bound && M <= S && KT >= 2 && fused_into_[i] < 0;
  double split_cost = 1e300;
  unsigned split_x = 0, split_ks = 0;
  if (may_split) {
    for (unsigned x = 0; x < NT; ++x)
      for (unsigned ks = 1; ks < KT; ++ks) {
        const double f = static_cast<double>(ks * p.h) / K;  // the west's share of the rows
        const double c =
            std::max(side_load_[0] + (x + f) * per_tile, side_load_[1] + (NT - 1 - x + (1 - f)) * per_tile);
        if (c < split_cost - 1e-9) split_cost = c, split_x = x, split_ks = ks;
      }
  }
  if (opt_.mxms < 2) {
    p.c1[0] = NT;
  } else if (NT == 1 && !may_split) {
    const unsigned s = side_load_[1] < side_load_[0] ? 1 : 0;
    p.c1[s] = NT;
  } else {
    // West takes column tiles [0, x), east [x, NT): the x that balances the MXMs' totals.
    unsigned best = 1;
    double best_cost = 1e300;
    for (unsigned x = 1; x < NT; ++x) {
      const double c = std::max(side_load_[0] + x * per_tile, side_load_[1] + (NT - x) * per_tile);
      if (c < best_cost - 1e-9 || (c < best_cost + 1e-9 && x == ceilDiv(NT, 2))) best_cost = c, best = x;
    }
    p.c1[0] = best;
    p.c0[1] = best;
    p.c1[1] = NT;
    // (The split wins only if it lowers the larger side's total by more than a tenth of a tile:
    // it costs a VXM add per row and ties the two MXMs together for its last K tiles.)
    const double unsplit =
        NT == 1 ? 1e300 : std::max(side_load_[0] + best * per_tile, side_load_[1] + (NT - best) * per_tile);
    if (may_split && split_cost < unsplit - 0.1 * per_tile) {
      p.c0[0] = 0, p.c1[0] = split_x;
      p.c0[1] = split_x + 1, p.c1[1] = NT;
      p.split = static_cast<int>(split_x);
      p.ks = split_ks;
    }
  }
  for (unsigned s = 0; s < 2; ++s) side_load_[s] += (p.c1[s] - p.c0[s]) * per_tile;
  if (p.split >= 0) {
    const double f = static_cast<double>(p.ks * p.h) / K;
    side_load_[0] += f * per_tile;
    side_load_[1] += (1 - f) * per_tile;
  }
  return plans_[i] = p;
}

void Lowering::placeWeights(TensorLayout& t, unsigned ct0, unsigned ct1, int side, const std::set<unsigned>& avoid,
                            bool load_bound, unsigned tile_rows, int a_slice, const std::set<unsigned>& a_slices,
                            unsigned copy) {
  const unsigned tiles = ct1 - ct0;
  if (tiles == 0) return;
  const unsigned m = cfg_.memSlicesPerHem();
  // Load-bound: every MEM slice of the chip (one LW can then take up to streams_per_dir - 1 rows,
  // and the SRAM's full read bandwidth is available to the MXMs).
  const unsigned want = std::min(load_bound ? m : std::min(kGemmWeightSlices, m), t.rows);
  auto candidates = [&](int s, const std::set<unsigned>& skip, std::uint32_t words) {
    std::vector<unsigned> v;
    for (unsigned p : alloc_.bySpace(s))
      if (!skip.count(p) && alloc_.freeWords(p) >= words) v.push_back(p);
    return v;
  };
  auto commit = [&](std::vector<unsigned> sl, unsigned ns) {
    sl.resize(ns);
    std::sort(sl.begin(), sl.end());
    Fragment f;
    f.copy = copy;
    f.plane = 0;
    f.ct_begin = ct0;
    f.ct_end = ct1;
    f.slices = sl;
    f.rows = t.rows;
    f.interleaved = true;
    if (load_bound) {
      // Blocks of one weight tile; each block's row 0 in the slice after A's, so the A read of
      // an ABC at the start of the block's loading costs exactly one slot (docs/compiler.md §4).
      // Compact: one block of all rows (no padding words at the end of every block; a K tile's
      // first rows may then share a cycle with the A read).
      if (!opt_.compact_weights) f.tile_rows = tile_rows;
      for (unsigned i = 0; i < ns; ++i)
        if (static_cast<int>(sl[i]) == a_slice) f.row_offset = (i + 1) % ns;
    }
    f.base = alloc_.allocate(sl, tiles * f.wordsPerTile());
    t.fragments.push_back(f);
  };
  // Compute-bound: slices of its hemisphere that A and C do not use, at least two of them; then
  // such slices anywhere; then ones of its hemisphere without A (A is read every ABC: weight reads
  // between them would defeat Repeat and cost queue words; C is written only on the last K tile);
  // then any slices of the hemisphere; then anywhere.
  const unsigned lo = load_bound ? 1 : std::min(2u, want);
  const std::set<unsigned> none;
  // (pass 1: unused slices anywhere, e.g. the other hemisphere when one MXM does it all.)
  for (int pass = load_bound ? 3 : 0; pass < 5; ++pass) {
    for (unsigned ns = want; ns >= (pass <= 1 ? lo : 1); --ns) {
      const std::uint32_t words =
          tiles * (load_bound && !opt_.compact_weights ? ceilDiv(t.rows, tile_rows) * ceilDiv(tile_rows + ns - 1, ns)
                   : load_bound                        ? ceilDiv(t.rows + ns - 1, ns)
                                                       : ceilDiv(t.rows, ns));
      auto v = candidates(pass == 1 || pass == 4 ? -1 : side, pass <= 1 ? avoid : pass == 2 ? a_slices : none, words);
      if (v.size() >= ns) return commit(v, ns);
    }
  }
  throw CompileError(
      fmt::format("SRAM full: cannot place weights '{}' ({} rows x {} column tiles)", t.name, t.rows, tiles));
}

// C = A . B on the MXMs. Per MXM, its column tiles nt; per tile, M-blocks of up to mxm_acc_slots
// rows (one accumulator slot per row); per block, each K tile kt: load the weights B[kt][nt] on the
// MXM's load queue (multi-row LW, the last group LWI), then stream the block's A rows through the
// compute queue: ABC (first kt), ABCA, and ABCE on the last kt, which emits the finished row as an
// i32 group straight into the 4 byte planes of C or into the VXM's req (fused requant) and clears
// the slot. Timing (docs/architecture.md §4, latencies from isa::kInsns):
//   LW/LWI at t read their streams at t and commit at the end of t; LWI installs at the end of t,
//   so ABCs on the new weights dispatch at >= t + L(lwi), and an ABC at t itself still uses the
//   old ones: LWI may share the cycle of the last ABC on the previous tile (two queues). The next
//   tile's LWs refill the staging buffer from t + 1.
//   ABC/ABCA at t commit at the end of t + L(abc) - 1; ABCE at t commits there too, emits the sum
//   onto its dst group (visible at the neighbour at t + L(abce)) and zeroes the slot, so the next
//   block's ABC into the slot only has to come after it (t'' > t).
void Lowering::lowerMatmul(int ni, int rq) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& A = layout_.tensor(n.inputs[0]);
  const TensorLayout& B = layout_.tensor(n.inputs[1]);
  const MatmulPlan& plan = plans_.at(static_cast<std::size_t>(ni));
  const unsigned M = A.rows, K = A.cols;
  macs_ += std::uint64_t{M} * K * B.cols;
  const unsigned H = A.tile_cols ? A.tile_cols : L_;  // K rows per weight tile
  const unsigned KT = ceilDiv(K, H);
  const unsigned S = cfg_.params().mxm_acc_slots;
  const unsigned Lr = latencyOf(Opcode::kRead), Labce = latencyOf(Opcode::kAbce), Llwi = latencyOf(Opcode::kLwi);
  const unsigned interval = cfg_.params().mxm_abc_interval;
  // Rows per LW: at most 16 (the lwn field), and one stream of the direction stays free for A.
  const unsigned nmax = std::min({16u, cfg_.streamsPerDir() - 1, L_});

  const Node* req = rq >= 0 ? &g_.nodes[static_cast<std::size_t>(rq)] : nullptr;
  const TensorLayout* C = req ? nullptr : &layout_.tensor(n.output);
  // A fused residual_add's req16 writes its i16 result (2 planes) to req->name + ".r16" with its m.
  const bool residual = req && req->op == OpKind::kResidualAdd;
  const TensorLayout* Q = !req ? nullptr : &layout_.tensor(residual ? req->name + ".r16" : req->output);
  const TensorLayout* Mul = !req ? nullptr : &layout_.tensor(multiplierOf(*req));
  const std::string label = req ? fmt::format("{}+{}", n.name, req->name) : n.name;

  // first/last: the K tile starts/ends the row's accumulation on this MXM (abc / abce); bcopy: the
  // copy of B holding the tile (the split tile has one per hemisphere).
  struct Work {
    unsigned kt, nt, m0, rows;
    bool first = false, last = false;
    unsigned bcopy = 0;
  };
  std::vector<std::vector<Work>> work(2), split_work(2);
  for (unsigned s = 0; s < 2; ++s)
    for (unsigned nt = plan.c0[s]; nt < plan.c1[s]; ++nt)
      for (unsigned m0 = 0; m0 < M; m0 += S)
        for (unsigned kt = 0; kt < KT; ++kt)
          work[s].push_back(Work{kt, nt, m0, std::min(S, M - m0), kt == 0, kt == KT - 1, 0});
  if (plan.split >= 0) {
    // The split tile first: both MXMs start on it at once and its joint ABCEs come early, so the
    // VXM add and the writes of its row are off the program's tail.
    const auto x = static_cast<unsigned>(plan.split);
    const unsigned k0[2] = {0, plan.ks}, k1[2] = {plan.ks, KT};
    for (unsigned s = 0; s < 2; ++s)
      for (unsigned kt = k0[s]; kt < k1[s]; ++kt)
        split_work[s].push_back(Work{kt, x, 0, M, kt == k0[s], kt + 1 == k1[s], s});
  }

  // The copy of A in the MXM's hemisphere, else copy 0.
  auto copyFor = [&](const MxmUnit& u, unsigned kt) {
    for (unsigned c = 1; c < 2; ++c)
      if (A.hasCopy(c, kt)) {
        const unsigned p = A.locate(0, kt, 0, c).position;
        if ((p < vxm_) == (u.side == 0)) return c;
      }
    return 0u;
  };

  // One LW/LWI of rows [r, r + cnt) of a weight tile: a read per row, each from its own slice,
  // timed so that all arrive at the MXM in the same cycle on consecutive streams.
  auto lwBundle = [&](const MxmUnit& u, const std::vector<WordLoc>& locs, unsigned r, unsigned cnt, bool install) {
    Bundle b;
    Instruction li = indexInsn(install ? Opcode::kLwi : Opcode::kLw, r);
    li.set(Field::kLwn, static_cast<std::int32_t>(cnt));
    const int lw = b.add(u.ql, 0, li);
    const int g = b.group(u.in_dir, cnt);
    // Weights on the top streams, A (first fit) on the bottom ones: neither moves the other, so
    // the LWs and reads of a tile stay identical but for their rows and addresses (Repeat).
    b.groups[static_cast<std::size_t>(g)].align = 1;
    b.groups[static_cast<std::size_t>(g)].prefer_base = static_cast<int>(cfg_.streamsPerDir() - cnt);
    for (unsigned j = 0; j < cnt; ++j) {
      const WordLoc& w = locs[r + j];
      const int rd =
          b.add(w.position, Bundle::producerOffset(0, Lr, w.position, u.pos), memInsn(Opcode::kRead, w.address));
      b.produce(g, rd, Field::kMstrm, w.position, Lr, j, 1);
    }
    b.consume(lw, Field::kSrca, g, u.pos, 0, cnt);
    return b;
  };

  auto loadWeights = [&](MxmUnit& u, const Work& w) {
    const unsigned krows = std::min(H, K - w.kt * H);
    std::vector<WordLoc> locs(krows);
    for (unsigned r = 0; r < krows; ++r) locs[r] = B.locate(w.kt * H + r, w.nt, 0, w.bcopy);
    // Longest run of rows from r whose slices differ (at most nmax).
    auto runFrom = [&](unsigned r, const std::vector<char>& ok) {
      unsigned cnt = 0;
      while (cnt < nmax && r + cnt < krows && ok[r + cnt]) {
        bool clash = false;
        for (unsigned j = r; j < r + cnt; ++j) clash |= locs[j].position == locs[r + cnt].position;
        if (clash) break;
        ++cnt;
      }
      return cnt;
    };
    std::int64_t t_inst = 0;
    int inst_bundle = -1;
    const std::string where = fmt::format("(k{} n{})", w.kt, w.nt);
    if (!plan.load_bound) {
      // Fixed groups in row order: regular reads and LWs that Repeat compresses.
      const std::vector<char> all(krows, 1);
      std::int64_t last_lw = -1;
      int last_lw_bundle = -1;
      for (unsigned r = 0; r < krows;) {
        const unsigned cnt = runFrom(r, all);
        const bool install = r + cnt == krows;
        Bundle b = lwBundle(u, locs, r, cnt, install);
        Constraint c;
        c.at_least(u.staging_free, u.staging_bundle);
        if (install) {
          c.at_least(u.t_last_abc, u.last_abc_bundle);
          c.at_least(last_lw + 1, last_lw_bundle);
        }
        const std::int64_t t = placeBundle(
            b, c, ni, fmt::format("{}: {} rows {}..{} {}", label, install ? "lwi" : "lw", r, r + cnt - 1, where));
        const int id = static_cast<int>(sched_.placements().size() - 1);
        if (t > last_lw) last_lw = t, last_lw_bundle = id;
        if (install) t_inst = t, inst_bundle = id;
        r += cnt;
      }
    } else {
      // Load-bound: cycle by cycle from the earliest free one, in row order, the longest run of
      // the next rows whose slices can all read for this cycle (a slot taken by an A read, a C
      // write or the other MXM ends the run; the layout puts the A read's slot just before row 0).
      // The run that completes the tile is the LWI; it waits for the last ABC on the previous
      // weights.
      std::vector<char> loaded(krows, 0), ok(krows, 0);
      unsigned left = krows, front = 0;
      std::int64_t t = std::max<std::int64_t>(u.staging_free, 0);
      std::int64_t last_lw = -1;
      int last_lw_bundle = -1;
      auto& tab = sched_.table();
      while (left > 0) {
        if (!tab.free(u.ql, t)) {
          t = tab.nextFree(u.ql, t);
          continue;
        }
        for (unsigned r = 0; r < krows; ++r) {
          const std::int64_t tr = t + Bundle::producerOffset(0, Lr, locs[r].position, u.pos);
          ok[r] = !loaded[r] && tr >= 0 && tab.free(locs[r].position, tr);
        }
        const bool may_install = t >= u.t_last_abc && t > last_lw;
        // The rows not loaded yet are always one interval [front, front + left): take the longer
        // of the run from its front and the run ending at its back (ties: the front).
        unsigned best_r = front;
        unsigned best_n = runFrom(front, ok);
        if (best_n < left) {
          unsigned nb = 0;
          const unsigned back = front + left - 1;
          while (nb < nmax && nb < left && ok[back - nb]) {
            bool clash = false;
            for (unsigned j = back - nb + 1; j <= back; ++j) clash |= locs[j].position == locs[back - nb].position;
            if (clash) break;
            ++nb;
          }
          if (nb > best_n) best_r = back + 1 - nb, best_n = nb;
        }
        if (best_n == left && !may_install) {  // keep a row for the LWI
          --best_n;
          if (best_r != front) ++best_r;
        }
        bool placed = false;
        const bool from_back = best_r != front;
        for (unsigned cnt = best_n; cnt > 0 && !placed; --cnt) {
          const bool install = cnt == left;
          const unsigned r0 = from_back ? best_r + (best_n - cnt) : best_r;
          Bundle b = lwBundle(u, locs, r0, cnt, install);
          if (!sched_.fitsAt(b, t)) continue;
          Constraint c;
          c.at_least(t, last_lw_bundle);
          const std::int64_t tp = placeBundle(
              b, c, ni, fmt::format("{}: {} rows {}..{} {}", label, install ? "lwi" : "lw", r0, r0 + cnt - 1, where));
          const int id = static_cast<int>(sched_.placements().size() - 1);
          for (unsigned j = r0; j < r0 + cnt; ++j) loaded[j] = 1;
          if (!from_back) front += cnt;
          left -= cnt;
          last_lw = tp, last_lw_bundle = id;
          if (install) t_inst = tp, inst_bundle = id;
          placed = true;
        }
        ++t;
      }
    }
    u.staging_free = t_inst + 1;
    u.staging_bundle = inst_bundle;
    u.active_ready = t_inst + Llwi;
    u.active_bundle = inst_bundle;
  };

  // Adds the destination of a finished row (ABCE's i32 group `grp`): the 4 byte planes of C, or
  // req on the VXM (with the multiplier planes) and the write of Q's 1 (i8) or 2 (i16) planes. Returns the written
  // words.
  auto addOutput = [&](Bundle& b, const MxmUnit& /*u*/, int grp, unsigned m, unsigned nt) {
    std::vector<std::pair<WordLoc, int>> writes;
    if (C) {
      for (unsigned p = 0; p < 4; ++p) {
        const WordLoc loc = C->locate(m, nt, p, 0);
        writes.emplace_back(loc, addWrite(b, grp, p, loc));
      }
      return writes;
    }
    const unsigned qbytes = Q->planes;  // 1 (i8) or 2 (i16)
    Instruction rq_insn = makeInsn(Opcode::kReq);
    rq_insn.type = qbytes == 2 ? ElemType::kI16 : ElemType::kI8;
    rq_insn.set(Field::kShamt, static_cast<std::int32_t>(req->shift));
    const int when = b.arrival(grp, 0, vxm_);
    const int r = b.add(vxm_, when, rq_insn);
    b.consume(r, Field::kSrca, grp, vxm_, 0, 4);
    // (Column tile nt of the multipliers is opposite this MXM where multiplierOpposite(): allocateAll.)
    const WordLoc lo = Mul->locate(0, nt, 0, 0), hi = Mul->locate(0, nt, 1, 0);
    const int mg = b.group(toward(lo.position, vxm_), 2);
    const int ilo =
        b.add(lo.position, Bundle::producerOffset(when, Lr, lo.position, vxm_), memInsn(Opcode::kRead, lo.address));
    const int ihi =
        b.add(hi.position, Bundle::producerOffset(when, Lr, hi.position, vxm_), memInsn(Opcode::kRead, hi.address));
    b.produce(mg, ilo, Field::kMstrm, lo.position, Lr, 0, 1);
    b.produce(mg, ihi, Field::kMstrm, hi.position, Lr, 1, 1);
    b.consume(r, Field::kSrcb, mg, vxm_, 0, 2);
    const WordLoc out = Q->locate(m, nt, 0, 0);
    const int og = b.group(toward(vxm_, out.position), qbytes);
    b.produce(og, r, Field::kDst, vxm_, latencyOf(Opcode::kReq));
    for (unsigned cp = 0; cp < 2; ++cp)
      if (cp == 0 || Q->hasCopy(cp, nt))
        for (unsigned p = 0; p < qbytes; ++p) {
          const WordLoc oc = Q->locate(m, nt, p, cp);
          writes.emplace_back(oc, addWrite(b, og, p, oc));
        }
    return writes;
  };

  auto streamRows = [&](MxmUnit& u, const Work& w) {
    const unsigned copy = copyFor(u, w.kt);
    const bool last = w.last;
    const Opcode op = last ? Opcode::kAbce : w.first ? Opcode::kAbc : Opcode::kAbca;
    for (unsigned i = 0; i < w.rows; ++i) {
      const unsigned m = w.m0 + i;
      const WordLoc loc = A.locate(m, w.kt, 0, copy);
      Bundle b;
      const int abc = b.add(u.qc, 0, indexInsn(op, i));
      auto [rd, grp] = addRead(b, loc, u.pos, 0);
      b.consume(abc, Field::kSrca, grp, u.pos);
      b.excl.push_back(Bundle::Excl{u.abc_port, 0, interval});
      std::vector<std::pair<WordLoc, int>> writes;
      if (last) {
        const int og = b.group(u.out_dir, 4);
        b.produce(og, abc, Field::kDst, u.pos, Labce);
        writes = addOutput(b, u, og, m, w.nt);
      }
      Constraint c;
      c.at_least(u.active_ready, u.active_bundle);
      const Ready rdy = readyOf(loc);
      c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
      if (w.first) c.at_least(u.slot_free[i], u.slot_bundle[i]);
      const std::int64_t t =
          placeBundle(b, c, ni,
                      fmt::format("{}: {} row {} (k{} n{})", label, isa::findInsn(static_cast<unsigned>(op))->mnemonic,
                                  m, w.kt, w.nt));
      const int id = static_cast<int>(sched_.placements().size() - 1);
      if (t >= u.t_last_abc) u.t_last_abc = t, u.last_abc_bundle = id;
      if (last) {
        u.slot_free[i] = t + 1;
        u.slot_bundle[i] = id;
        for (const auto& [wl, wi] : writes)
          setReady(wl, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite), id);
      }
    }
  };

  // The split tile: each MXM's K tiles but its last as usual (abc/abca into the row's slot), in
  // rounds; then both last loads, then per row one bundle with both MXMs' ABCEs in the same cycle
  // (the MXMs sit at the same distance from the VXM, so their i32 rows meet there), the VXM's
  // add.i32 and the 4 plane writes of C. Timing: ABCE at t is visible at the neighbour at
  // t + L(abce), at the VXM at t + L(abce) + |vxm - mxm| - 1; the add's sum at the neighbour at
  // + L(add).
  if (plan.split >= 0) {
    const std::size_t rounds = std::max(split_work[0].size(), split_work[1].size());
    for (std::size_t k = 0; k + 1 < rounds; ++k)
      for (unsigned s = 0; s < 2; ++s)
        if (k + 1 < split_work[s].size()) {
          loadWeights(mxm_[s], split_work[s][k]);
          streamRows(mxm_[s], split_work[s][k]);
        }
    for (unsigned s = 0; s < 2; ++s) loadWeights(mxm_[s], split_work[s].back());
    const auto x = static_cast<unsigned>(plan.split);
    for (unsigned i = 0; i < M; ++i) {
      Bundle b;
      Constraint c;
      int og[2] = {-1, -1};
      int rd[2] = {-1, -1};
      WordLoc aloc[2];
      for (unsigned s = 0; s < 2; ++s) {
        MxmUnit& u = mxm_[s];
        const Work& w = split_work[s].back();
        const int abc = b.add(u.qc, 0, indexInsn(Opcode::kAbce, i));
        aloc[s] = A.locate(i, w.kt, 0, copyFor(u, w.kt));
        auto [r, grp] = addRead(b, aloc[s], u.pos, 0);
        rd[s] = r;
        b.consume(abc, Field::kSrca, grp, u.pos);
        b.excl.push_back(Bundle::Excl{u.abc_port, 0, interval});
        og[s] = b.group(u.out_dir, 4);
        b.produce(og[s], abc, Field::kDst, u.pos, Labce);
        c.at_least(u.active_ready, u.active_bundle);
        if (w.first) c.at_least(u.slot_free[i], u.slot_bundle[i]);
      }
      const int when = b.arrival(og[0], 0, vxm_);
      if (when != b.arrival(og[1], 0, vxm_))
        throw std::logic_error("matmul split: the MXMs' rows do not meet at the VXM");
      Instruction add = makeInsn(Opcode::kAdd);
      add.type = ElemType::kI32;
      const int v = b.add(vxm_, when, add);
      b.consume(v, Field::kSrca, og[0], vxm_, 0, 4);
      b.consume(v, Field::kSrcb, og[1], vxm_, 0, 4);
      const WordLoc p0 = C->locate(i, x, 0, 0);
      const int sg = b.group(toward(vxm_, p0.position), 4);
      b.produce(sg, v, Field::kDst, vxm_, latencyOf(Opcode::kAdd));
      std::vector<std::pair<WordLoc, int>> writes;
      for (unsigned p = 0; p < 4; ++p) {
        const WordLoc loc = C->locate(i, x, p, 0);
        if (p < cfg_.memSlicesPerHem()) {
          writes.emplace_back(loc, addWrite(b, sg, p, loc));
          continue;
        }
        // Turned around: `shift 0` (a copy) at SXM_E when the plane passes, then westward to
        // its slice (visible at SXM_E - 1 at + L(shift)).
        const unsigned sx = cfg_.positions() - 2;
        Instruction sh = makeInsn(Opcode::kShift);
        sh.set(Field::kImm8, 0);
        const int si = b.add(sx, b.arrival(sg, p, sx), sh);
        b.consume(si, Field::kSrca, sg, sx, p, 1);
        const int back = b.group(Dir::kWest, 1);
        b.produce(back, si, Field::kDst, sx, latencyOf(Opcode::kShift));
        writes.emplace_back(loc, addWrite(b, back, 0, loc));
      }
      for (unsigned s = 0; s < 2; ++s) {
        const Ready rdy = readyOf(aloc[s]);
        c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd[s])].offset, rdy.bundle);
      }
      const std::int64_t t =
          placeBundle(b, c, ni, fmt::format("{}: abce+abce+add row {} (n{} split at k{})", label, i, x, plan.ks));
      const int id = static_cast<int>(sched_.placements().size() - 1);
      for (unsigned s = 0; s < 2; ++s) {
        MxmUnit& u = mxm_[s];
        if (t >= u.t_last_abc) u.t_last_abc = t, u.last_abc_bundle = id;
        u.slot_free[i] = t + 1;
        u.slot_bundle[i] = id;
      }
      for (const auto& [wl, wi] : writes)
        setReady(wl, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite), id);
    }
  }

  // Round-robin over the MXMs so that both hemispheres progress together.
  const std::size_t longest = std::max(work[0].size(), work[1].size());
  for (std::size_t k = 0; k < longest; ++k) {
    // The MXM that is behind (earlier last install) goes first: first-fit gives the earlier
    // bundles the contested slots. Ties alternate.
    const std::int64_t tw = mxm_[0].staging_free, te = mxm_[1].staging_free;
    const unsigned first =
        tw != te ? (te < tw ? 1u : 0u) : static_cast<unsigned>((k + static_cast<std::size_t>(ni)) % 2);
    for (unsigned i = 0; i < 2; ++i) {
      const unsigned s = i == 0 ? first : 1 - first;
      if (k >= work[s].size()) continue;
      MxmUnit& u = mxm_[s];
      loadWeights(u, work[s][k]);
      streamRows(u, work[s][k]);
    }
  }
}

}  // namespace lpu::compiler::lowering
