// Compiled programs on the RTL, checked three ways (issue 4: correctness and determinism):
//   1. lockstep with the golden model (every stream register every cycle, SRAM writes, status);
//   2. predicted cycles (compiler) == golden-model cycles == RTL cycles, exactly;
//   3. the RTL's own outputs, read back through the host port by the "rtl" driver backend, equal a
//      plain C++ reference of the graph (sw/compiler/tests/test_util.hpp), and a second run of the
//      same program on the same device gives the same cycle count and the same tensors.
// Shapes are random and mostly not multiples of the vector length; chains are matmul -> requant ->
// relu -> matmul. Fixed seeds: a failure names its shape and seed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "sw/compiler/tests/test_util.hpp"
#include "sw/driver/device.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace lpu::lockstep {
namespace {

using compiler::testing::Values;

// Coverage build: the lockstep sessions write their counters before static destruction (see
// lockstep::flushCoverage); a no-op in the normal build.
class FlushCoverage : public ::testing::Environment {
 public:
  void TearDown() override { flushCoverage(); }
};
[[maybe_unused]] ::testing::Environment* const kFlushCoverage = ::testing::AddGlobalTestEnvironment(new FlushCoverage);

// matmul -> requant (random per-column multipliers) -> relu -> matmul, i32 output.
compiler::Graph chainGraph(const std::string& config, unsigned M, unsigned K, unsigned H, unsigned N, unsigned shift,
                           std::mt19937_64& rng) {
  std::uniform_int_distribution<int> mult(-300, 300);
  std::vector<std::int32_t> m(H);
  for (auto& v : m) v = mult(rng);
  return compiler::testing::chainGraph(config, M, K, H, N, std::move(m), shift);
}

// Every tensor of the layout (not the compiler's constants), read back from `dev`.
Values readTensors(const compiler::CompileResult& c, driver::Device& dev) {
  Values out;
  for (const auto& [name, t] : c.layout.tensors) {
    if (name.find('.') != std::string::npos) continue;
    out[name] = compiler::unpackTensor(c.layout, name,
                                       [&](unsigned pos, std::uint32_t addr) { return dev.readSram(pos, addr); });
  }
  return out;
}

void checkOnRtl(compiler::Graph g, std::uint64_t seed, unsigned mxms, const std::string& what) {
  SCOPED_TRACE(fmt::format("{} on {}, {} MXM(s), seed {}", what, g.config, mxms, seed));
  const Values inputs = compiler::testing::randomInputs(g, seed);  // also fills the weights
  compiler::CompileOptions copt;
  copt.mxms = mxms;
  const compiler::CompileResult c = compiler::compile(g, copt);
  isa::Program program = c.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : compiler::packTensor(c.layout, name, vals)) program.data.push_back(std::move(seg));
  const isa::ArchConfig cfg = isa::ArchConfig::byName(g.config);
  const std::uint64_t predicted = c.report.predicted_cycles;

  // 1 + 2: lockstep, and the three cycle counts.
  Options opt;
  opt.name = fmt::format("compiled-{}-seed{}", g.config, seed);
  opt.max_cycles = predicted + 1000;
  const Result r = run(cfg, program, opt);
  ASSERT_TRUE(r.ok()) << r.report();
  ASSERT_FALSE(r.model_error) << r.model_error->message;
  EXPECT_EQ(r.model_cycles, predicted);
  EXPECT_EQ(r.rtl_cycles, predicted);

  // 3: the RTL alone, against the reference, twice.
  const Values want = compiler::testing::reference(g, inputs);
  auto dev = driver::makeDevice("rtl", cfg);
  std::optional<Values> first;
  for (int pass = 0; pass < 2; ++pass) {
    dev->loadProgram(program);
    const driver::RunResult run = dev->run(predicted + 1000, nullptr);
    ASSERT_FALSE(run.error) << "pass " << pass << ": " << run.error->message;
    EXPECT_EQ(run.cycles, predicted) << "pass " << pass;
    Values got = readTensors(c, *dev);
    // Outputs must be in the layout; temporaries the compiler kept in SRAM are checked too.
    for (const auto& [name, t] : g.tensors) {
      if (t.kind == compiler::TensorKind::kWeight) continue;
      if (!got.count(name)) {
        EXPECT_NE(t.kind, compiler::TensorKind::kOutput) << "output " << name << " not in the layout";
        continue;
      }
      EXPECT_EQ(got.at(name), want.at(name)) << "pass " << pass << ", tensor " << name;
    }
    if (first) {
      EXPECT_EQ(got, *first) << "second run differs from the first";
    } else {
      first = std::move(got);
    }
  }
}

// Random GEMM shapes on ulx3s (most not multiples of 8 in any dimension), 1 and 2 MXMs. Up to 40 x 48 x 48: an
// 8 x 8 weight tile per LW/LWI pair, so larger shapes outgrow the 512-word MXM load queues.
TEST(CompiledOnRtl, RandomGemmShapesUlx3s) {
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<unsigned> m(1, 40), kn(1, 48);
  for (unsigned i = 0; i < 40; ++i) {
    const unsigned M = m(rng), K = kn(rng), N = kn(rng);
    checkOnRtl(compiler::gemmGraph("ulx3s", M, K, N), 500 + i, 1 + i % 2, fmt::format("gemm {}x{}x{}", M, K, N));
  }
}

// Batch-1 shapes of stories260K's layer (the decode workload) on ulx3s.
TEST(CompiledOnRtl, MatVecShapesUlx3s) {
  for (auto [K, N] : {std::pair{64u, 64u}, {64u, 32u}, {64u, 176u}, {176u, 64u}})
    checkOnRtl(compiler::gemmGraph("ulx3s", 1, K, N), K * 3 + N, 2, fmt::format("matvec 1x{}x{}", K, N));
}

TEST(CompiledOnRtl, RandomChainsUlx3s) {
  std::mt19937_64 rng(77);
  std::uniform_int_distribution<unsigned> m(1, 12), d(1, 40), s(0, 14);
  for (unsigned i = 0; i < 20; ++i) {
    const unsigned M = m(rng), K = d(rng), H = d(rng), N = d(rng), shift = s(rng);
    checkOnRtl(chainGraph("ulx3s", M, K, H, N, shift, rng), 700 + i, 1 + i % 2,
               fmt::format("chain {}x{} -> {} -> {}, shift {}", M, K, H, N, shift));
  }
}

// large: one ragged GEMM (64 lanes, 4 superlanes, 256 accumulators). Its verilated model runs a few
// hundred clocks per second, so one small shape only.
TEST(CompiledOnRtl, RaggedGemmLarge) { checkOnRtl(compiler::gemmGraph("large", 2, 40, 67), 900, 2, "gemm 2x40x67"); }

}  // namespace
}  // namespace lpu::lockstep
