// Reference semantics of the tensor IR: evaluate a graph directly in C++ (no scheduling, no SRAM).
//
//   TensorValues in = {{"x", x_values}};               // row-major, one int32 per element
//   TensorValues all = evaluateGraph(graph, in);       // every tensor: inputs, weights, temporaries, outputs
//
// Matmul accumulates in wrapping int32; requant rounds half away from zero and saturates, as ir.hpp documents; the
// compiled program must produce the same values bit for bit.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sw/compiler/ir.hpp"

namespace lpu::compiler {

using TensorValues = std::map<std::string, std::vector<std::int32_t>>;

// Every tensor of `g`: the given inputs, the graph's weights and every node's output. Throws std::out_of_range
// when an input the graph reads is missing from `inputs`.
TensorValues evaluateGraph(const Graph& g, const TensorValues& inputs);

}  // namespace lpu::compiler
