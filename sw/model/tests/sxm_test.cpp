// SXM: shift (both signs), rotate, permute, distribute (with zero fill) and transpose, on both SXMs and both
// configurations, against reference lane arithmetic written here. Operands come from MEM slices timed to arrive at
// the SXM together; results are captured as the SXM's StreamWrites (t + L - 1, L from the table).
#include <gtest/gtest.h>

#include <random>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

struct SxmSide {
  unsigned pos;  // SXM_W = 1, SXM_E = positions-2
  Dir in_dir;    // operands flow toward the SXM from the MEM slices
  Dir out_dir;   // results flow back toward the MEM slices
};

std::vector<SxmSide> sides(const ArchConfig& cfg) {
  return {{1, Dir::kWest, Dir::kEast}, {cfg.positions() - 2, Dir::kEast, Dir::kWest}};
}

Bytes randomBytes(std::mt19937_64& rng, unsigned n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

// Runs `word` at the SXM with the given planes; returns the `n_out` result planes on out_dir streams 0.. .
std::vector<Bytes> runSxm(Machine& m, const SxmSide& side, std::uint32_t word, const std::vector<Plane>& planes,
                          unsigned n_out) {
  const ArchConfig& cfg = m.config();
  ProgramBuilder b(cfg);
  auto c = deliver(b, cfg, side.pos, planes);
  if (!c) {
    ADD_FAILURE() << "cannot deliver " << planes.size() << " planes to " << cfg.sliceName(side.pos);
    return {};
  }
  b.at(side.pos, *c, word);
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  EXPECT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  const std::uint64_t L = isa::decode(word).insn.desc->latency;
  std::vector<Bytes> out;
  for (unsigned k = 0; k < n_out; ++k) {
    const RecordedStreamWrite* w = rec.find(side.pos, side.out_dir, k);
    if (!w) {
      ADD_FAILURE() << "no result on stream " << k;
      return {};
    }
    EXPECT_EQ(w->cycle, *c + L - 1);
    out.push_back(w->data);
  }
  return out;
}

class SxmOps : public ::testing::TestWithParam<std::string> {};

TEST_P(SxmOps, ShiftAndRotateBothSigns) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const int lanes = static_cast<int>(cfg.lanes());
  std::mt19937_64 rng(11);
  for (const SxmSide& side : sides(cfg)) {
    const StreamRef in{side.in_dir, 0}, out{side.out_dir, 0};
    for (int imm : {0, 1, -1, 3, -5, lanes - 1, lanes, -lanes, lanes + 3, 127, -128}) {
      Bytes a = randomBytes(rng, cfg.lanes());
      // shift: dst[i] = a[i - imm] when 0 <= i - imm < lanes, else 0 (positive imm moves data to higher lanes)
      auto s = runSxm(m, side, shift(out, in, imm), {{in, a}}, 1);
      ASSERT_EQ(s.size(), 1u);
      for (int i = 0; i < lanes; ++i) {
        const int src = i - imm;
        ASSERT_EQ(s[0][i], (src >= 0 && src < lanes) ? a[src] : 0) << "shift " << imm << " lane " << i;
      }
      // rotate: dst[i] = a[(i - imm) mod lanes]
      auto r = runSxm(m, side, rotate(out, in, imm), {{in, a}}, 1);
      ASSERT_EQ(r.size(), 1u);
      for (int i = 0; i < lanes; ++i) {
        int src = (i - imm) % lanes;
        if (src < 0) src += lanes;
        ASSERT_EQ(r[0][i], a[src]) << "rotate " << imm << " lane " << i;
      }
    }
  }
}

TEST_P(SxmOps, PermuteUsesLowBitsOfTheMap) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned lanes = cfg.lanes();
  std::mt19937_64 rng(12);
  for (const SxmSide& side : sides(cfg)) {
    const StreamRef in{side.in_dir, 0}, map{side.in_dir, 1}, out{side.out_dir, 0};
    Bytes a = randomBytes(rng, lanes), mp = randomBytes(rng, lanes);  // map bytes above lanes too
    mp[0] = 0;
    mp[1] = static_cast<std::uint8_t>(lanes - 1);
    mp[2] = static_cast<std::uint8_t>(lanes);  // wraps to lane 0
    auto r = runSxm(m, side, permute(out, in, map), {{in, a}, {map, mp}}, 1);
    ASSERT_EQ(r.size(), 1u);
    for (unsigned i = 0; i < lanes; ++i) ASSERT_EQ(r[0][i], a[mp[i] % lanes]) << "lane " << i;
    EXPECT_EQ(r[0][2], a[0]);
  }
}

TEST_P(SxmOps, DistributeWithinSuperlanesWithZeroFill) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned lanes = cfg.lanes(), sl = cfg.params().superlane_lanes;
  std::mt19937_64 rng(13);
  for (const SxmSide& side : sides(cfg)) {
    const StreamRef in{side.in_dir, 0}, map{side.in_dir, 1}, out{side.out_dir, 0};
    Bytes a = randomBytes(rng, lanes), mp = randomBytes(rng, lanes);
    for (unsigned i = 0; i < lanes; ++i)
      if (i % 4 == 0) mp[i] |= 0x80;  // zero fill in every fourth lane at least
    auto r = runSxm(m, side, distribute(out, in, map), {{in, a}, {map, mp}}, 1);
    ASSERT_EQ(r.size(), 1u);
    for (unsigned i = 0; i < lanes; ++i) {
      const unsigned base = sl * (i / sl);  // the superlane of lane i
      const std::uint8_t want = (mp[i] & 0x80) ? 0 : a[base + (mp[i] % sl)];
      ASSERT_EQ(r[0][i], want) << "lane " << i;
    }
  }
}

TEST_P(SxmOps, TransposeBlocks) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned lanes = cfg.lanes(), n = cfg.params().transpose_n;
  std::mt19937_64 rng(14);
  const SxmSide side = sides(cfg)[0];  // SXM_W: every MEM slice is east of it
  // Deliver as many of the n source planes as there are MEM slices (small: 6 of 8; the others stay 0).
  std::vector<Bytes> src(n, Bytes(lanes, 0));
  std::vector<Plane> planes;
  for (unsigned j = 0; j < n && j < cfg.memSlices(); ++j) {
    src[j] = randomBytes(rng, lanes);
    planes.push_back({StreamRef{side.in_dir, j}, src[j]});
  }
  auto r = runSxm(m, side, transpose(StreamRef{side.out_dir, 0}, StreamRef{side.in_dir, 0}), planes, n);
  ASSERT_EQ(r.size(), n);
  // stream dst+i, lane b*n+j = stream srca+j, lane b*n+i
  for (unsigned blk = 0; blk < lanes / n; ++blk)
    for (unsigned i = 0; i < n; ++i)
      for (unsigned j = 0; j < n; ++j)
        ASSERT_EQ(r[i][blk * n + j], src[j][blk * n + i]) << "block " << blk << " i " << i << " j " << j;
}

INSTANTIATE_TEST_SUITE_P(Configs, SxmOps, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// Hand-checked on small (16 lanes): a = 1..16; shift +2 -> 0,0,1,2,...,14; shift -3 -> 4..16,0,0,0;
// rotate +2 -> 15,16,1,...,14.
TEST(Sxm, HandCheckedShiftRotate) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  Bytes a(16);
  for (unsigned i = 0; i < 16; ++i) a[i] = static_cast<std::uint8_t>(i + 1);
  const SxmSide side = sides(cfg)[0];
  auto s = runSxm(m, side, shift(E(0), W(0), 2), {{W(0), a}}, 1);
  EXPECT_EQ(s[0], (Bytes{0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  s = runSxm(m, side, shift(E(0), W(0), -3), {{W(0), a}}, 1);
  EXPECT_EQ(s[0], (Bytes{4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0}));
  s = runSxm(m, side, rotate(E(0), W(0), 2), {{W(0), a}}, 1);
  EXPECT_EQ(s[0], (Bytes{15, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
}

}  // namespace
}  // namespace lpu::model::test
