// Compiler end to end on the RTL: every graph of sw/compiler/graphs/ compiled (one and two MXMs)
// with random int8 inputs, run on the RTL in lockstep with the golden model. The compiler's own
// tests check the model against the predicted cycle count and reference results; here the RTL must
// match the model cycle for cycle on the MXM-heavy, densely scheduled programs a compiler writes
// (multi-row lw, lwi, abce, long repeats).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace lpu::lockstep {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> graphs() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(LPU_SOURCE_DIR) / "sw/compiler/graphs")) {
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CompiledGraphs : public ::testing::TestWithParam<std::string> {};

TEST_P(CompiledGraphs, MatchTheModel) {
  const std::string path = std::string(LPU_SOURCE_DIR) + "/sw/compiler/graphs/" + GetParam() + ".json";
  const compiler::Graph g = compiler::loadGraphFile(path);
  for (unsigned mxms : {1u, 2u}) {
    compiler::CompileOptions copt;
    copt.mxms = mxms;
    compiler::CompileResult c = compiler::compile(g, copt);
    std::mt19937 rng(7 + mxms);
    for (const auto& [name, t] : g.tensors) {
      if (t.kind != compiler::TensorKind::kInput) continue;
      std::vector<std::int32_t> v(std::size_t{t.rows} * t.cols);
      for (auto& x : v) x = static_cast<std::int32_t>(rng() % 256) - 128;
      for (auto& seg : compiler::packTensor(c.layout, name, v)) c.program.data.push_back(std::move(seg));
    }
    Options opt;
    opt.name = GetParam() + "-mxms" + std::to_string(mxms);
    const Result r = run(isa::ArchConfig::byName(g.config), c.program, opt);
    EXPECT_TRUE(r.ok()) << r.report();
    EXPECT_FALSE(r.model_error) << r.model_error->message;
    EXPECT_EQ(r.model_cycles, c.report.predicted_cycles) << opt.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, CompiledGraphs, ::testing::ValuesIn(graphs()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// embedding fetches its row with MEM gather, whose map comes off the VXM's add: not in the graph files (random int8
// inputs would give negative tokens), so here with valid ones; the RTL must match the model cycle for cycle.
TEST(CompiledEmbedding, GatherMatchesTheModel) {
  for (const char* config : {"ulx3s"}) {
    compiler::Graph g;
    g.config = config;
    const unsigned vocab = 50, dim = 20;
    std::mt19937 rng(3);
    compiler::Tensor e{"e", compiler::DType::kI8, vocab, dim, compiler::TensorKind::kWeight, {}};
    compiler::Tensor m{"me", compiler::DType::kI16, vocab, 1, compiler::TensorKind::kWeight, {}};
    for (unsigned i = 0; i < vocab * dim; ++i) e.data.push_back(static_cast<std::int32_t>(rng() % 256) - 128);
    for (unsigned i = 0; i < vocab; ++i) m.data.push_back(static_cast<std::int32_t>(rng() % 65536) - 32768);
    g.tensors["tok"] = compiler::Tensor{"tok", compiler::DType::kI16, 1, 1, compiler::TensorKind::kInput, {}};
    g.tensors["e"] = e;
    g.tensors["me"] = m;
    g.tensors["x"] = compiler::Tensor{"x", compiler::DType::kI32, 1, dim, compiler::TensorKind::kOutput, {}};
    g.nodes.push_back(compiler::Node{compiler::OpKind::kEmbedding, "embed", {"tok", "e", "me"}, "x", {}, 5});
    for (const int tok : {0, 31, 49}) {
      compiler::CompileResult c = compiler::compile(g);
      for (auto& seg : compiler::packTensor(c.layout, "tok", std::vector<std::int32_t>{tok}))
        c.program.data.push_back(std::move(seg));
      Options opt;
      opt.name = std::string("embedding-") + config + "-token" + std::to_string(tok);
      const Result r = run(isa::ArchConfig::byName(config), c.program, opt);
      EXPECT_TRUE(r.ok()) << r.report();
      EXPECT_FALSE(r.model_error) << r.model_error->message;
      EXPECT_EQ(r.model_cycles, c.report.predicted_cycles) << opt.name;
    }
  }
}

}  // namespace
}  // namespace lpu::lockstep
