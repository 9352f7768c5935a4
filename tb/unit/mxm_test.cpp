// Unit tests of rtl/lpu_mxm.sv, verilated standalone with --assert, against a reference MXM written from
// docs/isa.md and docs/architecture.md (state updates visible to instructions dispatched at t+L; ABCA adds to the
// accumulator when its update lands; ACC emits the accumulator as of its dispatch cycle).
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

// Reference MXM state and its pending updates (applied at the end of their cycle).
struct RefMxm {
  std::vector<std::int8_t> staging = std::vector<std::int8_t>(kLanes * kLanes, 0);  // [k][n]
  std::vector<std::int8_t> active = staging;
  std::vector<std::int32_t> acc = std::vector<std::int32_t>(kSlots * kLanes, 0);
  struct Update {
    bool accumulate;
    unsigned slot;
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
  void endOfCycle(std::uint64_t c) {
    auto it = pending.find(c);
    if (it == pending.end()) return;
    for (const Update& u : it->second)
      for (unsigned n = 0; n < kLanes; ++n) {
        std::int32_t& a = acc[u.slot * kLanes + n];
        a = static_cast<std::int32_t>((u.accumulate ? static_cast<std::uint32_t>(a) : 0u) +
                                      static_cast<std::uint32_t>(u.y[n]));
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

  // Dispatches `op` in the coming cycle (updating the reference) and returns its word.
  void dispatch(Opcode op, unsigned index, unsigned sdir, unsigned sidx) {
    Instruction insn = Instruction::make(op);
    const std::uint64_t t = h_->cycle();
    switch (op) {
      case Opcode::kLw: {
        insn.set(Field::kIndex, static_cast<std::int32_t>(index));
        insn.set(Field::kSrca, streamField(sdir, sidx));
        auto x = streamInt8(sdir, sidx);
        std::copy(x.begin(), x.end(), ref_.staging.begin() + index * kLanes);  // visible from t+1
        break;
      }
      case Opcode::kIw:
        ref_.active = ref_.staging;
        break;
      case Opcode::kAbc:
      case Opcode::kAbca:
        insn.set(Field::kIndex, static_cast<std::int32_t>(index));
        insn.set(Field::kSrca, streamField(sdir, sidx));
        ref_.pending[t + insn.desc->latency - 1].push_back(
            RefMxm::Update{op == Opcode::kAbca, index, ref_.product(streamInt8(sdir, sidx))});
        last_abc_ = t;
        abc_seen_ = true;
        break;
      case Opcode::kAcc: {
        insn.set(Field::kIndex, static_cast<std::int32_t>(index));
        insn.set(Field::kDst, streamField(sdir, sidx));
        for (unsigned k = 0; k < 4; ++k) {
          Expectations::Load l{sdir, sidx + k, std::vector<std::uint8_t>(kLanes), t};
          for (unsigned n = 0; n < kLanes; ++n)
            l.bytes[n] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(ref_.acc[index * kLanes + n]) >> (8 * k));
          exp_.add(t + insn.desc->latency - 1, std::move(l));
        }
        break;
      }
      default:
        break;
    }
    h_->issue(lpu::isa::encode(insn));
  }
  bool abcAllowed() const { return !abc_seen_ || h_->cycle() - last_abc_ >= kInterval; }

  // One cycle: check the ACC loads, busy_o (an ABC update or ACC load still ahead) and no error; then commit.
  void stepAndCheck() {
    const std::uint64_t c = h_->cycle();
    // An ABC dispatched at t updates at the end of t+2: dispatched before c and not yet landed <=> due in c, c+1.
    const bool busy = exp_.pending(c) || ref_.pending.count(c) != 0 || ref_.pending.count(c + 1) != 0;
    CycleOut o = h_->step();
    EXPECT_EQ(exp_.check(c, o, kLanes), "") << "seed " << seed_;
    EXPECT_FALSE(o.err) << "cycle " << c;
    EXPECT_EQ(o.busy, busy) << "cycle " << c;
    EXPECT_FALSE(h_->assertionFailed()) << "cycle " << c;
    ref_.endOfCycle(c);
  }

  std::uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<Harness> h_;
  Expectations exp_;
  RefMxm ref_;
  std::uint64_t last_abc_ = 0;
  bool abc_seen_ = false;
};

// Random legal MXM programs: LW/IW/ABC/ABCA/ACC with random rows, slots, streams and int8 corner values,
// ABCs as dense as the interval allows. Every ACC result is checked in its exact cycle.
TEST_F(MxmTest, RandomProgramMatchesReference) {
  std::map<Opcode, unsigned> count;
  for (unsigned cyc = 0; cyc < 30000; ++cyc) {
    randomiseStreams();
    const unsigned r = static_cast<unsigned>(rng_() % 16);
    Opcode op = r < 4 ? Opcode::kLw : r < 5 ? Opcode::kIw : r < 8 ? Opcode::kAbc : r < 12 ? Opcode::kAbca
              : r < 15 ? Opcode::kAcc : Opcode::kNop;
    if ((op == Opcode::kAbc || op == Opcode::kAbca) && !abcAllowed()) op = Opcode::kAcc;
    const unsigned sdir = rng_() & 1;
    switch (op) {
      case Opcode::kLw: dispatch(op, static_cast<unsigned>(rng_() % kLanes), sdir, static_cast<unsigned>(rng_() % kStreams)); break;
      case Opcode::kIw: dispatch(op, 0, 0, 0); break;
      case Opcode::kAbc:
      case Opcode::kAbca: dispatch(op, static_cast<unsigned>(rng_() % 4), sdir, static_cast<unsigned>(rng_() % kStreams)); break;
      case Opcode::kAcc: dispatch(op, static_cast<unsigned>(rng_() % 4), sdir, 4 * static_cast<unsigned>(rng_() % (kStreams / 4))); break;
      default: break;
    }
    if (op != Opcode::kNop) ++count[op];
    stepAndCheck();
    if (HasFailure()) return;
  }
  for (unsigned i = 0; i < 4; ++i) stepAndCheck();
  EXPECT_EQ(count.size(), 5u);
}

// Timing: ABC at t updates the accumulator for instructions dispatched at t+3 (LAT_ABC), not before; ACC's
// result is on its streams in exactly t+1 (LAT_ACC - 1); IW installs for t+1; LW during a computation does not
// disturb the active weights (double buffering).
TEST_F(MxmTest, StateUpdatesAreVisibleExactlyAtTheirLatency) {
  randomiseStreams();
  for (unsigned k = 0; k < kLanes; ++k) {
    randomiseStreams();
    dispatch(Opcode::kLw, k, k & 1, k % kStreams);
    stepAndCheck();
  }
  dispatch(Opcode::kIw, 0, 0, 0);
  stepAndCheck();
  randomiseStreams();
  dispatch(Opcode::kAbc, 3, 1, 5);  // t
  stepAndCheck();
  for (unsigned d = 1; d <= 4; ++d) {  // t+1 .. t+4: ACC of slot 3 sees the result from t+3 on
    randomiseStreams();
    if (d == 2) {
      dispatch(Opcode::kLw, 0, 0, 1);  // refills staging while nothing changes the active array
    } else {
      dispatch(Opcode::kAcc, 3, d & 1, 4 * (d % (kStreams / 4)));
    }
    stepAndCheck();
  }
  // ABCA twice (as close as allowed) onto one slot, then ACC right at the latency.
  randomiseStreams();
  dispatch(Opcode::kAbca, 3, 0, 2);
  stepAndCheck();
  for (unsigned i = 1; i < kInterval; ++i) stepAndCheck();
  randomiseStreams();
  dispatch(Opcode::kAbca, 3, 1, 7 % kStreams);
  stepAndCheck();
  stepAndCheck();
  stepAndCheck();
  dispatch(Opcode::kAcc, 3, 0, 0);
  stepAndCheck();
  stepAndCheck();
  EXPECT_NE(ref_.acc[3 * kLanes], 0);  // (with overwhelming probability) a non-trivial value was checked
}

// ABCA wraps modulo 2^32: 2^13 + 1 accumulations of 16 * (-128 * -128) = 2^18 each pass 2^31.
TEST_F(MxmTest, AccumulatorWrapsAtInt32) {
  for (unsigned k = 0; k < kLanes; ++k) {
    for (unsigned i = 0; i < kLanes; ++i) h_->srByte(0, 0, i) = 0x80;
    dispatch(Opcode::kLw, k, 0, 0);
    stepAndCheck();
  }
  dispatch(Opcode::kIw, 0, 0, 0);
  stepAndCheck();
  const unsigned n = (1u << 31) / (kLanes * 16384u) + 1;
  for (unsigned i = 0; i < n; ++i) {
    dispatch(i == 0 ? Opcode::kAbc : Opcode::kAbca, kSlots - 1, 0, 0);
    stepAndCheck();
    for (unsigned j = 1; j < kInterval; ++j) stepAndCheck();
    if (HasFailure()) return;
  }
  for (unsigned i = 0; i < 3; ++i) stepAndCheck();
  dispatch(Opcode::kAcc, kSlots - 1, 1, 4);
  stepAndCheck();
  stepAndCheck();
  EXPECT_LT(ref_.acc[(kSlots - 1) * kLanes], 0);  // wrapped past 2^31 - 1
}

// MXM_OVERRUN in the dispatch cycle of an ABC closer than the interval (never with interval 1).
TEST_F(MxmTest, OverrunFiresAtTheEarlyAbc) {
  dispatch(Opcode::kAbc, 0, 0, 0);
  CycleOut o0 = h_->step();
  dispatch(Opcode::kAbca, 1, 0, 0);
  CycleOut o1 = h_->step();
  EXPECT_FALSE(o0.err);
  if (kInterval == 1) {
    EXPECT_FALSE(o1.err);
  } else {
    EXPECT_TRUE(o1.err);
    EXPECT_EQ(o1.err_code, 8u);  // MXM_OVERRUN
    EXPECT_EQ(o1.err_info, 0u);
  }
  EXPECT_FALSE(h_->assertionFailed());
}

// commit_i = 0 (the erroring cycle; also every cycle while lpu_top is stopped): nothing of that cycle is
// committed, work in flight is dropped and the state is cleared, as the model's START clears it.
TEST_F(MxmTest, NonCommittedCycleClearsTheState) {
  for (unsigned i = 0; i < kLanes; ++i) h_->srByte(0, 1, i) = 3;
  dispatch(Opcode::kLw, 0, 0, 1);
  stepAndCheck();
  dispatch(Opcode::kIw, 0, 0, 0);
  stepAndCheck();
  dispatch(Opcode::kAbc, 2, 0, 1);
  stepAndCheck();
  stepAndCheck();
  stepAndCheck();  // acc[2] written at the end of this cycle
  dispatch(Opcode::kAbc, 5, 0, 1);  // in flight when the machine stops
  stepAndCheck();
  dispatch(Opcode::kLw, 1, 0, 1);   // the erroring cycle: must not land
  h_->setCommit(false);
  CycleOut stop = h_->step();
  EXPECT_FALSE(stop.err);
  ref_ = RefMxm{};  // the state a new run starts from
  exp_ = Expectations{};
  // The "run" continues from the cleared state: ACC reads zeros, ABC with the cleared weights gives zeros.
  dispatch(Opcode::kAcc, 2, 0, 0);
  stepAndCheck();
  dispatch(Opcode::kAbc, 5, 0, 1);
  stepAndCheck();
  dispatch(Opcode::kIw, 0, 0, 0);
  stepAndCheck();
  stepAndCheck();
  dispatch(Opcode::kAcc, 5, 1, 4);
  stepAndCheck();
  stepAndCheck();
}

TEST_F(MxmTest, ForeignOpcodeFiresAssertion) {
  h_->issue(lpu::isa::encode(Instruction::make(Opcode::kShift)));
  h_->step();
  h_->step();
  EXPECT_TRUE(h_->assertionFailed());
}

}  // namespace
