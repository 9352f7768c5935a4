// Matrix-vector products whose column tiles do not split evenly between the MXMs: one column
// tile's K range is shared (west K tiles [0, ks), east [ks, KT)) and the VXM adds the two partial
// rows (docs/compiler.md §4). Bit-exact against the reference, predicted == golden-model cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

// Compiles and runs C = A.B on the model (checked); returns the compile result.
CompileResult check(Graph g, std::uint64_t seed, CompileOptions opt = {}) {
  return testing::compileAndCheckOnModel(std::move(g), seed, opt);
}

// True when some column tile of C has a fragment of its own (the split tile's planes).
bool hasSplitTile(const CompileResult& r, const std::string& c) {
  for (const Fragment& f : r.layout.tensor(c).fragments)
    if (f.ct_end - f.ct_begin == 1 && r.layout.tensor(c).col_tiles > 1) return true;
  return r.layout.tensor(c).col_tiles == 1 && r.report.mxms_used == 2;
}

TEST(KSplit, Stories15MShapes) {
  for (auto [K, N] : {std::pair{288u, 288u}, {768u, 288u}}) {
    SCOPED_TRACE(fmt::format("1x{}x{}", K, N));
    Graph g = gemmGraph("large", 1, K, N);
    const CompileResult r = check(g, K + N);
    EXPECT_TRUE(hasSplitTile(r, "C"));
  }
}

TEST(KSplit, SmallTurnsTheFourthPlaneAround) {
  // small has 3 MEM slices per hemisphere: plane 3 of the sum goes through SXM_E and back.
  for (auto [K, N] : {std::pair{64u, 176u}, {100u, 48u}, {64u, 16u}}) {
    SCOPED_TRACE(fmt::format("1x{}x{}", K, N));
    const CompileResult r = check(gemmGraph("small", 1, K, N), K * N);
    EXPECT_TRUE(hasSplitTile(r, "C"));
  }
  std::mt19937_64 rng(22);
  std::uniform_int_distribution<unsigned> m(1, 4), k(17, 200), n(1, 120);
  for (int i = 0; i < 10; ++i) {
    const unsigned M = m(rng), K = k(rng), N = n(rng);
    SCOPED_TRACE(fmt::format("small {}x{}x{}", M, K, N));
    check(gemmGraph("small", M, K, N), 700 + static_cast<std::uint64_t>(i));
  }
}

TEST(KSplit, OneColumnTileOnBothMxms) {
  Graph g = gemmGraph("large", 1, 300, 64);
  const CompileResult r = check(g, 1);
  EXPECT_EQ(r.report.mxms_used, 2u);
}

TEST(KSplit, RandomLoadBoundShapes) {
  std::mt19937_64 rng(21);
  std::uniform_int_distribution<unsigned> m(1, 8), k(65, 500), n(1, 450);
  for (int i = 0; i < 12; ++i) {
    const unsigned M = m(rng), K = k(rng), N = n(rng);
    SCOPED_TRACE(fmt::format("large {}x{}x{}", M, K, N));
    check(gemmGraph("large", M, K, N), 600 + static_cast<std::uint64_t>(i));
  }
}

TEST(KSplit, SeveralProductsInOneProgram) {
  // Two odd products back to back: the balancing over the program decides whether to split.
  Graph g;
  g.config = "large";
  g.tensors["x"] = Tensor{"x", DType::kI8, 1, 288, TensorKind::kInput, {}};
  for (const char* w : {"w1", "w2"})
    g.tensors[w] = Tensor{w, DType::kI8, 288, 288, TensorKind::kWeight, std::vector<std::int32_t>(288 * 288)};
  g.tensors["y1"] = Tensor{"y1", DType::kI32, 1, 288, TensorKind::kOutput, {}};
  g.tensors["y2"] = Tensor{"y2", DType::kI32, 1, 288, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kMatmul, "m1", {"x", "w1"}, "y1", {}, 0});
  g.nodes.push_back(Node{OpKind::kMatmul, "m2", {"x", "w2"}, "y2", {}, 0});
  check(g, 7);
}

TEST(KSplit, NotWithOneMxm) {
  const CompileResult r = check(gemmGraph("large", 1, 288, 288), 8, CompileOptions{1});
  EXPECT_EQ(r.report.mxms_used, 1u);
}

}  // namespace
}  // namespace lpu::compiler
