// Shared helpers of the compiler tests: a plain C++ reference interpreter of the IR, random data,
// and running a compiled program on the golden model.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "sw/model/machine.hpp"

namespace lpu::compiler::testing {

using Values = std::map<std::string, std::vector<std::int32_t>>;

// The IR's semantics (sw/compiler/ir.hpp), written independently of the compiler: every tensor of
// the graph.
Values reference(const Graph& g, const Values& inputs);

// x(M×K, i8 input) -> matmul w1(K×H) -> h(i32) -> requant(multipliers: one, or one per column of h;
// shift) -> q -> relu -> r -> matmul w2(H×N) -> y(M×N, i32 output). Weights are zero until
// randomInputs() fills them.
Graph chainGraph(const std::string& config, unsigned M, unsigned K, unsigned H, unsigned N,
                 std::vector<std::int32_t> multipliers, unsigned shift);

// Random i8 values for every input tensor; random i8 data for every weight tensor (written into
// `g`).
Values randomInputs(Graph& g, std::uint64_t seed);

struct ModelRun {
  model::RunState state = model::RunState::kIdle;
  std::uint64_t cycles = 0;
  std::string error;
  Values tensors;  // every tensor in the layout, read back (copy 0)
};
// Loads r.program plus the packed inputs into a fresh Machine, runs it (limit: predicted + 1000)
// and reads back.
ModelRun runOnModel(const CompileResult& r, const Values& inputs);

// Random inputs (and weights) from `seed`, compile with `opt`, run on the golden model: the run must
// end done in exactly the predicted cycles, and every tensor read back must equal the reference.
// Returns the compile result for further checks.
CompileResult compileAndCheckOnModel(Graph g, std::uint64_t seed, CompileOptions opt = {});

}  // namespace lpu::compiler::testing
