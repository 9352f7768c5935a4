#include "sw/llm/decode_graphs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sw/isa/arch.hpp"

namespace lpu::llm {

namespace {

using compiler::DType;
using compiler::Graph;
using compiler::Node;
using compiler::OpKind;
using compiler::Tensor;
using compiler::TensorKind;

unsigned u(int v) { return static_cast<unsigned>(v); }

void addTensor(Graph& g, const std::string& name, DType t, unsigned rows, unsigned cols, TensorKind kind) {
  g.tensors[name] = Tensor{name, t, rows, cols, kind, {}};
}

// y (1 x W.rows) = x (1 x W.cols) . W^T: the compiler's B is W transposed (K = W.cols inputs, N = W.rows outputs).
void addWeight(StepGraph& s, const std::string& name, const std::string& persistent, const QuantMatrix& w) {
  Tensor t{name, DType::kI8, u(w.cols), u(w.rows), TensorKind::kWeight, {}};
  t.data.resize(std::size_t{t.rows} * t.cols);
  for (int r = 0; r < w.rows; ++r)
    for (int c = 0; c < w.cols; ++c) t.data[std::size_t(c) * t.cols + std::size_t(r)] = w.row(r)[std::size_t(c)];
  s.graph.tensors[name] = std::move(t);
  s.shared[name] = persistent;
}

std::vector<std::int32_t> multipliers(const Requant& rq) {
  return std::vector<std::int32_t>(rq.multiplier.begin(), rq.multiplier.end());
}

// in (i8) . W^T -> req(rq) at `out_type` into `out`: IntModel's project().
void addProjection(StepGraph& s, const std::string& in, const std::string& w_name, const std::string& persistent,
                   const QuantMatrix& w, const Requant& rq, const std::string& out, DType out_type, TensorKind kind) {
  addWeight(s, w_name, persistent, w);
  const std::string acc = w_name + ".acc";
  addTensor(s.graph, acc, DType::kI32, 1, u(w.rows), TensorKind::kTemp);
  addTensor(s.graph, out, out_type, 1, u(w.rows), kind);
  s.graph.nodes.push_back(Node{OpKind::kMatmul, w_name, {in, w_name}, acc, {}, 0});
  // The multipliers: a weight of their own ("<weight>.m"), resident beside the matrix like it.
  const std::string m_name = w_name + ".m";
  s.graph.tensors[m_name] = Tensor{m_name, DType::kI16, 1, u(w.rows), TensorKind::kWeight, {}};
  std::vector<std::int32_t>& m = s.graph.tensors[m_name].data;
  for (int c = 0; c < w.rows; ++c)
    m.push_back(rq.multiplier.size() == 1 ? rq.multiplier[0] : rq.multiplier[std::size_t(c)]);
  s.shared[m_name] = persistent + ".m";
  s.graph.nodes.push_back(Node{OpKind::kRequant, w_name + ".rq", {acc, m_name}, out, {}, rq.shift});
}

// x (the shared residual) -> RMSNorm -> "xn".
void addNorm(StepGraph& s, const IntWeights& w) {
  const unsigned dim = u(w.config.dim);
  addTensor(s.graph, "x", DType::kI32, 1, dim, TensorKind::kInput);
  s.shared["x"] = "x";
  addTensor(s.graph, "xn", DType::kI8, 1, dim, TensorKind::kTemp);
  Node n{OpKind::kRmsnorm, "norm", {"x"}, "xn", {}, w.norm.shift};
  n.eps_term = w.norm.eps_term;
  n.r_shift = w.norm.r_shift;
  s.graph.nodes.push_back(n);
}

std::string layerName(int layer, const char* what) { return fmt::format("l{}.{}", layer, what); }

// x (the shared residual) += req16(acc, rq) in place: IntModel's addToResidual. The multipliers are a resident
// weight of their own (`m_name`).
void addResidual(StepGraph& s, const IntWeights& w, const std::string& acc, const std::string& m_name,
                 const std::string& persistent_m, const Requant& rq) {
  const unsigned dim = u(w.config.dim);
  addTensor(s.graph, "x", DType::kI32, 1, dim, TensorKind::kInput);
  addTensor(s.graph, "x_out", DType::kI32, 1, dim, TensorKind::kOutput);
  s.shared["x"] = "x";
  s.shared["x_out"] = "x";
  Tensor m{m_name, DType::kI16, 1, dim, TensorKind::kWeight, multipliers(rq)};
  s.graph.tensors[m_name] = std::move(m);
  s.shared[m_name] = persistent_m;
  s.graph.nodes.push_back(Node{OpKind::kResidualAdd, "residual", {"x", acc, m_name}, "x_out", {}, rq.shift});
}

}  // namespace

int cacheRows(const Config& c) { return std::min(c.seq_len, kMaxCacheRows); }

RopeInputs ropeInputs(const IntWeights& w, int pos) {
  const Config& c = w.config;
  const int hs = c.headSize(), half = hs / 2;
  RopeInputs r;
  auto fill = [&](int n, std::vector<std::int32_t>& cs, std::vector<std::int32_t>& sn) {
    for (int i = 0; i < n; ++i) {
      const std::size_t k = std::size_t(pos) * std::size_t(half) + std::size_t((i % hs) / 2);
      cs.push_back(w.rope.cos[k]);
      sn.push_back(w.rope.sin[k]);
    }
  };
  fill(c.dim, r.cos_q, r.sin_q);
  fill(c.kvDim(), r.cos_k, r.sin_k);
  return r;
}

StepGraph qkvGraph(const IntWeights& w, const std::string& config, int layer, int pos) {
  const IntLayer& L = w.layers.at(std::size_t(layer));
  StepGraph s;
  s.name = layerName(layer, "qkv");
  s.graph.config = config;
  addNorm(s, w);
  addProjection(s, "xn", "wq", layerName(layer, "wq"), L.wq, L.rq, "q16", DType::kI16, TensorKind::kOutput);
  addProjection(s, "xn", "wk", layerName(layer, "wk"), L.wk, L.rk, "k16", DType::kI16, TensorKind::kOutput);
  addProjection(s, "xn", "wv", layerName(layer, "wv"), L.wv, L.rv, "v8", DType::kI8, TensorKind::kOutput);
  s.shared["q16"] = layerName(layer, "q16");
  s.shared["k16"] = layerName(layer, "k16");
  s.parts["v8"] = {layerName(layer, "vcache"), u(pos), 0, u(cacheRows(w.config))};
  return s;
}

StepGraph ropeGraph(const IntWeights& w, const std::string& config, int layer, int pos) {
  const Config& c = w.config;
  StepGraph s;
  s.name = layerName(layer, "rope");
  s.graph.config = config;
  addTensor(s.graph, "q16", DType::kI16, 1, u(c.dim), TensorKind::kInput);
  addTensor(s.graph, "k16", DType::kI16, 1, u(c.kvDim()), TensorKind::kInput);
  s.shared["q16"] = layerName(layer, "q16");
  s.shared["k16"] = layerName(layer, "k16");
  for (const char* t : {"cos_q", "sin_q"}) addTensor(s.graph, t, DType::kI16, 1, u(c.dim), TensorKind::kInput);
  for (const char* t : {"cos_k", "sin_k"}) addTensor(s.graph, t, DType::kI16, 1, u(c.kvDim()), TensorKind::kInput);
  addTensor(s.graph, "q8", DType::kI8, 1, u(c.dim), TensorKind::kOutput);
  addTensor(s.graph, "k8", DType::kI8, 1, u(c.kvDim()), TensorKind::kOutput);
  s.graph.nodes.push_back(Node{OpKind::kRope, "rope_q", {"q16", "cos_q", "sin_q"}, "q8", {}, 0});
  s.graph.nodes.push_back(Node{OpKind::kRope, "rope_k", {"k16", "cos_k", "sin_k"}, "k8", {}, 0});
  s.shared["q8"] = layerName(layer, "q8");
  s.parts["k8"] = {layerName(layer, "kcache"), u(pos), 0, u(cacheRows(c))};
  return s;
}

StepGraph gateGraph(const IntWeights& w, const std::string& config, int layer) {
  const IntLayer& L = w.layers.at(std::size_t(layer));
  StepGraph s;
  s.name = layerName(layer, "gate");
  s.graph.config = config;
  addNorm(s, w);
  s.graph.tensors.at("xn").kind = TensorKind::kOutput;
  s.shared["xn"] = layerName(layer, "xn_ffn");
  addProjection(s, "xn", "w1", layerName(layer, "w1"), L.w1, L.r1, "gate16", DType::kI16, TensorKind::kOutput);
  s.shared["gate16"] = layerName(layer, "gate16");
  return s;
}

StepGraph upGraph(const IntWeights& w, const std::string& config, int layer) {
  const Config& c = w.config;
  const IntLayer& L = w.layers.at(std::size_t(layer));
  StepGraph s;
  s.name = layerName(layer, "up");
  s.graph.config = config;
  addTensor(s.graph, "xn", DType::kI8, 1, u(c.dim), TensorKind::kInput);
  s.shared["xn"] = layerName(layer, "xn_ffn");
  addProjection(s, "xn", "w3", layerName(layer, "w3"), L.w3, L.r3, "up8", DType::kI8, TensorKind::kTemp);
  addTensor(s.graph, "gate16", DType::kI16, 1, u(c.hidden_dim), TensorKind::kInput);
  s.shared["gate16"] = layerName(layer, "gate16");
  addTensor(s.graph, "glu8", DType::kI8, 1, u(c.hidden_dim), TensorKind::kOutput);
  s.shared["glu8"] = layerName(layer, "glu8");
  s.graph.nodes.push_back(
      Node{OpKind::kSwiglu, "swiglu", {"gate16", "up8"}, "glu8", {L.glu.multiplier.at(0)}, L.glu.shift});
  return s;
}

StepGraph downGraph(const IntWeights& w, const std::string& config, int layer) {
  const Config& c = w.config;
  const IntLayer& L = w.layers.at(std::size_t(layer));
  StepGraph s;
  s.name = layerName(layer, "down");
  s.graph.config = config;
  addTensor(s.graph, "glu8", DType::kI8, 1, u(c.hidden_dim), TensorKind::kInput);
  s.shared["glu8"] = layerName(layer, "glu8");
  addWeight(s, "w2", layerName(layer, "w2"), L.w2);
  addTensor(s.graph, "acc", DType::kI32, 1, u(c.dim), TensorKind::kTemp);
  s.graph.nodes.push_back(Node{OpKind::kMatmul, "w2", {"glu8", "w2"}, "acc", {}, 0});
  addResidual(s, w, "acc", "m2", layerName(layer, "m2"), L.r2);
  return s;
}

StepGraph outGraph(const IntWeights& w, const std::string& config, int layer) {
  const Config& c = w.config;
  const IntLayer& L = w.layers.at(std::size_t(layer));
  StepGraph s;
  s.name = layerName(layer, "out");
  s.graph.config = config;
  addTensor(s.graph, "xb8", DType::kI8, 1, u(c.dim), TensorKind::kInput);
  s.shared["xb8"] = layerName(layer, "xb8");
  addWeight(s, "wo", layerName(layer, "wo"), L.wo);
  addTensor(s.graph, "acc", DType::kI32, 1, u(c.dim), TensorKind::kTemp);
  s.graph.nodes.push_back(Node{OpKind::kMatmul, "wo", {"xb8", "wo"}, "acc", {}, 0});
  addResidual(s, w, "acc", "mo", layerName(layer, "mo"), L.ro);
  return s;
}

StepGraph embeddingGraph(const IntWeights& w, const std::string& config) {
  const Config& c = w.config;
  StepGraph s;
  s.name = "embed";
  s.graph.config = config;
  Tensor e{"emb",    DType::kI8,          u(c.vocab_size),
           u(c.dim), TensorKind::kWeight, std::vector<std::int32_t>(w.embedding.q.begin(), w.embedding.q.end())};
  s.graph.tensors["emb"] = std::move(e);
  s.graph.tensors["emb_m"] =
      Tensor{"emb_m", DType::kI16, u(c.vocab_size), 1, TensorKind::kWeight, multipliers(w.embedding_rq)};
  addTensor(s.graph, "token", DType::kI16, 1, 1, TensorKind::kInput);
  addTensor(s.graph, "x", DType::kI32, 1, u(c.dim), TensorKind::kOutput);
  s.shared["emb"] = "embedding";
  s.shared["emb_m"] = "embedding_m";
  s.shared["x"] = "x";
  s.graph.nodes.push_back(Node{OpKind::kEmbedding, "embed", {"token", "emb", "emb_m"}, "x", {}, w.embedding_rq.shift});
  return s;
}

std::vector<StepGraph> classifierGraphs(const IntWeights& w, const std::string& config) {
  const unsigned lanes = isa::ArchConfig::byName(config).params().lanes;
  const unsigned vocab = u(w.config.vocab_size), tiles = (vocab + lanes - 1) / lanes;
  std::vector<StepGraph> out;
  for (unsigned t0 = 0; t0 < tiles; t0 += kClassifierTiles) {
    const unsigned c0 = t0 * lanes, c1 = std::min(vocab, (t0 + kClassifierTiles) * lanes);
    // Rows c0 .. c1 of the classifier (its rows are the logits) and their multipliers.
    QuantMatrix part;
    part.rows = int(c1 - c0);
    part.cols = w.classifier.cols;
    part.q.assign(w.classifier.q.begin() + std::ptrdiff_t(c0) * part.cols,
                  w.classifier.q.begin() + std::ptrdiff_t(c1) * part.cols);
    Requant rq;
    rq.shift = w.classifier_rq.shift;
    rq.multiplier.assign(w.classifier_rq.multiplier.begin() + c0, w.classifier_rq.multiplier.begin() + c1);
    StepGraph s;
    s.name = fmt::format("cls{}", out.size());
    s.graph.config = config;
    if (t0 == 0) {
      addNorm(s, w);
      s.graph.tensors.at("xn").kind = TensorKind::kOutput;
    } else {
      addTensor(s.graph, "xn", DType::kI8, 1, u(w.config.dim), TensorKind::kInput);
    }
    s.shared["xn"] = "xn_head";
    addProjection(s, "xn", "cls", fmt::format("classifier{}", out.size()), part, rq, "logits", DType::kI16,
                  TensorKind::kOutput);
    s.parts["logits"] = {"logits", 0, t0, 0};
    out.push_back(std::move(s));
  }
  return out;
}

StepGraph argmaxGraph(const IntWeights& w, const std::string& config) {
  StepGraph s;
  s.name = "argmax";
  s.graph.config = config;
  addTensor(s.graph, "logits", DType::kI16, 1, u(w.config.vocab_size), TensorKind::kInput);
  s.shared["logits"] = "logits";
  addTensor(s.graph, "next", DType::kI32, 1, 1, TensorKind::kOutput);
  s.shared["next"] = "next";
  s.graph.nodes.push_back(Node{OpKind::kArgmax, "argmax", {"logits"}, "next", {}, 0});
  return s;
}

}  // namespace lpu::llm
