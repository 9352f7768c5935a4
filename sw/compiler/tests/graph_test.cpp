// Chains of ops and the example graphs on the golden model: bit-exact, exact cycle prediction,
// deterministic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

using testing::reference;
using testing::runOnModel;

// Compiles, runs, compares every tensor the graph computes (except fused intermediates) with the
// reference.
void checkGraph(Graph g, std::uint64_t seed, CompileOptions opt = {}) {
  testing::compileAndCheckOnModel(std::move(g), seed, opt);
}

Graph chain(const std::string& config, unsigned M, unsigned K, unsigned H, unsigned N, unsigned shift,
            bool per_column) {
  std::vector<std::int32_t> mult = {97};
  if (per_column) {
    mult.clear();
    for (unsigned c = 0; c < H; ++c) mult.push_back(static_cast<std::int32_t>(c * 37 % 500) - 100);
  }
  return testing::chainGraph(config, M, K, H, N, std::move(mult), shift);
}

TEST(Chain, MatmulRequantReluMatmulSmall) { checkGraph(chain("small", 6, 20, 24, 10, 10, false), 1); }
TEST(Chain, PerColumnMultipliers) { checkGraph(chain("small", 9, 33, 40, 17, 9, true), 2); }
TEST(Chain, ShiftZero) { checkGraph(chain("small", 3, 8, 8, 8, 0, false), 3); }
TEST(Chain, OneMxm) { checkGraph(chain("small", 5, 30, 20, 12, 8, true), 4, CompileOptions{1}); }
TEST(Chain, Large) { checkGraph(chain("large", 20, 100, 90, 70, 12, true), 5); }

TEST(Chain, RandomShapes) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 8; ++i) {
    std::uniform_int_distribution<unsigned> d(1, 40), s(0, 14);
    SCOPED_TRACE(fmt::format("case {}", i));
    checkGraph(chain(i % 4 == 3 ? "large" : "small", d(rng), d(rng), d(rng), d(rng), s(rng), i % 2 == 0),
               static_cast<std::uint64_t>(i) + 10);
  }
}

TEST(Eltwise, AddMulCopy) { checkGraph(loadGraphFile(LPU_SOURCE_DIR "/sw/compiler/graphs/eltwise.json"), 11); }

TEST(Eltwise, AddSameTensorTwice) {
  Graph g;
  g.tensors["a"] = Tensor{"a", DType::kI8, 3, 20, TensorKind::kInput, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 3, 20, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kAdd, "dbl", {"a", "a"}, "y", {}, 0});
  checkGraph(g, 12);
}

TEST(Graphs, ExampleFilesRun) {
  for (const char* f :
       {"mlp2.json", "matmul_requant_relu.json", "eltwise.json", "transpose_matmul.json", "rmsnorm.json", "argmax.json",
        "swiglu.json", "rope.json", "residual_add.json", "attention.json"}) {
    SCOPED_TRACE(f);
    checkGraph(loadGraphFile(std::string(LPU_SOURCE_DIR "/sw/compiler/graphs/") + f), 13);
  }
}

TEST(Determinism, SameProgramTwiceSameCyclesAndResults) {
  Graph g = chain("small", 7, 25, 30, 9, 9, true);
  auto in = testing::randomInputs(g, 21);
  const CompileResult r1 = compile(g), r2 = compile(g);
  EXPECT_EQ(r1.program.queues, r2.program.queues);  // the compiler itself is deterministic
  const auto a = runOnModel(r1, in), b = runOnModel(r1, in);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.cycles, r1.report.predicted_cycles);
  EXPECT_EQ(a.tensors, b.tensors);
}

}  // namespace
}  // namespace lpu::compiler

namespace lpu::compiler {
namespace {

// Wider random coverage: chains with M beyond the accumulator slots, both MXMs, both
// configurations.
TEST(Chain, RandomLargerShapes) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 30; ++i) {
    const bool large = i % 2 == 1;
    std::uniform_int_distribution<unsigned> m(1, large ? 150 : 40), d(1, large ? 200 : 48), s(4, 14);
    SCOPED_TRACE(fmt::format("case {}", i));
    checkGraph(chain(large ? "large" : "small", m(rng), d(rng), d(rng), d(rng), s(rng), i % 3 != 0),
               static_cast<std::uint64_t>(i) + 50, CompileOptions{1 + static_cast<unsigned>(i % 4 != 0)});
  }
}

}  // namespace
}  // namespace lpu::compiler

namespace lpu::compiler {
namespace {

// relu(a) and relu(b) are computed first; add's operands must still land in different slices.
TEST(Eltwise, OperandsOfAddNeverShareASlice) {
  Graph g;
  g.tensors["a"] = Tensor{"a", DType::kI8, 4, 30, TensorKind::kInput, {}};
  g.tensors["b"] = Tensor{"b", DType::kI8, 4, 30, TensorKind::kInput, {}};
  g.tensors["ra"] = Tensor{"ra", DType::kI8, 4, 30, TensorKind::kTemp, {}};
  g.tensors["rb"] = Tensor{"rb", DType::kI8, 4, 30, TensorKind::kTemp, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 4, 30, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kRelu, "r1", {"a"}, "ra", {}, 0});
  g.nodes.push_back(Node{OpKind::kRelu, "r2", {"b"}, "rb", {}, 0});
  g.nodes.push_back(Node{OpKind::kAdd, "sum", {"ra", "rb"}, "y", {}, 0});
  g.nodes.push_back(Node{OpKind::kMul, "sq", {"y", "ra"}, "a2", {}, 0});
  g.tensors["a2"] = Tensor{"a2", DType::kI8, 4, 30, TensorKind::kOutput, {}};
  checkGraph(g, 77);
}

}  // namespace
}  // namespace lpu::compiler

namespace lpu::compiler {
namespace {

// Independent matrix-vector products in one program (a transformer layer's projections): two
// share their input vector, the MXMs split the column tiles to balance the whole graph.
TEST(MatVec, SeveralProductsInOneProgram) {
  for (const char* config : {"small", "large"}) {
    SCOPED_TRACE(config);
    const unsigned d = std::string(config) == "small" ? 40 : 150, h = d * 2 + 5;
    Graph g;
    g.config = config;
    auto in = [&](const std::string& n, unsigned cols) {
      g.tensors[n] = Tensor{n, DType::kI8, 1, cols, TensorKind::kInput, {}};
    };
    auto mm = [&](const std::string& out, const std::string& a, unsigned K, unsigned N) {
      g.tensors["w" + out] =
          Tensor{"w" + out, DType::kI8, K, N, TensorKind::kWeight, std::vector<std::int32_t>(std::size_t{K} * N)};
      g.tensors[out] = Tensor{out, DType::kI32, 1, N, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, out, {a, "w" + out}, out, {}, 0});
    };
    in("x", d);
    in("u", h);
    mm("q", "x", d, d);
    mm("k", "x", d, d / 2);
    mm("g", "x", d, h);
    mm("o", "u", h, d);
    checkGraph(g, 31);
    const CompileResult r = compile(g);
    EXPECT_EQ(r.report.mxms_used, 2u);
  }
}

// Batch-1 chains: load-bound matmul with fused requant, relu, second matmul.
TEST(Chain, BatchOne) {
  checkGraph(chain("small", 1, 64, 40, 33, 9, true), 41);
  checkGraph(chain("large", 1, 130, 200, 70, 11, false), 42);
  checkGraph(chain("small", 2, 20, 17, 50, 7, true), 43, CompileOptions{1});
}

}  // namespace
}  // namespace lpu::compiler

#include <cstdlib>
#include <iostream>

namespace lpu::compiler {
namespace {

// Not in CI (disabled): many random GEMMs and chains, both configs, 1-2 MXMs, batch 1 to beyond the
// accumulator slots. Run with --gtest_also_run_disabled_tests --gtest_filter='*Stress*';
// LPU_STRESS_CASES sets the number of cases (default 200).
TEST(Stress, DISABLED_RandomGemmsAndChains) {
  const char* env = std::getenv("LPU_STRESS_CASES");
  const int cases = env ? std::atoi(env) : 200;
  std::mt19937_64 rng(2024);
  for (int i = 0; i < cases; ++i) {
    const bool large = rng() % 2;
    const unsigned lanes = large ? 64 : 16;
    std::uniform_int_distribution<unsigned> dim(1, 5 * lanes), small_m(1, lanes / 2), big_m(1, large ? 300 : 40),
        shift(0, 14);
    const unsigned M = rng() % 2 ? small_m(rng) : big_m(rng);
    const CompileOptions opt{1 + static_cast<unsigned>(rng() % 2)};
    SCOPED_TRACE(fmt::format("case {} {} M={} mxms={}", i, large ? "large" : "small", M, opt.mxms));
    const bool gemm = rng() % 2;
    const unsigned K = dim(rng), H = dim(rng), N = dim(rng), sh = shift(rng);
    const bool per_col = rng() % 2;
    const Graph g = gemm ? gemmGraph(large ? "large" : "small", M, K, N)
                         : chain(large ? "large" : "small", M, K, H, N, sh, per_col);
    try {
      checkGraph(g, static_cast<std::uint64_t>(i), opt);
    } catch (const CompileError& e) {
      // Only the queue depth may refuse a graph: report it, go on.
      const std::string what = e.what();
      EXPECT_NE(what.find("queue_depth"), std::string::npos) << what;
      std::cout << fmt::format("case {}: {} {} M={} K={} H={} N={} mxms={}: {}\n", i, gemm ? "gemm" : "chain", g.config,
                               M, K, H, N, opt.mxms, what);
    }
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace lpu::compiler

namespace lpu::compiler {
namespace {

// A produced tensor that both MXMs read as A (relu output of a chain whose second matmul splits
// its column tiles) gets a copy per MXM, both on one side of the VXM, written by the same result.
TEST(Chain, SecondMatmulOnBothMxmsReadsItsOwnCopy) {
  const Graph g = chain("large", 40, 64, 64, 128, 9, false);
  const CompileResult r = compile(g);
  const TensorLayout& t = r.layout.tensor("r");
  ASSERT_TRUE(t.hasCopy(1, 0));
  const unsigned p0 = t.locate(0, 0, 0, 0).position, p1 = t.locate(0, 0, 0, 1).position;
  EXPECT_NE(p0, p1);
  const unsigned vxm = isa::ArchConfig::byName("large").vxmPosition();
  EXPECT_EQ(p0 < vxm, p1 < vxm);
  checkGraph(g, 51);
}

}  // namespace
}  // namespace lpu::compiler
