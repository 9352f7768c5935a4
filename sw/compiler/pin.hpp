// Pinned tensors: fixed SRAM placements a host chooses (or takes from another compile's layout), so
// that several programs share weights, a KV cache and activations in SRAM (docs/compiler.md,
// "Pinned tensors").
//
// Example: graph B reads the weight and the activation graph A left in SRAM.
//   CompileResult a = compile(graph_a);
//   pinTo(graph_b, "w", a.layout, /*resident=*/true);   // not written again
//   pinTo(graph_b, "y", a.layout, /*resident=*/true);   // A's output is B's input
//   CompileOptions ob;
//   ob.keep = {a.layout.tensor("w2")};                   // A's other weight survives B
//   CompileResult b = compile(graph_b, ob);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sw/compiler/ir.hpp"
#include "sw/compiler/layout.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::compiler {

// The placement t.pin describes, checked against t and cfg; throws GraphError naming the tensor,
// the fragment and the field ("tensor 'w': pin fragment 1: slice 5 is not a MEM slice of small").
TensorLayout parsePin(const Tensor& t, const isa::ArchConfig& cfg, std::string_view where = "graph");
// Every SRAM word of t, per MEM position (sorted, distinct); throws GraphError when two words of t
// coincide.
std::map<unsigned, std::vector<std::uint32_t>> tensorWords(const TensorLayout& t);
// Pins g's tensor `name` where `layout` has tensor `from` (default: the same name); resident: its
// contents are already there.
void pinTo(Graph& g, const std::string& name, const MemoryLayout& layout, bool resident, std::string from = "");
// Rows [r0, r0 + n) of t as an n-row tensor at the same words (for a pin): e.g. row pos of a KV
// cache, into which a projection writes its k row. t must not be row-interleaved.
TensorLayout rowsOf(const TensorLayout& t, unsigned r0, unsigned n);
// Column tiles [ct0, ct0 + n) of t as a tensor of n tiles (n * lanes columns, or t's last columns when the range
// ends at t's end) at the same words: e.g. the part of a logits vector one classifier program writes. Each fragment
// must start the range at one of its slices' first tiles ((ct0 - ct_begin) % slices == 0, unless row-interleaved) so
// the tiles keep their slice order; throws std::invalid_argument naming the tensor and the fragment otherwise.
TensorLayout tilesOf(const TensorLayout& t, unsigned ct0, unsigned n, unsigned lanes);

}  // namespace lpu::compiler
