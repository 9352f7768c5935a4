// Directed lockstep tests, both configurations: every instruction kind and element type, with
// corner operands (saturation, wrap, sign, shift counts at and past the width, LUT inputs), MEM at
// the extreme addresses and back-to-back, every stream in both directions across the whole chip,
// Repeat with positive/negative/extreme strides and distances, Sync/Notify barriers, Gather/Scatter
// over every superlane, the SXM permutations on both SXMs and the end-of-program rule. The model is
// the reference (check() compares every stream register every cycle and every SRAM word written or
// loaded); the tests assert only what they are meant to exercise.
#include <map>
#include <set>

#include "tb/lockstep/tests/lockstep_test_util.hpp"

namespace lpu::lockstep::test {
namespace {

// The RTL runs the MXM load queues (MXM_W_LOAD / MXM_E_LOAD) once this is true (see
// random_test.cpp).
constexpr bool kRtlHasMxmLoadQueues = true;

class Directed : public ::testing::TestWithParam<const char*> {
 protected:
  Directed() : cfg_(ArchConfig::byName(GetParam())), l_(cfg_) {}
  ArchConfig cfg_;
  Layout l_;
  std::mt19937 rng_{12345};
};

// ---- ICU
// ------------------------------------------------------------------------------------------------------

TEST_P(Directed, AllHaltTakesOneCycle) {
  const Result r = check(cfg_, allHalt(cfg_));
  expectDone(r);
  EXPECT_EQ(r.model_cycles, 1u);
}

TEST_P(Directed, LongNopAndStaggeredHalts) {
  isa::Program p = allHalt(cfg_);
  for (unsigned q = 0; q < cfg_.queues(); ++q) p.queues[q] = {nop(1 + 37 * q), halt()};
  p.queues[l_.vxm()] = {nop(2000), nop(1), halt()};
  const Result r = check(cfg_, p);
  expectDone(r);
  EXPECT_EQ(r.model_cycles, 2002u);
}

// The machine is done only when every queue halted and nothing is in flight: a read dispatched in
// the last cycle still lands (and travels) before the end.
TEST_P(Directed, EndWaitsForResultsInFlight) {
  for (Opcode op : {Opcode::kRead, Opcode::kGather}) {
    isa::Program p = allHalt(cfg_);
    p.queues[l_.memE(0)] = {nop(3), op == Opcode::kRead ? read(1, W(2)) : gather(W(2), E(0)), halt()};
    p.data.push_back({l_.memE(0), 0, randomBytes(rng_, 2 * l_.lanes())});
    const Result r = check(cfg_, p, std::string(isa::findInsn(static_cast<unsigned>(op))->mnemonic));
    expectDone(r);
    EXPECT_EQ(r.model_cycles, 3 + latency(op));
  }
}

// Read and gather share one result path (both latency 2): a gather at 0 and a read at 1 onto the
// same stream land in successive cycles with no conflict. MEM_E2 gathers word 0 (the map E0/E1 is
// zero) and reads word 7 onto W3; MEM_E1, one hop west, stores them at 10 and 11.
TEST_P(Directed, MemReadAndGatherBackToBack) {
  isa::Program p = allHalt(cfg_);
  const unsigned src = l_.memE(2), dst = l_.memE(1);
  ASSERT_EQ(src, dst + 1);
  p.queues[src] = {gather(W(3), E(0)), read(7, W(3)), halt()};
  p.queues[dst] = {nop(2), write(10, W(3)), write(11, W(3)), halt()};
  const Bytes w0 = randomBytes(rng_, l_.lanes()), w7 = randomBytes(rng_, l_.lanes());
  p.data.push_back({src, 0, w0});
  p.data.push_back({src, 7, w7});
  Options o;
  o.extra_sram_words = {{dst, 10}, {dst, 11}};
  const Result r = check(cfg_, p, "gather-read", o);
  expectDone(r);
  std::map<std::uint32_t, Bytes> got;
  for (std::size_t i = 0; i < r.sram_words.size(); ++i) {
    if (r.sram_words[i].first == dst) got[r.sram_words[i].second] = r.sram_values[i];
  }
  EXPECT_EQ(got[10], w0);
  EXPECT_EQ(got[11], w7);
}

// Every queue parks in Sync until `n1` notifies (cycle 4); then every queue but `n2` parks in a
// second Sync until `n2` notifies (cycle 8). MEM_E0 dispatches its first Sync in the Notify's own
// cycle, so it does not park there.
TEST_P(Directed, SyncNotifyBarriers) {
  const std::vector<unsigned> notifiers = {l_.memW(0), l_.vxm(), l_.sxmE(), l_.mxmW(), l_.memE(l_.m() - 1)};
  const unsigned queues = kRtlHasMxmLoadQueues ? cfg_.queues() : cfg_.positions();
  for (std::size_t i = 0; i < notifiers.size(); ++i) {
    const unsigned n1 = notifiers[i], n2 = notifiers[(i + 2) % notifiers.size()];
    isa::Program p = allHalt(cfg_);
    for (unsigned q = 0; q < queues; ++q) {
      std::vector<std::uint32_t>& w = p.queues[q];
      if (q == n1) {
        w = {nop(4), notify()};
      } else if (q == l_.memE(0)) {
        w = {nop(4), sync()};
      } else {
        w = {sync()};
      }
      if (q == n2) {
        w.insert(w.end(), {nop(3), notify(), halt()});
      } else {
        w.insert(w.end(), {sync(), halt()});
      }
    }
    const Result r = check(cfg_, p, cfg_.sliceName(n1));
    expectDone(r);
    EXPECT_EQ(r.model_cycles, 10u);
  }
}

// ---- MEM
// --------------------------------------------------------------------------------------------------------

// Every stream in both directions crosses the whole chip: MEM_W{m-1} reads word s onto E s at cycle
// s, MEM_E{m-1} reads onto W s; the values pass every position (the MXM/SXM ones and the edges
// included) and are written back by MEM_E{m-2} / MEM_W{m-2} on the way.
TEST_P(Directed, EveryStreamBothDirectionsAcrossTheChip) {
  ProgramBuilder b(cfg_);
  const unsigned S = l_.streams(), P = cfg_.positions();
  const unsigned src_e = l_.memW(l_.m() - 1), src_w = l_.memE(l_.m() - 1);
  const unsigned sink_e = l_.memE(l_.m() - 2), sink_w = l_.memW(l_.m() - 2);
  for (unsigned s = 0; s < S; ++s) {
    b.at(src_e, s, read(s, E(s)));
    b.at(src_w, s, read(S + s, W(s)));
  }
  const unsigned he = sink_e - src_e, hw = src_w - sink_w;
  for (unsigned s = 0; s < S; ++s) {
    b.at(sink_e, s + latency(Opcode::kRead) + he - 1, write(0x40 + s, E(s)));
    b.at(sink_w, s + latency(Opcode::kRead) + hw - 1, write(0x80 + s, W(s)));
  }
  Bytes data;
  for (unsigned i = 0; i < 2 * S; ++i) {
    const Bytes w = randomBytes(rng_, l_.lanes());
    data.insert(data.end(), w.begin(), w.end());
  }
  b.data(src_e, 0, Bytes(data.begin(), data.begin() + S * l_.lanes()));
  b.data(src_w, S, Bytes(data.begin() + S * l_.lanes(), data.end()));
  // Keep one queue busy until the last value has left the chip.
  b.at(l_.vxm(), 2 * S + P + 4, nop(1));
  const Result r = check(cfg_, b.build());
  expectDone(r);
  EXPECT_GE(r.sram_words.size(), 2 * S);  // the words written (small also reads back the 2S loaded)
}

// Words 0 and max (both banks' extremes), back-to-back reads every cycle (repeat stride -1 from the
// top), written back-to-back one slice further on, in both directions.
TEST_P(Directed, ExtremeAddressesBackToBack) {
  ProgramBuilder b(cfg_);
  const std::uint32_t max = l_.maxAddr(), half = cfg_.wordsPerSlice() / 2;
  const unsigned L = latency(Opcode::kRead);
  // East: MEM_W0 reads max, max-1, ..., max-15 onto the last eastward stream at 0..15; MEM_E1 (3 hops) writes them to
  // 0..15.
  b.at(l_.memW(0), 0, read(max, E(l_.streams() - 1))).rep(l_.memW(0), 15, 1, -1);
  b.at(l_.memE(1), L + 2, write(0, E(l_.streams() - 1))).rep(l_.memE(1), 15, 1, 1);
  // West: MEM_E0 reads 0, 1, ... onto W0; MEM_W1 (3 hops) writes them to max-15.. max.
  b.at(l_.memE(0), 0, read(0, W(0))).rep(l_.memE(0), 15, 1, 1);
  b.at(l_.memW(1), L + 2, write(max - 15, W(0))).rep(l_.memW(1), 15, 1, 1);
  // Both sides of the bank boundary.
  b.at(l_.memW(2), 0, read(half - 1, E(0))).then(l_.memW(2), read(half, E(1)));
  b.at(l_.memE(2), 0, read(half, W(2))).then(l_.memE(2), read(half - 1, W(3)));
  for (std::uint32_t a : {max - 15, half - 1}) b.data(l_.memW(0), a, randomBytes(rng_, 16 * l_.lanes()));
  b.data(l_.memE(0), 0, randomBytes(rng_, 16 * l_.lanes()));
  b.data(l_.memW(2), half - 1, randomBytes(rng_, 2 * l_.lanes()));
  b.data(l_.memE(2), half - 1, randomBytes(rng_, 2 * l_.lanes()));
  const Result r = check(cfg_, b.build());
  expectDone(r);
}

// Repeat: distance 1..255, n up to 1023, strides -64..63, on read and write.
TEST_P(Directed, RepeatStridesAndDistances) {
  struct Case {
    std::uint32_t n, d;
    std::int32_t stride;
    std::uint32_t base;
  };
  const std::uint32_t max = l_.maxAddr();
  // The longest Repeat (n = 1023) with stride 1 needs 1024 loaded words: on large (18 host clocks
  // per word at ~2 k clocks/s) it repeats one word instead.
  const std::int32_t long_stride = cfg_.name() == "ulx3s" ? 1 : 0;
  const std::vector<Case> cases = {{1023, 1, long_stride, 0}, {4, 255, 63, 10},       {3, 3, -63, max}, {7, 2, 0, 5},
                                   {15, 1, -1, 15},           {2, 17, 63, max - 127}, {31, 1, 2, 100}};
  for (const Case& c : cases) {
    ProgramBuilder b(cfg_);
    const unsigned L = latency(Opcode::kRead);
    b.at(l_.memW(1), 0, read(c.base, E(2))).rep(l_.memW(1), c.n, c.d, c.stride);
    // Written three slices east (MEM_E0), in the opposite order: from the last address read, with
    // -stride.
    const std::int64_t last = std::int64_t{c.base} + std::int64_t{c.n} * c.stride;
    b.at(l_.memE(0), L + 2, write(static_cast<std::uint32_t>(last), E(2))).rep(l_.memE(0), c.n, c.d, -c.stride);
    // Only the words read are loaded (and read back).
    std::set<std::int64_t> addrs;
    for (std::uint32_t i = 0; i <= c.n; ++i) addrs.insert(std::int64_t{c.base} + std::int64_t{i} * c.stride);
    for (std::int64_t a : addrs) b.data(l_.memW(1), static_cast<std::uint32_t>(a), randomBytes(rng_, l_.lanes()));
    const Result r = check(cfg_, b.build(), fmt::format("n{}-d{}-s{}", c.n, c.d, c.stride));
    expectDone(r);
  }
}

// Gather and Scatter with a different address in every superlane (both banks, word 0 and the last
// word), the map delivered as an int16 group, in both directions.
TEST_P(Directed, GatherScatterEverySuperlane) {
  const unsigned sl = cfg_.params().superlane_lanes, superlanes = l_.lanes() / sl;
  const std::uint32_t max = l_.maxAddr(), half = cfg_.wordsPerSlice() / 2;
  const std::vector<std::int64_t> addrs = {0, max, half, half - 1, 7, 3};
  for (Dir d : {Dir::kEast, Dir::kWest}) {
    const unsigned target = d == Dir::kEast ? l_.memE(1) : l_.memW(1);
    const StreamRef m0 = d == Dir::kEast ? E(2) : W(2), m1 = d == Dir::kEast ? E(3) : W(3);
    ProgramBuilder b(cfg_);
    std::vector<std::int64_t> map(l_.lanes());
    for (unsigned k = 0; k < superlanes; ++k) {
      for (unsigned i = 0; i < sl; ++i) map[k * sl + i] = addrs[(k + i) % addrs.size()];
    }
    const auto planes = toPlanes(map, 2);
    // Map on the group for two cycles: gather at `at`, scatter (of the gathered word, back at the
    // map) at at+3.
    const auto at = deliver(b, cfg_, target, {{m0, planes[0]}, {m1, planes[1]}}, 0, 20);
    ASSERT_TRUE(at);
    const StreamRef out = d == Dir::kEast ? W(0) : E(0);
    b.at(target, *at, gather(out, m0));
    for (std::int64_t a : addrs) b.data(target, static_cast<std::uint32_t>(a), randomBytes(rng_, l_.lanes()));
    // The map again, 4 cycles later, for the scatter of a fresh word delivered on stream 0.
    const auto at2 =
        deliver(b, cfg_, target,
                {{m0, planes[0]}, {m1, planes[1]}, {d == Dir::kEast ? E(0) : W(0), randomBytes(rng_, l_.lanes())}},
                *at + 4, 24);
    ASSERT_TRUE(at2);
    b.at(target, *at2, scatter(d == Dir::kEast ? E(0) : W(0), m0));
    const Result r = check(cfg_, b.build(), d == Dir::kEast ? "east" : "west");
    expectDone(r);
    EXPECT_FALSE(r.sram_words.empty());  // the scatter wrote
  }
}

// ---- VXM
// --------------------------------------------------------------------------------------------------------

struct VxmCase {
  Opcode op;
  ElemType type, stype;
  unsigned shamt;
};

std::vector<VxmCase> vxmCases() {
  std::vector<VxmCase> out;
  for (const isa::InsnDesc& d : isa::kInsns) {
    if (d.slice != isa::Slice::kVXM) continue;
    for (unsigned t = 0; t < 3; ++t) {
      if (!(d.type_mask >> t & 1u)) continue;
      if (d.opcode == Opcode::kCvt) {
        for (unsigned s = 0; s < 3; ++s) {
          if (d.stype_mask >> s & 1u) out.push_back({d.opcode, ElemType(t), ElemType(s), 0});
        }
      } else if (d.opcode == Opcode::kReq) {
        for (unsigned shamt : {0u, 1u, 7u, 16u, 31u, 47u, 63u})
          out.push_back({d.opcode, ElemType(t), ElemType(0), shamt});
      } else {
        out.push_back({d.opcode, ElemType(t), ElemType(0), 0});
      }
    }
  }
  return out;
}

// One instruction with corner operands: a on E (from the west), b on W (from the east), c on E
// after a; planes that do not fit the MEM slices of a side (small: 3 per side) stay 0. The result
// group is written back east.
TEST_P(Directed, VxmEveryOpcodeAndType) {
  unsigned n = 0;
  const unsigned rounds = cfg_.name() == "ulx3s" ? 2 : 1;  // large simulates ~100x slower
  for (const VxmCase& c : vxmCases()) {
    for (unsigned round = 0; round < rounds; ++round) {
      isa::Instruction insn = isa::Instruction::make(c.op);
      insn.type = c.type;
      insn.stype = c.stype;
      const isa::InsnDesc& d = *insn.desc;
      std::vector<Plane> planes;
      unsigned east = 0, west = 0, next_e = 0;
      StreamRef refs[4] = {E(0), E(0), W(0), E(0)};
      for (unsigned i = 0; i < d.num_operands; ++i) {
        const isa::Field f = d.operands[i].field;
        if (f == isa::Field::kShamt) {
          insn.set(f, static_cast<std::int32_t>(c.shamt));
          continue;
        }
        const unsigned g = insn.groupBytes(i, cfg_);
        if (f == isa::Field::kDst) {
          insn.set(f, static_cast<std::int32_t>(E(0).encode()));
          continue;
        }
        const bool is_west = f == isa::Field::kSrcb;
        StreamRef s = is_west ? W(0) : E(next_e);
        if (!is_west) next_e += std::max(g, 4u);
        if (!is_west && next_e > l_.streams()) s = E(0);  // c shares a's group on small i32 (4 streams)
        insn.set(f, static_cast<std::int32_t>(s.encode()));
        refs[i] = s;
        const auto values = cornerValues(g, l_.lanes(), rng_, 5 * i + 11 * round);
        const auto pl = toPlanes(values, g);
        for (unsigned k = 0; k < g; ++k) {
          unsigned& used = is_west ? west : east;
          if (used >= l_.m()) break;
          bool dup = false;
          for (const Plane& p : planes) dup = dup || (p.stream == StreamRef{s.dir, s.index + k});
          if (dup) continue;
          ++used;
          planes.push_back({StreamRef{s.dir, s.index + k}, pl[k]});
        }
      }
      ProgramBuilder b(cfg_);
      const auto at = deliver(b, cfg_, l_.vxm(), planes);
      ASSERT_TRUE(at);
      b.at(l_.vxm(), *at, isa::encode(insn));
      const unsigned g = insn.groupBytes(0, cfg_);
      for (unsigned k = 0; k < g && k < l_.m(); ++k) {
        b.at(l_.memE(k), *at + d.latency + k, write(0x100 + k, E(k)));
      }
      const std::string label =
          fmt::format("{}-{}-{}-{}-{}", d.mnemonic, isa::kTypeNames[static_cast<unsigned>(c.type)],
                      isa::kTypeNames[static_cast<unsigned>(c.stype)], c.shamt, round);
      const Result r = check(cfg_, b.build(), label);
      expectDone(r);
      if (!r.ok()) return;  // one report is enough
      ++n;
    }
  }
  EXPECT_GT(n, 40u * rounds);
}

// LUT instructions over many inputs: exp2/sigmoid/silu (i16) and rsqrt (i32), a new input vector
// every cycle.
TEST_P(Directed, VxmLutOpsManyInputs) {
  for (Opcode op : {Opcode::kExp2, Opcode::kSigmoid, Opcode::kSilu, Opcode::kRsqrt}) {
    const ElemType t = op == Opcode::kRsqrt ? ElemType::kI32 : ElemType::kI16;
    const unsigned g = t == ElemType::kI32 ? 4 : 2;
    ProgramBuilder b(cfg_);
    // Plane k of input vector j is word j of MEM_W{k}; read every cycle (repeat) so vector j
    // arrives at 3 + j.
    const unsigned vectors = 24, planes = std::min(g, l_.m());
    for (unsigned k = 0; k < planes; ++k) {
      Bytes data;
      for (unsigned j = 0; j < vectors; ++j) {
        std::vector<std::int64_t> v(l_.lanes());
        for (unsigned i = 0; i < l_.lanes(); ++i) {
          const std::int64_t x =
              static_cast<std::int64_t>(j * l_.lanes() + i) * (g == 2 ? 2731 : 179'424'673) - (g == 2 ? 32768 : 0);
          v[i] = g == 2 ? static_cast<std::int16_t>(x) : static_cast<std::int32_t>(x);
        }
        const Bytes w = toPlanes(v, g)[k];
        data.insert(data.end(), w.begin(), w.end());
      }
      b.data(l_.memW(k), 0, data);
      // Plane k is k+1 hops away: read at (planes - 1 - k) so all arrive together.
      b.at(l_.memW(k), planes - 1 - k, read(0, E(k))).rep(l_.memW(k), vectors - 1, 1, 1);
    }
    const std::uint64_t first = planes - 1 + latency(Opcode::kRead);  // arrival at the VXM
    b.at(l_.vxm(), first, vxm(op, t, E(0), E(0))).rep(l_.vxm(), vectors - 1, 1, 0);
    const Result r = check(cfg_, b.build(), std::string(isa::findInsn(static_cast<unsigned>(op))->mnemonic));
    expectDone(r);
  }
}

// ---- SXM
// --------------------------------------------------------------------------------------------------------

// Both SXMs, results in both directions (SXM_W's westward results pass MXM_W and leave the chip),
// every shift / rotate amount class, permute/distribute maps with high bits set, transpose.
TEST_P(Directed, SxmEveryOpcodeBothSxms) {
  const int lanes = static_cast<int>(l_.lanes());
  const std::vector<int> imms = {0, 1, -1, lanes - 1, -(lanes - 1), lanes, -lanes, lanes + 3, 127, -128, 5};
  for (bool west_sxm : {true, false}) {
    const unsigned target = west_sxm ? l_.sxmW() : l_.sxmE();
    // Operands flow toward the SXM from the MEM slices: westward for SXM_W, eastward for SXM_E.
    auto in = [&](unsigned s) { return west_sxm ? W(s) : E(s); };
    for (bool out_east : {true, false}) {
      auto out = [&](unsigned s) { return out_east ? E(s) : W(s); };
      ProgramBuilder b(cfg_);
      const unsigned n = cfg_.params().transpose_n;
      // Rows 0..planes-1 on in(0..), a map on in(n) when it exists (streams >= n+1), delivered for
      // cycle `at`.
      std::vector<Plane> planes;
      const unsigned rows = std::min(n, 2 * l_.m() - 1);
      for (unsigned i = 0; i < rows; ++i) planes.push_back({in(i), randomBytes(rng_, l_.lanes())});
      Bytes map = randomBytes(rng_, l_.lanes());
      map[0] |= 0x80;
      map[1] = static_cast<std::uint8_t>(lanes - 1);
      const unsigned map_stream = n < l_.streams() ? n : l_.streams() - 1;
      planes.push_back({in(map_stream), map});
      auto at = deliver(b, cfg_, target, planes, 0, 0);
      ASSERT_TRUE(at);
      std::uint64_t t = *at;
      b.at(target, t, transpose(out(0), in(0)));
      // The rows stay at the SXM only for cycle `at`; later instructions use whatever passes by
      // (the lockstep compares anyway), and a second delivery feeds the permutations.
      auto at2 = deliver(b, cfg_, target, {{in(1), randomBytes(rng_, l_.lanes())}, {in(map_stream), map}}, t + 3, 40);
      ASSERT_TRUE(at2);
      b.at(target, *at2, permute(out(1), in(1), in(map_stream)));
      b.then(target, distribute(out(2), in(1), in(map_stream)));
      for (int imm : imms) {
        b.then(target, shift(out(3), in(1), imm));
        b.then(target, rotate(out(0), in(1), imm));
      }
      b.rep(target, 3, 2, 0);
      const Result r =
          check(cfg_, b.build(), fmt::format("{}-{}", west_sxm ? "sxm_w" : "sxm_e", out_east ? "east" : "west"));
      expectDone(r);
    }
  }
}

// ---- MXM (the compute queue; the load queues once the RTL has them)
// ------------------------------------------------

TEST_P(Directed, MxmLoadComputeAccumulate) {
  if (!kRtlHasMxmLoadQueues) GTEST_SKIP() << "RTL without the MXM load queues yet";
  for (bool east : {false, true}) {
    const unsigned mxm = east ? l_.mxmE() : l_.mxmW(), loadq = east ? l_.loadE() : l_.loadW();
    auto in = [&](unsigned s) { return east ? E(s) : W(s); };
    auto out = [&](unsigned s) { return east ? W(s) : E(s); };
    ProgramBuilder b(cfg_);
    // Weight rows and activations: whatever the MEM slices nearest the MXM read onto in(0..3) every
    // cycle.
    const unsigned src = east ? l_.memE(l_.m() - 1) : l_.memW(l_.m() - 1);
    for (unsigned s = 0; s < 4; ++s) b.at(src, s, read(s, in(s)));
    b.at(src, 4, read(4, in(0))).rep(src, 40, 1, 1);
    b.data(src, 0, randomBytes(rng_, 48 * l_.lanes()));
    const unsigned iv = cfg_.params().mxm_abc_interval;
    b.at(loadq, 6, lw(0, in(0), 4)).then(loadq, lw(4, in(0), 1)).rep(loadq, l_.lanes() - 5, 1, 1);
    b.then(loadq, iw());
    b.then(loadq, lw(0, in(1), 2, true));
    const std::uint64_t t = b.next(loadq) + 2;
    b.at(mxm, t, abc(in(0), 0));
    b.at(mxm, t + iv, abca(in(1), 0)).rep(mxm, 5, iv, 0);
    b.at(mxm, b.next(mxm) + iv, abce(in(2), 1, out(0)));
    // The ACCs use the ABCE's group too (4 streams per direction on ulx3s): the first one at
    // t_abce + 3 loads it a cycle after the ABCE (t_abce + 2 would load it in the same cycle).
    b.at(mxm, b.next(mxm) + iv + 1, acc(out(0), 0));
    b.at(mxm, b.next(mxm) + 2, acc(out(0), cfg_.params().mxm_acc_slots - 1));
    const Result r = check(cfg_, b.build(), east ? "east" : "west");
    expectDone(r);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, Directed, ::testing::Values("ulx3s", "large"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace lpu::lockstep::test
