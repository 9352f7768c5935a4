#include "sw/compiler/tests/test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sw/compiler/reference.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::compiler::testing {

Values reference(const Graph& g, const Values& inputs) { return evaluateGraph(g, inputs); }

Graph chainGraph(const std::string& config, unsigned M, unsigned K, unsigned H, unsigned N,
                 std::vector<std::int32_t> multipliers, unsigned shift) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI8, M, K, TensorKind::kInput, {}};
  g.tensors["w1"] = Tensor{"w1", DType::kI8, K, H, TensorKind::kWeight, std::vector<std::int32_t>(K * H)};
  g.tensors["h"] = Tensor{"h", DType::kI32, M, H, TensorKind::kTemp, {}};
  g.tensors["q"] = Tensor{"q", DType::kI8, M, H, TensorKind::kTemp, {}};
  g.tensors["r"] = Tensor{"r", DType::kI8, M, H, TensorKind::kTemp, {}};
  g.tensors["w2"] = Tensor{"w2", DType::kI8, H, N, TensorKind::kWeight, std::vector<std::int32_t>(H * N)};
  g.tensors["y"] = Tensor{"y", DType::kI32, M, N, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kMatmul, "fc1", {"x", "w1"}, "h", {}, 0});
  g.nodes.push_back(Node{OpKind::kRequant, "rq1", {"h"}, "q", std::move(multipliers), shift});
  g.nodes.push_back(Node{OpKind::kRelu, "act1", {"q"}, "r", {}, 0});
  g.nodes.push_back(Node{OpKind::kMatmul, "fc2", {"r", "w2"}, "y", {}, 0});
  return g;
}

Values randomInputs(Graph& g, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  Values in;
  for (auto& [name, t] : g.tensors) {
    if (t.kind == TensorKind::kInput) {
      std::vector<std::int32_t> x(std::size_t{t.rows} * t.cols);
      for (auto& e : x) e = d(rng);
      in[name] = std::move(x);
    } else if (t.kind == TensorKind::kWeight && t.dtype == DType::kI8) {
      for (auto& e : t.data) e = d(rng);
    }
  }
  return in;
}

ModelRun runOnModel(const CompileResult& r, const Values& inputs) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
  isa::Program p = r.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : packTensor(r.layout, name, vals)) p.data.push_back(std::move(seg));
  model::Machine m(cfg);
  m.loadProgram(p);
  m.start();
  ModelRun out;
  out.state = m.run(r.report.predicted_cycles + 1000);
  out.cycles = m.cycle();
  if (m.error()) out.error = m.error()->message;
  for (const auto& [name, t] : r.layout.tensors) {
    if (name.find('.') != std::string::npos) continue;  // compiler constants
    out.tensors[name] =
        unpackTensor(r.layout, name, [&](unsigned pos, std::uint32_t addr) { return m.readSram(pos, addr); });
  }
  return out;
}

CompileResult compileAndCheckOnModel(Graph g, std::uint64_t seed, CompileOptions opt) {
  const Values in = randomInputs(g, seed);
  CompileResult r = compile(g, opt);
  const ModelRun run = runOnModel(r, in);
  EXPECT_EQ(run.state, model::RunState::kDone) << run.error;
  if (run.state != model::RunState::kDone) return r;
  EXPECT_EQ(run.cycles, r.report.predicted_cycles);
  const Values want = reference(g, in);
  for (const auto& [name, vals] : run.tensors) EXPECT_EQ(vals, want.at(name)) << "tensor " << name;
  return r;
}

}  // namespace lpu::compiler::testing
