// Lowering of the tensor graph onto the machine: allocation, then bundles placed by the scheduler
// in program order. See docs/compiler.md for the algorithm; each lowering routine states the timing
// it relies on.
#include "sw/compiler/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

namespace lpu::compiler {

using isa::ArchConfig;
using isa::Dir;
using isa::ElemType;
using isa::Field;
using isa::Instruction;
using isa::Opcode;
using isa::Slice;

namespace {

class QueueDepthError : public CompileError {
 public:
  using CompileError::CompileError;
};

unsigned latencyOf(Opcode op) { return isa::findInsn(static_cast<unsigned>(op))->latency; }

Instruction makeInsn(Opcode op) { return Instruction::make(op); }

Instruction memInsn(Opcode op, std::uint32_t addr) {
  Instruction i = makeInsn(op);
  i.set(Field::kAddr, static_cast<std::int32_t>(addr));
  return i;
}

Instruction indexInsn(Opcode op, unsigned index) {
  Instruction i = makeInsn(op);
  i.set(Field::kIndex, static_cast<std::int32_t>(index));
  return i;
}

unsigned ceilDiv(unsigned a, unsigned b) { return (a + b - 1) / b; }

// One MXM and the scheduling state of its weight double buffer and accumulators.
struct MxmUnit {
  unsigned side = 0;  // 0 west, 1 east
  unsigned pos = 0;
  unsigned qc = 0;              // queue of ABC/ABCA/ACC
  unsigned qw = 0;              // queue of LW/IW (the same queue in the current ISA)
  unsigned abc_port = 0;        // exclusive resource: ABC issue spacing
  Dir in_dir = Dir::kWest;      // direction of streams arriving at the MXM
  Dir out_dir = Dir::kEast;     // direction of its results
  std::int64_t t_last_abc = 0;  // latest ABC/ABCA dispatched (on the installed weights)
  int last_abc_bundle = -1;
  std::int64_t staging_free =
      0;  // LW may dispatch at >= this (the previous IW has copied the staging buffer)
  int staging_bundle = -1;
  std::int64_t active_ready = 0;  // ABC on the newest installed weights may dispatch at >= this
  int active_bundle = -1;
  std::vector<std::int64_t>
      slot_free;  // a new ABC (overwrite) into the slot may dispatch at >= this
  std::vector<std::int64_t> slot_ready;  // ACC of the slot may dispatch at >= this
  std::vector<int> slot_bundle;
};

struct Ready {
  std::int64_t t = 0;
  int bundle = -1;
};

class Lowering {
 public:
  Lowering(const Graph& g, const CompileOptions& opt)
      : g_(g), cfg_(ArchConfig::byName(g.config)), opt_(opt), sched_(cfg_), alloc_(cfg_) {
    L_ = cfg_.lanes();
    vxm_ = cfg_.vxmPosition();
    layout_.config = g.config;
    layout_.lanes = L_;
  }

  CompileResult run();

 private:
  // ---- allocation ----
  void planFusion();
  void allocateAll();
  TensorLayout& declare(const std::string& name, DType dtype, TensorKind kind, unsigned rows,
                        unsigned cols, unsigned planes);
  // Places tiles [ct0, ct1) of one plane of one copy on `nslices` slices chosen from `side`
  // avoiding `avoid`.
  void place(TensorLayout& t, unsigned copy, unsigned plane, unsigned ct0, unsigned ct1, int side,
             std::set<unsigned>& avoid, unsigned max_slices = 0,
             const std::set<unsigned>& forbid = {}, bool strict_side = false);
  // `avoid` is a preference, `forbid` a must; strict_side: only slices of `side`.
  std::vector<unsigned> pickSlices(int side, const std::set<unsigned>& avoid,
                                   const std::set<unsigned>& forbid, bool strict_side, unsigned n,
                                   std::uint32_t words);

  // ---- scheduling ----
  Ready readyOf(const WordLoc& w) const {
    auto it = ready_.find(key(w));
    return it == ready_.end() ? Ready{} : it->second;
  }
  void setReady(const WordLoc& w, std::int64_t t, int bundle) { ready_[key(w)] = Ready{t, bundle}; }
  static std::uint64_t key(const WordLoc& w) {
    return (std::uint64_t{w.position} << 32) | w.address;
  }
  Dir toward(unsigned from, unsigned to) const { return to > from ? Dir::kEast : Dir::kWest; }

  // Adds a MEM read of `w` to `b` so that its value is at position `to` at relative cycle `when`,
  // in a new stream group; returns {insn, group}.
  std::pair<int, int> addRead(Bundle& b, const WordLoc& w, unsigned to, int when);
  // Adds a MEM write of group member to `w` at the member's arrival there.
  int addWrite(Bundle& b, int group, unsigned member, const WordLoc& w);

  struct Constraint {
    std::int64_t t = 0;
    int pred = -1;
    void at_least(std::int64_t v, int p) {
      if (v > t) t = v, pred = p;
    }
  };
  std::int64_t placeBundle(Bundle& b, const Constraint& c, int node, std::string what);

  void lowerMatmul(int node_index, int fused_requant);
  void lowerEltwise(int node_index);
  void lowerTranspose(int node_index);

  ScheduleReport makeReport(std::uint64_t cycles) const;

  const Graph& g_;
  ArchConfig cfg_;
  CompileOptions opt_;
  Scheduler sched_;
  SramAllocator alloc_;
  MemoryLayout layout_;
  unsigned L_ = 0, vxm_ = 0;
  std::vector<MxmUnit> mxm_;
  std::vector<int> fused_into_;  // per node: the requant node fused into this matmul, or -1
  std::vector<bool> skipped_;    // per node: lowered as part of another node
  std::unordered_map<std::uint64_t, Ready> ready_;
  std::uint64_t macs_ = 0;
  unsigned mxms_used_ = 1;
  std::vector<isa::DataSegment> constants_;
  // Tensors whose words must be read in the same cycle (operands of add/mul): never in one slice.
  std::map<std::string, std::set<std::string>> partners_;
};

// ---------------------------------------------------------------------------------------------------------------
// Allocation

void Lowering::planFusion() {
  fused_into_.assign(g_.nodes.size(), -1);
  skipped_.assign(g_.nodes.size(), false);
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if (n.op != OpKind::kRequant) continue;
    const int p = g_.producer(n.inputs[0]);
    const Tensor& mid = g_.tensor(n.inputs[0]);
    if (p >= 0 && g_.nodes[static_cast<std::size_t>(p)].op == OpKind::kMatmul &&
        mid.kind == TensorKind::kTemp && g_.consumers(n.inputs[0]).size() == 1) {
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

TensorLayout& Lowering::declare(const std::string& name, DType dtype, TensorKind kind,
                                unsigned rows, unsigned cols, unsigned planes) {
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

std::vector<unsigned> Lowering::pickSlices(int side, const std::set<unsigned>& avoid,
                                           const std::set<unsigned>& forbid, bool strict_side,
                                           unsigned n, std::uint32_t words) {
  // Preference: the requested hemisphere without avoided slices; then anywhere without avoided
  // slices; then anywhere. Among those, the most free space first.
  std::vector<std::vector<unsigned>> tiers;
  auto filter = [&](int s, bool use_avoid) {
    std::vector<unsigned> v;
    for (unsigned p : alloc_.bySpace(s))
      if ((!use_avoid || !avoid.count(p)) && !forbid.count(p) && alloc_.freeWords(p) >= words)
        v.push_back(p);
    return v;
  };
  tiers.push_back(filter(side, true));
  if (!strict_side) tiers.push_back(filter(-1, true));
  tiers.push_back(filter(side, false));
  if (!strict_side) tiers.push_back(filter(-1, false));
  for (auto& v : tiers)
    if (v.size() >= n) {
      v.resize(n);
      return v;
    }
  return {};
}

void Lowering::place(TensorLayout& t, unsigned copy, unsigned plane, unsigned ct0, unsigned ct1,
                     int side, std::set<unsigned>& avoid, unsigned max_slices,
                     const std::set<unsigned>& forbid, bool strict_side) {
  const unsigned tiles = ct1 - ct0;
  if (tiles == 0) return;
  std::set<unsigned> hard = forbid;
  if (auto it = partners_.find(t.name); it != partners_.end())
    for (const std::string& other : it->second)
      if (auto o = layout_.tensors.find(other); o != layout_.tensors.end())
        for (const Fragment& f : o->second.fragments) hard.insert(f.slices.begin(), f.slices.end());
  const unsigned limit = max_slices ? std::min(max_slices, tiles) : tiles;
  for (unsigned ns = 1; ns <= limit; ++ns) {
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
  throw CompileError(
      fmt::format("SRAM full: cannot place tensor '{}' ({} rows x {} column tiles, plane {})",
                  t.name, t.rows, tiles, plane));
}

void Lowering::allocateAll() {
  const unsigned vxm = vxm_;
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if ((n.op == OpKind::kAdd || n.op == OpKind::kMul) && n.inputs[0] != n.inputs[1]) {
      partners_[n.inputs[0]].insert(n.inputs[1]);
      partners_[n.inputs[1]].insert(n.inputs[0]);
    }
  }
  auto sideOf = [&](unsigned pos) { return pos < vxm ? 0 : 1; };
  auto allocated = [&](const std::string& n) { return layout_.tensors.count(n) > 0; };
  auto slicesOf = [&](const std::string& n) {
    std::set<unsigned> s;
    if (!allocated(n)) return s;
    for (const Fragment& f : layout_.tensors.at(n).fragments)
      s.insert(f.slices.begin(), f.slices.end());
    return s;
  };
  auto i8plain = [&](const std::string& n, std::set<unsigned> avoid) {
    if (allocated(n)) return;
    const Tensor& t = g_.tensor(n);
    TensorLayout& tl = declare(n, t.dtype, t.kind, t.rows, t.cols, t.dtype == DType::kI8 ? 1 : 4);
    for (unsigned p = 0; p < tl.planes; ++p) place(tl, 0, p, 0, tl.col_tiles, -1, avoid);
  };

  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = g_.nodes[i];
    if (skipped_[i]) continue;
    switch (n.op) {
      case OpKind::kMatmul: {
        const Tensor& A = g_.tensor(n.inputs[0]);
        const Tensor& B = g_.tensor(n.inputs[1]);
        const unsigned NT = ceilDiv(B.cols, L_), KT = ceilDiv(A.cols, L_);
        const unsigned sides = (opt_.mxms >= 2 && NT >= 2) ? 2 : 1;
        mxms_used_ = std::max(mxms_used_, sides);
        const unsigned nt_west = sides == 2 ? ceilDiv(NT, 2) : NT;
        std::set<unsigned> avoid;
        // B: each hemisphere's column tiles on that hemisphere.
        if (!allocated(n.inputs[1])) {
          TensorLayout& tl = declare(n.inputs[1], B.dtype, B.kind, B.rows, B.cols, 1);
          std::set<unsigned> aw, ae;
          place(tl, 0, 0, 0, nt_west, 0, aw, 1);
          if (sides == 2) place(tl, 0, 0, nt_west, NT, 1, ae, 1);
        }
        for (unsigned p : slicesOf(n.inputs[1])) avoid.insert(p);
        // A: a copy per hemisphere when it comes from the host; else wherever its producer put it.
        if (!allocated(n.inputs[0])) {
          TensorLayout& tl = declare(n.inputs[0], A.dtype, A.kind, A.rows, A.cols, 1);
          for (unsigned s = 0; s < sides; ++s) {
            std::set<unsigned> a = avoid;
            place(tl, s, 0, 0, KT, static_cast<int>(s), a);
            for (unsigned p : a) avoid.insert(p);
          }
        } else {
          for (unsigned p : slicesOf(n.inputs[0])) avoid.insert(p);
        }
        const int rq = fused_into_[i];
        if (rq < 0) {
          // C (i32): 4 byte planes on 4 distinct slices per hemisphere, preferring that hemisphere.
          const Tensor& C = g_.tensor(n.output);
          TensorLayout& tl = declare(n.output, C.dtype, C.kind, C.rows, C.cols, 4);
          for (unsigned s = 0; s < sides; ++s) {
            std::set<unsigned> a = avoid, planes;
            const unsigned c0 = s == 0 ? 0 : nt_west, c1 = (s == 0 && sides == 2) ? nt_west : NT;
            for (unsigned p = 0; p < 4; ++p) {
              place(tl, 0, p, c0, c1, static_cast<int>(s), a, 1, planes);
              planes.insert(tl.fragments.back().slices.begin(), tl.fragments.back().slices.end());
            }
          }
        } else {
          const Node& r = g_.nodes[static_cast<std::size_t>(rq)];
          const Tensor& Q = g_.tensor(r.output);
          // Multipliers: i16 per column, two byte planes on two slices of one hemisphere.
          const std::string mname = r.name + ".multiplier";
          TensorLayout& ml = declare(mname, DType::kI32, TensorKind::kWeight, 1, Q.cols, 2);
          std::set<unsigned> a = avoid;
          const int mside = static_cast<int>(sides) - 1;  // the hemisphere with the fewer tensors
          place(ml, 0, 0, 0, ml.col_tiles, mside, a, 1, {}, true);
          place(ml, 0, 1, 0, ml.col_tiles, mside, a, 1,
                std::set<unsigned>(ml.fragments[0].slices.begin(), ml.fragments[0].slices.end()),
                true);
          std::vector<std::int32_t> mv(Q.cols);
          for (unsigned c = 0; c < Q.cols; ++c)
            mv[c] = r.multiplier.size() == 1 ? r.multiplier[0] : r.multiplier[c];
          for (auto& seg : packTensor(layout_, mname, mv)) constants_.push_back(std::move(seg));
          std::set<unsigned> aq = avoid;
          for (unsigned p : slicesOf(mname)) aq.insert(p);
          i8plain(r.output, aq);
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
  (void)sideOf;
  layout_.words_used = alloc_.used();
}

// ---------------------------------------------------------------------------------------------------------------
// Bundles

std::pair<int, int> Lowering::addRead(Bundle& b, const WordLoc& w, unsigned to, int when) {
  const unsigned Lr = latencyOf(Opcode::kRead);
  const int off = Bundle::producerOffset(when, Lr, w.position, to);
  const int ins = b.add(w.position, off, memInsn(Opcode::kRead, w.address));
  const int grp = b.group(toward(w.position, to), 1);
  b.produce(grp, ins, Field::kMstrm, w.position, Lr);
  return {ins, grp};
}

int Lowering::addWrite(Bundle& b, int group, unsigned member, const WordLoc& w) {
  const int ins =
      b.add(w.position, b.arrival(group, member, w.position), memInsn(Opcode::kWrite, w.address));
  b.consume(ins, Field::kMstrm, group, w.position, member, 1);
  return ins;
}

std::int64_t Lowering::placeBundle(Bundle& b, const Constraint& c, int node, std::string what) {
  b.node = node;
  b.what = std::move(what);
  return sched_.place(b, c.t, c.pred);
}

// C = A . B on the MXMs. Per MXM, its column tiles nt; per tile, row chunks of up to mxm_acc_slots
// rows; per chunk, each K tile kt: load the weights B[kt][nt] (LW per row, then IW), stream the
// chunk's A rows through ABC (kt = 0) or ABCA (kt > 0) into one accumulator slot per row; after the
// last kt emit every slot with ACC, either into the 4 byte planes of C or straight into the VXM's
// req (fused requant) and on to SRAM as i8. Timing (docs/architecture.md §4, latencies from
// isa::kInsns):
//   LW at t commits at the end of t; IW at t' >= t_lw + 1 installs; ABC at >= t' + L(iw) uses the
//   new weights and an ABC may share IW's cycle only on another queue (it reads the old weights at
//   dispatch). The next LW waits for t' + 1. ABC at t commits at the end of t + L(abc) - 1: ACC at
//   >= t + L(abc); a later ABC overwriting the slot must commit after the ACC read: t'' + L(abc) -
//   1 >= t_acc.
void Lowering::lowerMatmul(int ni, int rq) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  const TensorLayout& A = layout_.tensor(n.inputs[0]);
  const TensorLayout& B = layout_.tensor(n.inputs[1]);
  const unsigned M = A.rows, K = A.cols, N = B.cols;
  macs_ += std::uint64_t{M} * K * N;
  const unsigned KT = ceilDiv(K, L_), NT = ceilDiv(N, L_);
  const unsigned sides = (opt_.mxms >= 2 && NT >= 2) ? 2 : 1;
  const unsigned nt_west = sides == 2 ? ceilDiv(NT, 2) : NT;
  const unsigned S = cfg_.params().mxm_acc_slots;
  const unsigned La = latencyOf(Opcode::kAbc), Lacc = latencyOf(Opcode::kAcc),
                 Liw = latencyOf(Opcode::kIw);
  const unsigned interval = cfg_.params().mxm_abc_interval;

  const Node* req = rq >= 0 ? &g_.nodes[static_cast<std::size_t>(rq)] : nullptr;
  const TensorLayout* C = req ? nullptr : &layout_.tensor(n.output);
  const TensorLayout* Q = req ? &layout_.tensor(req->output) : nullptr;
  const TensorLayout* Mul = req ? &layout_.tensor(req->name + ".multiplier") : nullptr;
  const std::string label = req ? fmt::format("{}+{}", n.name, req->name) : n.name;

  struct Work {
    unsigned kt, nt, m0, rows;
  };
  std::vector<std::vector<Work>> work(sides);
  for (unsigned s = 0; s < sides; ++s) {
    const unsigned c0 = s == 0 ? 0 : nt_west, c1 = (s == 0 && sides == 2) ? nt_west : NT;
    for (unsigned nt = c0; nt < c1; ++nt)
      for (unsigned m0 = 0; m0 < M; m0 += S)
        for (unsigned kt = 0; kt < KT; ++kt)
          work[s].push_back(Work{kt, nt, m0, std::min(S, M - m0)});
  }

  auto loadWeights = [&](MxmUnit& u, const Work& w) {
    const unsigned krows = std::min(L_, K - w.kt * L_);
    std::int64_t last_lw = 0;
    int last_lw_bundle = -1;
    for (unsigned r = 0; r < krows; ++r) {
      const WordLoc loc = B.locate(w.kt * L_ + r, w.nt, 0, 0);
      Bundle b;
      const int lw = b.add(u.qw, 0, indexInsn(Opcode::kLw, r));
      auto [rd, grp] = addRead(b, loc, u.pos, 0);
      b.consume(lw, Field::kSrca, grp, u.pos);
      Constraint c;
      c.at_least(u.staging_free, u.staging_bundle);
      if (!opt_.overlap_weights) c.at_least(u.t_last_abc + 1, u.last_abc_bundle);
      const Ready rdy = readyOf(loc);
      c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
      const std::int64_t t =
          placeBundle(b, c, ni, fmt::format("{}: lw row {} (k{} n{})", label, r, w.kt, w.nt));
      if (t >= last_lw)
        last_lw = t, last_lw_bundle = static_cast<int>(sched_.placements().size() - 1);
    }
    Bundle b;
    b.add(u.qw, 0, makeInsn(Opcode::kIw));
    Constraint c;
    c.at_least(last_lw + 1, last_lw_bundle);
    c.at_least(u.t_last_abc, u.last_abc_bundle);
    const std::int64_t t =
        placeBundle(b, c, ni, fmt::format("{}: iw (k{} n{})", label, w.kt, w.nt));
    const int id = static_cast<int>(sched_.placements().size() - 1);
    u.staging_free = t + 1;
    u.staging_bundle = id;
    u.active_ready = t + Liw;
    u.active_bundle = id;
  };

  auto streamRows = [&](MxmUnit& u, const Work& w) {
    const unsigned copy = A.hasCopy(u.side, w.kt) ? u.side : 0;
    for (unsigned i = 0; i < w.rows; ++i) {
      const unsigned m = w.m0 + i;
      const WordLoc loc = A.locate(m, w.kt, 0, copy);
      Bundle b;
      const int abc = b.add(u.qc, 0, indexInsn(w.kt == 0 ? Opcode::kAbc : Opcode::kAbca, i));
      auto [rd, grp] = addRead(b, loc, u.pos, 0);
      b.consume(abc, Field::kSrca, grp, u.pos);
      b.excl.push_back(Bundle::Excl{u.abc_port, 0, interval});
      Constraint c;
      c.at_least(u.active_ready, u.active_bundle);
      const Ready rdy = readyOf(loc);
      c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
      if (w.kt == 0) c.at_least(u.slot_free[i], u.slot_bundle[i]);
      const std::int64_t t = placeBundle(
          b, c, ni,
          fmt::format("{}: {} row {} (k{} n{})", label, w.kt == 0 ? "abc" : "abca", m, w.kt, w.nt));
      const int id = static_cast<int>(sched_.placements().size() - 1);
      if (t >= u.t_last_abc) u.t_last_abc = t, u.last_abc_bundle = id;
      u.slot_ready[i] = t + La;
      u.slot_bundle[i] = id;
    }
  };

  auto emitRows = [&](MxmUnit& u, const Work& w) {
    for (unsigned i = 0; i < w.rows; ++i) {
      const unsigned m = w.m0 + i;
      Bundle b;
      const int acc = b.add(u.qc, 0, indexInsn(Opcode::kAcc, i));
      const int grp = b.group(u.out_dir, 4);
      b.produce(grp, acc, Field::kDst, u.pos, Lacc);
      std::vector<std::pair<WordLoc, int>> writes;
      if (C) {
        for (unsigned p = 0; p < 4; ++p) {
          const WordLoc loc = C->locate(m, w.nt, p, 0);
          writes.emplace_back(loc, addWrite(b, grp, p, loc));
        }
      } else {
        Instruction rq_insn = makeInsn(Opcode::kReq);
        rq_insn.type = ElemType::kI8;
        rq_insn.set(Field::kShamt, static_cast<std::int32_t>(req->shift));
        const int when = b.arrival(grp, 0, vxm_);
        const int r = b.add(vxm_, when, rq_insn);
        b.consume(r, Field::kSrca, grp, vxm_, 0, 4);
        const WordLoc lo = Mul->locate(0, w.nt, 0, 0), hi = Mul->locate(0, w.nt, 1, 0);
        const Dir md = toward(lo.position, vxm_);
        const int mg = b.group(md, 2);
        const unsigned Lr = latencyOf(Opcode::kRead);
        const int ilo = b.add(lo.position, Bundle::producerOffset(when, Lr, lo.position, vxm_),
                              memInsn(Opcode::kRead, lo.address));
        const int ihi = b.add(hi.position, Bundle::producerOffset(when, Lr, hi.position, vxm_),
                              memInsn(Opcode::kRead, hi.address));
        b.produce(mg, ilo, Field::kMstrm, lo.position, Lr, 0, 1);
        b.produce(mg, ihi, Field::kMstrm, hi.position, Lr, 1, 1);
        b.consume(r, Field::kSrcb, mg, vxm_, 0, 2);
        const WordLoc out = Q->locate(m, w.nt, 0, 0);
        const int og = b.group(toward(vxm_, out.position), 1);
        b.produce(og, r, Field::kDst, vxm_, latencyOf(Opcode::kReq));
        writes.emplace_back(out, addWrite(b, og, 0, out));
      }
      Constraint c;
      c.at_least(u.slot_ready[i], u.slot_bundle[i]);
      const std::int64_t t =
          placeBundle(b, c, ni, fmt::format("{}: acc row {} (n{})", label, m, w.nt));
      const int id = static_cast<int>(sched_.placements().size() - 1);
      u.slot_free[i] = t - static_cast<std::int64_t>(La) + 1;
      u.slot_bundle[i] = id;
      for (const auto& [loc, wi] : writes)
        setReady(loc, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
                 id);
    }
  };

  // Round-robin over the MXMs so that both hemispheres progress together.
  std::size_t longest = 0;
  for (const auto& v : work) longest = std::max(longest, v.size());
  for (std::size_t k = 0; k < longest; ++k) {
    for (unsigned s = 0; s < sides; ++s) {
      if (k >= work[s].size()) continue;
      MxmUnit& u = mxm_[s];
      const Work& w = work[s][k];
      loadWeights(u, w);
      streamRows(u, w);
      if (w.kt == KT - 1) emitRows(u, w);
    }
  }
}

// Lane-wise VXM ops: per row and column tile, read the operands (one MEM read each, timed to meet
// at the VXM), one VXM instruction, one MEM write of its result.
void Lowering::lowerEltwise(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  Opcode op = Opcode::kMov;
  switch (n.op) {
    case OpKind::kRelu:
      op = Opcode::kRelu;
      break;
    case OpKind::kCopy:
      op = Opcode::kMov;
      break;
    case OpKind::kAdd:
      op = Opcode::kAdds;
      break;
    case OpKind::kMul:
      op = Opcode::kMul;
      break;
    default:
      throw std::logic_error("lowerEltwise");
  }
  const TensorLayout& out = layout_.tensor(n.output);
  std::vector<const TensorLayout*> ins;
  for (const auto& name : n.inputs) ins.push_back(&layout_.tensor(name));
  const Field src_fields[2] = {Field::kSrca, Field::kSrcb};
  for (unsigned ct = 0; ct < out.col_tiles; ++ct) {
    for (unsigned r = 0; r < out.rows; ++r) {
      Bundle b;
      Instruction vi = makeInsn(op);
      vi.type = ElemType::kI8;
      const int v = b.add(vxm_, 0, vi);
      Constraint c;
      std::vector<std::pair<WordLoc, int>> reads;  // (word, group)
      for (std::size_t j = 0; j < ins.size(); ++j) {
        const WordLoc loc = ins[j]->locate(r, ct, 0, 0);
        int grp = -1;
        for (const auto& [w, gidx] : reads)
          if (w.position == loc.position && w.address == loc.address) grp = gidx;
        if (grp < 0) {
          for (const auto& [w, gidx] : reads)
            if (w.position == loc.position)
              throw CompileError(
                  fmt::format("node '{}': both operands of row {} tile {} are in MEM slice {}",
                              n.name, r, ct, cfg_.sliceName(loc.position)));
          auto [rd, g] = addRead(b, loc, vxm_, 0);
          grp = g;
          reads.emplace_back(loc, g);
          const Ready rdy = readyOf(loc);
          c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        }
        b.consume(v, src_fields[j], grp, vxm_);
      }
      const WordLoc o = out.locate(r, ct, 0, 0);
      const int og = b.group(toward(vxm_, o.position), 1);
      b.produce(og, v, Field::kDst, vxm_, latencyOf(op));
      const int wi = addWrite(b, og, 0, o);
      const std::int64_t t =
          placeBundle(b, c, ni, fmt::format("{}: row {} tile {}", n.name, r, ct));
      setReady(o, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
               static_cast<int>(sched_.placements().size() - 1));
    }
  }
}

void Lowering::lowerTranspose(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  throw CompileError(fmt::format("node '{}': transpose is not implemented yet", n.name));
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

CompileResult Lowering::run() {
  validateGraph(g_);
  // MXM units: west at position 0, east at the last position; one queue each in the current ISA.
  for (unsigned s = 0; s < 2; ++s) {
    MxmUnit u;
    u.side = s;
    u.pos = s == 0 ? 0 : cfg_.positions() - 1;
    u.qc = u.pos;
    u.qw = u.pos;
    u.abc_port = sched_.table().addResource(s == 0 ? "MXM_W abc port" : "MXM_E abc port");
    u.in_dir = s == 0 ? Dir::kWest : Dir::kEast;
    u.out_dir = s == 0 ? Dir::kEast : Dir::kWest;
    u.slot_free.assign(cfg_.params().mxm_acc_slots, 0);
    u.slot_ready.assign(cfg_.params().mxm_acc_slots, 0);
    u.slot_bundle.assign(cfg_.params().mxm_acc_slots, -1);
    mxm_.push_back(u);
  }
  planFusion();
  allocateAll();
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    if (skipped_[i]) continue;
    switch (g_.nodes[i].op) {
      case OpKind::kMatmul:
        lowerMatmul(static_cast<int>(i), fused_into_[i]);
        break;
      case OpKind::kTranspose:
        lowerTranspose(static_cast<int>(i));
        break;
      default:
        lowerEltwise(static_cast<int>(i));
        break;
    }
  }

  CompileResult r;
  r.program.config = g_.config;
  try {
    r.program.queues = sched_.emit();
  } catch (const std::runtime_error& e) {
    throw QueueDepthError(e.what());
  }
  for (const auto& [name, t] : g_.tensors) {
    if (t.kind != TensorKind::kWeight || !layout_.tensors.count(name)) continue;
    for (auto& seg : packTensor(layout_, name, t.data)) r.program.data.push_back(std::move(seg));
  }
  for (auto& seg : constants_) r.program.data.push_back(seg);
  r.layout = layout_;
  r.runs = sched_.runs();
  for (const Node& nd : g_.nodes) r.node_names.push_back(nd.name);
  for (const auto& p : sched_.placements()) r.bundle_node.push_back(p.node);
  r.report = makeReport(sched_.predictedCycles());
  return r;
}

ScheduleReport Lowering::makeReport(std::uint64_t cycles) const {
  ScheduleReport rep;
  rep.config = g_.config;
  rep.predicted_cycles = cycles;
  rep.macs = macs_;
  rep.mxms_used = macs_ ? mxms_used_ : 0;
  rep.peak_macs_per_cycle = std::uint64_t{cfg_.mxmPeakMacsPerCycle()} * std::max(1u, rep.mxms_used);
  rep.mxm_utilisation =
      cycles ? static_cast<double>(macs_) /
                   (static_cast<double>(cycles) * static_cast<double>(rep.peak_macs_per_cycle))
             : 0.0;
  const auto words = sched_.emit();
  for (unsigned q = 0; q < cfg_.queues(); ++q) {
    QueueReport qr;
    qr.position = q;
    qr.name = cfg_.sliceName(q);
    qr.issues = sched_.queueInsns()[q].size();
    qr.words = words[q].size();
    qr.utilisation = cycles ? static_cast<double>(qr.issues) / static_cast<double>(cycles) : 0.0;
    rep.queues.push_back(qr);
  }
  // Critical path: from the bundle that finishes last, follow the dependency that set each one's
  // earliest cycle.
  const auto& pl = sched_.placements();
  int cur = -1;
  std::int64_t best = -1;
  for (std::size_t i = 0; i < pl.size(); ++i)
    if (pl[i].end > best) best = pl[i].end, cur = static_cast<int>(i);
  std::vector<CriticalStep> path;
  while (cur >= 0 && path.size() < 100000) {
    const PlacementInfo& p = pl[static_cast<std::size_t>(cur)];
    CriticalStep s;
    s.cycle = p.t;
    s.node = p.node >= 0 ? g_.nodes[static_cast<std::size_t>(p.node)].name : "";
    s.what = p.what;
    s.resource_bound = p.t > p.t_min;
    path.push_back(s);
    cur = p.pred;
  }
  std::reverse(path.begin(), path.end());
  rep.critical_path = std::move(path);
  return rep;
}

}  // namespace

CompileResult compile(const Graph& graph, const CompileOptions& options) {
  try {
    Lowering l(graph, options);
    return l.run();
  } catch (const QueueDepthError&) {
    if (!options.overlap_weights) throw;
  }
  CompileOptions o = options;
  o.overlap_weights = false;
  Lowering l(graph, o);
  return l.run();
}

}  // namespace lpu::compiler
