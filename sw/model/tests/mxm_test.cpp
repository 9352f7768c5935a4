// MXM: lw/iw/abc/abca/acc against a reference matmul written here, double buffering (LWs interleaved with ABCs do
// not change results until IW), back-to-back ABCA into one slot on the full-rate configuration, on both MXMs and
// both configurations. (MXM_OVERRUN is in error_test.cpp.)
#include <gtest/gtest.h>

#include <random>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

using Matrix = std::vector<std::vector<std::int8_t>>;  // [k][n]: row k = input index k

// y[n] = sum_k x[k] * W[k][n]
std::vector<std::int64_t> matvec(const std::vector<std::int8_t>& x, const Matrix& w) {
  std::vector<std::int64_t> y(w[0].size(), 0);
  for (std::size_t k = 0; k < x.size(); ++k)
    for (std::size_t n = 0; n < y.size(); ++n) y[n] += std::int64_t{x[k]} * w[k][n];
  return y;
}
std::vector<std::int64_t> plus(std::vector<std::int64_t> a, const std::vector<std::int64_t>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}

Matrix randomMatrix(unsigned n, std::mt19937_64& rng) {
  Matrix w(n, std::vector<std::int8_t>(n));
  for (auto& row : w)
    for (auto& v : row) v = static_cast<std::int8_t>(rng());
  w[0][0] = -128;
  w[n - 1][n - 1] = 127;
  return w;
}
std::vector<std::int8_t> randomVector(unsigned n, std::mt19937_64& rng) {
  std::vector<std::int8_t> x(n);
  for (auto& v : x) v = static_cast<std::int8_t>(rng());
  x[0] = -128;
  return x;
}
Bytes asBytes(const std::vector<std::int8_t>& v) { return Bytes(v.begin(), v.end()); }

struct MxmSide {
  unsigned x;   // MXM position (= its compute queue)
  unsigned xl;  // the MXM's load queue (lw, lwi, iw)
  unsigned mw;  // MEM slice streaming weights (2 hops away)
  unsigned ma;  // MEM slice streaming activations (3 hops away)
  Dir in_dir;   // toward the MXM
  Dir out_dir;  // away from the MXM
};
MxmSide side(const ArchConfig& cfg, bool east) {
  const unsigned p = cfg.positions();
  if (east) return {p - 1, p + 1, p - 3, p - 4, Dir::kEast, Dir::kWest};
  return {0, p, 2, 3, Dir::kWest, Dir::kEast};
}

const RecordedStreamWrite* findAt(const Recorder& rec, unsigned producer, Dir d, unsigned s, std::uint64_t cycle) {
  for (const auto& w : rec.streams)
    if (w.producer == producer && w.dir == d && w.stream == s && w.cycle == cycle) return &w;
  return nullptr;
}

// Reads the i32 group loaded by `acc` at `cycle` on out_dir streams base..base+3.
std::vector<std::int64_t> accResult(const Recorder& rec, const MxmSide& s, unsigned base, std::uint64_t cycle) {
  std::vector<Bytes> planes;
  for (unsigned k = 0; k < 4; ++k) {
    const RecordedStreamWrite* w = findAt(rec, s.x, s.out_dir, base + k, cycle);
    if (!w) {
      ADD_FAILURE() << "no acc result on stream " << base + k << " at cycle " << cycle;
      return {};
    }
    planes.push_back(w->data);
  }
  return fromPlanes(planes);
}

class MxmOps : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

// Timeline (n = lanes; read latency 2, so a word read at t by a slice h hops away is at the MXM at t + h + 1):
//   weights slice (2 hops): read 0..n-1 at cycles 0..n-1 (read 0; repeat n-1, 1, 1)  -> at the MXM at 3..n+2
//   MXM: lw 0..n-1 at 3..n+2 (lw 0; repeat n-1, 1, 1); iw at n+3                      -> W1 active from n+4
//   phase 2, T0 = n+4: lw r (W2 rows) at T0 + 2r, r = 0..n-1 (weights read at T0 + 2r - 3: repeat n-1, 2, 1)
//                      abc x0 -> s0 at T0+1, abca x1 -> s0 at T0+3, abc x2 -> s1 at T0+5, abca x3 -> s1 at T0+7
//                      (activations slice, 3 hops: read at T0 + 2j - 3; repeat 3, 2, 1): these use W1
//   iw at T0 + 2n - 1 (W2 active from T0 + 2n); abc x4 -> s2 at T0 + 2n; abca x5 -> s2 at T0 + 2n + 2 (use W2)
//   acc s0 -> out 0 at T2 = T0 + 2n + 5 (after the last ABCA commits at the end of T0 + 2n + 4), acc s1 -> out 4 at
//   T2 + 1, acc s2 -> out 0 at T2 + 2; results loaded at the end of t + 1. MXM halts at T2 + 3, the last result
//   lands at the end of T2 + 3, so the cycle count is T2 + 4.
TEST_P(MxmOps, MatmulWithDoubleBuffering) {
  const auto [name, east] = GetParam();
  ArchConfig cfg = ArchConfig::byName(name);
  Machine m(cfg);
  const MxmSide s = side(cfg, east);
  const unsigned n = cfg.lanes();
  std::mt19937_64 rng(east ? 21 : 22);
  const Matrix w1 = randomMatrix(n, rng), w2 = randomMatrix(n, rng);
  std::vector<std::vector<std::int8_t>> x;
  for (int j = 0; j < 6; ++j) x.push_back(randomVector(n, rng));

  ProgramBuilder b(cfg);
  const StreamRef wst{s.in_dir, 0}, ast{s.in_dir, 1};
  for (unsigned r = 0; r < n; ++r) {
    b.data(s.mw, r, asBytes(w1[r]));
    b.data(s.mw, n + r, asBytes(w2[r]));
  }
  for (unsigned j = 0; j < 6; ++j) b.data(s.ma, 100 + j, asBytes(x[j]));

  b.at(s.mw, 0, read(0, wst)).rep(s.mw, n - 1, 1, 1);
  b.at(s.xl, 3, lw(0, wst)).rep(s.xl, n - 1, 1, 1);
  b.at(s.xl, n + 3, iw());
  const std::uint64_t t0 = n + 4;
  b.at(s.mw, t0 - 3, read(n, wst)).rep(s.mw, n - 1, 2, 1);
  b.at(s.ma, t0 - 3, read(100, ast)).rep(s.ma, 3, 2, 1);
  for (unsigned r = 0; r < n; ++r) {
    b.at(s.xl, t0 + 2 * r, lw(r, wst));
    if (r < 4) b.at(s.x, t0 + 2 * r + 1, r % 2 == 0 ? abc(ast, r / 2) : abca(ast, r / 2));
  }
  b.at(s.xl, t0 + 2 * n - 1, iw());
  b.at(s.ma, t0 + 2 * n - 4, read(104, ast));
  b.at(s.ma, t0 + 2 * n - 2, read(105, ast));
  b.at(s.x, t0 + 2 * n, abc(ast, 2));
  b.at(s.x, t0 + 2 * n + 2, abca(ast, 2));
  const std::uint64_t t2 = t0 + 2 * n + 5;
  b.at(s.x, t2, acc(StreamRef{s.out_dir, 0}, 0));
  b.at(s.x, t2 + 1, acc(StreamRef{s.out_dir, 4}, 1));
  b.at(s.x, t2 + 2, acc(StreamRef{s.out_dir, 0}, 2));

  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  EXPECT_EQ(r.cycles, t2 + 4);
  EXPECT_EQ(accResult(rec, s, 0, t2 + 1), plus(matvec(x[0], w1), matvec(x[1], w1)));
  EXPECT_EQ(accResult(rec, s, 4, t2 + 2), plus(matvec(x[2], w1), matvec(x[3], w1)));
  EXPECT_EQ(accResult(rec, s, 0, t2 + 3), plus(matvec(x[4], w2), matvec(x[5], w2)));
  // The machine's state agrees: slot 2 and the active weights.
  auto slot2 = m.mxmAccumulator(s.x, 2);
  auto want2 = plus(matvec(x[4], w2), matvec(x[5], w2));
  for (unsigned i = 0; i < n; ++i) EXPECT_EQ(slot2[i], want2[i]);
  auto wa = m.mxmWeights(s.x);
  for (unsigned k = 0; k < n; ++k)
    for (unsigned c = 0; c < n; ++c) ASSERT_EQ(wa[k * n + c], w2[k][c]);
}

INSTANTIATE_TEST_SUITE_P(Configs, MxmOps, ::testing::Combine(::testing::Values("small", "large"), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, bool>>& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "East" : "West");
                         });

// large runs ABCs every cycle (mxm_abc_interval 1): abc x0 -> s3 at t, abca x1 at t+1, abca x2 at t+2 commit at
// the ends of t+2, t+3, t+4 and each accumulates onto the previous commit: s3 = (x0 + x1 + x2)·W.
// Weights: identity-free random W loaded as in the test above (lw at 3..n+2, iw at n+3). Activations read by the
// 3-hop slice at n+1, n+2, n+3 (read 100; repeat 2, 1, 1) reach the MXM at n+5 .. n+7 = t .. t+2.
// acc s3 at t+5 (>= t+2+3), loaded at the end of t+6.
TEST(Mxm, BackToBackAbcaAccumulatesEveryProduct) {
  ArchConfig cfg = ArchConfig::byName("large");
  ASSERT_EQ(cfg.params().mxm_abc_interval, 1u);
  Machine m(cfg);
  const MxmSide s = side(cfg, true);
  const unsigned n = cfg.lanes();
  std::mt19937_64 rng(31);
  const Matrix w = randomMatrix(n, rng);
  std::vector<std::vector<std::int8_t>> x = {randomVector(n, rng), randomVector(n, rng), randomVector(n, rng)};
  ProgramBuilder b(cfg);
  const StreamRef wst{s.in_dir, 0}, ast{s.in_dir, 1};
  for (unsigned r = 0; r < n; ++r) b.data(s.mw, r, asBytes(w[r]));
  for (unsigned j = 0; j < 3; ++j) b.data(s.ma, 100 + j, asBytes(x[j]));
  b.at(s.mw, 0, read(0, wst)).rep(s.mw, n - 1, 1, 1);
  b.at(s.xl, 3, lw(0, wst)).rep(s.xl, n - 1, 1, 1);
  b.at(s.xl, n + 3, iw());
  const std::uint64_t t = n + 5;
  b.at(s.ma, t - 4, read(100, ast)).rep(s.ma, 2, 1, 1);
  b.at(s.x, t, abc(ast, 3));
  b.at(s.x, t + 1, abca(ast, 3));
  b.at(s.x, t + 2, abca(ast, 3));
  b.at(s.x, t + 5, acc(W(8), 3));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  EXPECT_EQ(accResult(rec, s, 8, t + 6), plus(plus(matvec(x[0], w), matvec(x[1], w)), matvec(x[2], w)));
}

// acc reads the accumulator as of its dispatch cycle: an ABC dispatched at t commits at the end of t+2, so an acc
// at t+2 still sees the old value (0 after start) and one at t+3 the new one. Hand-checked data: W = all ones
// (every y[n] = sum of x), x = all 2s on small (16 lanes) -> y[n] = 32.
TEST(Mxm, AccSeesAbcFromItsLatencyOn) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  const MxmSide s = side(cfg, true);
  const unsigned n = cfg.lanes();
  ProgramBuilder b(cfg);
  const StreamRef wst{s.in_dir, 0}, ast{s.in_dir, 1};
  for (unsigned r = 0; r < n; ++r) b.data(s.mw, r, Bytes(n, 1));
  b.data(s.ma, 100, Bytes(n, 2));
  b.at(s.mw, 0, read(0, wst)).rep(s.mw, n - 1, 1, 1);
  b.at(s.xl, 3, lw(0, wst)).rep(s.xl, n - 1, 1, 1);
  b.at(s.xl, n + 3, iw());
  const std::uint64_t t = n + 5;
  b.at(s.ma, t - 4, read(100, ast));
  b.at(s.x, t, abc(ast, 0));
  b.at(s.x, t + 2, acc(W(0), 0));
  b.at(s.x, t + 3, acc(W(4), 0));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  EXPECT_EQ(accResult(rec, s, 0, t + 3), std::vector<std::int64_t>(n, 0));
  EXPECT_EQ(accResult(rec, s, 4, t + 4), std::vector<std::int64_t>(n, 32));
}

// Multi-row lw, lwi (load + install) and abce (accumulate, emit, clear) on large's west MXM. Rows come four per
// cycle from four MEM slices (positions 2..5) on W0..W3; a read at position p at cycle c arrives at the MXM
// (position 0) at c + 2 + p - 1. lw 0,W0,4 at cycles 10..24 (repeat 14,1,4) loads rows 0..59, lwi 60,W0,4 at 25
// loads rows 60..63 and installs (active from 26). x arrives on W4 at 26 (read at position 6 at 19); abce at 26
// commits at the end of 28 and its sum is loaded onto E0..E3 at the end of 29. The slot is then 0: acc at 30 emits
// zeros (loaded at the end of 31).
TEST(Mxm, MultiRowLoadInstallAndAccumulateEmit) {
  ArchConfig cfg = ArchConfig::byName("large");
  Machine m(cfg);
  const MxmSide s = side(cfg, false);
  const unsigned n = cfg.lanes();
  std::mt19937_64 rng(5);
  const Matrix w = randomMatrix(n, rng);
  const std::vector<std::int8_t> x = randomVector(n, rng);
  ProgramBuilder b(cfg);
  for (unsigned j = 0; j < 4; ++j) {
    for (unsigned i = 0; i < n / 4; ++i) b.data(2 + j, i, asBytes(w[4 * i + j]));
    b.at(2 + j, 10 - 3 - j, read(0, StreamRef{Dir::kWest, j})).rep(2 + j, n / 4 - 1, 1, 1);
  }
  b.data(6, 50, asBytes(x));
  b.at(6, 19, read(50, StreamRef{Dir::kWest, 4}));
  b.at(s.xl, 10, lw(0, StreamRef{Dir::kWest, 0}, 4)).rep(s.xl, n / 4 - 2, 1, 4);
  b.at(s.xl, 25, lw(n - 4, StreamRef{Dir::kWest, 0}, 4, /*install=*/true));
  b.at(s.x, 26, abce(StreamRef{Dir::kWest, 4}, 5, StreamRef{Dir::kEast, 0}));
  b.at(s.x, 30, acc(StreamRef{Dir::kEast, 4}, 5));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  EXPECT_EQ(accResult(rec, s, 0, 29), matvec(x, w));
  EXPECT_EQ(accResult(rec, s, 4, 31), std::vector<std::int64_t>(n, 0));
}

// A Repeat stride that pushes a multi-row lw past the array (row < lanes but row + n > lanes) is BAD_OPERAND at
// that re-issue, like the same word dispatched directly (small: 16 lanes; lw 8,W0,4 then rows 12..15, then 16..19).
TEST(Mxm, StridedMultiRowLoadPastTheArrayIsBadOperand) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  const MxmSide s = side(cfg, false);
  ProgramBuilder b(cfg);
  b.at(s.xl, 0, lw(8, StreamRef{Dir::kWest, 0}, 4)).rep(s.xl, 2, 1, 4);
  RunResult r = runProgram(m, b.build(), nullptr);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, isa::ErrorCode::kBadOperand);
  EXPECT_EQ(r.error->cycle, 2u);
}

}  // namespace
}  // namespace lpu::model::test
