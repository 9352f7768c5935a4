// Unit tests of rtl/lpu_vxm.sv, verilated standalone with --assert, against tb/unit/vxm_ref.hpp (docs/isa.md).
// Each test drives issue words built with lpu::isa::encode and checks every cycle's outputs exactly: which
// (dir, stream) registers are loaded, with which bytes, busy_o and err_o.
#include VTOP_HEADER

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sw/isa/isa.hpp"
#include "sw/model/vxm_functions.hpp"
#include "tb/unit/slice_harness.hpp"
#include "tb/unit/vxm_ref.hpp"

namespace {

using lpu::isa::Dir;
using lpu::isa::ElemType;
using lpu::isa::Field;
using lpu::isa::Instruction;
using lpu::isa::Opcode;
using lpu::isa::StreamRef;
using lpu::tb::CycleOut;
using lpu::tb::Expectations;

constexpr unsigned kLanes = LPU_LANES;
constexpr unsigned kStreams = LPU_STREAMS;
using Harness = lpu::tb::SliceHarness<VTOP>;

unsigned bytesOf(ElemType t) { return 1u << static_cast<unsigned>(t); }

struct Group {
  unsigned dir = 0, base = 0, bytes = 1;
};

// A VXM instruction with its decoded operand groups.
struct VxmInsn {
  Instruction insn;
  std::uint32_t word = 0;
  unsigned latency = 0;
  Group dst, a, b, c;
  bool has_b = false, has_c = false;
};

// Width of operand `group` of an instruction (resolves T and S).
unsigned groupWidth(std::uint8_t group, ElemType t, ElemType st) {
  if (group == lpu::isa::kGroupT) return bytesOf(t);
  if (group == lpu::isa::kGroupS) return bytesOf(st);
  return group;
}

// Builds a VXM instruction. Streams are picked by `pick(bytes)` -> Group (aligned, in range).
template <class Pick>
VxmInsn makeVxm(Opcode op, ElemType t, ElemType st, unsigned shamt, Pick pick) {
  VxmInsn v;
  v.insn = Instruction::make(op);
  v.insn.type = t;
  v.insn.stype = st;
  v.latency = v.insn.desc->latency;
  for (unsigned i = 0; i < v.insn.desc->num_operands; ++i) {
    const auto& od = v.insn.desc->operands[i];
    if (od.field == Field::kShamt) {
      v.insn.set(Field::kShamt, static_cast<std::int32_t>(shamt));
      continue;
    }
    Group g = pick(groupWidth(od.group, t, st));
    v.insn.set(od.field, static_cast<std::int32_t>(StreamRef{g.dir ? Dir::kWest : Dir::kEast, g.base}.encode()));
    switch (od.field) {
      case Field::kDst:
        v.dst = g;
        break;
      case Field::kSrca:
        v.a = g;
        break;
      case Field::kSrcb:
        v.b = g;
        v.has_b = true;
        break;
      case Field::kSrcc:
        v.c = g;
        v.has_c = true;
        break;
      default:
        break;
    }
  }
  v.word = lpu::isa::encode(v.insn);
  return v;
}

std::int64_t readElem(Harness& h, const Group& g, unsigned lane) {
  std::uint64_t u = 0;
  for (unsigned k = 0; k < g.bytes; ++k) u |= std::uint64_t{h.srByte(g.dir, g.base + k, lane)} << (8 * k);
  return lpu::tb::ref::signExtend(u, 8 * g.bytes);
}
void writeElem(Harness& h, const Group& g, unsigned lane, std::int64_t v) {
  for (unsigned k = 0; k < g.bytes; ++k)
    h.srByte(g.dir, g.base + k, lane) = static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * k));
}

// The loads a VXM instruction dispatched now (reading h's stream registers) produces, per the reference.
std::vector<Expectations::Load> expectedLoads(Harness& h, const VxmInsn& v) {
  const unsigned bits = 8 * bytesOf(v.insn.type);
  const unsigned shamt = v.insn.opcode() == Opcode::kReq ? static_cast<unsigned>(v.insn.get(Field::kShamt)) : 0;
  std::vector<Expectations::Load> loads(v.dst.bytes);
  for (unsigned k = 0; k < v.dst.bytes; ++k) {
    loads[k].dir = v.dst.dir;
    loads[k].stream = v.dst.base + k;
    loads[k].bytes.resize(kLanes);
  }
  for (unsigned i = 0; i < kLanes; ++i) {
    const std::int64_t a = readElem(h, v.a, i);
    const std::int64_t b = v.has_b ? readElem(h, v.b, i) : 0;
    const std::int64_t c = v.has_c ? readElem(h, v.c, i) : 0;
    const auto r = static_cast<std::uint64_t>(lpu::tb::ref::vxm(v.insn.opcode(), bits, shamt, a, b, c));
    for (unsigned k = 0; k < v.dst.bytes; ++k) loads[k].bytes[i] = static_cast<std::uint8_t>(r >> (8 * k));
  }
  return loads;
}

std::vector<Opcode> vxmOpcodes() {
  std::vector<Opcode> ops;
  for (unsigned o = 0; o < 128; ++o) {
    const auto* d = lpu::isa::findInsn(o);
    if (d != nullptr && d->slice == lpu::isa::Slice::kVXM) ops.push_back(d->opcode);
  }
  return ops;
}

// Corner-biased w-bit value: extremes, their neighbours, small values, or uniform.
std::int64_t cornerValue(std::mt19937_64& rng, unsigned bits) {
  const std::int64_t max = (std::int64_t{1} << (bits - 1)) - 1, min = -max - 1;
  switch (rng() % 12) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return -1;
    case 3:
      return max;
    case 4:
      return min;
    case 5:
      return max - 1;
    case 6:
      return min + 1;
    case 7:
      return static_cast<std::int64_t>(rng() % 17) - 8;
    case 8:
      return static_cast<std::int64_t>(rng() % (2 * bits));  // shift counts around w
    default:
      return lpu::tb::ref::signExtend(rng(), bits);
  }
}

class VxmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = std::random_device{}();
    if (const char* s = std::getenv("LPU_SEED")) seed_ = std::stoull(s);
    RecordProperty("seed", std::to_string(seed_));
    std::printf("seed %llu (LPU_SEED=%llu reproduces)\n", static_cast<unsigned long long>(seed_),
                static_cast<unsigned long long>(seed_));
    rng_.seed(seed_);
    h_ = std::make_unique<Harness>(kLanes, kStreams, seed_);
    h_->reset();
  }

  Group pickGroup(unsigned bytes) {
    Group g;
    g.dir = static_cast<unsigned>(rng_() & 1);
    g.bytes = bytes;
    g.base = bytes * static_cast<unsigned>(rng_() % (kStreams / bytes));
    return g;
  }

  VxmInsn randomInsn(Opcode op) {
    const auto* d = lpu::isa::findInsn(static_cast<unsigned>(op));
    std::vector<ElemType> types, stypes;
    for (unsigned t = 0; t < 3; ++t) {
      if (d->type_mask >> t & 1u) types.push_back(static_cast<ElemType>(t));
      if (d->stype_mask >> t & 1u) stypes.push_back(static_cast<ElemType>(t));
    }
    if (stypes.empty()) stypes.push_back(ElemType::kI8);
    const ElemType t = types[rng_() % types.size()];
    const ElemType st = stypes[rng_() % stypes.size()];
    static constexpr unsigned kShamts[] = {0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 46, 47, 48, 62, 63};
    const unsigned shamt = rng_() % 2 ? kShamts[rng_() % std::size(kShamts)] : static_cast<unsigned>(rng_() % 64);
    return makeVxm(op, t, st, shamt, [&](unsigned bytes) { return pickGroup(bytes); });
  }

  void randomiseStreams() {
    for (unsigned d = 0; d < 2; ++d)
      for (auto& b : h_->sr(d)) b = static_cast<std::uint8_t>(rng_());
  }
  // Corner-biased operand values for v's source groups (written in a, b, c order; overlapping groups keep the
  // last write, and the reference reads back what is there).
  void writeOperands(const VxmInsn& v) {
    for (unsigned i = 0; i < kLanes; ++i) {
      writeElem(*h_, v.a, i, cornerValue(rng_, 8 * v.a.bytes));
      if (v.has_b) writeElem(*h_, v.b, i, cornerValue(rng_, 8 * v.b.bytes));
      if (v.has_c && rng_() % 2) writeElem(*h_, v.c, i, cornerValue(rng_, 8 * v.c.bytes));
    }
  }

  // Issues v in the coming cycle and records its expected loads.
  void issue(const VxmInsn& v) {
    const std::uint64_t at = h_->cycle() + v.latency - 1;
    for (auto& l : expectedLoads(*h_, v)) {
      l.issued = h_->cycle();
      exp_.add(at, std::move(l));
    }
    h_->issue(v.word);
  }

  // Runs one cycle and checks loads, busy_o (an earlier instruction still has a load now or later) and err_o.
  CycleOut stepAndCheck(bool expect_err = false) {
    const std::uint64_t c = h_->cycle();
    const bool busy = exp_.pending(c);
    CycleOut o = h_->step();
    if (!expect_err) {
      EXPECT_EQ(exp_.check(c, o, kLanes), "") << "seed " << seed_;
      EXPECT_FALSE(o.err) << "cycle " << c << " code " << o.err_code << " info " << o.err_info;
      EXPECT_EQ(o.busy, busy) << "cycle " << c;
    }
    EXPECT_FALSE(h_->assertionFailed()) << "cycle " << c;
    return o;
  }
  void drain(unsigned cycles = 5) {
    for (unsigned i = 0; i < cycles; ++i) stepAndCheck();
  }

  std::uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<Harness> h_;
  Expectations exp_;
};

// Every VXM instruction with every allowed type (and every CVT source type), issued alone: the result appears on
// exactly its destination group in exactly cycle t+L-1, busy_o covers t+1 .. t+L-1.
TEST_F(VxmTest, EveryInstructionAndTypeAloneHasExactTiming) {
  unsigned combos = 0;
  for (Opcode op : vxmOpcodes()) {
    const auto* d = lpu::isa::findInsn(static_cast<unsigned>(op));
    for (unsigned t = 0; t < 3; ++t) {
      if (!(d->type_mask >> t & 1u)) continue;
      for (unsigned st = 0; st < 3; ++st) {
        if (d->stype_mask != 0 ? !(d->stype_mask >> st & 1u) : st != 0) continue;
        for (unsigned rep = 0; rep < 8; ++rep) {
          VxmInsn v = makeVxm(op, static_cast<ElemType>(t), static_cast<ElemType>(st),
                              static_cast<unsigned>(rng_() % 64), [&](unsigned b) { return pickGroup(b); });
          randomiseStreams();
          writeOperands(v);
          issue(v);
          stepAndCheck();
          randomiseStreams();  // operands are read in the dispatch cycle only
          drain(v.latency + 1);
        }
        ++combos;
      }
    }
  }
  // 21 three-type ops, cvt 3x3, req 2, exp2/rsqrt/sigmoid/silu 1 each.
  EXPECT_EQ(combos, 21u * 3 + 9 + 2 + 4);
}

// Random legal instructions back to back, mixing latencies 2, 3 and 4, with corner-biased operands; the
// sequence never aims two results at one register in one cycle (that is the conflict test's job).
TEST_F(VxmTest, RandomBackToBackMatchesReference) {
  const auto ops = vxmOpcodes();
  std::map<std::string, unsigned> issued;
  for (unsigned cyc = 0; cyc < 40000; ++cyc) {
    randomiseStreams();
    if (rng_() % 10 != 0) {
      for (unsigned attempt = 0; attempt < 8; ++attempt) {
        VxmInsn v = randomInsn(ops[rng_() % ops.size()]);
        const std::uint64_t at = h_->cycle() + v.latency - 1;
        const std::uint32_t mine = ((1u << v.dst.bytes) - 1) << v.dst.base;
        if (exp_.due(at, v.dst.dir) & mine) continue;
        writeOperands(v);
        issue(v);
        ++issued[lpu::isa::format(v.insn).substr(0, lpu::isa::format(v.insn).find(' '))];
        break;
      }
    }
    stepAndCheck();
    if (HasFailure()) break;
  }
  drain();
  // Every mnemonic.type combination was exercised.
  EXPECT_EQ(issued.size(), 21u * 3 + 9 + 2 + 4);
}

// exp2, sigmoid and silu over all 65,536 inputs, 16 lanes per instruction, one instruction per cycle.
TEST_F(VxmTest, Exp2AllInputs) {
  for (unsigned x0 = 0; x0 < 65536; x0 += kLanes) {
    VxmInsn v = makeVxm(Opcode::kExp2, ElemType::kI16, ElemType::kI8, 0, [&](unsigned b) {
      return Group{static_cast<unsigned>(x0 / kLanes % 2), 2 * static_cast<unsigned>(x0 / kLanes % (kStreams / 2)), b};
    });
    for (unsigned i = 0; i < kLanes; ++i) writeElem(*h_, v.a, i, static_cast<std::int16_t>(x0 + i));
    issue(v);
    stepAndCheck();
    if (HasFailure()) break;
  }
  drain();
}

TEST_F(VxmTest, SigmoidAndSiluAllInputs) {
  for (Opcode op : {Opcode::kSigmoid, Opcode::kSilu}) {
    for (unsigned x0 = 0; x0 < 65536; x0 += kLanes) {
      VxmInsn v = makeVxm(op, ElemType::kI16, ElemType::kI8, 0, [&](unsigned b) { return pickGroup(b); });
      for (unsigned i = 0; i < kLanes; ++i) writeElem(*h_, v.a, i, static_cast<std::int16_t>(x0 + i));
      issue(v);
      stepAndCheck();
      if (HasFailure()) break;
    }
  }
  drain();
}

TEST_F(VxmTest, RsqrtCornersAndRandom) {
  std::vector<std::uint32_t> vals = {0, 1, 2, 3, 4, 63, 64, 255, 256, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu};
  for (unsigned k = 0; k < 32; ++k) {
    vals.push_back(1u << k);
    vals.push_back((1u << k) - 1);
    vals.push_back((1u << k) + 1);
  }
  while (vals.size() % kLanes != 0 || vals.size() < 16 * 1024)
    vals.push_back(static_cast<std::uint32_t>(rng_() >> (rng_() % 32)));
  for (std::size_t i0 = 0; i0 < vals.size(); i0 += kLanes) {
    VxmInsn v = makeVxm(Opcode::kRsqrt, ElemType::kI32, ElemType::kI8, 0, [&](unsigned b) { return pickGroup(b); });
    for (unsigned i = 0; i < kLanes; ++i) writeElem(*h_, v.a, i, static_cast<std::int32_t>(vals[i0 + i]));
    issue(v);
    stepAndCheck();
    if (HasFailure()) break;
  }
  drain();
}

// req: exact ties (p = (2k+1) * 2^(sh-1), both signs) round away from zero; every shift 0 .. 63; saturation.
TEST_F(VxmTest, ReqRoundsTiesAwayFromZeroAndSaturates) {
  unsigned n = 0;
  for (ElemType t : {ElemType::kI8, ElemType::kI16}) {
    for (unsigned sh = 0; sh < 64; ++sh) {
      VxmInsn v = makeVxm(Opcode::kReq, t, ElemType::kI8, sh, [&](unsigned b) { return pickGroup(b); });
      for (unsigned i = 0; i < kLanes; ++i) {
        std::int64_t a, m;
        switch (i % 4) {
          case 0:  // a tie: a * 1 = odd * 2^(sh-1)
            m = (i & 4) ? -1 : 1;
            a = sh == 0 ? 3 : sh <= 31 ? (2 * static_cast<std::int64_t>(rng_() % 8) + 1) << (sh - 1) : 1;
            break;
          case 1:  // a tie through the product: a * m = odd * 2^(sh-1) with |m| > 1
            m = (i & 4) ? -2 : 2;
            a = sh >= 2 && sh <= 32 ? (2 * static_cast<std::int64_t>(rng_() % 8) + 1) << (sh - 2) : -7;
            break;
          case 2:  // extremes: -2^31 * -2^15 = 2^46
            a = (i & 4) ? -2147483648ll : 2147483647ll;
            m = (i & 8) ? -32768 : 32767;
            break;
          default:
            a = cornerValue(rng_, 32);
            m = cornerValue(rng_, 16);
            break;
        }
        if (rng_() % 2 && (i % 4) < 2) a = -a;
        writeElem(*h_, v.a, i, a);
        writeElem(*h_, v.b, i, m);
      }
      // Operands a (i32 group) and b (i16 group) may overlap; the reference reads what is there.
      issue(v);
      stepAndCheck();
      ++n;
    }
  }
  drain();
  EXPECT_EQ(n, 128u);
}

// Two results of different latencies on one register in one cycle: STREAM_CONFLICT in exactly that cycle,
// err_info = the lowest conflicting stream (bit 8: direction).
TEST_F(VxmTest, StreamConflictFiresInTheLoadCycle) {
  auto fixed = [](unsigned dir, unsigned base) { return [=](unsigned b) { return Group{dir, base, b}; }; };
  // mul.i8 at t onto W3 (LAT 3) and add.i8 at t+1 onto W3 (LAT 2): both load W3 at the end of t+2.
  VxmInsn mul = makeVxm(Opcode::kMul, ElemType::kI8, ElemType::kI8, 0, fixed(1, 3));
  VxmInsn add = makeVxm(Opcode::kAdd, ElemType::kI8, ElemType::kI8, 0, fixed(1, 3));
  h_->issue(mul.word);
  CycleOut o0 = h_->step();
  h_->issue(add.word);
  CycleOut o1 = h_->step();
  CycleOut o2 = h_->step();
  CycleOut o3 = h_->step();
  EXPECT_FALSE(o0.err);
  EXPECT_FALSE(o1.err);
  EXPECT_TRUE(o2.err);
  EXPECT_EQ(o2.err_code, 5u);  // STREAM_CONFLICT
  EXPECT_EQ(o2.err_info, 0x100u | 3u);
  EXPECT_EQ(o2.en[1], 1u << 3);
  EXPECT_FALSE(o3.err);

  // Partial overlap: req.i16 (LAT 4) onto E2..E3 at t, mul.i32 (LAT 3) onto E0..E3 at t+1, add.i8 (LAT 2) onto
  // E1 at t+2: E1, E2 and E3 all conflict in t+3; the lowest, E1, is reported.
  VxmInsn req = makeVxm(Opcode::kReq, ElemType::kI16, ElemType::kI8, 3, fixed(0, 0));
  req.insn.set(Field::kDst, 2);
  req.word = lpu::isa::encode(req.insn);
  VxmInsn mul32 = makeVxm(Opcode::kMul, ElemType::kI32, ElemType::kI8, 0, fixed(0, 0));
  VxmInsn add8 = makeVxm(Opcode::kAdd, ElemType::kI8, ElemType::kI8, 0, fixed(0, 1));
  h_->issue(req.word);
  EXPECT_FALSE(h_->step().err);
  h_->issue(mul32.word);
  EXPECT_FALSE(h_->step().err);
  h_->issue(add8.word);
  EXPECT_FALSE(h_->step().err);
  CycleOut c = h_->step();
  EXPECT_TRUE(c.err);
  EXPECT_EQ(c.err_code, 5u);
  EXPECT_EQ(c.err_info, 1u);
  EXPECT_EQ(c.en[0], 0xFu);
  EXPECT_FALSE(h_->step().err);
  EXPECT_FALSE(h_->assertionFailed());
}

// The same register in the two directions is not a conflict.
TEST_F(VxmTest, SameStreamOppositeDirectionsIsNoConflict) {
  VxmInsn mul = makeVxm(Opcode::kMul, ElemType::kI8, ElemType::kI8, 0, [](unsigned b) { return Group{0, 5, b}; });
  VxmInsn add = makeVxm(Opcode::kAdd, ElemType::kI8, ElemType::kI8, 0, [](unsigned b) { return Group{0, 5, b}; });
  add.insn.set(Field::kDst, StreamRef{Dir::kWest, 5}.encode());
  add.dst.dir = 1;
  add.word = lpu::isa::encode(add.insn);
  randomiseStreams();
  issue(mul);
  stepAndCheck();
  randomiseStreams();
  issue(add);
  stepAndCheck();
  drain();
}

// commit_i = 0 (the erroring cycle) halts the machine: results in flight are dropped, busy_o falls.
TEST_F(VxmTest, CommitLowDropsEverythingInFlight) {
  VxmInsn req = makeVxm(Opcode::kReq, ElemType::kI8, ElemType::kI8, 1, [&](unsigned b) { return pickGroup(b); });
  VxmInsn mul = makeVxm(Opcode::kMul, ElemType::kI16, ElemType::kI8, 0, [&](unsigned b) { return pickGroup(b); });
  h_->issue(req.word);
  h_->step();
  h_->issue(mul.word);
  EXPECT_TRUE(h_->step().busy);
  h_->setCommit(false);
  EXPECT_TRUE(h_->step().busy);
  for (int i = 0; i < 4; ++i) {
    CycleOut o = h_->step();
    EXPECT_EQ(o.en[0] | o.en[1], 0u);
    EXPECT_FALSE(o.busy);
  }
}

// The contract assertions are compiled in (--assert) and fire: an MXM opcode dispatched to the VXM.
TEST_F(VxmTest, ForeignOpcodeFiresAssertion) {
  Instruction lw = Instruction::make(Opcode::kLw);
  h_->issue(lpu::isa::encode(lw));
  h_->step();
  h_->step();
  EXPECT_TRUE(h_->assertionFailed());
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_vxm.IssuedInsnIsForThisSlice"})
      << h_->assertions().summary();
}

// The reference tables (from the formulas in docs/isa.md) equal the generated ones the RTL uses.
TEST(VxmTables, FormulasMatchGeneratedTables) {
  const auto& t = lpu::tb::ref::tables();
  for (unsigned i = 0; i < 256; ++i) {
    EXPECT_EQ(t.e[i], lpu::isa::kExp2Table[i]) << i;
    EXPECT_EQ(t.r[i], lpu::isa::kRsqrtTable[i]) << i;
  }
  for (unsigned j = 0; j <= 256; ++j) EXPECT_EQ(t.s[j], lpu::isa::kSigmoidTable[j]) << j;
}

// The reference's table functions equal the golden model's for every i16 input, so the all-inputs RTL tests above
// (against the reference) check the RTL against the golden model too, bit for bit.
TEST(VxmTables, TableFunctionsMatchGoldenModelForAllInputs) {
  for (std::int32_t x = -32768; x < 32768; ++x) {
    ASSERT_EQ(lpu::tb::ref::exp2(x), lpu::model::exp2Q14(x)) << "exp2(" << x << ")";
    ASSERT_EQ(lpu::tb::ref::sigmoid(x), lpu::model::sigmoidQ15(x)) << "sigmoid(" << x << ")";
    ASSERT_EQ(lpu::tb::ref::silu(x), lpu::model::siluQ11(x)) << "silu(" << x << ")";
  }
}

// Contract assertions by name: what the decoder in the queue (docs/isa.md, BAD_OPERAND) never dispatches.
TEST_F(VxmTest, ReservedTypeFiresIssuedTypeIsAssigned) {
  // The assembler's encode() refuses type 3; the word is patched (type field, bits 24:23).
  h_->issue(lpu::isa::encode(Instruction::make(Opcode::kAdd)) | 3u << 23);
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_vxm.IssuedTypeIsAssigned"})
      << h_->assertions().summary();
}

TEST_F(VxmTest, UnalignedGroupFiresDestinationGroupIsAlignedAndInRange) {
  Instruction add = Instruction::make(Opcode::kAdd);
  add.type = ElemType::kI32;  // groups of 4 streams: base 1 is unaligned
  add.set(Field::kDst, static_cast<std::int32_t>(StreamRef{Dir::kEast, 1}.encode()));
  h_->issue(lpu::isa::encode(add));
  h_->step();
  h_->step();
  EXPECT_EQ(h_->firedAssertions(), std::vector<std::string>{"lpu_vxm.DestinationGroupIsAlignedAndInRange"})
      << h_->assertions().summary();
}

}  // namespace
