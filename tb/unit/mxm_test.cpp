// Unit tests of rtl/lpu_mxm_core.sv (the compute and the load issue port), verilated standalone with --assert,
// against a reference MXM written from docs/isa.md and docs/architecture.md:
// state updates are visible to instructions dispatched at t+L; ABCA/ABCE add to the accumulator when their update
// lands (t+2); ABCE emits the sum at t+3 and zeroes the slot; ACC emits the accumulator as of its dispatch cycle.
#include VTOP_HEADER

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sw/isa/isa.hpp"
#include "tb/unit/slice_harness.hpp"

namespace {

using lpu::isa::Dir;
using lpu::isa::Field;
using lpu::isa::Instruction;
using lpu::isa::Opcode;
using lpu::isa::StreamRef;
using lpu::tb::CycleOut;
using lpu::tb::Expectations;

constexpr unsigned kLanes = LPU_LANES;
constexpr unsigned kStreams = LPU_STREAMS;
constexpr unsigned kSlots = LPU_ACC_SLOTS;
constexpr unsigned kInterval = LPU_ABC_INTERVAL;
using Harness = lpu::tb::SliceHarness<VTOP>;

std::int32_t streamField(unsigned dir, unsigned idx) {
  return static_cast<std::int32_t>(StreamRef{dir ? Dir::kWest : Dir::kEast, idx}.encode());
}

// Reference MXM state and its pending accumulator updates (applied at the end of their cycle).
struct RefMxm {
  std::vector<std::int8_t> staging = std::vector<std::int8_t>(kLanes * kLanes, 0);  // [k][n]
  std::vector<std::int8_t> active = staging;
  std::vector<std::int32_t> acc = std::vector<std::int32_t>(kSlots * kLanes, 0);
  struct Update {
    bool accumulate, emit;
    unsigned slot, dst_dir, dst_base;
    std::uint64_t issued;
    std::vector<std::int32_t> y;
  };
  std::map<std::uint64_t, std::vector<Update>> pending;

  std::vector<std::int32_t> product(const std::vector<std::int8_t>& x) const {
    std::vector<std::int32_t> y(kLanes);
    for (unsigned n = 0; n < kLanes; ++n) {
      std::int64_t s = 0;
      for (unsigned k = 0; k < kLanes; ++k) s += std::int64_t{x[k]} * active[k * kLanes + n];
      y[n] = static_cast<std::int32_t>(s);
    }
    return y;
  }
  // Applies the updates due at the end of cycle c; ABCE sums become expected loads in c+1.
  void endOfCycle(std::uint64_t c, Expectations& exp) {
    auto it = pending.find(c);
    if (it == pending.end()) return;
    for (const Update& u : it->second) {
      std::vector<std::uint32_t> r(kLanes);
      for (unsigned n = 0; n < kLanes; ++n) {
        std::int32_t& a = acc[u.slot * kLanes + n];
        r[n] = (u.accumulate ? static_cast<std::uint32_t>(a) : 0u) + static_cast<std::uint32_t>(u.y[n]);
        a = u.emit ? 0 : static_cast<std::int32_t>(r[n]);
      }
      if (u.emit) {
        for (unsigned k = 0; k < 4; ++k) {
          Expectations::Load l{u.dst_dir, u.dst_base + k, std::vector<std::uint8_t>(kLanes), u.issued};
          for (unsigned n = 0; n < kLanes; ++n) l.bytes[n] = static_cast<std::uint8_t>(r[n] >> (8 * k));
          exp.add(c + 1, std::move(l));
        }
      }
    }
    pending.erase(it);
  }
};

class MxmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = std::random_device{}();
    if (const char* s = std::getenv("LPU_SEED")) seed_ = std::stoull(s);
    std::printf("seed %llu (LPU_SEED=%llu reproduces)\n", static_cast<unsigned long long>(seed_),
                static_cast<unsigned long long>(seed_));
    rng_.seed(seed_);
    h_ = std::make_unique<Harness>(kLanes, kStreams, seed_);
    h_->top().ld_issue_valid_i = 0;
    h_->top().ld_issue_insn_i = 0;
    h_->reset();
  }

  std::int8_t randomInt8() {
    static constexpr std::int8_t kCorners[] = {0, 1, -1, 127, -128, -127, 2};
    return rng_() % 3 == 0 ? kCorners[rng_() % std::size(kCorners)] : static_cast<std::int8_t>(rng_());
  }
  void randomiseStreams() {
    for (unsigned d = 0; d < 2; ++d)
      for (auto& b : h_->sr(d)) b = static_cast<std::uint8_t>(randomInt8());
  }
  std::vector<std::int8_t> streamInt8(unsigned dir, unsigned s) {
    std::vector<std::int8_t> v(kLanes);
    for (unsigned i = 0; i < kLanes; ++i) v[i] = static_cast<std::int8_t>(h_->srByte(dir, s, i));
    return v;
  }

  // Compute queue: abc/abca/abce (index = slot, src = (sdir, sidx), dst for abce) or acc (index, dst).
  void compute(Opcode op, unsigned index, unsigned sdir, unsigned sidx, unsigned ddir = 0, unsigned dbase = 0) {
    Instruction insn = Instruction::make(op);
    const std::uint64_t t = h_->cycle();
    insn.set(Field::kIndex, static_cast<std::int32_t>(index));
    if (op == Opcode::kAcc) {
      insn.set(Field::kDst, streamField(sdir, sidx));
      for (unsigned k = 0; k < 4; ++k) {
        Expectations::Load l{sdir, sidx + k, std::vector<std::uint8_t>(kLanes), t};
        for (unsigned n = 0; n < kLanes; ++n)
          l.bytes[n] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(ref_.acc[index * kLanes + n]) >> (8 * k));
        exp_.add(t + insn.desc->latency - 1, std::move(l));
      }
    } else {
      insn.set(Field::kSrca, streamField(sdir, sidx));
      if (op == Opcode::kAbce) insn.set(Field::kDst, streamField(ddir, dbase));
      ref_.pending[t + 2].push_back(RefMxm::Update{op != Opcode::kAbc, op == Opcode::kAbce, index, ddir, dbase, t,
                                                   ref_.product(streamInt8(sdir, sidx))});
      last_abc_ = t;
      abc_seen_ = true;
    }
    word_ = lpu::isa::encode(insn);
    h_->issue(word_);
  }
  // Load queue: lw/lwi (rows index .. index+n-1 from streams sidx .. sidx+n-1) or iw. Call after compute() of
  // the same cycle: the reference updates at once, and the compute instruction already took the old weights.
  void load(Opcode op, unsigned index = 0, unsigned sdir = 0, unsigned sidx = 0, unsigned n = 1) {
    Instruction insn = Instruction::make(op);
    if (op != Opcode::kIw) {
      insn.set(Field::kIndex, static_cast<std::int32_t>(index));
      insn.set(Field::kSrca, streamField(sdir, sidx));
      insn.set(Field::kLwn, static_cast<std::int32_t>(n));
      for (unsigned r = 0; r < n; ++r) {
        auto x = streamInt8(sdir, sidx + r);
        std::copy(x.begin(), x.end(), ref_.staging.begin() + (index + r) * kLanes);
      }
    }
    if (op != Opcode::kLw) ref_.active = ref_.staging;
    h_->top().ld_issue_valid_i = 1;
    h_->top().ld_issue_insn_i = lpu::isa::encode(insn);
  }
  bool abcAllowed() const { return !abc_seen_ || h_->cycle() - last_abc_ >= kInterval; }

  // One cycle: check the stream loads, busy_o, no error; then commit the reference.
  CycleOut stepAndCheck(bool expect_err = false) {
    const std::uint64_t c = h_->cycle();
    // An ABC dispatched at t updates at the end of t+2: dispatched before c and not yet landed <=> due in c, c+1.
    const bool busy = exp_.pending(c) || ref_.pending.count(c) != 0 || ref_.pending.count(c + 1) != 0;
    CycleOut o = h_->step();
    h_->top().ld_issue_valid_i = 0;
    if (!expect_err) {
      EXPECT_EQ(exp_.check(c, o, kLanes), "") << "seed " << seed_;
      EXPECT_FALSE(o.err) << "cycle " << c << " code " << o.err_code;
      EXPECT_EQ(o.busy, busy) << "cycle " << c;
    }
    EXPECT_FALSE(h_->assertionFailed()) << "cycle " << c;
    ref_.endOfCycle(c, exp_);
    return o;
  }

  void loadAllRows() {
    for (unsigned k = 0; k < kLanes;) {
      randomiseStreams();
      const unsigned n = std::min<unsigned>(kLanes - k, 1 + static_cast<unsigned>(rng_() % kStreams));
      load(Opcode::kLw, k, k & 1, static_cast<unsigned>(rng_() % (kStreams - n + 1)), n);
      stepAndCheck();
      k += n;
    }
  }

  std::uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<Harness> h_;
  Expectations exp_;
  RefMxm ref_;
  std::uint64_t last_abc_ = 0;
  bool abc_seen_ = false;
  std::uint32_t word_ = 0;
};

// Random legal MXM programs: every instruction with random rows/row counts, slots, streams and int8 corner values;
// ABCs as dense as the interval allows; loads and computes in the same cycles. Every ACC and ABCE
// result is checked in its exact cycle; two results are never aimed at one register in one cycle.
TEST_F(MxmTest, RandomProgramMatchesReference) {
  std::map<Opcode, unsigned> count;
  for (unsigned cyc = 0; cyc < 30000; ++cyc) {
    randomiseStreams();
    const unsigned r = static_cast<unsigned>(rng_() % 16);
    Opcode cop = r < 3    ? Opcode::kAbc
                 : r < 6  ? Opcode::kAbca
                 : r < 8  ? Opcode::kAbce
                 : r < 11 ? Opcode::kAcc
                          : Opcode::kNop;
    if ((cop == Opcode::kAbc || cop == Opcode::kAbca || cop == Opcode::kAbce) && !abcAllowed()) cop = Opcode::kAcc;
    const unsigned l = static_cast<unsigned>(rng_() % 8);
    Opcode lop = l < 3 ? Opcode::kLw : l < 4 ? Opcode::kLwi : l < 5 ? Opcode::kIw : Opcode::kNop;
    // A result register is free if no earlier instruction loads it in the same cycle.
    const unsigned ddir = rng_() & 1, dbase = 4 * static_cast<unsigned>(rng_() % (kStreams / 4));
    const std::uint64_t at = h_->cycle() + (cop == Opcode::kAcc ? 1 : 3);
    if ((cop == Opcode::kAcc || cop == Opcode::kAbce) && (exp_.due(at, ddir) & (0xFu << dbase))) cop = Opcode::kNop;
    if (cop == Opcode::kAcc) {
      // An ABCE of t-2 emits in t+1 too (its loads appear in exp_ only when it lands): keep ACC off its group.
      auto it = ref_.pending.find(h_->cycle());
      if (it != ref_.pending.end())
        for (const auto& u : it->second)
          if (u.emit && u.dst_dir == ddir && u.dst_base == dbase) cop = Opcode::kNop;
    }
    const unsigned slot = static_cast<unsigned>(rng_() % 4), sdir = rng_() & 1;
    if (cop == Opcode::kAcc) {
      compute(cop, slot, ddir, dbase);
    } else if (cop != Opcode::kNop) {
      compute(cop, slot, sdir, static_cast<unsigned>(rng_() % kStreams), ddir, dbase);
    }
    if (lop == Opcode::kIw) {
      load(lop);
    } else if (lop != Opcode::kNop) {
      const unsigned n = 1 + static_cast<unsigned>(rng_() % kStreams);
      load(lop, static_cast<unsigned>(rng_() % (kLanes - n + 1)), rng_() & 1,
           static_cast<unsigned>(rng_() % (kStreams - n + 1)), n);
    }
    if (cop != Opcode::kNop) ++count[cop];
    if (lop != Opcode::kNop) ++count[lop];
    stepAndCheck();
    if (HasFailure()) return;
  }
  for (unsigned i = 0; i < 5; ++i) stepAndCheck();
  EXPECT_EQ(count.size(), 7u);
}

// Timing: ABC at t updates the accumulator for instructions dispatched at t+3 (LAT_ABC), not before; ACC's
// result is on its streams in exactly t+1; ABCE's sum in exactly t+3 and its slot reads 0 from t+3; IW installs
// for t+1; LW during a computation does not disturb the active weights (double buffering).
TEST_F(MxmTest, StateUpdatesAreVisibleExactlyAtTheirLatency) {
  loadAllRows();
  load(Opcode::kIw);
  stepAndCheck();
  randomiseStreams();
  compute(Opcode::kAbc, 3, 1, 5 % kStreams);  // t
  stepAndCheck();
  for (unsigned d = 1; d <= 4; ++d) {  // t+1 .. t+4: ACC of slot 3 sees the result from t+3 on
    randomiseStreams();
    if (d == 2) {
      load(Opcode::kLw, 0, 0, 1);  // refills staging while nothing changes the active array
    } else {
      compute(Opcode::kAcc, 3, d & 1, 4 * (d % (kStreams / 4)));
    }
    stepAndCheck();
  }
  randomiseStreams();
  compute(Opcode::kAbca, 3, 0, 2);
  stepAndCheck();
  for (unsigned i = 1; i < kInterval; ++i) stepAndCheck();
  randomiseStreams();
  compute(Opcode::kAbce, 3, 1, 7 % kStreams, 1, 0);  // t: sum emitted in t+3 onto W0..W3
  stepAndCheck();
  stepAndCheck();
  compute(Opcode::kAcc, 3, 0, 4 % kStreams);  // t+2: the value before the ABCE lands
  stepAndCheck();
  compute(Opcode::kAcc, 3, 0, 0);  // t+3: 0
  stepAndCheck();
  stepAndCheck();
  for (unsigned n = 0; n < kLanes; ++n) EXPECT_EQ(ref_.acc[3 * kLanes + n], 0);
}

// Multi-row LW: every row count 1 .. min(lanes, streams) at every legal row and stream offset; then IW and
// ABC with a one-hot x read the rows back column by column.
TEST_F(MxmTest, MultiRowLoadsLandOnTheirRows) {
  for (unsigned n = 1; n <= std::min(kLanes, kStreams); ++n) {
    for (unsigned rep = 0; rep < 4; ++rep) {
      randomiseStreams();
      load(rep % 2 ? Opcode::kLwi : Opcode::kLw, static_cast<unsigned>(rng_() % (kLanes - n + 1)), rng_() & 1,
           static_cast<unsigned>(rng_() % (kStreams - n + 1)), n);
      stepAndCheck();
      if (rep % 2 == 0) {
        load(Opcode::kIw);
        stepAndCheck();
      }
      for (unsigned k = 0; k < kLanes; k += kLanes / 4) {  // x = e_k selects row k
        for (unsigned i = 0; i < kLanes; ++i) h_->srByte(0, 0, i) = i == k ? 1 : 0;
        compute(Opcode::kAbc, 1, 0, 0);
        stepAndCheck();
        for (unsigned i = 1; i < kInterval; ++i) stepAndCheck();
        stepAndCheck();
        stepAndCheck();
        compute(Opcode::kAcc, 1, 1, 0);
        stepAndCheck();
        stepAndCheck();
        if (HasFailure()) return;
      }
    }
  }
}

// An install on the load queue in the dispatch cycle of an ABC does not change that ABC's weights, and the
// next ABC (at the interval) sees all of them.
TEST_F(MxmTest, InstallInTheCycleOfAnAbcKeepsItsWeights) {
  for (unsigned rep = 0; rep < 20; ++rep) {
    loadAllRows();
    randomiseStreams();
    compute(Opcode::kAbc, 0, 0, 1);
    if (rep % 2) {
      load(Opcode::kIw);
    } else {
      load(Opcode::kLwi, static_cast<unsigned>(rng_() % kLanes), 1, 0, 1);
    }
    stepAndCheck();
    for (unsigned i = 1; i < kInterval; ++i) {
      randomiseStreams();
      load(Opcode::kLw, 0, 0, 0, 1);  // staging changes again while the second half runs
      stepAndCheck();
    }
    randomiseStreams();
    compute(Opcode::kAbc, 1, 1, 2);
    stepAndCheck();
    stepAndCheck();
    stepAndCheck();
    compute(Opcode::kAcc, 0, 0, 0);
    stepAndCheck();
    compute(Opcode::kAcc, 1, 1, 4 % kStreams);
    stepAndCheck();
    stepAndCheck();
    if (HasFailure()) return;
  }
}

// ABCA wraps modulo 2^32: 2^13 + 1 accumulations of 16 * (-128 * -128) = 2^18 each pass 2^31.
TEST_F(MxmTest, AccumulatorWrapsAtInt32) {
  for (unsigned i = 0; i < kLanes; ++i)
    for (unsigned s = 0; s < kStreams; ++s) h_->srByte(0, s, i) = 0x80;
  for (unsigned k = 0; k < kLanes; k += std::min(kLanes, kStreams)) {
    load(Opcode::kLw, k, 0, 0, std::min(kLanes, kStreams));
    stepAndCheck();
  }
  load(Opcode::kIw);
  stepAndCheck();
  const unsigned n = (1u << 31) / (kLanes * 16384u) + 1;
  for (unsigned i = 0; i < n; ++i) {
    compute(i == 0 ? Opcode::kAbc : Opcode::kAbca, kSlots - 1, 0, 0);
    stepAndCheck();
    for (unsigned j = 1; j < kInterval; ++j) stepAndCheck();
    if (HasFailure()) return;
  }
  for (unsigned i = 0; i < 3; ++i) stepAndCheck();
  compute(Opcode::kAcc, kSlots - 1, 1, 4 % kStreams);
  stepAndCheck();
  stepAndCheck();
  EXPECT_LT(ref_.acc[(kSlots - 1) * kLanes], 0);  // wrapped past 2^31 - 1
}

// MXM_OVERRUN in the dispatch cycle of an ABC/ABCA/ABCE closer than the interval (never with interval 1).
TEST_F(MxmTest, OverrunFiresAtTheEarlyAbc) {
  for (Opcode second : {Opcode::kAbca, Opcode::kAbce}) {
    h_->reset();
    compute(Opcode::kAbc, 0, 0, 0);
    CycleOut o0 = h_->step();
    compute(second, 1, 0, 0);
    CycleOut o1 = h_->step();
    EXPECT_FALSE(o0.err);
    if (kInterval == 1) {
      EXPECT_FALSE(o1.err);
    } else {
      EXPECT_TRUE(o1.err);
      EXPECT_EQ(o1.err_code, 8u);  // MXM_OVERRUN
      EXPECT_EQ(o1.err_info, 0u);
    }
  }
  EXPECT_FALSE(h_->assertionFailed());
}

// ABCE (LAT 4) at t and ACC (LAT 2) at t+2 both load W4 .. W7 at the end of t+3: STREAM_CONFLICT in t+3,
// err_info = the lowest stream with the direction in bit 8.
TEST_F(MxmTest, AbceAndAccOnOneGroupConflict) {
  compute(Opcode::kAbce, 0, 0, 0, 1, 4);
  EXPECT_FALSE(h_->step().err);
  EXPECT_FALSE(h_->step().err);
  compute(Opcode::kAcc, 2, 1, 4);
  EXPECT_FALSE(h_->step().err);
  CycleOut o = h_->step();
  EXPECT_TRUE(o.err);
  EXPECT_EQ(o.err_code, 5u);  // STREAM_CONFLICT
  EXPECT_EQ(o.err_info, 0x100u | 4u);
  EXPECT_EQ(o.en[1], 0xF0u);
  EXPECT_FALSE(h_->step().err);
  EXPECT_FALSE(h_->assertionFailed());
}

// commit_i = 0 (the erroring cycle; also every cycle while lpu_top is stopped): nothing of that cycle is
// committed, work in flight is dropped and the state is cleared, as the model's START clears it.
TEST_F(MxmTest, NonCommittedCycleClearsTheState) {
  for (unsigned i = 0; i < kLanes; ++i) h_->srByte(0, 1, i) = 3;
  load(Opcode::kLwi, 0, 0, 1, 1);
  stepAndCheck();
  compute(Opcode::kAbc, 2, 0, 1);
  stepAndCheck();
  stepAndCheck();
  stepAndCheck();                         // acc[2] written at the end of this cycle
  compute(Opcode::kAbce, 5, 0, 1, 0, 0);  // in flight when the machine stops
  stepAndCheck();
  load(Opcode::kLw, 1, 0, 1, 1);  // the erroring cycle: must not land
  h_->setCommit(false);
  CycleOut stop = h_->step();
  h_->top().ld_issue_valid_i = 0;
  EXPECT_FALSE(stop.err);
  ref_ = RefMxm{};  // the state a new run starts from
  exp_ = Expectations{};
  abc_seen_ = false;
  // The "run" continues from the cleared state at once: an ABC in the first cycle multiplies the cleared
  // weights (zeros), ACC reads zeros.
  compute(Opcode::kAbc, 5, 0, 1);
  stepAndCheck();
  compute(Opcode::kAcc, 2, 0, 0);
  load(Opcode::kIw);
  stepAndCheck();
  stepAndCheck();
  compute(Opcode::kAcc, 5, 1, 4 % kStreams);
  stepAndCheck();
  stepAndCheck();
}

TEST_F(MxmTest, ForeignOpcodeFiresAssertion) {
  h_->issue(lpu::isa::encode(Instruction::make(Opcode::kShift)));
  h_->step();
  h_->step();
  EXPECT_TRUE(h_->assertionFailed());
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_mxm_core.IssuedInsnIsForThisSlice"})
      << h_->assertions().summary();
}

// Contract assertions by name: what the decoder in the queues (docs/isa.md, BAD_OPERAND / WRONG_SLICE) never
// dispatches.
TEST_F(MxmTest, ComputeWordOnTheLoadPortFiresLoadQueueInsnIsALoad) {
  h_->top().ld_issue_valid_i = 1;
  h_->top().ld_issue_insn_i = lpu::isa::encode(Instruction::make(Opcode::kAcc));
  h_->step();
  h_->top().ld_issue_valid_i = 0;
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_mxm_core.LoadQueueInsnIsALoad"})
      << h_->assertions().summary();
}

TEST_F(MxmTest, RowsPastTheArrayFireLoadedRowsAndStreamsAreInRange) {
  Instruction lw = Instruction::make(Opcode::kLw);
  lw.set(Field::kIndex, static_cast<std::int32_t>(kLanes - 1));
  lw.set(Field::kLwn, 2);
  h_->top().ld_issue_valid_i = 1;
  h_->top().ld_issue_insn_i = lpu::isa::encode(lw);
  h_->step();
  h_->top().ld_issue_valid_i = 0;
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_mxm_core.LoadedRowsAndStreamsAreInRange"})
      << h_->assertions().summary();
}

TEST_F(MxmTest, SlotPastTheAccumulatorsFiresSlotIsInRange) {
  Instruction acc = Instruction::make(Opcode::kAcc);
  acc.set(Field::kIndex, LPU_ACC_SLOTS);
  h_->issue(lpu::isa::encode(acc));
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_mxm_core.SlotIsInRange"})
      << h_->assertions().summary();
}

TEST_F(MxmTest, UnalignedAccFiresDestinationGroupIsAligned) {
  Instruction acc = Instruction::make(Opcode::kAcc);
  acc.set(Field::kDst, streamField(0, 1));
  h_->issue(lpu::isa::encode(acc));
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_mxm_core.DestinationGroupIsAligned"})
      << h_->assertions().summary();
}

}  // namespace
