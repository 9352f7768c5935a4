// The decode step's operators (rmsnorm, argmax) compiled and run on the golden model: the output read back must
// equal sw/llm's integer reference (int_ops: rmsnormInt, argmaxInt) and the IR reference, bit for bit, on seeded
// random inputs, and the model must take exactly the predicted cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "sw/compiler/reference.hpp"
#include "sw/compiler/tests/test_util.hpp"
#include "sw/llm/int_ops.hpp"

namespace lpu::compiler {
namespace {

using testing::runOnModel;
using testing::Values;

Graph rmsnormGraph(const std::string& config, unsigned n, const llm::NormFormat& f) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI32, 1, n, TensorKind::kInput, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 1, n, TensorKind::kOutput, {}};
  Node nd{OpKind::kRmsnorm, "norm", {"x"}, "y", {}, f.shift};
  nd.eps_term = f.eps_term;
  nd.r_shift = f.r_shift;
  g.nodes.push_back(nd);
  return g;
}

Graph argmaxGraph(const std::string& config, unsigned n) {
  Graph g;
  g.config = config;
  g.tensors["x"] = Tensor{"x", DType::kI16, 1, n, TensorKind::kInput, {}};
  g.tensors["i"] = Tensor{"i", DType::kI32, 1, 1, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kArgmax, "pick", {"x"}, "i", {}, 0});
  return g;
}

// Compiles g, runs it with `in` on the model; checks done, cycles == predicted and every tensor against the IR
// reference. Returns the run.
testing::ModelRun compileAndRun(const Graph& g, const Values& in, std::uint64_t* cycles = nullptr) {
  const CompileResult r = compile(g);
  const testing::ModelRun run = runOnModel(r, in);
  EXPECT_EQ(run.state, model::RunState::kDone) << run.error;
  EXPECT_EQ(run.cycles, r.report.predicted_cycles);
  const TensorValues want = evaluateGraph(g, in);
  for (const auto& [name, vals] : run.tensors) EXPECT_EQ(vals, want.at(name)) << "tensor " << name;
  if (cycles) *cycles = r.report.predicted_cycles;
  return run;
}

struct NormCase {
  const char* config;
  unsigned n;
};

// Residual vectors like IntModel's (RMS from 1/4 to 8 times the typical RMS the format was made for), one with
// saturating q = sat16(x >> 2), and one whose sum of squares saturates at 2^31 - 1.
TEST(LlmOps, RmsnormMatchesIntOps) {
  for (const NormCase c : {NormCase{"ulx3s", 64}, NormCase{"ulx3s", 20}, NormCase{"ulx3s", 8}, NormCase{"small", 48},
                           NormCase{"large", 288}, NormCase{"large", 64}}) {
    const double x_scale = 1e-3, typical = 0.25;
    const llm::NormFormat f = llm::makeNormFormat(static_cast<int>(c.n), x_scale, typical, 1e-5, 5);
    const Graph g = rmsnormGraph(c.config, c.n, f);
    std::mt19937 rng(c.n * 7 + 1);
    for (int trial = 0; trial < 8; ++trial) {
      std::vector<std::int32_t> x(c.n);
      if (trial < 6) {
        std::normal_distribution<double> d(0.0, typical * std::ldexp(1.0, trial - 2));
        for (auto& v : x) v = static_cast<std::int32_t>(std::lround(d(rng) / x_scale));
      } else {
        // Beyond i16 after the pre-shift (trial 6: a few lanes), the sum saturating (trial 7: all lanes).
        std::uniform_int_distribution<std::int32_t> d(-(1 << 20), 1 << 20);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = (trial == 7 || i % 5 == 0) ? d(rng) : d(rng) >> 10;
      }
      std::vector<std::int8_t> want(c.n);
      llm::rmsnormInt(x, f, want);
      std::uint64_t cycles = 0;
      const testing::ModelRun run = compileAndRun(g, {{"x", x}}, &cycles);
      ASSERT_EQ(run.tensors.at("y").size(), c.n);
      for (unsigned i = 0; i < c.n; ++i)
        ASSERT_EQ(run.tensors.at("y")[i], want[i]) << c.config << " n " << c.n << " trial " << trial << " i " << i;
      if (trial == 0) std::printf("rmsnorm %s n %u: %llu cycles\n", c.config, c.n, (unsigned long long)cycles);
    }
  }
}

struct ArgmaxCase {
  const char* config;
  unsigned n;
  int lo, hi;  // value range: narrow ranges give ties (the first index must win)
};

TEST(LlmOps, ArgmaxMatchesIntOps) {
  for (const ArgmaxCase c :
       {ArgmaxCase{"ulx3s", 512, -32768, 32767}, ArgmaxCase{"ulx3s", 512, 5, 9}, ArgmaxCase{"ulx3s", 20, -300, -200},
        ArgmaxCase{"ulx3s", 1, -5, -5}, ArgmaxCase{"ulx3s", 37, -32768, -32768}, ArgmaxCase{"small", 100, -3, 3},
        ArgmaxCase{"large", 32000, -32768, 32767}, ArgmaxCase{"large", 300, 0, 2}}) {
    const Graph g = argmaxGraph(c.config, c.n);
    std::mt19937 rng(c.n + static_cast<unsigned>(c.hi) * 3);
    std::uniform_int_distribution<int> d(c.lo, c.hi);
    const int trials = c.n > 4096 ? 2 : 6;
    for (int trial = 0; trial < trials; ++trial) {
      std::vector<std::int16_t> x(c.n);
      for (auto& v : x) v = static_cast<std::int16_t>(d(rng));
      // Some trials put the maximum in the last lane or the first.
      if (trial == 1) x.back() = std::numeric_limits<std::int16_t>::max();
      if (trial == 2) x.front() = std::numeric_limits<std::int16_t>::max();
      const int want = llm::argmaxInt(x);
      std::uint64_t cycles = 0;
      const testing::ModelRun run = compileAndRun(g, {{"x", std::vector<std::int32_t>(x.begin(), x.end())}}, &cycles);
      ASSERT_EQ(run.tensors.at("i"), std::vector<std::int32_t>{want}) << c.config << " n " << c.n << " trial " << trial;
      if (trial == 0) std::printf("argmax %s n %u: %llu cycles\n", c.config, c.n, (unsigned long long)cycles);
    }
  }
}

struct GluCase {
  const char* config;
  unsigned rows, n;
};

// Gates over the whole Q4.11 range (silu saturates past +-16), all of int8 for up, multipliers and shifts like
// IntModel's.
TEST(LlmOps, SwigluMatchesIntOps) {
  for (const GluCase c :
       {GluCase{"ulx3s", 1, 172}, GluCase{"ulx3s", 2, 13}, GluCase{"small", 1, 40}, GluCase{"large", 1, 768}}) {
    std::mt19937 rng(c.n * 5 + c.rows);
    for (int trial = 0; trial < 3; ++trial) {
      const std::int32_t m = std::uniform_int_distribution<std::int32_t>(4096, 32767)(rng);
      const unsigned shift = 18 + static_cast<unsigned>(trial) * 3;
      Graph g;
      g.config = c.config;
      g.tensors["gate"] = Tensor{"gate", DType::kI16, c.rows, c.n, TensorKind::kInput, {}};
      g.tensors["up"] = Tensor{"up", DType::kI8, c.rows, c.n, TensorKind::kInput, {}};
      g.tensors["h"] = Tensor{"h", DType::kI8, c.rows, c.n, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kSwiglu, "glu", {"gate", "up"}, "h", {m}, shift});
      std::vector<std::int32_t> gate(std::size_t{c.rows} * c.n), up(gate.size());
      std::uniform_int_distribution<int> dg(-32768, 32767), du(-128, 127);
      for (auto& v : gate) v = trial == 0 ? dg(rng) : dg(rng) / 8;
      for (auto& v : up) v = du(rng);
      std::uint64_t cycles = 0;
      const testing::ModelRun run = compileAndRun(g, {{"gate", gate}, {"up", up}}, &cycles);
      for (std::size_t i = 0; i < gate.size(); ++i)
        ASSERT_EQ(run.tensors.at("h")[i],
                  llm::swigluInt(static_cast<std::int16_t>(gate[i]), static_cast<std::int8_t>(up[i]), m, shift))
            << c.config << " n " << c.n << " trial " << trial << " i " << i;
      if (trial == 0) std::printf("swiglu %s %ux%u: %llu cycles\n", c.config, c.rows, c.n, (unsigned long long)cycles);
    }
  }
}

struct RopeCase {
  const char* config;
  unsigned rows, dim, head_size;
};

// q/k-like vectors over the whole of i16 and a smaller range, at several positions of a 256-token table: C and S
// are the position's makeRopeTable row, each value in both lanes of its pair and repeated per head.
TEST(LlmOps, RopeMatchesIntOps) {
  for (const RopeCase c : {RopeCase{"ulx3s", 1, 64, 8}, RopeCase{"ulx3s", 2, 20, 4}, RopeCase{"small", 1, 48, 16},
                           RopeCase{"large", 1, 288, 48}}) {
    const llm::RopeTable t = llm::makeRopeTable(256, static_cast<int>(c.head_size));
    Graph g;
    g.config = c.config;
    g.tensors["x"] = Tensor{"x", DType::kI16, c.rows, c.dim, TensorKind::kInput, {}};
    g.tensors["cos"] = Tensor{"cos", DType::kI16, 1, c.dim, TensorKind::kInput, {}};
    g.tensors["sin"] = Tensor{"sin", DType::kI16, 1, c.dim, TensorKind::kInput, {}};
    g.tensors["y"] = Tensor{"y", DType::kI8, c.rows, c.dim, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kRope, "rope", {"x", "cos", "sin"}, "y", {}, 0});
    std::mt19937 rng(c.dim * 7 + c.rows);
    std::uniform_int_distribution<int> dx(-32768, 32767);
    int trial = 0;
    for (const int pos : {0, 1, 37, 255}) {
      std::vector<std::int32_t> cs(c.dim), sn(c.dim);
      const auto half = static_cast<std::size_t>(c.head_size / 2);
      for (unsigned i = 0; i < c.dim; ++i) {
        const std::size_t k = static_cast<std::size_t>(pos) * half + (i % c.head_size) / 2;
        cs[i] = t.cos[k];
        sn[i] = t.sin[k];
      }
      std::vector<std::int32_t> x(std::size_t{c.rows} * c.dim);
      for (auto& v : x) v = trial % 2 ? dx(rng) / 64 : dx(rng);
      std::uint64_t cycles = 0;
      const testing::ModelRun run = compileAndRun(g, {{"x", x}, {"cos", cs}, {"sin", sn}}, &cycles);
      for (unsigned r = 0; r < c.rows; ++r) {
        std::vector<std::int16_t> row(x.begin() + r * c.dim, x.begin() + (r + 1) * c.dim);
        std::vector<std::int8_t> want(c.dim);
        llm::ropeInt(row, t, pos, want);
        for (unsigned i = 0; i < c.dim; ++i)
          ASSERT_EQ(run.tensors.at("y")[std::size_t{r} * c.dim + i], want[i])
              << c.config << " dim " << c.dim << " pos " << pos << " row " << r << " i " << i;
      }
      if (trial == 0)
        std::printf("rope %s %ux%u (head %u): %llu cycles\n", c.config, c.rows, c.dim, c.head_size,
                    (unsigned long long)cycles);
      ++trial;
    }
  }
}

// Several rows: each is normalised (and searched) on its own.
TEST(LlmOps, SeveralRows) {
  for (const char* config : {"ulx3s", "large"}) {
    const llm::NormFormat f = llm::makeNormFormat(20, 1e-3, 0.25, 1e-5, 5);
    Graph g = rmsnormGraph(config, 20, f);
    g.tensors["x"].rows = g.tensors["y"].rows = 3;
    g.tensors["v"] = Tensor{"v", DType::kI16, 3, 37, TensorKind::kInput, {}};
    g.tensors["i"] = Tensor{"i", DType::kI32, 3, 1, TensorKind::kOutput, {}};
    g.nodes.push_back(Node{OpKind::kArgmax, "pick", {"v"}, "i", {}, 0});
    std::mt19937 rng(99);
    std::normal_distribution<double> d(0.0, 250.0);
    std::uniform_int_distribution<int> dv(-40, 40);
    std::vector<std::int32_t> x(60), v(3 * 37);
    for (auto& e : x) e = static_cast<std::int32_t>(std::lround(d(rng)));
    for (auto& e : v) e = dv(rng);
    const testing::ModelRun run = compileAndRun(g, {{"x", x}, {"v", v}});
    for (unsigned r = 0; r < 3; ++r) {
      std::vector<std::int8_t> want(20);
      llm::rmsnormInt(std::span<const std::int32_t>(x).subspan(r * 20, 20), f, want);
      for (unsigned i = 0; i < 20; ++i) EXPECT_EQ(run.tensors.at("y")[r * 20 + i], want[i]) << config << " row " << r;
      const std::vector<std::int16_t> row(v.begin() + r * 37, v.begin() + (r + 1) * 37);
      EXPECT_EQ(run.tensors.at("i")[r], llm::argmaxInt(row)) << config << " row " << r;
    }
  }
}

// rmsnorm between two matmuls: x is a matmul's i32 output, laid out by the matmul (tiles in both hemispheres on
// two MXMs), and y feeds the next matmul's activations.
TEST(LlmOps, RmsnormBetweenMatmuls) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    for (unsigned mxms : {1u, 2u}) {
      Graph g;
      g.config = config;
      g.tensors["a"] = Tensor{"a", DType::kI8, 1, 64, TensorKind::kInput, {}};
      g.tensors["w"] = Tensor{"w", DType::kI8, 64, 64, TensorKind::kWeight, std::vector<std::int32_t>(64 * 64)};
      g.tensors["h"] = Tensor{"h", DType::kI32, 1, 64, TensorKind::kTemp, {}};
      g.tensors["n"] = Tensor{"n", DType::kI8, 1, 64, TensorKind::kTemp, {}};
      g.tensors["w2"] = Tensor{"w2", DType::kI8, 64, 40, TensorKind::kWeight, std::vector<std::int32_t>(64 * 40)};
      g.tensors["o"] = Tensor{"o", DType::kI32, 1, 40, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, "mm1", {"a", "w"}, "h", {}, 0});
      Node nd{OpKind::kRmsnorm, "norm", {"h"}, "n", {}, 15};
      nd.eps_term = 40;
      nd.r_shift = 10;
      g.nodes.push_back(nd);
      g.nodes.push_back(Node{OpKind::kMatmul, "mm2", {"n", "w2"}, "o", {}, 0});
      CompileOptions opt;
      opt.mxms = mxms;
      SCOPED_TRACE(std::string(config) + " mxms " + std::to_string(mxms));
      testing::compileAndCheckOnModel(g, 5, opt);
    }
  }
}

// A requant whose multipliers are a weight input (an i16 1 x N tensor, stored like the matmul's weights and, in a
// chain of programs, resident) instead of the node's `multiplier` field: equal to the reference, and the compiler
// builds no multiplier constant of its own.
TEST(LlmOps, RequantMultiplierInputEqualsReference) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    for (unsigned mxms : {1u, 2u}) {
      std::mt19937 rng(3 + mxms);
      std::uniform_int_distribution<int> dm(-3000, 3000);
      std::vector<std::int32_t> m(40);
      for (auto& v : m) v = dm(rng);
      Graph g;
      g.config = config;
      g.tensors["a"] = Tensor{"a", DType::kI8, 1, 64, TensorKind::kInput, {}};
      g.tensors["w"] = Tensor{"w", DType::kI8, 64, 40, TensorKind::kWeight, std::vector<std::int32_t>(64 * 40)};
      g.tensors["w.m"] = Tensor{"w.m", DType::kI16, 1, 40, TensorKind::kWeight, m};
      g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, 40, TensorKind::kTemp, {}};
      g.tensors["y"] = Tensor{"y", DType::kI16, 1, 40, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"a", "w"}, "acc", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc", "w.m"}, "y", {}, 11});
      CompileOptions opt;
      opt.mxms = mxms;
      SCOPED_TRACE(std::string(config) + " mxms " + std::to_string(mxms));
      const CompileResult r = testing::compileAndCheckOnModel(g, 9, opt);
      EXPECT_TRUE(r.layout.tensors.count("w.m"));
      EXPECT_FALSE(r.layout.tensors.count("rq.multiplier"));
    }
  }
  // Both a multiplier input and the field: refused.
  Graph g;
  g.config = "ulx3s";
  g.tensors["a"] = Tensor{"a", DType::kI8, 1, 8, TensorKind::kInput, {}};
  g.tensors["w"] = Tensor{"w", DType::kI8, 8, 8, TensorKind::kWeight, std::vector<std::int32_t>(64)};
  g.tensors["w.m"] = Tensor{"w.m", DType::kI16, 1, 8, TensorKind::kWeight, std::vector<std::int32_t>(8, 1)};
  g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, 8, TensorKind::kTemp, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 1, 8, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"a", "w"}, "acc", {}, 0});
  g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc", "w.m"}, "y", {3}, 4});
  EXPECT_THROW(compile(g), GraphError);
}

// Programs compiled with one ConstantPool carry none of their vector constants: the first adds them to the pool,
// a second that asks for the same ones adds none; each runs with the pool's words written once.
TEST(LlmOps, ConstantPoolSharedByPrograms) {
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("ulx3s");
  ConstantPool pool;
  for (unsigned p = 0; p < cfg.positions(); ++p)
    if (cfg.sliceAt(p) == isa::Slice::kMEM) pool.addRegion(p, 200, 232);
  CompileOptions opt;
  opt.constants = &pool;
  llm::NormFormat f;
  f.shift = 12;
  f.eps_term = 77;
  f.r_shift = 9;
  const Graph g1 = rmsnormGraph("ulx3s", 64, f);
  f.shift = 13;
  const Graph g2 = rmsnormGraph("ulx3s", 64, f);
  const CompileResult r1 = compile(g1, opt);
  const std::size_t entries = pool.entries().size();
  EXPECT_GT(entries, 0u);
  const CompileResult r2 = compile(g2, opt);
  EXPECT_EQ(pool.entries().size(), entries);
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> dx(-200000, 200000);
  Values in{{"x", std::vector<std::int32_t>(64)}};
  for (auto& v : in["x"]) v = dx(rng);
  for (const CompileResult* r : {&r1, &r2}) {
    EXPECT_TRUE(r->program.data.empty());  // no weights, no constants of its own
    for (const auto& [pos, used] : r->layout.words_used) EXPECT_LE(used, 200u);
    CompileResult with = *r;
    with.program.data = pool.segments();
    const testing::ModelRun run = runOnModel(with, in);
    ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
    EXPECT_EQ(run.cycles, r->report.predicted_cycles);
    EXPECT_EQ(run.tensors.at("y"), evaluateGraph(r == &r1 ? g1 : g2, in).at("y"));
  }
}

// swiglu between matmuls: up is a fused requant's output, the result feeds the down projection.
TEST(LlmOps, SwigluBetweenMatmuls) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    for (unsigned mxms : {1u, 2u}) {
      Graph g;
      g.config = config;
      g.tensors["a"] = Tensor{"a", DType::kI8, 1, 32, TensorKind::kInput, {}};
      g.tensors["gate"] = Tensor{"gate", DType::kI16, 1, 72, TensorKind::kInput, {}};
      g.tensors["w3"] = Tensor{"w3", DType::kI8, 32, 72, TensorKind::kWeight, std::vector<std::int32_t>(32 * 72)};
      g.tensors["u32"] = Tensor{"u32", DType::kI32, 1, 72, TensorKind::kTemp, {}};
      g.tensors["up"] = Tensor{"up", DType::kI8, 1, 72, TensorKind::kTemp, {}};
      g.tensors["h"] = Tensor{"h", DType::kI8, 1, 72, TensorKind::kTemp, {}};
      g.tensors["w2"] = Tensor{"w2", DType::kI8, 72, 24, TensorKind::kWeight, std::vector<std::int32_t>(72 * 24)};
      g.tensors["o"] = Tensor{"o", DType::kI32, 1, 24, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, "w3", {"a", "w3"}, "u32", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rq", {"u32"}, "up", {300}, 9});
      g.nodes.push_back(Node{OpKind::kSwiglu, "glu", {"gate", "up"}, "h", {9000}, 14});
      g.nodes.push_back(Node{OpKind::kMatmul, "w2", {"h", "w2"}, "o", {}, 0});
      CompileOptions opt;
      opt.mxms = mxms;
      SCOPED_TRACE(std::string(config) + " mxms " + std::to_string(mxms));
      testing::compileAndCheckOnModel(g, 9, opt);
    }
  }
}

// A matvec requantised to i16 (IntModel's q, k and gate projections: project(..., 16)) feeding rope, and one read
// back as an output: the i16 result equals sw/llm's req at 16 bits, and rope's result equals ropeInt of it.
TEST(LlmOps, Requant16FeedsRope) {
  for (const char* config : {"ulx3s", "small", "large"}) {
    for (unsigned mxms : {1u, 2u}) {
      constexpr unsigned kDim = 64, kHead = 8;
      std::mt19937 rng(kDim + mxms);
      std::uniform_int_distribution<std::int32_t> dw(-127, 127), dm(1000, 32767);
      Graph g;
      g.config = config;
      std::vector<std::int32_t> w(kDim * kDim), wk(kDim * 24), m(kDim), mk(24);
      for (auto& v : w) v = dw(rng);
      for (auto& v : wk) v = dw(rng);
      for (auto& v : m) v = dm(rng);
      for (auto& v : mk) v = dm(rng);
      g.tensors["a"] = Tensor{"a", DType::kI8, 1, kDim, TensorKind::kInput, {}};
      g.tensors["wq"] = Tensor{"wq", DType::kI8, kDim, kDim, TensorKind::kWeight, w};
      g.tensors["wk"] = Tensor{"wk", DType::kI8, kDim, 24, TensorKind::kWeight, wk};
      g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, kDim, TensorKind::kTemp, {}};
      g.tensors["acck"] = Tensor{"acck", DType::kI32, 1, 24, TensorKind::kTemp, {}};
      g.tensors["q16"] = Tensor{"q16", DType::kI16, 1, kDim, TensorKind::kTemp, {}};
      g.tensors["k16"] = Tensor{"k16", DType::kI16, 1, 24, TensorKind::kOutput, {}};
      g.tensors["cos"] = Tensor{"cos", DType::kI16, 1, kDim, TensorKind::kInput, {}};
      g.tensors["sin"] = Tensor{"sin", DType::kI16, 1, kDim, TensorKind::kInput, {}};
      g.tensors["q8"] = Tensor{"q8", DType::kI8, 1, kDim, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, "wq", {"a", "wq"}, "acc", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc"}, "q16", m, 12});
      g.nodes.push_back(Node{OpKind::kMatmul, "wk", {"a", "wk"}, "acck", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rk", {"acck"}, "k16", mk, 10});
      g.nodes.push_back(Node{OpKind::kRope, "rope", {"q16", "cos", "sin"}, "q8", {}, 0});
      const llm::RopeTable t = llm::makeRopeTable(16, static_cast<int>(kHead));
      const int pos = 5;
      std::vector<std::int32_t> a(kDim), cs(kDim), sn(kDim);
      for (auto& v : a) v = dw(rng);
      for (unsigned i = 0; i < kDim; ++i) {
        const std::size_t k = static_cast<std::size_t>(pos) * (kHead / 2) + (i % kHead) / 2;
        cs[i] = t.cos[k];
        sn[i] = t.sin[k];
      }
      CompileOptions opt;
      opt.mxms = mxms;
      SCOPED_TRACE(std::string(config) + " mxms " + std::to_string(mxms));
      const CompileResult r = compile(g, opt);
      const testing::ModelRun run = runOnModel(r, {{"a", a}, {"cos", cs}, {"sin", sn}});
      ASSERT_EQ(run.state, model::RunState::kDone) << run.error;
      EXPECT_EQ(run.cycles, r.report.predicted_cycles);
      // The reference written from sw/llm's own primitives, not the IR's.
      std::vector<std::int16_t> q16(kDim);
      for (unsigned c = 0; c < kDim; ++c) {
        std::int32_t acc = 0;
        for (unsigned k = 0; k < kDim; ++k) acc += w[k * kDim + c] * a[k];
        q16[c] = static_cast<std::int16_t>(llm::req(acc, m[c], 12, 16));
      }
      for (unsigned c = 0; c < 24; ++c) {
        std::int32_t acc = 0;
        for (unsigned k = 0; k < kDim; ++k) acc += wk[k * 24 + c] * a[k];
        EXPECT_EQ(run.tensors.at("k16")[c], llm::req(acc, mk[c], 10, 16)) << "k16 column " << c;
      }
      std::vector<std::int8_t> want(kDim);
      llm::ropeInt(q16, t, pos, want);
      for (unsigned i = 0; i < kDim; ++i) EXPECT_EQ(run.tensors.at("q8")[i], want[i]) << "q8 column " << i;
    }
  }
}

// The decode step's gate projection: rmsnorm -> a wide matvec (22 column tiles over both MXMs) requantised to i16.
TEST(LlmOps, RmsnormWideMatvec16) {
  for (unsigned n : {172u, 64u, 24u}) {
    for (bool norm : {true, false}) {
      std::mt19937 rng(n);
      std::uniform_int_distribution<std::int32_t> dw(-127, 127), dm(1000, 32767);
      Graph g;
      g.config = "ulx3s";
      std::vector<std::int32_t> w(64 * n), m(n);
      for (auto& v : w) v = dw(rng);
      for (auto& v : m) v = dm(rng);
      g.tensors["w1"] = Tensor{"w1", DType::kI8, 64, n, TensorKind::kWeight, w};
      g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, n, TensorKind::kTemp, {}};
      g.tensors["g16"] = Tensor{"g16", DType::kI16, 1, n, TensorKind::kOutput, {}};
      if (norm) {
        g.tensors["x"] = Tensor{"x", DType::kI32, 1, 64, TensorKind::kInput, {}};
        g.tensors["xn"] = Tensor{"xn", DType::kI8, 1, 64, TensorKind::kTemp, {}};
        Node nd{OpKind::kRmsnorm, "norm", {"x"}, "xn", {}, 15};
        nd.eps_term = 40;
        nd.r_shift = 10;
        g.nodes.push_back(nd);
      } else {
        g.tensors["xn"] = Tensor{"xn", DType::kI8, 1, 64, TensorKind::kInput, {}};
      }
      g.nodes.push_back(Node{OpKind::kMatmul, "w1", {"xn", "w1"}, "acc", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc"}, "g16", m, 14});
      SCOPED_TRACE(fmt::format("n {} norm {}", n, norm));
      testing::compileAndCheckOnModel(g, n + 1);
    }
  }
}

TEST(LlmOps, GraphFormatErrorsNameTheField) {
  const std::string head =
      R"({"config": "ulx3s", "tensors": {"x": {"shape": [8], "dtype": "i32", "kind": "input"},
          "y": {"shape": [8], "dtype": "i8", "kind": "output"}}, "nodes": [)";
  auto err = [&](const std::string& node) {
    try {
      parseGraph(head + node + "]}", "t.json");
    } catch (const GraphError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err(R"({"op": "rmsnorm", "inputs": ["x"], "output": "y", "r_shift": -1})"),
            "t.json: node 0 (rmsnorm0): field 'r_shift' must be a non-negative integer, got -1");
  EXPECT_EQ(err(R"({"op": "rmsnorm", "inputs": ["x"], "output": "y", "r_shift": 40})"),
            "t.json: node 0 (rmsnorm0): field 'r_shift': 40 is not 0..31");
  EXPECT_EQ(err(R"({"op": "rmsnorm", "inputs": ["x"], "output": "y", "eps_term": 3000000000})"),
            "t.json: node 0 (rmsnorm0): field 'eps_term': 3000000000 exceeds 2^31-1");
  EXPECT_EQ(err(R"({"op": "argmax", "name": "am", "inputs": ["x"], "output": "y"})"),
            "t.json: node 0 (am): argmax input must be i16, is 1x8 i32");
  EXPECT_EQ(err(R"({"op": "rope", "inputs": ["x"], "output": "y"})"),
            "t.json: node 0 (rope0): rope takes 3 input(s), got 1");
  EXPECT_EQ(err(R"({"op": "rope", "inputs": ["x", "x", "x"], "output": "y"})"),
            "t.json: node 0 (rope0): rope input must be i16 with an even number of columns (pairs), is 1x8 i32");
  // A round trip keeps the parameters.
  const Graph g = parseGraph(
      head + R"({"op": "rmsnorm", "inputs": ["x"], "output": "y", "eps_term": 36, "r_shift": 3, "shift": 21}]})", "t");
  const Graph g2 = parseGraph(graphToJson(g), "t2");
  EXPECT_EQ(g2.nodes[0].eps_term, 36);
  EXPECT_EQ(g2.nodes[0].r_shift, 3u);
  EXPECT_EQ(g2.nodes[0].shift, 21u);
}

}  // namespace
}  // namespace lpu::compiler
