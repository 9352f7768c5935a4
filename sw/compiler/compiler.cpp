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
  unsigned qc = 0;              // compute queue: ABC/ABCA/ABCE (queue index = position)
  unsigned ql = 0;              // load queue: LW/LWI (queue positions() + side)
  unsigned abc_port = 0;        // exclusive resource: ABC issue spacing
  Dir in_dir = Dir::kWest;      // direction of streams arriving at the MXM
  Dir out_dir = Dir::kEast;     // direction of its results
  std::int64_t t_last_abc = 0;  // latest ABC/ABCA/ABCE dispatched (on the installed weights)
  int last_abc_bundle = -1;
  std::int64_t staging_free = 0;  // LW may dispatch at >= this (the previous LWI has installed the staging buffer)
  int staging_bundle = -1;
  std::int64_t active_ready = 0;  // ABC on the newest installed weights may dispatch at >= this
  int active_bundle = -1;
  std::vector<std::int64_t> slot_free;  // a new ABC into the slot may dispatch at >= this (after its ABCE)
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
  TensorLayout& declare(const std::string& name, DType dtype, TensorKind kind, unsigned rows, unsigned cols,
                        unsigned planes);
  // Places tiles [ct0, ct1) of one plane of one copy on `nslices` slices chosen from `side`
  // avoiding `avoid`.
  void place(TensorLayout& t, unsigned copy, unsigned plane, unsigned ct0, unsigned ct1, int side,
             std::set<unsigned>& avoid, unsigned max_slices = 0, const std::set<unsigned>& forbid = {},
             bool strict_side = false);
  // `avoid` is a preference, `forbid` a must; strict_side: only slices of `side`.
  std::vector<unsigned> pickSlices(int side, const std::set<unsigned>& avoid, const std::set<unsigned>& forbid,
                                   bool strict_side, unsigned n, std::uint32_t words);
  // Weights B, column tiles [ct0, ct1), row-interleaved over several slices of `side`.
  void placeWeights(TensorLayout& t, unsigned ct0, unsigned ct1, int side, const std::set<unsigned>& avoid,
                    bool load_bound, unsigned tile_rows, int a_slice, const std::set<unsigned>& a_slices,
                    unsigned copy = 0);

  // How a matmul is split between the MXMs: side s computes column tiles [c0[s], c1[s]).
  struct MatmulPlan {
    unsigned c0[2] = {0, 0}, c1[2] = {0, 0};
    bool load_bound = false;  // few rows per weight tile: weight loading, not ABCs, is the limit
    unsigned h = 0;           // K rows per weight tile (= A's columns per tile), <= lanes
    // K split (load-bound, both MXMs): column tile `split` (between the west's [c0[0], c1[0]) and
    // the east's [c0[1], c1[1])) is computed by both, the west over K tiles [0, ks), the east over
    // [ks, KT); the VXM adds the two partial rows (add.i32) before C is written. -1: none.
    int split = -1;
    unsigned ks = 0;
  };
  const MatmulPlan& planMatmul(std::size_t node);

  // ---- scheduling ----
  Ready readyOf(const WordLoc& w) const {
    auto it = ready_.find(key(w));
    return it == ready_.end() ? Ready{} : it->second;
  }
  void setReady(const WordLoc& w, std::int64_t t, int bundle) { ready_[key(w)] = Ready{t, bundle}; }
  static std::uint64_t key(const WordLoc& w) { return (std::uint64_t{w.position} << 32) | w.address; }
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
  // A fused requant's req takes the ABCE's i32 group (4 streams), the multiplier pair (2) and
  // sends its i8 result (1): with fewer streams per direction than that, the multiplier comes
  // from the other hemisphere (the other direction).
  bool multiplierOpposite() const { return cfg_.streamsPerDir() < 4 + 2 + 1; }
  void lowerEltwise(int node_index);
  void lowerTranspose(int node_index);

  // Transpose (lowerTranspose): rows fed to one SXM transpose and outputs kept from it, k <=
  // transpose_n, a divisor of it, and no more than the MEM slices (each fed row is read from its
  // own slice so that all arrive in one cycle; each kept output is written by its own slice as the
  // group passes).
  unsigned transposeRows() const;
  // True when every k consecutive k-aligned rows of each column tile of `t` sit in k different
  // slices (so one transpose can read them in one cycle).
  bool transposable(const TensorLayout& t, unsigned k) const;
  // `t` (declared, no fragments yet) spread row-interleaved over k slices: row r in slice r % k.
  void placeInterleaved(TensorLayout& t, unsigned k, const std::set<unsigned>& forbid);
  // Lanes selected by each phase-2 mask of a transpose node, in mask-row order.
  struct TransposeMasks {
    std::vector<std::pair<unsigned, unsigned>> ranges;  // (first lane, lanes)
    unsigned rowOf(unsigned first, unsigned count) const;
  };
  std::map<int, TransposeMasks> transpose_masks_;

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
  std::vector<isa::DataSegment> constants_;
  // Tensors whose words must be read in the same cycle (operands of add/mul): never in one slice.
  std::map<std::string, std::set<std::string>> partners_;
  std::map<std::size_t, MatmulPlan> plans_;
  double side_load_[2] = {0, 0};  // estimated MXM cycles assigned so far (balancing)
  bool mxm_side_used_[2] = {false, false};
  int prefer_near_ = -1;  // pickSlices: nearest this position before most free (-1: most free)
};

// Slices a compute-bound product spreads a weight tile over (LW loads that many rows per cycle;
// 4 keep weight loading well ahead of the ABCs while leaving slices for A and C).
constexpr unsigned kGemmWeightSlices = 4;
// Slots per weight tile a load-bound matmul leaves free beside its weight rows: the A read and
// (about) one output write.
constexpr unsigned kSpareSlots = 1;
// A load-bound matmul writes its i32 output in the other hemisphere up to this many K tiles.
constexpr unsigned kCrossOutputMaxKTiles = 8;

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
                     std::set<unsigned>& avoid, unsigned max_slices, const std::set<unsigned>& forbid,
                     bool strict_side) {
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
  throw CompileError(fmt::format("SRAM full: cannot place tensor '{}' ({} rows x {} column tiles, plane {})", t.name,
                                 t.rows, tiles, plane));
}

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
      f.tile_rows = tile_rows;
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
          tiles * (load_bound ? ceilDiv(t.rows, tile_rows) * ceilDiv(tile_rows + ns - 1, ns) : ceilDiv(t.rows, ns));
      auto v = candidates(pass == 1 || pass == 4 ? -1 : side, pass <= 1 ? avoid : pass == 2 ? a_slices : none, words);
      if (v.size() >= ns) return commit(v, ns);
    }
  }
  throw CompileError(
      fmt::format("SRAM full: cannot place weights '{}' ({} rows x {} column tiles)", t.name, t.rows, tiles));
}

void Lowering::allocateAll() {
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
    TensorLayout& tl = declare(n, t.dtype, t.kind, t.rows, t.cols, t.dtype == DType::kI8 ? 1 : 4);
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
          const Tensor& Q = g_.tensor(r.output);
          // Multipliers: i16 per column, two byte planes on two slices of one hemisphere.
          const std::string mname = r.name + ".multiplier";
          TensorLayout& ml = declare(mname, DType::kI32, TensorKind::kWeight, 1, Q.cols, 2);
          // With few streams per direction an ABCE's i32 group and the multiplier pair cannot
          // travel to the VXM side by side (multiplierOpposite): each MXM side s then reads copy s,
          // kept in the other hemisphere so that it arrives on the other direction's streams.
          auto placeMultiplier = [&](unsigned copy, int side) {
            std::set<unsigned> a = avoid;
            const std::size_t first = ml.fragments.size();
            place(ml, copy, 0, 0, ml.col_tiles, side, a, 1, {}, true);
            place(ml, copy, 1, 0, ml.col_tiles, side, a, 1,
                  std::set<unsigned>(ml.fragments[first].slices.begin(), ml.fragments[first].slices.end()), true);
          };
          if (multiplierOpposite())
            for (unsigned s : used) placeMultiplier(s, static_cast<int>(1 - s));
          else
            placeMultiplier(0, static_cast<int>(used.back()));
          std::vector<std::int32_t> mv(Q.cols);
          for (unsigned c = 0; c < Q.cols; ++c) mv[c] = r.multiplier.size() == 1 ? r.multiplier[0] : r.multiplier[c];
          for (auto& seg : packTensor(layout_, mname, mv)) constants_.push_back(std::move(seg));
          std::set<unsigned> aq = avoid;
          for (unsigned p : slicesOf(mname)) aq.insert(p);
          i8plain(r.output, aq);
          for (unsigned p : slicesOf(mname)) avoid.insert(p);
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
  const int ins = b.add(w.position, b.arrival(group, member, w.position), memInsn(Opcode::kWrite, w.address));
  b.consume(ins, Field::kMstrm, group, w.position, member, 1);
  return ins;
}

std::int64_t Lowering::placeBundle(Bundle& b, const Constraint& c, int node, std::string what) {
  b.node = node;
  b.what = std::move(what);
  return sched_.place(b, c.t, c.pred);
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
  const TensorLayout* Q = req ? &layout_.tensor(req->output) : nullptr;
  const TensorLayout* Mul = req ? &layout_.tensor(req->name + ".multiplier") : nullptr;
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
  // req on the VXM (with the multiplier planes) and the i8 write of Q. Returns the written words.
  auto addOutput = [&](Bundle& b, const MxmUnit& u, int grp, unsigned m, unsigned nt) {
    std::vector<std::pair<WordLoc, int>> writes;
    if (C) {
      for (unsigned p = 0; p < 4; ++p) {
        const WordLoc loc = C->locate(m, nt, p, 0);
        writes.emplace_back(loc, addWrite(b, grp, p, loc));
      }
      return writes;
    }
    Instruction rq_insn = makeInsn(Opcode::kReq);
    rq_insn.type = ElemType::kI8;
    rq_insn.set(Field::kShamt, static_cast<std::int32_t>(req->shift));
    const int when = b.arrival(grp, 0, vxm_);
    const int r = b.add(vxm_, when, rq_insn);
    b.consume(r, Field::kSrca, grp, vxm_, 0, 4);
    const unsigned mcopy = multiplierOpposite() ? u.side : 0;
    const WordLoc lo = Mul->locate(0, nt, 0, mcopy), hi = Mul->locate(0, nt, 1, mcopy);
    const int mg = b.group(toward(lo.position, vxm_), 2);
    const int ilo =
        b.add(lo.position, Bundle::producerOffset(when, Lr, lo.position, vxm_), memInsn(Opcode::kRead, lo.address));
    const int ihi =
        b.add(hi.position, Bundle::producerOffset(when, Lr, hi.position, vxm_), memInsn(Opcode::kRead, hi.address));
    b.produce(mg, ilo, Field::kMstrm, lo.position, Lr, 0, 1);
    b.produce(mg, ihi, Field::kMstrm, hi.position, Lr, 1, 1);
    b.consume(r, Field::kSrcb, mg, vxm_, 0, 2);
    const WordLoc out = Q->locate(m, nt, 0, 0);
    const int og = b.group(toward(vxm_, out.position), 1);
    b.produce(og, r, Field::kDst, vxm_, latencyOf(Opcode::kReq));
    for (unsigned cp = 0; cp < 2; ++cp)
      if (cp == 0 || Q->hasCopy(cp, nt)) {
        const WordLoc oc = Q->locate(m, nt, 0, cp);
        writes.emplace_back(oc, addWrite(b, og, 0, oc));
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
              throw CompileError(fmt::format("node '{}': both operands of row {} tile {} are in MEM slice {}", n.name,
                                             r, ct, cfg_.sliceName(loc.position)));
          auto [rd, g] = addRead(b, loc, vxm_, 0);
          grp = g;
          reads.emplace_back(loc, g);
          const Ready rdy = readyOf(loc);
          c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        }
        b.consume(v, src_fields[j], grp, vxm_);
      }
      // The result, written to every copy of the output (all on one side of the VXM).
      const WordLoc o = out.locate(r, ct, 0, 0);
      const int og = b.group(toward(vxm_, o.position), 1);
      b.produce(og, v, Field::kDst, vxm_, latencyOf(op));
      std::vector<std::pair<WordLoc, int>> outs;
      for (unsigned cp = 0; cp < 2; ++cp)
        if (cp == 0 || out.hasCopy(cp, ct)) {
          const WordLoc oc = out.locate(r, ct, 0, cp);
          outs.emplace_back(oc, addWrite(b, og, 0, oc));
        }
      const std::int64_t t = placeBundle(b, c, ni, fmt::format("{}: row {} tile {}", n.name, r, ct));
      for (const auto& [oc, wi] : outs)
        setReady(oc, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
                 static_cast<int>(sched_.placements().size() - 1));
    }
  }
}

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

// ---------------------------------------------------------------------------------------------------------------
// Driver

CompileResult Lowering::run() {
  validateGraph(g_);
  // MXM units: west at position 0, east at the last position; each with a compute queue (its
  // position) and a load queue (positions() + side).
  for (unsigned s = 0; s < 2; ++s) {
    MxmUnit u;
    u.side = s;
    u.pos = s == 0 ? 0 : cfg_.positions() - 1;
    u.qc = u.pos;
    u.ql = cfg_.positions() + s;
    u.abc_port = sched_.table().addResource(s == 0 ? "MXM_W abc port" : "MXM_E abc port");
    u.in_dir = s == 0 ? Dir::kWest : Dir::kEast;
    u.out_dir = s == 0 ? Dir::kEast : Dir::kWest;
    u.slot_free.assign(cfg_.params().mxm_acc_slots, 0);
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
    // Say what fills the queue(s) that overflow: emitted runs per node and instruction.
    std::string why = e.what();
    const auto runs = sched_.runs();
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (runs[q].size() * 2 < cfg_.params().queue_depth) continue;
      std::map<std::string, unsigned> count;
      for (const EmittedRun& run : runs[q]) {
        const int nd = sched_.placements()[static_cast<std::size_t>(run.bundle)].node;
        count[fmt::format("{} {}", nd >= 0 ? g_.nodes[static_cast<std::size_t>(nd)].name : "?",
                          run.insn.desc->mnemonic)]++;
      }
      why += fmt::format("; {}: {} runs (", cfg_.queueName(q), runs[q].size());
      bool first = true;
      for (const auto& [k, c] : count) why += fmt::format("{}{} x{}", first ? "" : ", ", k, c), first = false;
      why += ")";
    }
    throw CompileError(why);
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
  rep.mxms_used = macs_ ? unsigned{mxm_side_used_[0]} + unsigned{mxm_side_used_[1]} : 0;
  rep.peak_macs_per_cycle = std::uint64_t{cfg_.mxmPeakMacsPerCycle()} * std::max(1u, rep.mxms_used);
  rep.mxm_utilisation =
      cycles ? static_cast<double>(macs_) / (static_cast<double>(cycles) * static_cast<double>(rep.peak_macs_per_cycle))
             : 0.0;
  const auto words = sched_.emit();
  for (unsigned q = 0; q < cfg_.queues(); ++q) {
    QueueReport qr;
    qr.position = q;
    qr.name = cfg_.queueName(q);
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
  Lowering l(graph, options);
  return l.run();
}

}  // namespace lpu::compiler
