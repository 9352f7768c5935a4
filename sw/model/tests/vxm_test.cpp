// VXM: every instruction and every type it allows, against reference arithmetic written here (wrap = value modulo
// 2^w folded into [-2^(w-1), 2^(w-1)), saturate = clamp, floor division for arithmetic shifts, ...).
//
// Operands are read from SRAM by MEM slices timed to arrive at the VXM together (test_util deliver()), the VXM
// instruction dispatches in that cycle C, and the result planes are captured as the StreamWrites of the VXM at
// cycle C + L - 1 (L from the generated table). Operand a is on W0.., b on E0.., c on W4..; dst is E4...
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

// ---- Reference arithmetic (independent of the model's code). ----------------------------------------------------
std::int64_t pow2(unsigned k) { return std::int64_t{1} << k; }
std::int64_t wrapRef(std::int64_t x, unsigned w) {
  const std::int64_t m = pow2(w);
  std::int64_t r = ((x % m) + m) % m;
  return r >= pow2(w - 1) ? r - m : r;
}
std::int64_t satRef(std::int64_t x, unsigned w) { return std::min(std::max(x, -pow2(w - 1)), pow2(w - 1) - 1); }
std::int64_t floorDiv(std::int64_t a, std::int64_t d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }
unsigned countRef(std::int64_t b, unsigned w) { return static_cast<unsigned>(((b % w) + w) % w); }

unsigned bitsOf(ElemType t) { return t == ElemType::kI8 ? 8 : t == ElemType::kI16 ? 16 : 32; }
unsigned bytesOf(ElemType t) { return bitsOf(t) / 8; }
const char* nameOf(ElemType t) { return t == ElemType::kI8 ? "i8" : t == ElemType::kI16 ? "i16" : "i32"; }

struct Operand {
  StreamRef base;
  unsigned bytes;
  std::vector<std::int64_t> values;  // one per lane
};

// Runs one VXM word on `cfg` with the given operands; returns the dst elements (dst_bytes wide, direction E from
// stream 4), or nullopt when the configuration cannot deliver the operands in one cycle. Checks the result timing.
std::optional<std::vector<std::int64_t>> runVxm(Machine& m, std::uint32_t word, const std::vector<Operand>& ops,
                                                unsigned dst_bytes) {
  const ArchConfig& cfg = m.config();
  const unsigned v = cfg.vxmPosition();
  ProgramBuilder b(cfg);
  std::vector<Plane> planes;
  for (const Operand& op : ops) {
    std::vector<Bytes> ps = toPlanes(op.values, op.bytes);
    for (unsigned k = 0; k < op.bytes; ++k) planes.push_back({StreamRef{op.base.dir, op.base.index + k}, ps[k]});
  }
  std::optional<std::uint64_t> c = deliver(b, cfg, v, planes);
  if (!c) return std::nullopt;
  b.at(v, *c, word);
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  EXPECT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  isa::DecodeResult d = isa::decode(word);
  const std::uint64_t load_cycle = *c + d.insn.desc->latency - 1;
  std::vector<Bytes> out;
  for (unsigned k = 0; k < dst_bytes; ++k) {
    const RecordedStreamWrite* w = rec.find(v, Dir::kEast, 4 + k);
    if (w == nullptr) {
      ADD_FAILURE() << "no result on E" << 4 + k;
      return std::nullopt;
    }
    EXPECT_EQ(w->cycle, load_cycle) << "result of a latency-" << d.insn.desc->latency << " op dispatched at " << *c;
    EXPECT_EQ(w->position, v + 1);
    out.push_back(w->data);
  }
  return fromPlanes(out);
}

using Ref = std::function<std::int64_t(std::int64_t, std::int64_t, std::int64_t)>;

// Edge values of a w-bit type followed by seeded random ones.
std::vector<std::int64_t> interesting(unsigned w, std::size_t n, std::mt19937_64& rng) {
  const std::int64_t mn = -pow2(w - 1), mx = pow2(w - 1) - 1;
  std::vector<std::int64_t> v = {0,
                                 1,
                                 -1,
                                 2,
                                 mx,
                                 mn,
                                 mx - 1,
                                 mn + 1,
                                 static_cast<std::int64_t>(w),
                                 static_cast<std::int64_t>(w) + 1,
                                 7,
                                 -7,
                                 100 % (mx + 1)};
  std::uniform_int_distribution<std::int64_t> dist(mn, mx);
  while (v.size() < n) v.push_back(dist(rng));
  v.resize(n);
  return v;
}

// Checks op.T over `rounds` vectors: lanes pairs (a[i], b[i]) with every edge-value combination in the first round.
void checkBinary(const ArchConfig& cfg, Opcode op, ElemType t, const Ref& ref, unsigned operands, bool* ran) {
  Machine m(cfg);
  const unsigned w = bitsOf(t), nb = bytesOf(t), lanes = cfg.lanes();
  std::mt19937_64 rng(static_cast<unsigned>(op) * 131 + w);
  std::vector<std::int64_t> edges = interesting(w, 13, rng);
  std::vector<std::int64_t> as, bs, cs;
  for (auto x : edges)
    for (auto y : edges) {
      as.push_back(x);
      bs.push_back(y);
    }
  std::vector<std::int64_t> rnd = interesting(w, 3 * lanes + 13, rng);
  for (std::size_t i = 13; i + 1 < rnd.size(); i += 2) {
    as.push_back(rnd[i]);
    bs.push_back(rnd[i + 1]);
  }
  std::uniform_int_distribution<int> coin(0, 2);
  for (std::size_t i = 0; i < as.size(); ++i) cs.push_back(coin(rng) == 0 ? 0 : rnd[(i * 7) % rnd.size()]);
  if (operands == 3)  // sel: make the condition zero in a third of the lanes
    for (std::size_t i = 0; i < as.size(); ++i)
      if (i % 3 == 0) as[i] = 0;

  for (std::size_t base = 0; base < as.size(); base += lanes) {
    std::vector<std::int64_t> a(lanes, 0), b(lanes, 0), c(lanes, 0);
    for (unsigned i = 0; i < lanes && base + i < as.size(); ++i) {
      a[i] = as[base + i];
      b[i] = bs[base + i];
      c[i] = cs[base + i];
    }
    std::vector<Operand> ops = {{W(0), nb, a}};
    if (operands >= 2) ops.push_back({E(0), nb, b});
    if (operands >= 3) ops.push_back({W(4), nb, c});
    auto got = runVxm(m, vxm(op, t, E(4), W(0), E(0), W(4)), ops, nb);
    if (!got) return;  // configuration too small for this operand shape
    *ran = true;
    for (unsigned i = 0; i < lanes; ++i)
      ASSERT_EQ((*got)[i], ref(a[i], b[i], c[i]))
          << "opcode " << static_cast<int>(op) << "." << nameOf(t) << " a=" << a[i] << " b=" << b[i] << " c=" << c[i]
          << " lane " << i << " on " << cfg.name();
  }
}

struct BinaryCase {
  const char* name;
  Opcode op;
  unsigned operands;
  std::function<std::int64_t(std::int64_t, std::int64_t, std::int64_t, unsigned)> ref;  // (a, b, c, w)
};

const std::vector<BinaryCase>& binaryCases() {
  static const std::vector<BinaryCase> cases = {
      {"add", Opcode::kAdd, 2, [](auto a, auto b, auto, unsigned w) { return wrapRef(a + b, w); }},
      {"sub", Opcode::kSub, 2, [](auto a, auto b, auto, unsigned w) { return wrapRef(a - b, w); }},
      {"adds", Opcode::kAdds, 2, [](auto a, auto b, auto, unsigned w) { return satRef(a + b, w); }},
      {"subs", Opcode::kSubs, 2, [](auto a, auto b, auto, unsigned w) { return satRef(a - b, w); }},
      {"mul", Opcode::kMul, 2, [](auto a, auto b, auto, unsigned w) { return wrapRef(a * b, w); }},
      {"and", Opcode::kAnd, 2, [](auto a, auto b, auto, unsigned) { return a & b; }},
      {"or", Opcode::kOr, 2, [](auto a, auto b, auto, unsigned) { return a | b; }},
      {"xor", Opcode::kXor, 2, [](auto a, auto b, auto, unsigned) { return a ^ b; }},
      // shifts: count = b mod w (so b = w shifts by 0, b = -1 by w-1)
      {"shl", Opcode::kShl, 2, [](auto a, auto b, auto, unsigned w) { return wrapRef(a * pow2(countRef(b, w)), w); }},
      {"shr", Opcode::kShr, 2, [](auto a, auto b, auto, unsigned w) { return floorDiv(a, pow2(countRef(b, w))); }},
      {"shrl", Opcode::kShrl, 2,
       [](auto a, auto b, auto, unsigned w) {
         std::int64_t u = ((a % pow2(w)) + pow2(w)) % pow2(w);  // the w-bit pattern as unsigned
         return wrapRef(u / pow2(countRef(b, w)), w);
       }},
      {"min", Opcode::kMin, 2, [](auto a, auto b, auto, unsigned) { return a < b ? a : b; }},
      {"max", Opcode::kMax, 2, [](auto a, auto b, auto, unsigned) { return a < b ? b : a; }},
      {"cmpeq", Opcode::kCmpeq, 2, [](auto a, auto b, auto, unsigned) -> std::int64_t { return a == b ? -1 : 0; }},
      {"cmplt", Opcode::kCmplt, 2, [](auto a, auto b, auto, unsigned) -> std::int64_t { return a < b ? -1 : 0; }},
      {"sel", Opcode::kSel, 3, [](auto a, auto b, auto c, unsigned) { return a != 0 ? b : c; }},
      // unary: -(-2^(w-1)) and |-2^(w-1)| wrap to -2^(w-1)
      {"neg", Opcode::kNeg, 1, [](auto a, auto, auto, unsigned w) { return wrapRef(-a, w); }},
      {"abs", Opcode::kAbs, 1, [](auto a, auto, auto, unsigned w) { return wrapRef(a < 0 ? -a : a, w); }},
      {"not", Opcode::kNot, 1, [](auto a, auto, auto, unsigned) { return -a - 1; }},
      {"mov", Opcode::kMov, 1, [](auto a, auto, auto, unsigned) { return a; }},
      {"relu", Opcode::kRelu, 1, [](auto a, auto, auto, unsigned) { return a > 0 ? a : std::int64_t{0}; }},
  };
  return cases;
}

class VxmLaneOps : public ::testing::TestWithParam<std::string> {};

TEST_P(VxmLaneOps, MatchesReferenceForEveryTypeOnBothConfigs) {
  const BinaryCase* bc = nullptr;
  for (const auto& c : binaryCases())
    if (GetParam() == c.name) bc = &c;
  ASSERT_NE(bc, nullptr);
  bool ran_large_all = true;
  for (const char* name : {"small", "large"}) {
    ArchConfig cfg = ArchConfig::byName(name);
    for (ElemType t : {ElemType::kI8, ElemType::kI16, ElemType::kI32}) {
      const unsigned w = bitsOf(t);
      bool ran = false;
      checkBinary(cfg, bc->op, t, [&](auto a, auto b, auto c) { return bc->ref(a, b, c, w); }, bc->operands, &ran);
      if (std::string(name) == "large") ran_large_all = ran_large_all && ran;
      // small delivers at most 3 planes per direction: i8 always fits
      if (t == ElemType::kI8) {
        EXPECT_TRUE(ran) << bc->name << ".i8 on " << name;
      }
    }
  }
  EXPECT_TRUE(ran_large_all) << "large must run every type";
}

INSTANTIATE_TEST_SUITE_P(All, VxmLaneOps,
                         ::testing::Values("add", "sub", "adds", "subs", "mul", "and", "or", "xor", "shl", "shr",
                                           "shrl", "min", "max", "cmpeq", "cmplt", "sel", "neg", "abs", "not", "mov",
                                           "relu"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// Hand-checked constants for the corner cases named in the ISA (independent of the reference lambdas above).
TEST(Vxm, HandCheckedCorners) {
  ArchConfig cfg = ArchConfig::byName("large");
  Machine m(cfg);
  const unsigned lanes = cfg.lanes();
  auto one = [&](std::uint32_t word, ElemType t, std::vector<std::int64_t> a, std::vector<std::int64_t> b) {
    a.resize(lanes, 0);
    b.resize(lanes, 0);
    return *runVxm(m, word, {{W(0), bytesOf(t), a}, {E(0), bytesOf(t), b}}, bytesOf(t));
  };
  // add.i8 127 + 1 = -128 (wrap); adds.i8 127 + 1 = 127, -128 + -1 = -128 (saturate)
  EXPECT_EQ(one(vxm(Opcode::kAdd, ElemType::kI8, E(4), W(0), E(0)), ElemType::kI8, {127}, {1})[0], -128);
  auto s = one(vxm(Opcode::kAdds, ElemType::kI8, E(4), W(0), E(0)), ElemType::kI8, {127, -128}, {1, -1});
  EXPECT_EQ(s[0], 127);
  EXPECT_EQ(s[1], -128);
  // shl.i16 1 << 16 -> count 16 mod 16 = 0 -> 1; 1 << 15 = -32768; shr.i32 -1 >> 33 -> count 1 -> -1
  auto sh = one(vxm(Opcode::kShl, ElemType::kI16, E(4), W(0), E(0)), ElemType::kI16, {1, 1}, {16, 15});
  EXPECT_EQ(sh[0], 1);
  EXPECT_EQ(sh[1], -32768);
  EXPECT_EQ(one(vxm(Opcode::kShr, ElemType::kI32, E(4), W(0), E(0)), ElemType::kI32, {-1}, {33})[0], -1);
  // shrl.i8 -128 (0x80) >> 7 = 1; >> 8 (count 0) = -128
  auto sl = one(vxm(Opcode::kShrl, ElemType::kI8, E(4), W(0), E(0)), ElemType::kI8, {-128, -128}, {7, 8});
  EXPECT_EQ(sl[0], 1);
  EXPECT_EQ(sl[1], -128);
  // neg/abs of the minimum stay the minimum: -(-2^31) = -2^31
  EXPECT_EQ(one(vxm(Opcode::kNeg, ElemType::kI32, E(4), W(0)), ElemType::kI32, {-2147483648LL}, {})[0], -2147483648LL);
  EXPECT_EQ(one(vxm(Opcode::kAbs, ElemType::kI16, E(4), W(0)), ElemType::kI16, {-32768}, {})[0], -32768);
  // min/max are signed: min.i8(-1, 1) = -1 (0xFF would be larger unsigned)
  EXPECT_EQ(one(vxm(Opcode::kMin, ElemType::kI8, E(4), W(0), E(0)), ElemType::kI8, {-1}, {1})[0], -1);
  EXPECT_EQ(one(vxm(Opcode::kMax, ElemType::kI32, E(4), W(0), E(0)), ElemType::kI32, {-1}, {1})[0], 1);
  // mul.i16 300 * 300 = 90000 = 0x15F90 -> low 16 bits 0x5F90 = 24464
  EXPECT_EQ(one(vxm(Opcode::kMul, ElemType::kI16, E(4), W(0), E(0)), ElemType::kI16, {300}, {300})[0], 24464);
}

// ---- cvt ------------------------------------------------------------------------------------------------------
TEST(Vxm, CvtWidensBySignExtensionAndNarrowsBySaturation) {
  for (const char* name : {"small", "large"}) {
    ArchConfig cfg = ArchConfig::byName(name);
    Machine m(cfg);
    const unsigned lanes = cfg.lanes();
    std::mt19937_64 rng(5);
    unsigned runs = 0;
    for (ElemType t : {ElemType::kI8, ElemType::kI16, ElemType::kI32})
      for (ElemType s : {ElemType::kI8, ElemType::kI16, ElemType::kI32}) {
        std::vector<std::int64_t> a = interesting(bitsOf(s), lanes, rng);
        auto got = runVxm(m, cvt(t, s, E(4), W(0)), {{W(0), bytesOf(s), a}}, bytesOf(t));
        if (!got) continue;
        ++runs;
        for (unsigned i = 0; i < lanes; ++i) {
          // widening (or same width): the value; narrowing: clamped to the destination range
          const std::int64_t want = bitsOf(t) >= bitsOf(s) ? a[i] : satRef(a[i], bitsOf(t));
          ASSERT_EQ((*got)[i], want) << "cvt." << nameOf(t) << "." << nameOf(s) << " of " << a[i];
        }
      }
    // small cannot deliver 4 planes from one side: the i32-source conversions need large
    EXPECT_EQ(runs, std::string(name) == "large" ? 9u : 6u);
  }
  // Hand-checked: cvt.i8.i32 of 200 = 127, of -70000 = -128; cvt.i16.i32 of 40000 = 32767.
  ArchConfig cfg = ArchConfig::byName("large");
  Machine m(cfg);
  std::vector<std::int64_t> a(cfg.lanes(), 0);
  a[0] = 200;
  a[1] = -70000;
  a[2] = 40000;
  auto n8 = *runVxm(m, cvt(ElemType::kI8, ElemType::kI32, E(4), W(0)), {{W(0), 4, a}}, 1);
  EXPECT_EQ(n8[0], 127);
  EXPECT_EQ(n8[1], -128);
  auto n16 = *runVxm(m, cvt(ElemType::kI16, ElemType::kI32, E(4), W(0)), {{W(0), 4, a}}, 2);
  EXPECT_EQ(n16[2], 32767);
}

// ---- req --------------------------------------------------------------------------------------------------------
// Reference: p = a*m exactly; r = p / 2^shamt rounded half away from zero (on |p|, then the sign); saturate.
std::int64_t reqRef(std::int64_t a, std::int64_t mlt, unsigned shamt, unsigned w) {
  const std::int64_t p = a * mlt;
  const unsigned __int128 mag = static_cast<unsigned __int128>(p < 0 ? -p : p);
  unsigned __int128 q = mag >> shamt;
  const unsigned __int128 rem = mag - (q << shamt);
  if (shamt > 0 && rem * 2 >= (static_cast<unsigned __int128>(1) << shamt)) q += 1;
  const std::int64_t r = p < 0 ? -static_cast<std::int64_t>(q) : static_cast<std::int64_t>(q);
  return satRef(r, w);
}

TEST(Vxm, ReqRoundsHalfAwayFromZeroAndSaturates) {
  ArchConfig cfg = ArchConfig::byName("large");
  Machine m(cfg);
  const unsigned lanes = cfg.lanes();
  std::mt19937_64 rng(77);
  for (ElemType t : {ElemType::kI8, ElemType::kI16}) {
    for (unsigned shamt : {0u, 1u, 2u, 7u, 15u, 16u, 31u, 40u, 47u, 63u}) {
      std::vector<std::int64_t> a = interesting(32, lanes, rng), mul = interesting(16, lanes, rng);
      auto got = runVxm(m, req(t, E(4), W(0), E(0), shamt), {{W(0), 4, a}, {E(0), 2, mul}}, bytesOf(t));
      ASSERT_TRUE(got);
      for (unsigned i = 0; i < lanes; ++i)
        ASSERT_EQ((*got)[i], reqRef(a[i], mul[i], shamt, bitsOf(t)))
            << "req." << nameOf(t) << " a=" << a[i] << " m=" << mul[i] << " shamt=" << shamt;
    }
  }
  // Hand-checked ties, shamt = 1 (p / 2): 5*1 = 5 -> 2.5 -> 3; -5 -> -2.5 -> -3; 3 -> 1.5 -> 2; -3 -> -2;
  // 1 -> 0.5 -> 1; -1 -> -0.5 -> -1; 4 -> 2 (exact); shamt 2: -6/4 = -1.5 -> -2; -5/4 = -1.25 -> -1.
  // Saturation: 1000*1000 >> 0 = 10^6 -> i8 127, i16 32767; -10^6 -> -128.
  std::vector<std::int64_t> a(lanes, 0), mul(lanes, 1);
  const std::int64_t in[] = {5, -5, 3, -3, 1, -1, 4};
  const std::int64_t want1[] = {3, -3, 2, -2, 1, -1, 2};
  for (unsigned i = 0; i < 7; ++i) a[i] = in[i];
  auto r1 = *runVxm(m, req(ElemType::kI8, E(4), W(0), E(0), 1), {{W(0), 4, a}, {E(0), 2, mul}}, 1);
  for (unsigned i = 0; i < 7; ++i) EXPECT_EQ(r1[i], want1[i]) << "req shamt 1 of " << in[i];
  a[0] = -6;
  a[1] = -5;
  auto r2 = *runVxm(m, req(ElemType::kI8, E(4), W(0), E(0), 2), {{W(0), 4, a}, {E(0), 2, mul}}, 1);
  EXPECT_EQ(r2[0], -2);
  EXPECT_EQ(r2[1], -1);
  a[0] = 1000;
  a[1] = -1000;
  mul[0] = 1000;
  mul[1] = 1000;
  auto r3 = *runVxm(m, req(ElemType::kI8, E(4), W(0), E(0), 0), {{W(0), 4, a}, {E(0), 2, mul}}, 1);
  EXPECT_EQ(r3[0], 127);
  EXPECT_EQ(r3[1], -128);
  auto r4 = *runVxm(m, req(ElemType::kI16, E(4), W(0), E(0), 0), {{W(0), 4, a}, {E(0), 2, mul}}, 2);
  EXPECT_EQ(r4[0], 32767);
  EXPECT_EQ(r4[1], -32768);
}

// ---- Special functions ------------------------------------------------------------------------------------------
// The documented integer definitions, recomputed here in double precision (round = round half up, as the
// generator documents; no exact ties occur for these tables).
std::int64_t roundHalfUp(double x) { return static_cast<std::int64_t>(std::floor(x + 0.5)); }
std::int64_t exp2Def(std::int64_t x) {
  const std::int64_t i = floorDiv(x, 256), f = x - 256 * i;
  const std::int64_t e = roundHalfUp(std::exp2(f / 256.0) * 16384);
  if (i >= 1) return 32767;
  if (i == 0) return e;
  if (i >= -15) return floorDiv(e, pow2(static_cast<unsigned>(-i)));
  return 0;
}
std::int64_t sigmoidTableDef(std::int64_t j) {
  return std::min<std::int64_t>(roundHalfUp(32768.0 / (1.0 + std::exp(-(j - 128) / 8.0))), 32767);
}
std::int64_t sigmoidDef(std::int64_t x) {
  const std::int64_t j = floorDiv(x, 256) + 128, f = x - 256 * floorDiv(x, 256);
  const std::int64_t s0 = sigmoidTableDef(j), s1 = sigmoidTableDef(j + 1);
  return s0 + floorDiv((s1 - s0) * f, 256);
}
std::int64_t siluDef(std::int64_t x) { return floorDiv(x * sigmoidDef(x) + pow2(14), pow2(15)); }
std::int64_t rsqrtDef(std::uint64_t v) {
  if (v == 0) return 2147483647;
  unsigned k = 0;
  while ((v << (2 * (k + 1))) < (std::uint64_t{1} << 32)) ++k;  // largest k with v*4^k < 2^32
  const std::uint64_t mm = (v << (2 * k)) >> 24;
  const std::int64_t r = roundHalfUp(std::ldexp(1.0, 19) / std::sqrt(static_cast<double>(mm) + 0.5));
  return std::min<std::int64_t>(r * pow2(k), 2147483647);
}

// Runs a unary special function over `inputs` (chunks of lanes) and returns the outputs.
std::vector<std::int64_t> runUnary(Machine& m, Opcode op, ElemType t, const std::vector<std::int64_t>& inputs) {
  const unsigned lanes = m.config().lanes(), nb = bytesOf(t);
  std::vector<std::int64_t> out;
  for (std::size_t base = 0; base < inputs.size(); base += lanes) {
    std::vector<std::int64_t> a(lanes, 0);
    for (unsigned i = 0; i < lanes && base + i < inputs.size(); ++i) a[i] = inputs[base + i];
    auto got = runVxm(m, vxm(op, t, E(4), W(0)), {{W(0), nb, a}}, nb);
    if (!got) return {};
    for (unsigned i = 0; i < lanes && base + i < inputs.size(); ++i) out.push_back((*got)[i]);
  }
  return out;
}

std::vector<std::int64_t> allI16() {
  std::vector<std::int64_t> v;
  for (std::int64_t x = -32768; x <= 32767; ++x) v.push_back(x);
  return v;
}

TEST(Vxm, Exp2ExactAndWithinBound) {
  Machine m(ArchConfig::byName("large"));
  const auto in = allI16();
  const auto out = runUnary(m, Opcode::kExp2, ElemType::kI16, in);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    ASSERT_EQ(out[i], exp2Def(in[i])) << "exp2(" << in[i] << ")";
    // Error bound: table rounding 0.5 LSB + the floor of the shift for x < 0 (< 1 LSB) => |err| <= 1.5 LSB of
    // Q1.14 for x < 256 (2^x < 2); x >= 256 saturates to 32767.
    const double exact = std::exp2(static_cast<double>(in[i]) / 256.0) * 16384.0;
    if (in[i] < 256)
      ASSERT_LE(std::abs(static_cast<double>(out[i]) - exact), 1.5) << "exp2(" << in[i] << ")";
    else
      ASSERT_EQ(out[i], 32767);
  }
  // The generated table is the documented definition.
  for (unsigned f = 0; f < 256; ++f) EXPECT_EQ(isa::kExp2Table[f], roundHalfUp(std::exp2(f / 256.0) * 16384));
}

TEST(Vxm, SigmoidAndSiluExactAndWithinBound) {
  Machine m(ArchConfig::byName("small"));
  const auto in = allI16();
  const auto sg = runUnary(m, Opcode::kSigmoid, ElemType::kI16, in);
  const auto si = runUnary(m, Opcode::kSilu, ElemType::kI16, in);
  ASSERT_EQ(sg.size(), in.size());
  ASSERT_EQ(si.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    ASSERT_EQ(sg[i], sigmoidDef(in[i])) << "sigmoid(" << in[i] << ")";
    ASSERT_EQ(si[i], siluDef(in[i])) << "silu(" << in[i] << ")";
    // Bound for sigmoid (Q0.15 LSB): linear interpolation over segments of h = 1/8 errs by at most
    // h^2/8 * max|sigma''| = (1/64)/8 * 0.0962 = 1.88e-4 = 6.2 LSB; + 0.5 (table rounding) + 1 (floor) => 8 LSB.
    const double xr = static_cast<double>(in[i]) / 2048.0;
    const double sig = 1.0 / (1.0 + std::exp(-xr));
    ASSERT_LE(std::abs(static_cast<double>(sg[i]) - 32768.0 * sig), 8.0) << "sigmoid(" << in[i] << ")";
    // Bound for silu (Q4.11 LSB): |x| * (sigmoid error 8/32768) + 0.5 rounding.
    const double bound = std::abs(xr) * 2048.0 * 8.0 / 32768.0 + 0.5;
    ASSERT_LE(std::abs(static_cast<double>(si[i]) - 2048.0 * xr * sig), bound) << "silu(" << in[i] << ")";
  }
  for (unsigned j = 0; j <= 256; ++j) EXPECT_EQ(isa::kSigmoidTable[j], sigmoidTableDef(j));
}

TEST(Vxm, RsqrtExactAndWithinBound) {
  Machine m(ArchConfig::byName("large"));
  std::vector<std::int64_t> in;  // i32 lanes holding u32 values
  std::mt19937_64 rng(3);
  for (unsigned k = 0; k < 32; ++k)
    for (std::int64_t d : {-1, 0, 1}) in.push_back(static_cast<std::int32_t>((std::uint64_t{1} << k) + d));
  for (std::int64_t v : {0LL, 1LL, 2LL, 3LL, 0xFFFFFFFFLL, 0x7FFFFFFFLL, 0x80000000LL})
    in.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(v)));
  std::uniform_int_distribution<std::uint32_t> dist;
  for (int i = 0; i < 4000; ++i) {
    std::uint32_t u = dist(rng) >> (i % 32);  // every magnitude
    in.push_back(static_cast<std::int32_t>(u));
  }
  const auto out = runUnary(m, Opcode::kRsqrt, ElemType::kI32, in);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::uint64_t v = static_cast<std::uint32_t>(in[i]);
    ASSERT_EQ(out[i], rsqrtDef(v)) << "rsqrt(" << v << ")";
    if (v == 0) continue;
    // Bound: the table reads v's top 8 significant bits (m in [64, 255]) at the segment midpoint m + 0.5, so
    // the relative error is at most sqrt(65/64.5) - 1 = 0.39% (at m = 64), plus 0.5/32800 from rounding R[m].
    const double exact = std::ldexp(1.0, 31) / std::sqrt(static_cast<double>(v));
    ASSERT_LE(std::abs(static_cast<double>(out[i]) / exact - 1.0), 0.0040) << "rsqrt(" << v << ")";
  }
  // Hand-checked: rsqrt(0) = 2^31-1; rsqrt(2^30) = 2^31/2^15 = 65536 ideal; k = 0, m = 64, R[64] = 65281.
  const auto h = runUnary(m, Opcode::kRsqrt, ElemType::kI32, {0, 1LL << 30});
  EXPECT_EQ(h[0], 2147483647);
  EXPECT_EQ(h[1], 65281);
  for (unsigned mm = 64; mm < 256; ++mm)
    EXPECT_EQ(isa::kRsqrtTable[mm], roundHalfUp(std::ldexp(1.0, 19) / std::sqrt(mm + 0.5)));
}

// Hand-checked special-function points (Q formats): exp2(0) = 1.0 = 16384; exp2(-256) = 0.5 = 8192;
// exp2(255) = E[255] = 32679; exp2(256) saturates at 32767; sigmoid(0) = 0.5 = 16384; silu(2048 = 1.0):
// sigmoid(1.0): j = 136, f = 0 -> S[136] = round(32768/(1+e^-1)) = 23955; (2048*23955 + 16384) >> 15 = 1497.
TEST(Vxm, SpecialFunctionHandPoints) {
  Machine m(ArchConfig::byName("small"));
  auto e = runUnary(m, Opcode::kExp2, ElemType::kI16, {0, -256, 255, 256});
  EXPECT_EQ(e, (std::vector<std::int64_t>{16384, 8192, 32679, 32767}));
  EXPECT_EQ(runUnary(m, Opcode::kSigmoid, ElemType::kI16, {0})[0], 16384);
  EXPECT_EQ(runUnary(m, Opcode::kSigmoid, ElemType::kI16, {2048})[0], 23955);
  EXPECT_EQ(runUnary(m, Opcode::kSilu, ElemType::kI16, {2048})[0], 1497);
  // i32 special functions cannot be delivered on small (4 planes from one side): rsqrt needs large there.
  EXPECT_TRUE(runUnary(m, Opcode::kRsqrt, ElemType::kI32, {4}).empty());
}

}  // namespace
}  // namespace lpu::model::test
