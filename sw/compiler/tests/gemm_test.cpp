// GEMM on the golden model: bit-exact against the reference, and the compiler's cycle prediction
// exact.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

using testing::reference;
using testing::runOnModel;

void checkGemm(const std::string& config, unsigned M, unsigned K, unsigned N, std::uint64_t seed,
               CompileOptions opt = {}) {
  SCOPED_TRACE(fmt::format("{} M={} K={} N={} mxms={} seed={}", config, M, K, N, opt.mxms, seed));
  Graph g = gemmGraph(config, M, K, N);
  auto in = testing::randomInputs(g, seed);
  const CompileResult r = compile(g, opt);
  const auto run = runOnModel(r, in);
  ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
  EXPECT_EQ(run.cycles, r.report.predicted_cycles);
  const auto want = reference(g, in);
  EXPECT_EQ(run.tensors.at("C"), want.at("C"));
}

TEST(Gemm, SingleTileSmall) { checkGemm("small", 4, 16, 16, 1); }
TEST(Gemm, SingleTilePartial) { checkGemm("small", 3, 5, 7, 2); }
TEST(Gemm, TiledK) { checkGemm("small", 5, 40, 16, 3); }
TEST(Gemm, TiledN) { checkGemm("small", 5, 16, 40, 4); }
TEST(Gemm, TiledNOneMxm) { checkGemm("small", 5, 16, 40, 5, CompileOptions{1}); }
TEST(Gemm, TiledMBeyondSlots) { checkGemm("small", 37, 20, 20, 6); }
TEST(Gemm, LargeConfig) { checkGemm("large", 70, 130, 100, 7); }

TEST(Gemm, RandomShapes) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 12; ++i) {
    const bool large = i % 3 == 2;
    const unsigned lim = large ? 150 : 50;
    std::uniform_int_distribution<unsigned> d(1, lim);
    checkGemm(large ? "large" : "small", d(rng), d(rng), d(rng), 100 + static_cast<unsigned>(i),
              CompileOptions{1 + static_cast<unsigned>(i % 2)});
  }
}

}  // namespace
}  // namespace lpu::compiler
