// Unit tests of rtl/lpu_sxm.sv, verilated standalone with --assert, against reference lane movement written from
// docs/isa.md (SXM). Every cycle's outputs are checked exactly.
#include VTOP_HEADER

#include <gtest/gtest.h>

#include <cstdint>
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
constexpr unsigned kSuperlane = LPU_SUPERLANE;
constexpr unsigned kN = LPU_TRANSPOSE_N;
using Harness = lpu::tb::SliceHarness<VTOP>;

std::int32_t streamField(unsigned dir, unsigned idx) {
  return static_cast<std::int32_t>(StreamRef{dir ? Dir::kWest : Dir::kEast, idx}.encode());
}

// Reference (docs/isa.md): dst lanes of a one-stream SXM op from stream a and map m.
std::vector<std::uint8_t> refMove(Opcode op, int imm, const std::vector<std::uint8_t>& a,
                                  const std::vector<std::uint8_t>& m) {
  const int n = static_cast<int>(kLanes);
  std::vector<std::uint8_t> out(kLanes);
  for (int i = 0; i < n; ++i) {
    switch (op) {
      case Opcode::kShift:
        out[i] = (i - imm >= 0 && i - imm < n) ? a[i - imm] : 0;
        break;
      case Opcode::kRotate:
        out[i] = a[((i - imm) % n + n) % n];
        break;
      case Opcode::kPermute:
        out[i] = a[m[i] % kLanes];
        break;
      case Opcode::kDistribute:
        out[i] = (m[i] & 0x80) ? 0 : a[kSuperlane * (i / kSuperlane) + m[i] % kSuperlane];
        break;
      default:
        break;
    }
  }
  return out;
}

class SxmTest : public ::testing::Test {
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

  std::vector<std::uint8_t> stream(unsigned dir, unsigned s) {
    return {h_->sr(dir).begin() + s * kLanes, h_->sr(dir).begin() + (s + 1) * kLanes};
  }
  void randomiseStreams() {
    for (unsigned d = 0; d < 2; ++d)
      for (auto& b : h_->sr(d)) {
        // Maps: mostly in-range lanes, sometimes bit 7 (distribute's zero) or large values (permute's mod).
        const unsigned r = static_cast<unsigned>(rng_());
        b = static_cast<std::uint8_t>(r % 4 == 0 ? r >> 8 : (r >> 8) % kLanes | (r % 8 == 1 ? 0x80 : 0));
      }
  }
  int randomImm() {
    static constexpr int kImms[] = {0,
                                    1,
                                    -1,
                                    127,
                                    -128,
                                    static_cast<int>(kLanes),
                                    -static_cast<int>(kLanes),
                                    static_cast<int>(kLanes) - 1,
                                    1 - static_cast<int>(kLanes)};
    return rng_() % 2 ? kImms[rng_() % std::size(kImms)] : static_cast<int>(rng_() % 256) - 128;
  }

  // Builds a random legal instruction of `op`, records its expected loads for dispatch in the coming cycle.
  std::uint32_t issueRandom(Opcode op) {
    Instruction insn = Instruction::make(op);
    const unsigned ddir = rng_() & 1, adir = rng_() & 1, bdir = rng_() & 1;
    const std::uint64_t at = h_->cycle() + insn.desc->latency - 1;
    if (op == Opcode::kTranspose) {
      const unsigned dst = kN * static_cast<unsigned>(rng_() % (kStreams / kN));
      const unsigned src = kN * static_cast<unsigned>(rng_() % (kStreams / kN));
      insn.set(Field::kDst, streamField(ddir, dst));
      insn.set(Field::kSrca, streamField(adir, src));
      for (unsigned i = 0; i < kN; ++i) {
        Expectations::Load l{ddir, dst + i, std::vector<std::uint8_t>(kLanes), h_->cycle()};
        for (unsigned b = 0; b < kLanes / kN; ++b)
          for (unsigned j = 0; j < kN; ++j) l.bytes[b * kN + j] = h_->srByte(adir, src + j, b * kN + i);
        exp_.add(at, std::move(l));
      }
    } else {
      const unsigned dst = static_cast<unsigned>(rng_() % kStreams);
      const unsigned a = static_cast<unsigned>(rng_() % kStreams);
      const unsigned b = static_cast<unsigned>(rng_() % kStreams);
      int imm = 0;
      insn.set(Field::kDst, streamField(ddir, dst));
      insn.set(Field::kSrca, streamField(adir, a));
      if (op == Opcode::kShift || op == Opcode::kRotate) {
        imm = randomImm();
        insn.set(Field::kImm8, imm);
      } else {
        insn.set(Field::kSrcb, streamField(bdir, b));
      }
      exp_.add(at, Expectations::Load{ddir, dst, refMove(op, imm, stream(adir, a), stream(bdir, b)), h_->cycle()});
    }
    const std::uint32_t word = lpu::isa::encode(insn);
    h_->issue(word);
    return word;
  }

  void stepAndCheck() {
    const std::uint64_t c = h_->cycle();
    const bool busy = exp_.pending(c);
    CycleOut o = h_->step();
    EXPECT_EQ(exp_.check(c, o, kLanes), "") << "seed " << seed_;
    EXPECT_FALSE(o.err);
    EXPECT_EQ(o.busy, busy) << "cycle " << c;
    EXPECT_FALSE(h_->assertionFailed()) << "cycle " << c;
  }

  std::uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<Harness> h_;
  Expectations exp_;
};

const Opcode kSxmOps[] = {Opcode::kShift, Opcode::kRotate, Opcode::kPermute, Opcode::kDistribute, Opcode::kTranspose};

// Each SXM instruction alone: result in exactly t+L-1 on exactly its streams, busy_o only then.
TEST_F(SxmTest, EveryInstructionAloneHasExactTiming) {
  for (Opcode op : kSxmOps) {
    for (unsigned rep = 0; rep < 64; ++rep) {
      randomiseStreams();
      issueRandom(op);
      stepAndCheck();
      randomiseStreams();  // operands are read in the dispatch cycle only
      for (unsigned i = 0; i < 3; ++i) stepAndCheck();
      if (HasFailure()) return;
    }
  }
}

// Random instructions back to back (one latency: never a conflict), new stream contents every cycle.
TEST_F(SxmTest, RandomBackToBackMatchesReference) {
  for (unsigned cyc = 0; cyc < 20000; ++cyc) {
    randomiseStreams();
    if (rng_() % 8 != 0) issueRandom(kSxmOps[rng_() % std::size(kSxmOps)]);
    stepAndCheck();
    if (HasFailure()) return;
  }
  for (unsigned i = 0; i < 3; ++i) stepAndCheck();
}

// Every shift and rotate amount -128 .. 127 on a lane-numbered vector.
TEST_F(SxmTest, EveryShiftAndRotateAmount) {
  for (Opcode op : {Opcode::kShift, Opcode::kRotate}) {
    for (int imm = -128; imm < 128; ++imm) {
      for (unsigned i = 0; i < kLanes; ++i) h_->srByte(1, 2, i) = static_cast<std::uint8_t>(i + 1);
      Instruction insn = Instruction::make(op);
      insn.set(Field::kDst, streamField(0, kStreams - 1));
      insn.set(Field::kSrca, streamField(1, 2));
      insn.set(Field::kImm8, imm);
      exp_.add(h_->cycle() + insn.desc->latency - 1,
               Expectations::Load{0, kStreams - 1, refMove(op, imm, stream(1, 2), stream(1, 2)), h_->cycle()});
      h_->issue(lpu::isa::encode(insn));
      stepAndCheck();
    }
  }
  for (unsigned i = 0; i < 3; ++i) stepAndCheck();
}

// commit_i = 0 (the erroring cycle) drops the result in flight.
TEST_F(SxmTest, CommitLowDropsTheResultInFlight) {
  Instruction insn = Instruction::make(Opcode::kRotate);
  insn.set(Field::kImm8, 3);
  h_->issue(lpu::isa::encode(insn));
  h_->setCommit(false);
  EXPECT_FALSE(h_->step().busy);
  CycleOut o = h_->step();
  EXPECT_EQ(o.en[0] | o.en[1], 0u);
  EXPECT_FALSE(o.busy);
}

TEST_F(SxmTest, ForeignOpcodeFiresAssertion) {
  h_->issue(lpu::isa::encode(Instruction::make(Opcode::kAdd)));
  h_->step();
  h_->step();
  EXPECT_TRUE(h_->assertionFailed());
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_sxm.IssuedInsnIsForThisSlice"})
      << h_->assertions().summary();
}

// Contract assertions by name: operands the decoder (docs/isa.md, BAD_OPERAND) never dispatches.
TEST_F(SxmTest, StreamPastTheFileFiresStreamOperandsAreInRange) {
  Instruction shift = Instruction::make(Opcode::kShift);
  shift.set(Field::kDst, streamField(0, kStreams + 1));
  h_->issue(lpu::isa::encode(shift));
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_sxm.StreamOperandsAreInRange"})
      << h_->assertions().summary();
}

TEST_F(SxmTest, UnalignedTransposeFiresTransposeGroupsAreAligned) {
  Instruction t = Instruction::make(Opcode::kTranspose);
  t.set(Field::kDst, streamField(0, 1));
  h_->issue(lpu::isa::encode(t));
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_sxm.TransposeGroupsAreAligned"})
      << h_->assertions().summary();
}

}  // namespace
