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

#include "sw/isa/arch.hpp"

namespace lpu::compiler {
namespace {

// Matrix-vector products (batch 1, load-bound): weights row-interleaved over the slices, K tiles
// of h <= lanes rows, outputs in the other hemisphere. Shapes of a transformer layer and ragged
// ones.
TEST(MatVec, TransformerShapesSmall) {
  for (auto [K, N] : {std::pair{64u, 64u}, {64u, 32u}, {64u, 176u}, {176u, 64u}})
    checkGemm("small", 1, K, N, K * 7 + N);
}
TEST(MatVec, TransformerShapesLarge) {
  for (auto [K, N] : {std::pair{288u, 288u}, {288u, 768u}, {768u, 288u}}) checkGemm("large", 1, K, N, K + N);
}
TEST(MatVec, RandomSmallBatches) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 12; ++i) {
    const bool large = i % 3 == 2;
    std::uniform_int_distribution<unsigned> m(1, large ? 32 : 4), d(1, large ? 300 : 90);
    checkGemm(large ? "large" : "small", m(rng), d(rng), d(rng), 300 + static_cast<unsigned>(i),
              CompileOptions{1 + static_cast<unsigned>(i % 2)});
  }
}

// large has 256 accumulator slots: M-blocks of up to 256 rows per weight tile; 300 rows take two.
TEST(Gemm, LargeMBeyond256Slots) { checkGemm("large", 300, 70, 130, 8); }

// The lowering uses the MXM's two queues: multi-row lw and lwi on the load queue, abc/abca/abce
// (never acc) on the compute queue, and each ABCE's i32 row goes straight to C.
TEST(Gemm, UsesLoadQueueMultiRowLwAndAbce) {
  for (const char* config : {"small", "large"}) {
    SCOPED_TRACE(config);
    const isa::ArchConfig cfg = isa::ArchConfig::byName(config);
    const unsigned L = cfg.lanes();
    const CompileResult r = compile(gemmGraph(config, 2 * L + 3, 3 * L, 2 * L));
    unsigned multi_row = 0, lwi = 0, abce = 0, acc = 0, abc = 0;
    for (unsigned q = 0; q < cfg.queues(); ++q)
      for (const EmittedRun& run : r.runs[q]) {
        const isa::Opcode op = run.insn.opcode();
        const unsigned issues = run.n + 1;
        if (op == isa::Opcode::kLw || op == isa::Opcode::kLwi || op == isa::Opcode::kIw) {
          EXPECT_TRUE(cfg.isLoadQueue(q)) << cfg.queueName(q);
        }
        if (op == isa::Opcode::kAbc || op == isa::Opcode::kAbca || op == isa::Opcode::kAbce) {
          EXPECT_FALSE(cfg.isLoadQueue(q)) << cfg.queueName(q);
        }
        if ((op == isa::Opcode::kLw || op == isa::Opcode::kLwi) && run.insn.get(isa::Field::kLwn) > 1)
          multi_row += issues;
        lwi += op == isa::Opcode::kLwi ? issues : 0;
        abce += op == isa::Opcode::kAbce ? issues : 0;
        abc += op == isa::Opcode::kAbc ? issues : 0;
        acc += op == isa::Opcode::kAcc ? issues : 0;
      }
    const unsigned M = 2 * L + 3, S = cfg.params().mxm_acc_slots, blocks = (M + S - 1) / S;
    EXPECT_GT(multi_row, 0u);
    EXPECT_EQ(lwi, 3u * 2 * blocks);  // one per weight tile (3 K x 2 N) and M-block
    EXPECT_EQ(abce, M * 2u);          // one per output row and column tile
    EXPECT_EQ(abc, M * 2u);           // the first of the three K tiles
    EXPECT_EQ(acc, 0u);
  }
}

}  // namespace
}  // namespace lpu::compiler
