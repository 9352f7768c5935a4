// Transpose lowering (SXM `transpose`, docs/compiler.md §4): random shapes on both configurations,
// bit-exact against the reference, predicted cycles == golden-model cycles; chains through it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

void check(Graph g, std::uint64_t seed, CompileOptions opt = {}) {
  testing::compileAndCheckOnModel(std::move(g), seed, opt);
}

// y = x^T, x an input (laid out by the transpose itself).
Graph transposeGraph(const std::string& config, unsigned M, unsigned N) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI8, M, N, TensorKind::kInput, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, N, M, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"x"}, "y", {}, 0});
  return g;
}

TEST(Transpose, OneBlockSmall) { check(transposeGraph("small", 8, 8), 1); }
TEST(Transpose, FullTileSmall) { check(transposeGraph("small", 16, 16), 2); }
TEST(Transpose, FullTileLarge) { check(transposeGraph("large", 64, 64), 3); }
TEST(Transpose, VectorsBothWays) {
  check(transposeGraph("small", 1, 23), 4);
  check(transposeGraph("small", 23, 1), 5);
  check(transposeGraph("large", 1, 70), 6);
  check(transposeGraph("large", 70, 1), 7);
}

TEST(Transpose, RandomShapesSmall) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<unsigned> d(1, 40);
  for (int i = 0; i < 10; ++i) {
    const unsigned M = d(rng), N = d(rng);
    SCOPED_TRACE(fmt::format("small {}x{}", M, N));
    check(transposeGraph("small", M, N), 100 + static_cast<std::uint64_t>(i));
  }
}

TEST(Transpose, RandomShapesLarge) {
  std::mt19937_64 rng(12);
  std::uniform_int_distribution<unsigned> d(1, 150);
  for (int i = 0; i < 8; ++i) {
    const unsigned M = d(rng), N = d(rng);
    SCOPED_TRACE(fmt::format("large {}x{}", M, N));
    check(transposeGraph("large", M, N), 200 + static_cast<std::uint64_t>(i));
  }
}

// A transpose of a produced tensor (a relu output, laid out plainly: phase 0 copies it) feeding a
// matmul on one and two MXMs.
Graph chainGraph(const std::string& config, unsigned M, unsigned K, unsigned N) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI8, K, M, TensorKind::kInput, {}};
  g.tensors["r"] = Tensor{"r", DType::kI8, K, M, TensorKind::kTemp, {}};
  g.tensors["xt"] = Tensor{"xt", DType::kI8, M, K, TensorKind::kTemp, {}};
  g.tensors["w"] = Tensor{"w", DType::kI8, K, N, TensorKind::kWeight, std::vector<std::int32_t>(K * N)};
  g.tensors["y"] = Tensor{"y", DType::kI32, M, N, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kRelu, "act", {"x"}, "r", {}, 0});
  g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"r"}, "xt", {}, 0});
  g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"xt", "w"}, "y", {}, 0});
  return g;
}

TEST(Transpose, ChainReluTransposeMatmul) {
  for (unsigned mxms : {1u, 2u}) {
    SCOPED_TRACE(fmt::format("mxms {}", mxms));
    check(chainGraph("small", 6, 20, 24), 300 + mxms, CompileOptions{mxms});
    check(chainGraph("large", 30, 70, 100), 310 + mxms, CompileOptions{mxms});
  }
}

TEST(Transpose, TransposeThenMatmulFromInput) {
  Graph g;
  g.config = "small";
  g.tensors["x"] = Tensor{"x", DType::kI8, 12, 5, TensorKind::kInput, {}};
  g.tensors["xt"] = Tensor{"xt", DType::kI8, 5, 12, TensorKind::kTemp, {}};
  g.tensors["w"] = Tensor{"w", DType::kI8, 12, 20, TensorKind::kWeight, std::vector<std::int32_t>(12 * 20)};
  g.tensors["y"] = Tensor{"y", DType::kI32, 5, 20, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"x"}, "xt", {}, 0});
  g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"xt", "w"}, "y", {}, 0});
  for (unsigned mxms : {1u, 2u}) check(g, 400 + mxms, CompileOptions{mxms});
}

TEST(Transpose, MatmulRequantTransposeAdd) {
  // X produced by a fused requant (plain layout: phase 0 copies it), Y an operand of add.
  for (const char* config : {"small", "large"}) {
    SCOPED_TRACE(config);
    Graph g;
    g.config = config;
    g.tensors["a"] = Tensor{"a", DType::kI8, 9, 21, TensorKind::kInput, {}};
    g.tensors["w"] = Tensor{"w", DType::kI8, 21, 13, TensorKind::kWeight, std::vector<std::int32_t>(21 * 13)};
    g.tensors["h"] = Tensor{"h", DType::kI32, 9, 13, TensorKind::kTemp, {}};
    g.tensors["q"] = Tensor{"q", DType::kI8, 9, 13, TensorKind::kTemp, {}};
    g.tensors["qt"] = Tensor{"qt", DType::kI8, 13, 9, TensorKind::kTemp, {}};
    g.tensors["b"] = Tensor{"b", DType::kI8, 13, 9, TensorKind::kInput, {}};
    g.tensors["y"] = Tensor{"y", DType::kI8, 13, 9, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"a", "w"}, "h", {}, 0});
    g.nodes.push_back(Node{OpKind::kRequant, "rq", {"h"}, "q", {77}, 9});
    g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"q"}, "qt", {}, 0});
    g.nodes.push_back(Node{OpKind::kAdd, "sum", {"qt", "b"}, "y", {}, 0});
    check(g, 600);
  }
}

TEST(Transpose, InputAlsoAddedLater) {
  // x is transposed (first) and later an operand of add: it keeps a plain layout (phase 0).
  for (const char* config : {"small", "large"}) {
    SCOPED_TRACE(config);
    Graph g;
    g.config = config;
    g.tensors["x"] = Tensor{"x", DType::kI8, 17, 17, TensorKind::kInput, {}};
    g.tensors["xt"] = Tensor{"xt", DType::kI8, 17, 17, TensorKind::kOutput, {}};
    g.tensors["y"] = Tensor{"y", DType::kI8, 17, 17, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"x"}, "xt", {}, 0});
    g.nodes.push_back(Node{OpKind::kAdd, "sym", {"x", "xt"}, "y", {}, 0});
    check(g, 700);
  }
}

TEST(Transpose, NarrowTilesOfAMatvecInputAreRefused) {
  // x laid out first by a load-bound matmul (K tiles of h < lanes columns per word).
  Graph g;
  g.config = "large";
  g.tensors["x"] = Tensor{"x", DType::kI8, 1, 288, TensorKind::kInput, {}};
  g.tensors["w"] = Tensor{"w", DType::kI8, 288, 64, TensorKind::kWeight, std::vector<std::int32_t>(288 * 64)};
  g.tensors["y"] = Tensor{"y", DType::kI32, 1, 64, TensorKind::kOutput, {}};
  g.tensors["xt"] = Tensor{"xt", DType::kI8, 288, 1, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"x", "w"}, "y", {}, 0});
  g.nodes.push_back(Node{OpKind::kTranspose, "tr", {"x"}, "xt", {}, 0});
  EXPECT_THROW(compile(g), CompileError);
}

TEST(Transpose, TwiceIsIdentity) {
  Graph g;
  g.config = "large";
  g.tensors["x"] = Tensor{"x", DType::kI8, 37, 90, TensorKind::kInput, {}};
  g.tensors["t"] = Tensor{"t", DType::kI8, 90, 37, TensorKind::kTemp, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 37, 90, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kTranspose, "t1", {"x"}, "t", {}, 0});
  g.nodes.push_back(Node{OpKind::kTranspose, "t2", {"t"}, "y", {}, 0});
  check(g, 500);
}

}  // namespace
}  // namespace lpu::compiler
