// Vector values: the building blocks of the single-row lowerings (rmsnorm, argmax). A VecVal is a
// vector of 1, 2 or 4 byte planes, one SRAM word each; every VXM step is one bundle that reads its
// operands, runs one VXM instruction and writes the result to fresh words, and the scheduler's
// SRAM ready times chain the steps. Timing contract of one step (docs/compiler.md §4, "Vector
// lowerings"): a plane read at h hops from the VXM dispatches at when - L(read) - h + 1; a plane
// turned around at the SXM of its hemisphere (H hops from the VXM) is read heading outward, shifted
// (`shift 0`, latency 2) at when - L(shift) - H + 1 and reaches the VXM at `when` with the others.
#include <fmt/format.h>

#include <bit>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

namespace {
// A constant's SRAM bytes, plane-major: plane k holds byte k of each lane's value (lanes past `lanes` are 0).
std::vector<std::uint8_t> planeBytes(unsigned width, unsigned lane_count, const std::vector<std::int64_t>& lanes) {
  std::vector<std::uint8_t> bytes(std::size_t{width} * lane_count, 0);
  for (unsigned k = 0; k < width; ++k)
    for (unsigned l = 0; l < lane_count && l < lanes.size(); ++l)
      bytes[std::size_t{k} * lane_count + l] =
          static_cast<std::uint8_t>(static_cast<std::uint64_t>(lanes[l]) >> (8 * k));
  return bytes;
}

Instruction shift0() {
  Instruction i = makeInsn(Opcode::kShift);
  i.set(Field::kImm8, 0);
  return i;
}
}  // namespace

Lowering::VecVal Lowering::newVal(unsigned width, int side, const std::set<unsigned>& avoid, bool spread) {
  // Nearest the VXM first (avoided slices only when there are not enough others): every step is a
  // write and a read-back, and its latency grows with the hops. `spread` (many independent steps,
  // where slice ports rather than latency limit): the slices with the most free words first.
  // A plane that has to share a slice goes to the chosen slice nearest the SXM, where the
  // turn-around costs least.
  auto nearest = [&](std::vector<unsigned> v) {
    if (spread) return v;
    std::stable_sort(v.begin(), v.end(), [&](unsigned a, unsigned b) { return nearerVxm(a, b); });
    return v;
  };
  std::vector<unsigned> sl, av, order = alloc_.bySpace(side);
  // (With a constant pool, the program's constants are not in its own words; `spread` counts them where they are,
  // as if they were, so that the scratch still keeps out of the slices its constants are read from.)
  if (spread && !pool_charge_.empty()) {
    auto load = [&](unsigned p) {
      auto it = pool_charge_.find(p);
      return alloc_.used().at(p) + (it == pool_charge_.end() ? 0 : it->second);
    };
    std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) { return load(a) < load(b); });
  }
  for (unsigned p : order) (avoid.count(p) ? av : sl).push_back(p);
  sl = nearest(sl);
  if (sl.size() < width)
    for (unsigned p : nearest(av)) sl.push_back(p);
  VecVal v;
  v.width = width;
  const auto ns = std::min<std::size_t>(width, sl.size());
  const unsigned far = spread && rotate_shared_ && ns > 0 && ns < width
                           ? sl[shared_turn_++ % ns]
                           : *std::max_element(sl.begin(), sl.begin() + static_cast<std::ptrdiff_t>(ns),
                                               [&](unsigned a, unsigned b) { return nearerVxm(a, b); });
  for (unsigned k = 0; k < width; ++k) {
    const unsigned p = k < ns ? sl[k] : far;
    if (alloc_.freeWords(p) == 0) throw CompileError(fmt::format("SRAM full in {}", cfg_.sliceName(p)));
    v.loc[k] = WordLoc{p, alloc_.allocate({p}, 1)};
  }
  return v;
}

Lowering::VecVal Lowering::constVal(unsigned width, const std::vector<std::int64_t>& lanes, int side,
                                    const std::set<unsigned>& avoid) {
  std::string key = fmt::format("{}/{}/", width, side);
  for (unsigned p : avoid) key += fmt::format("{},", p);
  for (std::int64_t x : lanes) key += fmt::format("{} ", x);
  if (auto it = const_cache_.find(key); it != const_cache_.end()) return it->second;
  if (opt_.constants) return const_cache_[key] = pooledVal(width, lanes, side, avoid);
  const VecVal v = newVal(width, side, avoid);
  const std::vector<std::uint8_t> bytes = planeBytes(width, L_, lanes);
  for (unsigned k = 0; k < width; ++k) {
    isa::DataSegment seg;
    seg.position = v.loc[k].position;
    seg.address = v.loc[k].address;
    seg.bytes.assign(bytes.begin() + std::ptrdiff_t{k} * L_, bytes.begin() + std::ptrdiff_t{k + 1} * L_);
    constants_.push_back(std::move(seg));
  }
  return const_cache_[key] = v;
}

Lowering::VecVal Lowering::pooledVal(unsigned width, const std::vector<std::int64_t>& lanes, int side,
                                     const std::set<unsigned>& avoid) {
  ConstantPool& pool = *opt_.constants;
  std::vector<std::uint8_t> bytes = planeBytes(width, L_, lanes);
  auto toVal = [&](const ConstantPool::Entry& e) {
    VecVal v;
    v.width = width;
    for (unsigned k = 0; k < width; ++k) v.loc[k] = e.loc[k], ++pool_charge_[e.loc[k].position];
    return v;
  };
  // Where newVal would place a program's own constant: nearest the VXM, avoided slices only when there are not
  // enough others, planes past the slices available in the farthest chosen one (among the hemisphere's pool slices
  // with room). An entry there with the same bytes is reused; else one is added there.
  std::vector<unsigned> sl, av;  // the hemisphere's pool slices, nearest the VXM first; avoided ones apart
  for (unsigned p = 0; p < cfg_.positions(); ++p)
    if (cfg_.sliceAt(p) == Slice::kMEM && sideOf(p) == side && pool.regions().count(p))
      (avoid.count(p) ? av : sl).push_back(p);
  auto nearer = [&](unsigned a, unsigned b) { return nearerVxm(a, b); };
  std::stable_sort(sl.begin(), sl.end(), nearer);
  std::stable_sort(av.begin(), av.end(), nearer);
  auto choose = [&](bool room) {
    std::vector<unsigned> cand;
    for (unsigned p : sl)
      if (!room || pool.freeWords(p) >= width) cand.push_back(p);
    if (cand.size() < width)
      for (unsigned p : av)
        if (!room || pool.freeWords(p) >= width) cand.push_back(p);
    std::vector<unsigned> pos;
    if (cand.empty()) return pos;
    const auto ns = std::min<std::size_t>(width, cand.size());
    const unsigned far = *std::max_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(ns), nearer);
    for (unsigned k = 0; k < width; ++k) pos.push_back(k < ns ? cand[k] : far);
    return pos;
  };
  for (const std::vector<unsigned>& pos : {choose(false), choose(true)}) {
    if (pos.empty()) continue;
    const ConstantPool::Entry* e = pool.find(width, bytes, [&](const ConstantPool::Entry& c) {
      for (unsigned k = 0; k < width; ++k)
        if (c.loc[k].position != pos[k]) return false;
      return true;
    });
    if (e) return toVal(*e);
  }
  const std::vector<unsigned> pos = choose(true);
  if (pos.empty())
    throw CompileError(fmt::format("constant pool full: no slice of the {} hemisphere has {} free words for a constant",
                                   side == 0 ? "west" : "east", width));
  return toVal(pool.add(width, std::move(bytes), pos, L_));
}

Lowering::VecVal Lowering::tensorVal(const TensorLayout& t, unsigned r, unsigned ct) const {
  VecVal v;
  v.width = t.planes;
  for (unsigned k = 0; k < t.planes; ++k) v.loc[k] = t.locate(r, ct, k, 0);
  return v;
}

void Lowering::placeSided(const std::string& name, bool alternate) {
  const Tensor& t = g_.tensor(name);
  TensorLayout& tl = declare(name, t.dtype, t.kind, t.rows, t.cols, dtypeBytes(t.dtype));
  const bool two = alternate && tl.col_tiles > 1;
  const std::vector<unsigned> w = alloc_.bySpace(0), e = alloc_.bySpace(1);
  for (unsigned p = 0; p < tl.planes; ++p) {
    Fragment f;
    f.plane = p;
    f.ct_begin = 0;
    f.ct_end = tl.col_tiles;
    f.rows = tl.rows;
    f.slices = {w[p % w.size()]};
    if (two) f.slices.push_back(e[p % e.size()]);
    f.base = alloc_.allocate(f.slices, ceilDiv(tl.col_tiles, two ? 2 : 1) * tl.rows);
    tl.fragments.push_back(f);
  }
}

int Lowering::readVal(Bundle& b, Constraint& c, const VecVal& v, unsigned width, int when) {
  const unsigned Lr = latencyOf(Opcode::kRead), Ls = latencyOf(Opcode::kShift);
  const int side = sideOf(v);
  const unsigned sxm = side == 0 ? 1 : cfg_.positions() - 2;
  const int g = b.group(side == 0 ? Dir::kEast : Dir::kWest, width);
  std::set<unsigned> used;
  bool turned = false;
  auto need = [&](const WordLoc& w, int rd) {
    const Ready rdy = readyOf(w);
    c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
  };
  for (unsigned k = 0; k < v.width; ++k) {
    const WordLoc& w = v.loc[k];
    if (sideOf(w.position) == side && used.insert(w.position).second) {
      const int rd =
          b.add(w.position, Bundle::producerOffset(when, Lr, w.position, vxm_), memInsn(Opcode::kRead, w.address));
      b.produce(g, rd, Field::kMstrm, w.position, Lr, k, 1);
      need(w, rd);
      continue;
    }
    if (turned)
      throw CompileError(fmt::format("{}: a vector operand with more than one plane to turn around at {}", b.what,
                                     cfg_.sliceName(sxm)));
    turned = true;
    const int sh_off = Bundle::producerOffset(when, Ls, sxm, vxm_);
    const int rd =
        b.add(w.position, Bundle::producerOffset(sh_off, Lr, w.position, sxm), memInsn(Opcode::kRead, w.address));
    const int out = b.group(toward(w.position, sxm), 1);
    b.produce(out, rd, Field::kMstrm, w.position, Lr);
    const int si = b.add(sxm, sh_off, shift0());
    b.consume(si, Field::kSrca, out, sxm);
    b.produce(g, si, Field::kDst, sxm, Ls, k, 1);
    need(w, rd);
  }
  return g;
}

std::vector<std::pair<WordLoc, int>> Lowering::writeVal(Bundle& b, int g, const VecVal& dst) {
  const int side = sideOf(dst);
  const unsigned sxm = side == 0 ? 1 : cfg_.positions() - 2;
  std::vector<std::pair<WordLoc, int>> writes;
  std::set<unsigned> used;
  bool turned = false;
  for (unsigned k = 0; k < dst.width; ++k) {
    const WordLoc& w = dst.loc[k];
    if (sideOf(w.position) == side && used.insert(w.position).second) {
      writes.emplace_back(w, addWrite(b, g, k, w));
      continue;
    }
    if (turned) throw CompileError(fmt::format("{}: a result with more than one plane to turn around", b.what));
    turned = true;
    // The plane passes its slice, turns around at the SXM and is written on the way back.
    const int si = b.add(sxm, b.arrival(g, k, sxm), shift0());
    b.consume(si, Field::kSrca, g, sxm, k, 1);
    const int back = b.group(toward(sxm, vxm_), 1);
    b.produce(back, si, Field::kDst, sxm, latencyOf(Opcode::kShift));
    writes.emplace_back(w, addWrite(b, back, 0, w));
  }
  return writes;
}

std::vector<WordLoc> Lowering::copiesOf(const TensorLayout& t, unsigned r, unsigned ct) const {
  std::vector<WordLoc> out;
  for (unsigned cp = 1; cp < 2; ++cp)
    if (t.hasCopy(cp, ct)) out.push_back(t.locate(r, ct, 0, cp));
  return out;
}

std::int64_t Lowering::vxmOp(int node, const std::string& what, Instruction insn, const std::vector<Operand>& srcs,
                             const VecVal& dst, const std::vector<WordLoc>& also) {
  Bundle b;
  b.what = what;
  const int v = b.add(vxm_, 0, insn);
  Constraint c;
  std::vector<std::pair<const VecVal*, int>> groups;
  for (const Operand& o : srcs) {
    int g = -1;
    for (const auto& [pv, pg] : groups)
      if (pv->width == o.v.width && pv->loc[0].position == o.v.loc[0].position &&
          pv->loc[0].address == o.v.loc[0].address)
        g = pg;
    if (g < 0) {
      g = readVal(b, c, o.v, o.width ? o.width : o.v.width, 0);
      groups.emplace_back(&o.v, g);
    }
    b.consume(v, o.field, g, vxm_, 0, o.v.width);
  }
  const int og = b.group(toward(vxm_, dst.loc[0].position), isa::typeBytes(insn.type));
  b.produce(og, v, Field::kDst, vxm_, insn.desc->latency);
  auto writes = writeVal(b, og, dst);
  for (const WordLoc& w : also) {
    if (dst.width != 1 || sideOf(w.position) != sideOf(dst))
      throw CompileError(fmt::format("{}: a copy of the result in {} that its stream does not pass", what,
                                     cfg_.sliceName(w.position)));
    writes.emplace_back(w, addWrite(b, og, 0, w));
  }
  // A destination another node reads (an in-place result) is written after its last read: a write at
  // t commits at the end of t, a read at t still sees the old word.
  for (const auto& [w, wi] : writes)
    if (const std::int64_t lr = lastRead(w); lr >= 0) c.at_least(lr - b.insns[static_cast<std::size_t>(wi)].offset, -1);
  const std::int64_t t = placeBundle(b, c, node, what);
  const int id = static_cast<int>(sched_.placements().size() - 1);
  for (const auto& [w, wi] : writes)
    setReady(w, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite), id);
  return t;
}

void Lowering::rotateVal(int node, const std::string& what, const VecVal& src, int lanes, const VecVal& dst,
                         int sxm_side) {
  const unsigned Lr = latencyOf(Opcode::kRead), Lrot = latencyOf(Opcode::kRotate);
  for (unsigned k = 0; k < src.width; ++k) {
    const WordLoc& w = src.loc[k];
    const int ss = sxm_side >= 0 ? sxm_side : sideOf(w.position);
    const unsigned sxm = ss == 0 ? 1 : cfg_.positions() - 2;
    Bundle b;
    Instruction ri = makeInsn(Opcode::kRotate);
    ri.set(Field::kImm8, lanes);
    const int ro = b.add(sxm, 0, ri);
    const int rd = b.add(w.position, Bundle::producerOffset(0, Lr, w.position, sxm), memInsn(Opcode::kRead, w.address));
    const int in = b.group(toward(w.position, sxm), 1);
    b.produce(in, rd, Field::kMstrm, w.position, Lr);
    b.consume(ro, Field::kSrca, in, sxm);
    const int out = b.group(toward(sxm, vxm_), 1);
    b.produce(out, ro, Field::kDst, sxm, Lrot);
    const int wi = addWrite(b, out, 0, dst.loc[k]);
    Constraint c;
    const Ready rdy = readyOf(w);
    c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
    const std::int64_t t = placeBundle(b, c, node, fmt::format("{} plane {}", what, k));
    setReady(dst.loc[k], t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
             static_cast<int>(sched_.placements().size() - 1));
  }
}

void Lowering::permuteVal(int node, const std::string& what, const VecVal& src, const VecVal& map, const VecVal& dst) {
  // As rotateVal, with the map read beside the plane: both arrive at the SXM in the permute's cycle.
  const unsigned Lr = latencyOf(Opcode::kRead), Lp = latencyOf(Opcode::kPermute);
  for (unsigned k = 0; k < src.width; ++k) {
    const WordLoc& w = src.loc[k];
    const WordLoc& mw = map.loc[0];
    const unsigned sxm = sideOf(w.position) == 0 ? 1 : cfg_.positions() - 2;
    if (sideOf(mw.position) != sideOf(w.position) || mw.position == w.position)
      throw CompileError(fmt::format("{}: the permute map in {} is not beside plane {} in {}", what,
                                     cfg_.sliceName(mw.position), k, cfg_.sliceName(w.position)));
    Bundle b;
    const int po = b.add(sxm, 0, makeInsn(Opcode::kPermute));
    Constraint c;
    auto feed = [&](const WordLoc& from, Field f) {
      const int rd =
          b.add(from.position, Bundle::producerOffset(0, Lr, from.position, sxm), memInsn(Opcode::kRead, from.address));
      const int in = b.group(toward(from.position, sxm), 1);
      b.produce(in, rd, Field::kMstrm, from.position, Lr);
      b.consume(po, f, in, sxm);
      const Ready rdy = readyOf(from);
      c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
    };
    feed(w, Field::kSrca);
    feed(mw, Field::kSrcb);
    const int out = b.group(toward(sxm, vxm_), 1);
    b.produce(out, po, Field::kDst, sxm, Lp);
    const int wi = addWrite(b, out, 0, dst.loc[k]);
    const std::int64_t t = placeBundle(b, c, node, fmt::format("{} plane {}", what, k));
    setReady(dst.loc[k], t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
             static_cast<int>(sched_.placements().size() - 1));
  }
}

Lowering::VecVal Lowering::reduceTree(int node, const std::string& what, std::vector<VecVal> vals,
                                      const Instruction& insn) {
  const unsigned w = isa::typeBytes(insn.type);
  for (unsigned round = 0; vals.size() > 1; ++round) {
    std::vector<VecVal> next;
    for (std::size_t i = 0; i + 1 < vals.size(); i += 2) {
      VecVal a = vals[i], b = vals[i + 1];
      // The two operands arrive from opposite hemispheres (each side's slices serve one).
      if (sideOf(a) == sideOf(b)) {
        const VecVal m = newVal(w, 1 - sideOf(b), {}, vals.size() > 8);
        Instruction mv = makeInsn(Opcode::kMov);
        mv.type = insn.type;
        vxmOp(node, fmt::format("{}: move {}.{}", what, round, i + 1), mv, {{b, Field::kSrca, 0}}, m);
        b = m;
      }
      // Early rounds have many independent steps (slice ports limit), the last ones few (latency).
      const VecVal r = newVal(w, static_cast<int>((i / 2) % 2), {}, vals.size() > 8);
      vxmOp(node, fmt::format("{}: tree {}.{}", what, round, i / 2), insn, {{a, Field::kSrca, 0}, {b, Field::kSrcb, 0}},
            r);
      next.push_back(r);
    }
    if (vals.size() % 2) next.push_back(vals.back());
    vals = std::move(next);
  }
  return vals.front();
}

Lowering::VecVal Lowering::laneReduce(int node, const std::string& what, VecVal v, const Instruction& insn) {
  // Powers of two, and three times one (radix-3 step first: 48 lanes = 3 x 16).
  const bool pow2 = std::has_single_bit(L_), three = L_ % 3 == 0 && std::has_single_bit(L_ / 3);
  if (!pow2 && !three)
    throw CompileError(fmt::format("{}: lanes ({}) neither a power of two nor three times one", what, L_));
  const unsigned w = isa::typeBytes(insn.type);
  auto apply = [&](const std::string& step, const VecVal& a, const VecVal& b, int side) {
    const VecVal r = newVal(w, side);
    vxmOp(node, fmt::format("{}: {}", what, step), insn, {{a, Field::kSrca, 0}, {b, Field::kSrcb, 0}}, r);
    return r;
  };
  // Invariant: v has period `span` across the lanes (lanes l and l + span hold the same value).
  // A radix-4 step (span >= 4, d = span / 4) combines v with its rotations by d, 2d and 3d: the
  // three rotates run side by side (the second on the other hemisphere's SXM) and the two
  // combinations of pairs too, so a step costs one rotate and two VXM steps instead of two of each.
  for (unsigned span = L_; span > 1;) {
    const int side = sideOf(v);
    if (span % 3 == 0) {
      // Radix 3 (d = span / 3): v and its rotations by d and 2d.
      const unsigned d = span / 3;
      const VecVal r1 = newVal(w, 1 - side), r2 = newVal(w, side);
      rotateVal(node, fmt::format("{}: rotate {}", what, d), v, static_cast<int>(d), r1);
      rotateVal(node, fmt::format("{}: rotate {}", what, 2 * d), v, static_cast<int>(2 * d), r2);
      const VecVal a = apply(fmt::format("lanes {}+{}", 0, d), v, r1, 1 - side);
      v = apply(fmt::format("lanes {}", 2 * d), a, r2, side);
      span /= 3;
    } else if (span >= 4) {
      const unsigned d = span / 4;
      const VecVal r1 = newVal(w, 1 - side), r2 = newVal(w, 1 - side), r3 = newVal(w, side);
      rotateVal(node, fmt::format("{}: rotate {}", what, d), v, static_cast<int>(d), r1);
      rotateVal(node, fmt::format("{}: rotate {}", what, 2 * d), v, static_cast<int>(2 * d), r2, 1 - side);
      rotateVal(node, fmt::format("{}: rotate {}", what, 3 * d), v, static_cast<int>(3 * d), r3);
      const VecVal a = apply(fmt::format("lanes {}+{}", 0, d), v, r1, 1 - side);
      const VecVal b = apply(fmt::format("lanes {}+{}", 2 * d, 3 * d), r3, r2, side);
      v = apply(fmt::format("lanes {}", d), a, b, side);
      span /= 4;
    } else {
      const VecVal rot = newVal(w, 1 - side);
      rotateVal(node, fmt::format("{}: rotate {}", what, span / 2), v, static_cast<int>(span / 2), rot);
      v = apply(fmt::format("lanes {}", span / 2), v, rot, side);
      span /= 2;
    }
  }
  return v;
}

}  // namespace lpu::compiler::lowering
