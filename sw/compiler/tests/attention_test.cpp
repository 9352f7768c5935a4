// The attention operator (one head of IntModel's attention at P positions) compiled and run on the golden model:
// the output read back must equal sw/llm's integer reference loop (IntModel::forward's head loop with
// softmaxWeights and reciprocalQ21), bit for bit, on seeded random q, K and V, and the model must take exactly the
// predicted cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "sw/compiler/pin.hpp"
#include "sw/compiler/reference.hpp"
#include "sw/compiler/tests/test_util.hpp"
#include "sw/llm/int_ops.hpp"
#include "sw/llm/quantize.hpp"

namespace lpu::compiler {
namespace {

using testing::runOnModel;
using testing::Values;

// q: 1 x dim, K and V: P x kv_dim, y: 1 x hs; the head at q_col, kv_col.
Graph attentionGraph(const std::string& config, unsigned dim, unsigned kv_dim, unsigned P, unsigned hs, unsigned q_col,
                     unsigned kv_col, std::int32_t m, unsigned shift) {
  Graph g;
  g.config = config;
  g.tensors["q"] = Tensor{"q", DType::kI8, 1, dim, TensorKind::kInput, {}};
  g.tensors["k"] = Tensor{"k", DType::kI8, P, kv_dim, TensorKind::kInput, {}};
  g.tensors["v"] = Tensor{"v", DType::kI8, P, kv_dim, TensorKind::kInput, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 1, hs, TensorKind::kOutput, {}};
  Node nd{OpKind::kAttention, "att", {"q", "k", "v"}, "y", {m}, shift};
  nd.q_col = q_col;
  nd.kv_col = kv_col;
  g.nodes.push_back(nd);
  return g;
}

// IntModel::forward's loop for one head h (sw/llm/int_model.cpp), on the same row-major caches.
std::vector<std::int8_t> intModelHead(const std::vector<std::int32_t>& q, const std::vector<std::int32_t>& k,
                                      const std::vector<std::int32_t>& v, unsigned kv_dim, unsigned P, unsigned hs,
                                      unsigned q_col, unsigned kv_col, std::int32_t m, unsigned shift) {
  std::vector<std::int32_t> scores(P);
  std::vector<std::int8_t> weights(P), out(hs);
  for (unsigned t = 0; t < P; ++t) {
    std::int32_t s = 0;
    for (unsigned i = 0; i < hs; ++i) s += q[q_col + i] * k[std::size_t{t} * kv_dim + kv_col + i];
    scores[t] = s;
  }
  const std::int32_t sum = llm::softmaxWeights(scores, m, shift, weights);
  const std::int32_t inv = llm::reciprocalQ21(sum);
  for (unsigned i = 0; i < hs; ++i) {
    std::int32_t a = 0;
    for (unsigned t = 0; t < P; ++t) a += std::int32_t{weights[t]} * v[std::size_t{t} * kv_dim + kv_col + i];
    out[i] = static_cast<std::int8_t>(llm::req(a, inv, 21, 8));
  }
  return out;
}

struct Case {
  const char* config;
  unsigned dim, kv_dim, hs, P, head, kv_head;
};

// stories260K's shapes on ulx3s (dim 64, 8 heads of 8, 4 kv heads: GQA, head h reads kv head h / 2), the
// multiplier IntModel derives for a head of 8 (log2 e / sqrt(8) * 256 at typical q, k scales), at several
// positions; then heads narrower than the lanes at a column offset inside a tile (small: 16 lanes, hs 8; large: 64
// lanes, hs 32).
TEST(Attention, MatchesIntModelHead) {
  const llm::Requant rq = llm::makeRequant(0.02 * 0.02 * 1.4426950408889634 / std::sqrt(8.0) * 256.0);
  const std::int32_t m = rq.multiplier[0];
  const unsigned shift = rq.shift;
  std::vector<Case> cases;
  for (unsigned P : {1u, 2u, 7u, 8u, 9u, 16u, 33u, 130u, 256u}) cases.push_back(Case{"ulx3s", 64, 32, 8, P, 5, 2});
  cases.push_back(Case{"ulx3s", 64, 32, 8, 33, 0, 0});
  cases.push_back(Case{"small", 64, 32, 8, 7, 3, 1});
  cases.push_back(Case{"small", 64, 32, 8, 40, 2, 1});
  cases.push_back(Case{"large", 128, 64, 32, 70, 3, 1});
  for (const Case& c : cases) {
    const unsigned q_col = c.head * c.hs, kv_col = c.kv_head * c.hs;
    const Graph g = attentionGraph(c.config, c.dim, c.kv_dim, c.P, c.hs, q_col, kv_col, m, shift);
    const CompileResult r = compile(g);
    std::mt19937 rng(c.P * 13 + c.head);
    for (int trial = 0; trial < 3; ++trial) {
      // trial 0: full i8 range; 1: small values (flat softmax); 2: one position dominating.
      std::uniform_int_distribution<int> d(trial == 1 ? -8 : -128, trial == 1 ? 8 : 127);
      std::vector<std::int32_t> q(c.dim), k(std::size_t{c.P} * c.kv_dim), v(k.size());
      for (auto& x : q) x = d(rng);
      for (auto& x : k) x = d(rng);
      for (auto& x : v) x = d(rng);
      if (trial == 2)
        for (unsigned i = 0; i < c.hs; ++i)
          k[std::size_t{c.P / 2} * c.kv_dim + kv_col + i] = q[q_col + i] < 0 ? -128 : 127;
      const Values in{{"q", q}, {"k", k}, {"v", v}};
      const testing::ModelRun run = runOnModel(r, in);
      const std::vector<std::int8_t> want = intModelHead(q, k, v, c.kv_dim, c.P, c.hs, q_col, kv_col, m, shift);
      const TensorValues ref = evaluateGraph(g, in);
      for (unsigned i = 0; i < c.hs; ++i) {
        ASSERT_EQ(ref.at("y")[i], want[i]) << "IR reference, " << c.config << " P " << c.P << " i " << i;
        ASSERT_EQ(run.tensors.at("y")[i], want[i])
            << c.config << " P " << c.P << " head " << c.head << " trial " << trial << " i " << i;
      }
    }
    std::printf("attention %s hs %u P %u: %llu cycles\n", c.config, c.hs, c.P,
                (unsigned long long)r.report.predicted_cycles);
  }
}

// The decode step's shape on ulx3s: the two heads of stories260K that share kv head 2 (GQA: head h reads kv head
// h / 2) in one program, with K and V the first P rows of 256-row caches pinned in one MEM slice each (rowsOf, as
// the decode builder pins them). (All 8 heads in one program exceed ulx3s's 512-word queues even at P = 3.)
TEST(Attention, GqaPairOnPinnedCaches) {
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("ulx3s");
  const unsigned T = 256, D = 64, KV = 32, hs = 8, L = cfg.lanes();
  const std::int32_t m = 20000;
  const unsigned shift = 22;
  MemoryLayout cl;
  cl.config = "ulx3s";
  cl.lanes = L;
  for (const auto& [name, slice] : {std::pair{"kcache", 2u}, std::pair{"vcache", cfg.positions() - 3}}) {
    TensorLayout c;
    c.name = name;
    c.rows = T;
    c.cols = KV;
    c.col_tiles = KV / L;
    Fragment f;
    f.ct_end = c.col_tiles;
    f.slices = {slice};
    f.base = cfg.wordsPerSlice() - c.col_tiles * T;
    f.rows = T;
    c.fragments.push_back(f);
    cl.tensors[name] = c;
  }
  for (const unsigned P : {3u, 33u, 64u}) {
    Graph g;
    g.config = "ulx3s";
    g.tensors["q"] = Tensor{"q", DType::kI8, 1, D, TensorKind::kInput, {}};
    g.tensors["k"] = Tensor{"k", DType::kI8, P, KV, TensorKind::kInput, {}};
    g.tensors["v"] = Tensor{"v", DType::kI8, P, KV, TensorKind::kInput, {}};
    MemoryLayout rows = cl;
    rows.tensors["k"] = rowsOf(cl.tensor("kcache"), 0, P);
    rows.tensors["v"] = rowsOf(cl.tensor("vcache"), 0, P);
    pinTo(g, "k", rows, false);
    pinTo(g, "v", rows, false);
    for (unsigned h = 4; h < 6; ++h) {
      const std::string y = fmt::format("y{}", h);
      g.tensors[y] = Tensor{y, DType::kI8, 1, hs, TensorKind::kOutput, {}};
      Node nd{OpKind::kAttention, fmt::format("att{}", h), {"q", "k", "v"}, y, {m}, shift};
      nd.q_col = h * hs;
      nd.kv_col = (h / 2) * hs;
      g.nodes.push_back(nd);
    }
    const CompileResult r = compile(g);
    EXPECT_EQ(r.layout.tensor("k").locate(P - 1, 3).position, 2u);
    std::mt19937 rng(P);
    std::uniform_int_distribution<int> d(-128, 127);
    std::vector<std::int32_t> q(D), k(std::size_t{P} * KV), v(k.size());
    for (auto& x : q) x = d(rng);
    for (auto& x : k) x = d(rng);
    for (auto& x : v) x = d(rng);
    const testing::ModelRun run = runOnModel(r, {{"q", q}, {"k", k}, {"v", v}});
    ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
    EXPECT_EQ(run.cycles, r.report.predicted_cycles) << "P " << P;
    for (unsigned h = 4; h < 6; ++h) {
      const auto want = intModelHead(q, k, v, KV, P, hs, h * hs, (h / 2) * hs, m, shift);
      for (unsigned i = 0; i < hs; ++i)
        ASSERT_EQ(run.tensors.at(fmt::format("y{}", h))[i], want[i]) << "P " << P << " head " << h << " i " << i;
    }
    std::printf("attention ulx3s heads 4, 5 P %u: %llu cycles\n", P, (unsigned long long)r.report.predicted_cycles);
  }
}

// Between projections, as in a layer: q comes from a matmul with a fused requant, the head's output feeds a matmul;
// the MXMs' state (weights, slots) carries from one operator to the next. One MXM or two.
TEST(Attention, BetweenMatmuls) {
  for (unsigned mxms : {1u, 2u}) {
    Graph g;
    g.config = "ulx3s";
    g.tensors["a"] = Tensor{"a", DType::kI8, 1, 64, TensorKind::kInput, {}};
    g.tensors["wq"] = Tensor{"wq", DType::kI8, 64, 64, TensorKind::kWeight, std::vector<std::int32_t>(64 * 64)};
    g.tensors["h"] = Tensor{"h", DType::kI32, 1, 64, TensorKind::kTemp, {}};
    g.tensors["q"] = Tensor{"q", DType::kI8, 1, 64, TensorKind::kTemp, {}};
    g.tensors["k"] = Tensor{"k", DType::kI8, 12, 32, TensorKind::kInput, {}};
    g.tensors["v"] = Tensor{"v", DType::kI8, 12, 32, TensorKind::kInput, {}};
    g.tensors["y"] = Tensor{"y", DType::kI8, 1, 8, TensorKind::kTemp, {}};
    g.tensors["wo"] = Tensor{"wo", DType::kI8, 8, 16, TensorKind::kWeight, std::vector<std::int32_t>(8 * 16)};
    g.tensors["o"] = Tensor{"o", DType::kI32, 1, 16, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kMatmul, "mq", {"a", "wq"}, "h", {}, 0});
    g.nodes.push_back(Node{OpKind::kRequant, "rq", {"h"}, "q", {3}, 9});
    Node nd{OpKind::kAttention, "att", {"q", "k", "v"}, "y", {20000}, 22};
    nd.q_col = 24;
    nd.kv_col = 8;
    g.nodes.push_back(nd);
    g.nodes.push_back(Node{OpKind::kMatmul, "mo", {"y", "wo"}, "o", {}, 0});
    CompileOptions opt;
    opt.mxms = mxms;
    SCOPED_TRACE("mxms " + std::to_string(mxms));
    const CompileResult r = testing::compileAndCheckOnModel(g, 9, opt);
    std::printf("attention between matmuls, %u MXM(s): %llu cycles\n", mxms,
                (unsigned long long)r.report.predicted_cycles);
  }
}

TEST(Attention, ErrorsNameTheField) {
  const std::string head =
      R"({"config": "ulx3s", "tensors": {"q": {"shape": [64], "kind": "input"},
          "k": {"shape": [5, 32], "kind": "input"}, "v": {"shape": [5, 32], "kind": "input"},
          "v2": {"shape": [4, 32], "kind": "input"}, "q16": {"shape": [64], "dtype": "i16", "kind": "input"},
          "y": {"shape": [8], "kind": "output"}}, "nodes": [)";
  auto err = [&](const std::string& node) {
    try {
      parseGraph(head + node + "]}", "t.json");
    } catch (const GraphError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 1, "kv_col": 28})"),
            "t.json: node 0 (attention0): field 'kv_col': 28 + head size 8 exceeds K's 32 columns");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 1, "q_col": 60})"),
            "t.json: node 0 (attention0): field 'q_col': 60 + head size 8 exceeds q's 64 columns");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 40000})"),
            "t.json: node 0 (attention0): field 'multiplier': 40000 is not i16");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y"})"),
            "t.json: node 0 (attention0): field 'multiplier': attention needs one value, has 0");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 1, "shift": 64})"),
            "t.json: node 0 (attention0): field 'shift': 64 is not 0..63");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v2"], "output": "y", "multiplier": 1})"),
            "t.json: node 0 (attention0): attention V must be 5x32 i8 like K, is 4x32 i8");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q16", "k", "v"], "output": "y", "multiplier": 1})"),
            "t.json: node 0 (attention0): attention q must be 1xN i8, is 1x64 i16");
  EXPECT_EQ(err(R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 1, "q_col": -8})"),
            "t.json: node 0 (attention0): field 'q_col' must be a non-negative integer, got -8");
  // A head that crosses a column tile is a compile error naming the field.
  Graph g = parseGraph(
      head + R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 1, "kv_col": 4}]})", "t");
  try {
    compile(g);
    ADD_FAILURE() << "no error";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'kv_col': head 4..11 crosses a column tile of 8 lanes"),
              std::string::npos)
        << e.what();
  }
  // A round trip keeps the parameters.
  const Graph g1 =
      parseGraph(head + R"({"op": "attention", "inputs": ["q", "k", "v"], "output": "y", "multiplier": 77, "shift": 9,
                 "q_col": 16, "kv_col": 8}]})",
                 "t");
  const Graph g2 = parseGraph(graphToJson(g1), "t2");
  EXPECT_EQ(g2.nodes[0].q_col, 16u);
  EXPECT_EQ(g2.nodes[0].kv_col, 8u);
  EXPECT_EQ(g2.nodes[0].multiplier, std::vector<std::int32_t>{77});
  EXPECT_EQ(g2.nodes[0].shift, 9u);
}

}  // namespace
}  // namespace lpu::compiler
