// Internal to the compiler: the lowering context shared by the driver (compiler.cpp), allocation
// (allocate.cpp) and the per-operator lowerings (lower_*.cpp). One Lowering object lives for one
// compile() call and holds all of its state. See docs/compiler.md for the algorithm; each lowering
// routine states the timing it relies on.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sw/compiler/compiler.hpp"

namespace lpu::compiler::lowering {

using isa::ArchConfig;
using isa::Dir;
using isa::ElemType;
using isa::Field;
using isa::Instruction;
using isa::Opcode;
using isa::Slice;

inline unsigned latencyOf(Opcode op) { return isa::findInsn(static_cast<unsigned>(op))->latency; }

inline Instruction makeInsn(Opcode op) { return Instruction::make(op); }

// A VXM instruction on element type `type`; `stype` is the source type of a Cvt (ignored by others).
inline Instruction vecInsn(Opcode op, ElemType type, ElemType stype = ElemType::kI8) {
  Instruction i = makeInsn(op);
  i.type = type;
  i.stype = stype;
  return i;
}

inline Instruction memInsn(Opcode op, std::uint32_t addr) {
  Instruction i = makeInsn(op);
  i.set(Field::kAddr, static_cast<std::int32_t>(addr));
  return i;
}

inline Instruction indexInsn(Opcode op, unsigned index) {
  Instruction i = makeInsn(op);
  i.set(Field::kIndex, static_cast<std::int32_t>(index));
  return i;
}

inline unsigned ceilDiv(unsigned a, unsigned b) { return (a + b - 1) / b; }

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
  // Pinned tensors into the layout and their words (and CompileOptions::keep) out of the allocator
  // (pin.cpp).
  void installPins();
  void allocateAll();
  TensorLayout& declare(const std::string& name, DType dtype, TensorKind kind, unsigned rows, unsigned cols,
                        unsigned planes);
  // Places tiles [ct0, ct1) of one plane of one copy on `nslices` slices chosen from `side`
  // avoiding `avoid`.
  void place(TensorLayout& t, unsigned copy, unsigned plane, unsigned ct0, unsigned ct1, int side,
             std::set<unsigned>& avoid, unsigned max_slices = 0, const std::set<unsigned>& forbid = {},
             bool strict_side = false, bool widest = false);
  // `avoid` is a preference, `forbid` a must; strict_side: only slices of `side`; widest: as many slices as
  // max_slices allows (the fewest words per slice) instead of as few as there is room in.
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
  // The multiplier tensor of a requant or residual_add fused into a matmul: residual_add's m, a
  // requant's optional weight input (resident like the other weights), else the compiler's own
  // constant "<requant>.multiplier" built from the node's `multiplier` field.
  static std::string multiplierOf(const Node& r) {
    if (r.op == OpKind::kResidualAdd) return r.inputs[2];
    return r.inputs.size() == 2 ? r.inputs[1] : r.name + ".multiplier";
  }
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

  // ---- vector values (lower_vector.cpp): single-row vectors in SRAM for VXM/SXM sequences ----
  // A vector of `width` byte planes (1, 2 or 4: i8, i16, i32), plane k in word loc[k]. Its
  // hemisphere is plane 0's; an operand's planes reach the VXM together, each straight from its
  // slice, except at most one (a second plane in a slice already read, or a plane in the other
  // hemisphere) that turns around at the hemisphere's SXM (`shift 0`).
  struct VecVal {
    unsigned width = 1;
    WordLoc loc[4];
  };
  struct Operand {
    VecVal v;
    Field field = Field::kSrca;
    unsigned width = 0;  // the operand's group width (0: v.width); planes past v.width are not read
  };
  int sideOf(unsigned position) const { return position < vxm_ ? 0 : 1; }
  // Strict order of MEM slices by hops to the VXM (nearest first): where a vector value's planes go.
  bool nearerVxm(unsigned a, unsigned b) const {
    return std::abs(static_cast<int>(a) - static_cast<int>(vxm_)) <
           std::abs(static_cast<int>(b) - static_cast<int>(vxm_));
  }
  int sideOf(const VecVal& v) const { return sideOf(v.loc[0].position); }
  // A fresh scratch vector in hemisphere `side` (planes in distinct slices where there are enough),
  // nearest the VXM, or in the slices with the most free words (`spread`).
  VecVal newVal(unsigned width, int side, const std::set<unsigned>& avoid = {}, bool spread = false);
  // A constant (one value per lane, `width` bytes each) in hemisphere `side`, part of the program's data.
  VecVal constVal(unsigned width, const std::vector<std::int64_t>& lanes, int side,
                  const std::set<unsigned>& avoid = {});
  // constVal with CompileOptions::constants: the pool's entry that satisfies the request, or a new one.
  VecVal pooledVal(unsigned width, const std::vector<std::int64_t>& lanes, int side, const std::set<unsigned>& avoid);
  VecVal tensorVal(const TensorLayout& t, unsigned r, unsigned ct) const;
  // Reads `v` into a new group of `width` streams arriving at the VXM at relative cycle `when`.
  int readVal(Bundle& b, Constraint& c, const VecVal& v, unsigned width, int when);
  // Writes group `g` (produced at the VXM toward dst's hemisphere) to `dst`; returns the writes.
  std::vector<std::pair<WordLoc, int>> writeVal(Bundle& b, int g, const VecVal& dst);
  // One VXM instruction dst = insn(srcs) as a bundle: reads, the op, writes. Returns its cycle.
  // `also`: further words that take the (one-plane) result from the same stream, e.g. the second
  // copy of an activation both MXMs read (copiesOf).
  std::int64_t vxmOp(int node, const std::string& what, Instruction insn, const std::vector<Operand>& srcs,
                     const VecVal& dst, const std::vector<WordLoc>& also = {});
  // The words of row r, tile ct of `t` in its copies other than copy 0.
  std::vector<WordLoc> copiesOf(const TensorLayout& t, unsigned r, unsigned ct) const;
  // dst = src rotated by `lanes` (SXM `rotate`, one bundle per plane, on the SXM of src's plane's
  // hemisphere, or of `sxm_side`); any dst slice lies on the way back.
  void rotateVal(int node, const std::string& what, const VecVal& src, int lanes, const VecVal& dst, int sxm_side = -1);
  // Lane-wise reduction of `vals` with a commutative, associative binary VXM op, as a balanced tree.
  VecVal reduceTree(int node, const std::string& what, std::vector<VecVal> vals, const Instruction& insn);
  // Reduction across the lanes of `v` by rotates (radix-4 steps, a radix-2 one for an odd power of
  // two); every lane ends with the result.
  VecVal laneReduce(int node, const std::string& what, VecVal v, const Instruction& insn);
  // Declares and places tensor `name` for the vector lowerings: every tile's planes in one
  // hemisphere (plane p in slice p mod slices); `alternate`: tile ct in hemisphere ct mod 2.
  void placeSided(const std::string& name, bool alternate);
  void lowerRmsnorm(int node_index);
  void lowerArgmax(int node_index);
  void lowerSwiglu(int node_index);
  void lowerRope(int node_index);
  void lowerAttention(int node_index);
  // dst = src with its lanes permuted, dst[i] = src[map[i]] (SXM `permute`, one bundle per plane, on
  // the SXM of src's hemisphere; `map` a constant in that hemisphere, in a slice apart from src's
  // planes). Like rotateVal otherwise.
  void permuteVal(int node, const std::string& what, const VecVal& src, const VecVal& map, const VecVal& dst);
  // residual_add (lower_residual.cpp): per tile req.i16 (or the fused matmul's r16), cvt.i32.i16,
  // adds.i32 into the output, which may be pinned onto x's words (in place).
  void lowerResidualAdd(int node_index);
  // embedding (lower_embedding.cpp): the token's table row fetched by MEM `gather`, then cvt, req.i16, cvt.
  void lowerEmbedding(int node_index);
  // One bundle: map = add.i16(token, base) on the VXM; the map group travels to MEM slice `pos`,
  // whose `gather` reads word map (per superlane) at its arrival; the word goes to the VXM for
  // `then` (a one-source VXM instruction) and its result to `dst`, or (then == nullptr) straight to
  // dst's one plane. Returns the bundle's cycle.
  std::int64_t gatherStep(int node, const std::string& what, const VecVal& token, std::uint32_t base, unsigned pos,
                          const Instruction* then, const VecVal& dst);
  // The cycle of the latest placed MEM read of `w` (write-after-read order for in-place results),
  // or -1.
  std::int64_t lastRead(const WordLoc& w) const {
    auto it = last_read_.find(key(w));
    return it == last_read_.end() ? -1 : it->second;
  }
  std::unordered_map<std::uint64_t, std::int64_t> last_read_;
  std::map<std::string, VecVal> const_cache_;
  // Per slice: planes of the pool's constants this program reads there (newVal's `spread`).
  std::map<unsigned, std::uint32_t> pool_charge_;
  // newVal with `spread` while rotate_shared_ (lowerAttention): the chosen slices take turns at the plane that has to
  // share one, instead of the one nearest the SXM taking every such plane.
  bool rotate_shared_ = false;
  unsigned shared_turn_ = 0;
  unsigned next_side_ = 0;

  ScheduleReport makeReport(std::uint64_t cycles) const;

  const Graph& g_;
  ArchConfig cfg_;
  CompileOptions opt_;
  Scheduler sched_;
  SramAllocator alloc_;
  MemoryLayout layout_;
  unsigned L_ = 0, vxm_ = 0;
  std::vector<MxmUnit> mxm_;
  std::vector<int> fused_into_;  // per node: the requant (or residual_add) node fused into this matmul, or -1
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

}  // namespace lpu::compiler::lowering
