// The decode step's residual update (residual_add) and token embedding (embedding) compiled and run on the golden
// model: the output read back must equal sw/llm's integer arithmetic (int_ops: req, saturate, as IntModel's
// addToResidual and forward use them) and the IR reference, bit for bit, on seeded random inputs, and the model must
// take exactly the predicted cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "sw/compiler/pin.hpp"
#include "sw/compiler/reference.hpp"
#include "sw/compiler/tests/test_util.hpp"
#include "sw/llm/int_ops.hpp"

namespace lpu::compiler {
namespace {

using testing::runOnModel;
using testing::Values;

constexpr std::int32_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kI32Min = std::numeric_limits<std::int32_t>::min();

// IntModel's addToResidual, element by element.
std::int32_t residualRef(std::int32_t x, std::int32_t acc, std::int32_t m, unsigned shift) {
  return llm::saturate(std::int64_t{x} + llm::req(acc, m, shift, 16), 32);
}

// Compiles g, runs it with `in`; checks done, cycles == predicted and every tensor against the IR reference (except
// `skip`, e.g. a tensor overwritten in place). Returns the run.
testing::ModelRun compileAndRun(const Graph& g, const Values& in, std::uint64_t* cycles = nullptr,
                                const std::string& skip = "") {
  const CompileResult r = compile(g);
  const testing::ModelRun run = runOnModel(r, in);
  EXPECT_EQ(run.state, model::RunState::kDone) << run.error;
  EXPECT_EQ(run.cycles, r.report.predicted_cycles);
  const TensorValues want = evaluateGraph(g, in);
  for (const auto& [name, vals] : run.tensors)
    if (name != skip) {
      EXPECT_EQ(vals, want.at(name)) << "tensor " << name;
    }
  if (cycles) *cycles = r.report.predicted_cycles;
  return run;
}

Graph residualGraph(const std::string& config, unsigned rows, unsigned n, const std::vector<std::int32_t>& m,
                    unsigned shift) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI32, rows, n, TensorKind::kInput, {}};
  g.tensors["acc"] = Tensor{"acc", DType::kI32, rows, n, TensorKind::kInput, {}};
  g.tensors["m"] = Tensor{"m", DType::kI16, 1, n, TensorKind::kWeight, m};
  g.tensors["y"] = Tensor{"y", DType::kI32, rows, n, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kResidualAdd, "res", {"x", "acc", "m"}, "y", {}, shift});
  return g;
}

struct ResCase {
  const char* config;
  unsigned rows, n;
};

// Residuals and matvec sums of IntModel's magnitudes, multipliers over all of i16 and shifts like makeRequant's;
// trial 3 saturates the req (|acc * m >> shift| past i16), trial 4 the sum (x next to the i32 limits).
TEST(ResidualAdd, MatchesIntModel) {
  for (const ResCase c : {ResCase{"ulx3s", 1, 64}, ResCase{"ulx3s", 2, 20}, ResCase{"ulx3s", 1, 8},
                          ResCase{"small", 1, 48}, ResCase{"large", 1, 288}}) {
    std::mt19937 rng(c.n * 11 + c.rows);
    for (int trial = 0; trial < 5; ++trial) {
      const unsigned shift = trial == 3 ? 4 : 14 + static_cast<unsigned>(trial) * 3;
      std::vector<std::int32_t> m(c.n), x(std::size_t{c.rows} * c.n), acc(x.size());
      std::uniform_int_distribution<int> dm(-32768, 32767), dacc(-(1 << 21), 1 << 21), dx(-(1 << 24), 1 << 24);
      std::uniform_int_distribution<std::int32_t> dfull(kI32Min, kI32Max);
      for (auto& v : m) v = dm(rng);
      for (auto& v : acc) v = trial == 3 ? dfull(rng) : dacc(rng);
      for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = dx(rng);
        if (trial == 4) x[i] = i % 2 ? kI32Max - static_cast<std::int32_t>(i) : kI32Min + static_cast<std::int32_t>(i);
      }
      const Graph g = residualGraph(c.config, c.rows, c.n, m, shift);
      std::uint64_t cycles = 0;
      const testing::ModelRun run = compileAndRun(g, {{"x", x}, {"acc", acc}}, &cycles);
      int saturated = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const std::int32_t want = residualRef(x[i], acc[i], m[i % c.n], shift);
        saturated += want == kI32Max || want == kI32Min;
        ASSERT_EQ(run.tensors.at("y")[i], want) << c.config << " n " << c.n << " trial " << trial << " i " << i;
      }
      if (trial == 4) {
        EXPECT_GT(saturated, 0) << "the saturation trial saturates nothing";
      }
      if (trial == 0)
        std::printf("residual_add %s %ux%u: %llu cycles\n", c.config, c.rows, c.n, (unsigned long long)cycles);
    }
  }
}

// acc straight from a matmul, the result feeding an rmsnorm as in a decode layer. With acc a temp read only here, the
// req16 runs as the matmul's epilogue (acc never reaches SRAM) unless that would cost the matmul its K split (two
// MXMs, an odd number of column tiles); as an output, acc is stored (tiles in both hemispheres on two MXMs) and the
// residual_add reads it back.
TEST(ResidualAdd, AfterMatmul) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    for (const unsigned N : {64u, 40u}) {
      for (unsigned mxms : {1u, 2u}) {
        std::uint64_t cycles[2] = {0, 0};
        for (const TensorKind acc_kind : {TensorKind::kTemp, TensorKind::kOutput}) {
          Graph g;
          g.config = config;
          const unsigned K = 40;
          g.tensors["a"] = Tensor{"a", DType::kI8, 1, K, TensorKind::kInput, {}};
          g.tensors["w"] = Tensor{"w", DType::kI8, K, N, TensorKind::kWeight, std::vector<std::int32_t>(K * N)};
          g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, N, acc_kind, {}};
          g.tensors["x"] = Tensor{"x", DType::kI32, 1, N, TensorKind::kInput, {}};
          std::vector<std::int32_t> m(N);
          for (unsigned i = 0; i < N; ++i) m[i] = static_cast<std::int32_t>(1000 + 397 * i) % 32768;
          g.tensors["m"] = Tensor{"m", DType::kI16, 1, N, TensorKind::kWeight, m};
          g.tensors["y"] = Tensor{"y", DType::kI32, 1, N, TensorKind::kTemp, {}};
          g.tensors["n"] = Tensor{"n", DType::kI8, 1, N, TensorKind::kOutput, {}};
          g.nodes.push_back(Node{OpKind::kMatmul, "wo", {"a", "w"}, "acc", {}, 0});
          g.nodes.push_back(Node{OpKind::kResidualAdd, "res", {"x", "acc", "m"}, "y", {}, 7});
          Node nd{OpKind::kRmsnorm, "norm", {"y"}, "n", {}, 12};
          nd.eps_term = 40;
          nd.r_shift = 10;
          g.nodes.push_back(nd);
          CompileOptions opt;
          opt.mxms = mxms;
          const bool temp = acc_kind == TensorKind::kTemp;
          SCOPED_TRACE(fmt::format("{} N {} mxms {} acc {}", config, N, mxms, temp ? "temp" : "output"));
          const CompileResult r = testing::compileAndCheckOnModel(g, 17 + mxms, opt);
          const unsigned tiles = (N + r.layout.lanes - 1) / r.layout.lanes;
          const bool fused = temp && (mxms == 1 || tiles % 2 == 0);
          EXPECT_EQ(r.layout.tensors.count("acc"), fused ? 0u : 1u);
          EXPECT_EQ(r.layout.tensors.count("res.r16"), fused ? 1u : 0u);
          cycles[temp ? 0 : 1] = r.report.predicted_cycles;
        }
        std::printf("matmul 1x40x%u + residual_add %s, %u MXM(s): %llu cycles (acc temp), %llu (acc stored)\n", N,
                    config, mxms, (unsigned long long)cycles[0], (unsigned long long)cycles[1]);
      }
    }
  }
}

// In place: y pinned onto x's words. An rmsnorm of x placed before the residual_add reads x late (its final req
// steps), after the residual_add's first steps could run: the write must wait for those reads.
TEST(ResidualAdd, InPlaceAfterAnEarlierReader) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    SCOPED_TRACE(config);
    const unsigned n = 40;
    std::vector<std::int32_t> m(n);
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> dm(1, 32767), dacc(-(1 << 20), 1 << 20), dx(-3000, 3000);
    for (auto& v : m) v = dm(rng);
    Graph g = residualGraph(config, 1, n, m, 12);
    g.tensors["xn"] = Tensor{"xn", DType::kI8, 1, n, TensorKind::kOutput, {}};
    Node nd{OpKind::kRmsnorm, "norm", {"x"}, "xn", {}, 12};
    nd.eps_term = 40;
    nd.r_shift = 10;
    g.nodes.insert(g.nodes.begin(), nd);
    const CompileResult first = compile(g);
    pinTo(g, "x", first.layout, false);
    pinTo(g, "y", first.layout, false, "x");
    std::vector<std::int32_t> x(n), acc(n);
    for (auto& v : x) v = dx(rng);
    for (auto& v : acc) v = dacc(rng);
    const testing::ModelRun run = compileAndRun(g, {{"x", x}, {"acc", acc}}, nullptr, "x");
    for (unsigned i = 0; i < n; ++i) ASSERT_EQ(run.tensors.at("y")[i], residualRef(x[i], acc[i], m[i], 12)) << i;
    EXPECT_EQ(run.tensors.at("x"), run.tensors.at("y"));  // the same words
    // A node after the residual_add may not read the overwritten x.
    g.tensors["xn2"] = Tensor{"xn2", DType::kI8, 1, n, TensorKind::kOutput, {}};
    Node late = nd;
    late.name = "late";
    late.output = "xn2";
    g.nodes.push_back(late);
    try {
      compile(g);
      ADD_FAILURE() << "no error";
    } catch (const CompileError& e) {
      EXPECT_STREQ(e.what(), "node 'res': writes 'y' in place of 'x', which node 'late' reads later");
    }
  }
}

// The decode layer's shape: the residual x pinned in SRAM, the projection's req16 fused into it, y written in place.
TEST(ResidualAdd, InPlaceFusedAfterMatmul) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    SCOPED_TRACE(config);
    const unsigned K = 24, N = 32;
    std::mt19937 rng(8);
    std::uniform_int_distribution<int> d8(-128, 127), dm(1, 32767), dx(-(1 << 28), 1 << 28);
    Graph g;
    g.config = config;
    std::vector<std::int32_t> w(K * N), m(N), a(K), x(N);
    for (auto& v : w) v = d8(rng);
    for (auto& v : m) v = dm(rng);
    for (auto& v : a) v = d8(rng);
    for (auto& v : x) v = dx(rng);
    g.tensors["a"] = Tensor{"a", DType::kI8, 1, K, TensorKind::kInput, {}};
    g.tensors["w"] = Tensor{"w", DType::kI8, K, N, TensorKind::kWeight, w};
    g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, N, TensorKind::kTemp, {}};
    g.tensors["x"] = Tensor{"x", DType::kI32, 1, N, TensorKind::kInput, {}};
    g.tensors["m"] = Tensor{"m", DType::kI16, 1, N, TensorKind::kWeight, m};
    g.tensors["y"] = Tensor{"y", DType::kI32, 1, N, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kMatmul, "wo", {"a", "w"}, "acc", {}, 0});
    g.nodes.push_back(Node{OpKind::kResidualAdd, "res", {"x", "acc", "m"}, "y", {}, 6});
    const CompileResult first = compile(g);
    pinTo(g, "x", first.layout, false);
    pinTo(g, "y", first.layout, false, "x");
    CompileOptions opt;
    opt.mxms = 1;  // fused on every config
    const CompileResult r = compile(g, opt);
    EXPECT_EQ(r.layout.tensors.count("acc"), 0u) << "not fused";
    const testing::ModelRun run = runOnModel(r, {{"a", a}, {"x", x}});
    ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
    EXPECT_EQ(run.cycles, r.report.predicted_cycles);
    for (unsigned j = 0; j < N; ++j) {
      std::int32_t acc = 0;
      for (unsigned k = 0; k < K; ++k) acc += a[k] * w[k * N + j];
      ASSERT_EQ(run.tensors.at("y")[j], residualRef(x[j], acc, m[j], 6)) << j;
    }
    EXPECT_EQ(run.tensors.at("x"), run.tensors.at("y"));
  }
}

Graph embeddingGraph(const std::string& config, unsigned vocab, unsigned dim, unsigned shift, std::uint64_t seed) {
  Graph g;
  g.config = config;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> de(-128, 127), dm(-32768, 32767);
  Tensor e{"emb", DType::kI8, vocab, dim, TensorKind::kWeight, std::vector<std::int32_t>(std::size_t{vocab} * dim)};
  for (auto& v : e.data) v = de(rng);
  Tensor m{"emb_m", DType::kI16, vocab, 1, TensorKind::kWeight, std::vector<std::int32_t>(vocab)};
  for (auto& v : m.data) v = dm(rng);
  g.tensors["token"] = Tensor{"token", DType::kI16, 1, 1, TensorKind::kInput, {}};
  g.tensors["emb"] = e;
  g.tensors["emb_m"] = m;
  g.tensors["x"] = Tensor{"x", DType::kI32, 1, dim, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kEmbedding, "embed", {"token", "emb", "emb_m"}, "x", {}, shift});
  return g;
}

// IntModel's first step for the token, from the graph's table.
std::vector<std::int32_t> embeddingRef(const Graph& g, int token, unsigned shift) {
  const Tensor& e = g.tensor("emb");
  const std::int32_t m = g.tensor("emb_m").data[static_cast<std::size_t>(token)];
  std::vector<std::int32_t> x(e.cols);
  for (unsigned i = 0; i < e.cols; ++i)
    x[i] = llm::req(e.data[static_cast<std::size_t>(token) * e.cols + i], m, shift, 16);
  return x;
}

struct EmbCase {
  const char* config;
  unsigned vocab, dim, shift;
};

// stories260K's table (ulx3s: 512 x 64) and others; the first and last tokens and random ones, one compile each.
TEST(Embedding, MatchesIntModel) {
  for (const EmbCase c : {EmbCase{"ulx3s", 512, 64, 9}, EmbCase{"ulx3s", 37, 20, 2}, EmbCase{"small", 100, 48, 0},
                          EmbCase{"large", 300, 288, 14}}) {
    const Graph g = embeddingGraph(c.config, c.vocab, c.dim, c.shift, c.vocab + c.dim);
    std::mt19937 rng(c.vocab);
    std::vector<int> tokens{0, static_cast<int>(c.vocab) - 1};
    for (int i = 0; i < 4; ++i)
      tokens.push_back(std::uniform_int_distribution<int>(0, static_cast<int>(c.vocab) - 1)(rng));
    const CompileResult r = compile(g);
    for (int tok : tokens) {
      const testing::ModelRun run = runOnModel(r, {{"token", {tok}}});
      ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
      EXPECT_EQ(run.cycles, r.report.predicted_cycles);
      EXPECT_EQ(run.tensors.at("x"), evaluateGraph(g, {{"token", {tok}}}).at("x")) << c.config << " token " << tok;
      ASSERT_EQ(run.tensors.at("x"), embeddingRef(g, tok, c.shift)) << c.config << " token " << tok;
    }
    std::printf("embedding %s %ux%u: %llu cycles\n", c.config, c.vocab, c.dim,
                (unsigned long long)r.report.predicted_cycles);
  }
}

// The table stays in SRAM: a second program pins it resident where the first one put it, carries no data for it,
// and runs token after token on the same machine with only the token written.
TEST(Embedding, ResidentTableTokenOnly) {
  for (const char* config : {"ulx3s", "large"}) {
    SCOPED_TRACE(config);
    Graph g = embeddingGraph(config, 200, 24, 6, 3);
    const CompileResult first = compile(g);
    Graph g2 = g;
    pinTo(g2, "emb", first.layout, true);
    pinTo(g2, "emb_m", first.layout, true);
    const CompileResult r = compile(g2);
    const auto words = tensorWords(r.layout.tensor("emb"));
    for (const isa::DataSegment& s : r.program.data)
      if (auto it = words.find(s.position); it != words.end()) {
        for (std::uint32_t a : it->second) {
          ASSERT_FALSE(a >= s.address && a < s.address + s.bytes.size() / r.layout.lanes)
              << "the resident table's word " << a << " is in the program";
        }
      }
    model::Machine m(isa::ArchConfig::byName(config));
    auto run = [&](const CompileResult& cr, int tok) {
      isa::Program p = cr.program;
      for (auto& seg : packTensor(cr.layout, "token", std::vector<std::int32_t>{tok})) p.data.push_back(seg);
      m.loadProgram(p);
      m.start();
      ASSERT_EQ(m.run(cr.report.predicted_cycles + 1000), model::RunState::kDone)
          << (m.error() ? m.error()->message : "");
      EXPECT_EQ(m.cycle(), cr.report.predicted_cycles);
      EXPECT_EQ(unpackTensor(cr.layout, "x", [&](unsigned pos, std::uint32_t a) { return m.readSram(pos, a); }),
                embeddingRef(g, tok, 6))
          << "token " << tok;
    };
    run(first, 5);
    for (int tok : {199, 0, 17, 123}) run(r, tok);
  }
}

TEST(ResidualEmbedding, GraphFormatErrorsNameTheField) {
  const std::string head =
      R"({"config": "ulx3s", "tensors": {"x": {"shape": [8], "dtype": "i32", "kind": "input"},
          "acc": {"shape": [8], "dtype": "i32", "kind": "input"},
          "m": {"shape": [8], "dtype": "i16", "kind": "weight"}, "m7": {"shape": [7], "dtype": "i16", "kind": "weight"},
          "tok": {"shape": [1], "dtype": "i16", "kind": "input"}, "tok2": {"shape": [2], "dtype": "i16", "kind": "input"},
          "e": {"shape": [5, 8], "dtype": "i8", "kind": "weight"}, "ei": {"shape": [5, 8], "dtype": "i8", "kind": "input"},
          "me": {"shape": [5, 1], "dtype": "i16", "kind": "weight"}, "me4": {"shape": [4, 1], "dtype": "i16", "kind": "weight"},
          "y": {"shape": [8], "dtype": "i32", "kind": "output"}, "y8": {"shape": [8], "dtype": "i8", "kind": "output"}},
          "nodes": [)";
  auto err = [&](const std::string& node) {
    try {
      parseGraph(head + node + "]}", "t.json");
    } catch (const GraphError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err(R"({"op": "residual_add", "inputs": ["x", "acc", "m"], "output": "y", "shift": 64})"),
            "t.json: node 0 (residual_add0): field 'shift': 64 is not 0..63");
  EXPECT_EQ(err(R"({"op": "residual_add", "inputs": ["x", "acc", "m"], "output": "y", "shift": -2})"),
            "t.json: node 0 (residual_add0): field 'shift' must be a non-negative integer, got -2");
  EXPECT_EQ(err(R"({"op": "residual_add", "inputs": ["x", "acc", "m7"], "output": "y"})"),
            "t.json: node 0 (residual_add0): residual_add input 'm' (multipliers) must be 1x8 i16, is 1x7 i16");
  EXPECT_EQ(err(R"({"op": "residual_add", "inputs": ["x", "m", "m"], "output": "y"})"),
            "t.json: node 0 (residual_add0): residual_add input 'acc' must be 1x8 i32, is 1x8 i16");
  EXPECT_EQ(err(R"({"op": "residual_add", "name": "r", "inputs": ["x", "acc"], "output": "y"})"),
            "t.json: node 0 (r): residual_add takes 3 input(s), got 2");
  EXPECT_EQ(err(R"({"op": "residual_add", "inputs": ["x", "acc", "m"], "output": "y8"})"),
            "t.json: node 0 (residual_add0): residual_add output must be 1x8 i32, is 1x8 i8");
  EXPECT_EQ(err(R"({"op": "embedding", "inputs": ["tok2", "e", "me"], "output": "y"})"),
            "t.json: node 0 (embedding0): embedding input 'token' must be 1x1 i16, is 1x2 i16");
  EXPECT_EQ(err(R"({"op": "embedding", "inputs": ["tok", "ei", "me"], "output": "y"})"),
            "t.json: node 0 (embedding0): embedding input 'table' must be an i8 weight, is 5x8 i8 input");
  EXPECT_EQ(err(R"({"op": "embedding", "inputs": ["tok", "e", "me4"], "output": "y"})"),
            "t.json: node 0 (embedding0): embedding input 'multipliers' must be a 5x1 i16 weight, is 4x1 i16 weight");
  EXPECT_EQ(err(R"({"op": "embedding", "inputs": ["tok", "e", "me"], "output": "y8"})"),
            "t.json: node 0 (embedding0): embedding output must be 1x8 i32, is 1x8 i8");
  // A round trip keeps the shift.
  const Graph g =
      parseGraph(head + R"({"op": "embedding", "inputs": ["tok", "e", "me"], "output": "y", "shift": 9}]})", "t");
  EXPECT_EQ(parseGraph(graphToJson(g), "t2").nodes[0].shift, 9u);
  EXPECT_EQ(parseGraph(graphToJson(g), "t2").nodes[0].op, OpKind::kEmbedding);
}

}  // namespace
}  // namespace lpu::compiler
