// attentionGraphs (decode_graphs.hpp): the compiler's attention operator, one head per program.
#include <fmt/format.h>

#include <stdexcept>

#include "sw/isa/arch.hpp"
#include "sw/llm/decode_graphs.hpp"

namespace lpu::llm {

std::vector<StepGraph> attentionGraphs(const IntWeights& w, const std::string& config, int layer, int pos,
                                       int split_from) {
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
  const bool split = pos >= split_from;
  std::vector<StepGraph> v;
  for (int h = 0; h < c.n_heads; ++h) {
    const auto q_col = static_cast<unsigned>(h) * hs, kv_col = static_cast<unsigned>(h / c.kvMul()) * hs;
    const StepGraph::Part y{fmt::format("l{}.xb8", layer), 0, static_cast<unsigned>(h) * hs / lanes, 1, dim};
    auto cache = [&](StepGraph& s, const char* t) {
      s.graph.tensors[t] = Tensor{t, DType::kI8, P, kv, TensorKind::kInput, {}};
      s.parts[t] = {fmt::format("l{}.{}cache", layer, t), 0, 0, rows, 0};
    };
    auto q8 = [&](StepGraph& s) {
      s.graph.tensors["q8"] = Tensor{"q8", DType::kI8, 1, dim, TensorKind::kInput, {}};
      s.shared["q8"] = fmt::format("l{}.q8", layer);
    };
    StepGraph s;
    s.graph.config = config;
    if (!split) {
      s.name = fmt::format("l{}.att{}", layer, h);
      q8(s);
      cache(s, "k");
      cache(s, "v");
      s.graph.tensors["y"] = Tensor{"y", DType::kI8, 1, hs, TensorKind::kOutput, {}};
      s.parts["y"] = y;
      Node n{OpKind::kAttention, "attention", {"q8", "k", "v"}, "y", {L.att.multiplier.at(0)}, L.att.shift};
      n.q_col = q_col;
      n.kv_col = kv_col;
      s.graph.nodes.push_back(n);
      v.push_back(std::move(s));
      continue;
    }
    // Scores and softmax weights into "attw" (one for every head: the heads run one after the other), then w.V.
    const unsigned aw_rows = compiler::attentionWeightsRows(P, lanes);
    const StepGraph::Part aw{"attw", 0, 0, compiler::attentionWeightsRows(rows, lanes), 0};
    s.name = fmt::format("l{}.att{}w", layer, h);
    q8(s);
    cache(s, "k");
    s.graph.tensors["w"] = Tensor{"w", DType::kI8, aw_rows, lanes, TensorKind::kOutput, {}};
    s.parts["w"] = aw;
    Node n{OpKind::kAttention, "attention", {"q8", "k"}, "w", {L.att.multiplier.at(0)}, L.att.shift};
    n.q_col = q_col;
    n.kv_col = kv_col;
    n.part = 1;
    n.head_size = hs;
    s.graph.nodes.push_back(n);
    v.push_back(std::move(s));
    StepGraph o;
    o.graph.config = config;
    o.name = fmt::format("l{}.att{}v", layer, h);
    o.graph.tensors["w"] = Tensor{"w", DType::kI8, aw_rows, lanes, TensorKind::kInput, {}};
    o.parts["w"] = aw;
    cache(o, "v");
    o.graph.tensors["y"] = Tensor{"y", DType::kI8, 1, hs, TensorKind::kOutput, {}};
    o.parts["y"] = y;
    Node m{OpKind::kAttention, "attention_v", {"w", "v"}, "y", {}, 0};
    m.kv_col = kv_col;
    m.part = 2;
    o.graph.nodes.push_back(m);
    v.push_back(std::move(o));
  }
  return v;
}

}  // namespace lpu::llm
