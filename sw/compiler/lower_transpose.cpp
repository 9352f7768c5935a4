// Transpose on the SXM: the input layout it needs, the masks of the reassembly, and the lowering.
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

unsigned Lowering::transposeRows() const {
  const unsigned N = cfg_.params().transpose_n;
  unsigned k = std::min(N, cfg_.memSlices());
  while (N % k) --k;
  return k;
}

bool Lowering::transposable(const TensorLayout& t, unsigned k) const {
  if (t.planes != 1 || (t.tile_cols && t.tile_cols != L_)) return false;
  for (unsigned ct = 0; ct < t.col_tiles; ++ct)
    for (unsigned r0 = 0; r0 < t.rows; r0 += k) {
      std::set<unsigned> seen;
      for (unsigned r = r0; r < std::min(t.rows, r0 + k); ++r)
        if (!seen.insert(t.locate(r, ct).position).second) return false;
    }
  return true;
}

void Lowering::placeInterleaved(TensorLayout& t, unsigned k, const std::set<unsigned>& forbid) {
  const std::uint32_t words = t.col_tiles * ceilDiv(t.rows, k);
  std::vector<unsigned> sl = pickSlices(-1, {}, forbid, false, k, words);
  if (sl.empty())
    throw CompileError(
        fmt::format("SRAM full: cannot place '{}' ({} rows x {} column tiles) "
                    "over {} slices",
                    t.name, t.rows, t.col_tiles, k));
  Fragment f;
  f.ct_begin = 0;
  f.ct_end = t.col_tiles;
  f.slices = sl;
  f.rows = t.rows;
  f.interleaved = true;
  f.base = alloc_.allocate(sl, words);
  t.fragments.push_back(f);
}

unsigned Lowering::TransposeMasks::rowOf(unsigned first, unsigned count) const {
  for (std::size_t m = 0; m < ranges.size(); ++m)
    if (ranges[m] == std::pair<unsigned, unsigned>{first, count}) return static_cast<unsigned>(m);
  throw std::logic_error("transpose: no mask");
}

// Y = X^T with the SXM's `transpose` (N = transpose_n: stream dst+i lane b*N+j = stream srca+j
// lane b*N+i, for every block b of N lanes). N = streams_per_dir in both configurations, so a
// transpose takes every stream of one direction; a fed row must arrive at the SXM on its stream in
// the transpose's dispatch cycle, i.e. each from its own MEM slice, and each kept output is
// written by its own slice as the group passes. With k = transposeRows() rows and outputs per
// transpose (large 16, small 4: only 6 MEM slices for N = 8):
//   phase 0 (only when X's layout has a tile's rows in one slice): X copied row by row through a
//     VXM `mov` into a layout with row r in slice r % k.
//   phase 1: per column tile ct, row group g (rows g*k .. g*k+k-1) and block of k outputs: k reads
//     timed to meet at the SXM on streams j0 .. j0+k-1 (j0 = g*k mod N), `transpose`, k writes.
//     Output stream i then holds, in lanes b*N + j0 .. +k-1, column ct*L + b*N + i of those rows:
//     the piece of Y row ct*L + b*N + i that belongs at lanes s0 = g*k mod L (block q = s0 / N)
//     of its Y word. The other lanes hold whatever was on the unfed streams (masked below).
//   phase 2: per Y word and piece: read the T word, `rotate` it by (q - b)*N lanes on the nearer
//     SXM (skipped when q = b and its slice is free of the other two reads), and on the VXM
//     either `and` it with the piece's mask (first piece: zeros elsewhere) or `sel` it into the
//     word built so far (read back from SRAM) under the mask; write the word. The pieces of one
//     word are a read-after-write chain through the ready times of its SRAM word.
void Lowering::lowerTranspose(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const unsigned N = cfg_.params().transpose_n, k = transposeRows();
  const unsigned Lr = latencyOf(Opcode::kRead), Lw = latencyOf(Opcode::kWrite), Ltr = latencyOf(Opcode::kTranspose),
                 Lrot = latencyOf(Opcode::kRotate), Lv = latencyOf(Opcode::kSel);
  const unsigned sxm[2] = {1, cfg_.positions() - 2};
  const TensorLayout& X = layout_.tensor(n.inputs[0]);
  const std::string xs_name = layout_.tensors.count(n.name + ".x") ? n.name + ".x" : n.inputs[0];
  const TensorLayout& XS = layout_.tensor(xs_name);
  const TensorLayout& T = layout_.tensor(n.name + ".t");
  const TensorLayout& MK = layout_.tensor(n.name + ".masks");
  const TensorLayout& Y = layout_.tensor(n.output);
  const TransposeMasks& tm = transpose_masks_.at(ni);
  const unsigned M = X.rows, C = X.cols, G = ceilDiv(M, k);

  auto placeAndWrite = [&](Bundle& b, const Constraint& c, std::string what,
                           const std::vector<std::pair<WordLoc, int>>& writes) {
    const std::int64_t t = placeBundle(b, c, ni, std::move(what));
    const int id = static_cast<int>(sched_.placements().size() - 1);
    for (const auto& [w, wi] : writes) setReady(w, t + b.insns[static_cast<std::size_t>(wi)].offset + Lw, id);
  };

  // Phase 0.
  if (xs_name != n.inputs[0]) {
    for (unsigned ct = 0; ct < X.col_tiles; ++ct)
      for (unsigned r = 0; r < M; ++r) {
        Bundle b;
        Instruction mv = makeInsn(Opcode::kMov);
        mv.type = ElemType::kI8;
        const int v = b.add(vxm_, 0, mv);
        const WordLoc src = X.locate(r, ct), dst = XS.locate(r, ct);
        auto [rd, grp] = addRead(b, src, vxm_, 0);
        b.consume(v, Field::kSrca, grp, vxm_);
        const int og = b.group(toward(vxm_, dst.position), 1);
        b.produce(og, v, Field::kDst, vxm_, latencyOf(Opcode::kMov));
        const int wi = addWrite(b, og, 0, dst);
        Constraint c;
        const Ready rdy = readyOf(src);
        c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        placeAndWrite(b, c, fmt::format("{}: copy row {} tile {}", n.name, r, ct), {{dst, wi}});
      }
  }

  // Phase 1.
  for (unsigned ct = 0; ct < X.col_tiles; ++ct)
    for (unsigned g = 0; g < G; ++g) {
      const unsigned j0 = (g * k) % N, rows = std::min(k, M - g * k);
      for (unsigned i0 = 0; i0 < N; i0 += k) {
        // Outputs i whose Y rows exist (ct*L + b*N + i < C for some b, i.e. for b = 0).
        std::vector<unsigned> keep;
        for (unsigned i = i0; i < i0 + k; ++i)
          if (ct * L_ + i < C) keep.push_back(i);
        if (keep.empty()) continue;
        // One SXM for all of phase 1: its reads and writes then keep their directions and
        // streams, so Repeat folds them; the other SXM is free for phase 2's rotates.
        const unsigned side = 0, sp = sxm[side];
        const Dir in_dir = side == 0 ? Dir::kWest : Dir::kEast;
        Bundle b;
        const int tr = b.add(sp, 0, makeInsn(Opcode::kTranspose));
        const int gin = b.group(in_dir, N);
        b.groups[static_cast<std::size_t>(gin)].fixed_base = 0;
        Constraint c;
        for (unsigned j = 0; j < rows; ++j) {
          const WordLoc loc = XS.locate(g * k + j, ct);
          const int rd =
              b.add(loc.position, Bundle::producerOffset(0, Lr, loc.position, sp), memInsn(Opcode::kRead, loc.address));
          b.produce(gin, rd, Field::kMstrm, loc.position, Lr, j0 + j, 1);
          b.consume(tr, Field::kSrca, gin, sp, j0 + j, 1);
          const Ready rdy = readyOf(loc);
          c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        }
        // The group is read whole (srca = stream 0); the unfed members carry junk into lanes
        // that phase 2 masks off.
        b.insns[static_cast<std::size_t>(tr)].bindings.assign(1, Bundle::Binding{Field::kSrca, gin, 0});
        const int gout = b.group(side == 0 ? Dir::kEast : Dir::kWest, N);
        b.groups[static_cast<std::size_t>(gout)].fixed_base = 0;
        b.produce(gout, tr, Field::kDst, sp, Ltr);
        std::vector<std::pair<WordLoc, int>> writes;
        for (unsigned i : keep) {
          const WordLoc loc = T.locate(g * N + i, ct);
          writes.emplace_back(loc, addWrite(b, gout, i, loc));
        }
        placeAndWrite(b, c, fmt::format("{}: transpose rows {}.. tile {} out {}..", n.name, g * k, ct, i0), writes);
      }
    }

  // Phase 2, piece by piece over all rows of a Y tile (runs of like instructions for Repeat).
  const TensorLayout* U[2] = {&layout_.tensor(n.name + ".u0"), &layout_.tensor(n.name + ".u1")};
  for (unsigned yt = 0; yt < Y.col_tiles; ++yt) {
    const unsigned g0 = yt * L_ / k, g1 = std::min(G, (yt + 1) * L_ / k);
    // Rows in the order of the slices holding their T words (row c's is i % k), within each
    // column tile of X: consecutive pieces then come from one slice and direction.
    std::vector<unsigned> order(C);
    for (unsigned c = 0; c < C; ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(),
                     [&](unsigned a, unsigned b2) { return std::pair{a / L_, a % k} < std::pair{b2 / L_, b2 % k}; });
    for (unsigned g = g0; g < g1; ++g)
      for (const unsigned c : order) {
        const unsigned ct = c / L_, b_blk = (c % L_) / N, i = c % N;
        const bool first = g == g0, last = g + 1 == g1;
        const WordLoc yloc = first ? WordLoc{} : U[(g - g0 + 1) % 2]->locate(c, yt, 0, 0);
        const TensorLayout& dst = last ? Y : *U[(g - g0) % 2];
        const unsigned s0 = (g * k) % L_, q = s0 / N, rows = std::min(k, M - g * k);
        const WordLoc mloc = MK.locate(tm.rowOf(s0, rows), 0);
        const WordLoc tloc = T.locate(g * N + i, ct);
        const int rot = (static_cast<int>(q) - static_cast<int>(b_blk)) * static_cast<int>(N);
        Bundle b;
        Instruction vi = makeInsn(first ? Opcode::kAnd : Opcode::kSel);
        vi.type = ElemType::kI8;
        const int v = b.add(vxm_, 0, vi);
        Constraint cons;
        auto need = [&](const WordLoc& w, int rd) {
          const Ready rdy = readyOf(w);
          cons.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        };
        // The piece, rotated into place.
        int piece = -1;
        const bool direct = rot == 0 && tloc.position != mloc.position && (first || tloc.position != yloc.position);
        if (direct) {
          auto [rd, grp] = addRead(b, tloc, vxm_, 0);
          need(tloc, rd);
          piece = grp;
        } else {
          const unsigned sp = sxm[tloc.position < vxm_ ? 0 : 1];
          const int ro_off = Bundle::producerOffset(0, Lrot, sp, vxm_);
          Instruction ri = makeInsn(Opcode::kRotate);
          ri.set(Field::kImm8, rot);
          const int ro = b.add(sp, ro_off, ri);
          auto [rd, grp] = addRead(b, tloc, sp, ro_off);
          need(tloc, rd);
          b.groups[static_cast<std::size_t>(grp)].prefer_base = 2;
          b.consume(ro, Field::kSrca, grp, sp);
          piece = b.group(toward(sp, vxm_), 1);
          b.produce(piece, ro, Field::kDst, sp, Lrot);
        }
        auto [mrd, mgrp] = addRead(b, mloc, vxm_, 0);
        need(mloc, mrd);
        // The same streams for every word (Repeat): mask 0, word so far 1, piece 2, result 3.
        b.groups[static_cast<std::size_t>(mgrp)].prefer_base = 0;
        b.groups[static_cast<std::size_t>(piece)].prefer_base = 2;
        if (first) {
          b.consume(v, Field::kSrca, piece, vxm_);
          b.consume(v, Field::kSrcb, mgrp, vxm_);
        } else {
          auto [ord, ogrp] = addRead(b, yloc, vxm_, 0);
          need(yloc, ord);
          b.groups[static_cast<std::size_t>(ogrp)].prefer_base = 1;
          b.consume(v, Field::kSrca, mgrp, vxm_);
          b.consume(v, Field::kSrcb, piece, vxm_);
          b.consume(v, Field::kSrcc, ogrp, vxm_);
        }
        const int og = b.group(toward(vxm_, dst.locate(c, yt, 0, 0).position), 1);
        b.groups[static_cast<std::size_t>(og)].prefer_base = 3;
        b.produce(og, v, Field::kDst, vxm_, Lv);
        std::vector<std::pair<WordLoc, int>> writes;
        for (unsigned cp = 0; cp < 2; ++cp)
          if (cp == 0 || dst.hasCopy(cp, yt)) {
            const WordLoc oc = dst.locate(c, yt, 0, cp);
            writes.emplace_back(oc, addWrite(b, og, 0, oc));
          }
        placeAndWrite(b, cons, fmt::format("{}: row {} tile {} piece {}", n.name, c, yt, g), writes);
      }
  }
}

}  // namespace lpu::compiler::lowering
