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

}  // namespace
}  // namespace lpu::lockstep
