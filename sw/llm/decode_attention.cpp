// attentionGraphs (decode_graphs.hpp): the compiler's attention operator, one head per program.
#include <fmt/format.h>

#include <stdexcept>

#include "sw/isa/arch.hpp"
#include "sw/llm/decode_graphs.hpp"

namespace lpu::llm {

std::vector<StepGraph> attentionGraphs(const IntWeights& w, const std::string& config, int layer, int pos) {
  using compiler::DType;
  using compiler::Node;
  using compiler::OpKind;
  using compiler::Tensor;
  using compiler::TensorKind;
  const Config& c = w.config;
  const IntLayer& L = w.layers.at(std::size_t(layer));
  const unsigned lanes = isa::ArchConfig::byName(config).params().lanes;
  const auto hs = static_cast<unsigned>(c.headSize()), dim = static_cast<unsigned>(c.dim),
             kv = static_cast<unsigned>(c.kvDim()), rows = static_cast<unsigned>(cacheRows(c));
  if (hs % lanes != 0)
    throw std::invalid_argument(fmt::format(
        "attention on {}: head size {} is not a whole number of {}-lane column tiles (each head's output is its own "
        "column tiles of xb8)",
        config, hs, lanes));
  const auto P = static_cast<unsigned>(pos) + 1;
  std::vector<StepGraph> v;
  for (int h = 0; h < c.n_heads; ++h) {
    StepGraph s;
    s.name = fmt::format("l{}.att{}", layer, h);
    s.graph.config = config;
    s.graph.tensors["q8"] = Tensor{"q8", DType::kI8, 1, dim, TensorKind::kInput, {}};
    s.shared["q8"] = fmt::format("l{}.q8", layer);
    for (const char* t : {"k", "v"}) {
      s.graph.tensors[t] = Tensor{t, DType::kI8, P, kv, TensorKind::kInput, {}};
      s.parts[t] = {fmt::format("l{}.{}cache", layer, t), 0, 0, rows, 0};
    }
    s.graph.tensors["y"] = Tensor{"y", DType::kI8, 1, hs, TensorKind::kOutput, {}};
    s.parts["y"] = {fmt::format("l{}.xb8", layer), 0, static_cast<unsigned>(h) * hs / lanes, 1, dim};
    Node n{OpKind::kAttention, "attention", {"q8", "k", "v"}, "y", {L.att.multiplier.at(0)}, L.att.shift};
    n.q_col = static_cast<unsigned>(h) * hs;
    n.kv_col = static_cast<unsigned>(h / c.kvMul()) * hs;
    s.graph.nodes.push_back(n);
    v.push_back(std::move(s));
  }
  return v;
}

}  // namespace lpu::llm
