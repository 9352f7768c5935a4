// The decode step's programs (decode_graphs.hpp) compiled into one ProgramChain and run back to back on one golden
// model: every output, the KV cache rows included, equals IntModel's integers computed here from int_ops, and every
// program takes exactly its predicted cycles.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>

#include "sw/compiler/layout.hpp"
#include "sw/compiler/pin.hpp"
#include "sw/llm/generate.hpp"
#include "sw/llm/int_ops.hpp"
#include "sw/llm/program_chain.hpp"
#include "sw/model/machine.hpp"

namespace lpu::llm {
namespace {

using Values = std::map<std::string, std::vector<std::int32_t>>;

std::size_t sz(int v) { return static_cast<std::size_t>(v); }

std::vector<std::int32_t> matvec(const QuantMatrix& w, std::span<const std::int8_t> x) {
  std::vector<std::int32_t> acc(sz(w.rows));
  for (int r = 0; r < w.rows; ++r)
    for (int c = 0; c < w.cols; ++c) acc[sz(r)] += std::int32_t{w.row(r)[sz(c)]} * std::int32_t{x[sz(c)]};
  return acc;
}

template <typename T>
std::vector<T> project(const QuantMatrix& w, const Requant& rq, unsigned bits, std::span<const std::int8_t> x) {
  const std::vector<std::int32_t> acc = matvec(w, x);
  std::vector<T> out(acc.size());
  for (std::size_t r = 0; r < acc.size(); ++r) out[r] = static_cast<T>(req(acc[r], rq.multiplier[r], rq.shift, bits));
  return out;
}

template <typename T>
std::vector<std::int32_t> widen(const std::vector<T>& v) {
  return std::vector<std::int32_t>(v.begin(), v.end());
}

class DecodeGraphs : public ::testing::Test {
 protected:
  static constexpr const char* kConfig = "ulx3s";
  DecodeGraphs() : w_(quantizeModel(randomCheckpoint(shapeConfig("260K"), 11))), m_(isa::ArchConfig::byName(kConfig)) {}

  std::vector<std::int8_t> norm(const std::vector<std::int32_t>& x) const {
    std::vector<std::int8_t> xn(x.size());
    rmsnormInt(x, w_.norm, xn);
    return xn;
  }

  void run(const ChainProgram& p, const Values& in) {
    m_.loadProgram(withInputs(p, in));
    m_.start();
    const model::RunState st = m_.run(p.result.report.predicted_cycles + 1000);
    ASSERT_EQ(st, model::RunState::kDone) << p.name << ": " << (m_.error() ? m_.error()->message : "");
    EXPECT_EQ(m_.cycle(), p.result.report.predicted_cycles) << p.name;
  }

  std::vector<std::int32_t> read(const compiler::TensorLayout& t) const {
    compiler::MemoryLayout l;
    l.config = kConfig;
    l.lanes = isa::ArchConfig::byName(kConfig).params().lanes;
    l.tensors[t.name] = t;
    return compiler::unpackTensor(l, t.name, [&](unsigned pos, std::uint32_t a) { return m_.readSram(pos, a); });
  }
  std::vector<std::int32_t> read(const ChainProgram& p, const std::string& name) const {
    return read(p.result.layout.tensor(name));
  }

  IntWeights w_;
  model::Machine m_;
};

// x += req16(acc, rq), saturating: IntModel's addToResidual.
void addToResidual(std::vector<std::int32_t>& x, const std::vector<std::int32_t>& acc, const Requant& rq) {
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = saturate(std::int64_t{x[i]} + req(acc[i], rq.multiplier[i], rq.shift, 16), 32);
}

TEST_F(DecodeGraphs, LayerProgramsMatchIntOps) {
  const Config& c = w_.config;
  ProgramChain chain(kConfig);
  // The placement phase: each program once, in run order (argmax before the classifier chunks: it places the logits
  // they write parts of); then position 1's programs.
  const ChainProgram embed = chain.compile(embeddingGraph(w_, kConfig));
  const ChainProgram qkv0 = chain.compile(qkvGraph(w_, kConfig, 0, 0));
  const ChainProgram rope0 = chain.compile(ropeGraph(w_, kConfig, 0, 0));
  const ChainProgram out = chain.compile(outGraph(w_, kConfig, 0));
  const ChainProgram gate = chain.compile(gateGraph(w_, kConfig, 0));
  const ChainProgram up = chain.compile(upGraph(w_, kConfig, 0));
  const ChainProgram down = chain.compile(downGraph(w_, kConfig, 0));
  const ChainProgram argmax = chain.compile(argmaxGraph(w_, kConfig));
  std::vector<ChainProgram> cls;
  for (const StepGraph& g : classifierGraphs(w_, kConfig)) cls.push_back(chain.compile(g));
  ASSERT_EQ(cls.size(), 3u);
  chain.freeze();
  const ChainProgram qkv1 = chain.compile(qkvGraph(w_, kConfig, 0, 1));
  const ChainProgram rope1 = chain.compile(ropeGraph(w_, kConfig, 0, 1));
  std::vector<const ChainProgram*> all = {&embed, &qkv0, &qkv1, &rope0, &rope1, &out, &gate, &up, &down, &argmax};
  for (const ChainProgram& p : cls) all.push_back(&p);
  for (const ChainProgram* p : all) {
    for (const auto& [name, t] : p->result.layout.tensors) {
      // (The fused requants' multipliers are the compiler's own constants, carried by each program.)
      if (t.kind == compiler::TensorKind::kWeight && p->shared.count(name)) {
        EXPECT_TRUE(t.resident) << p->name << " carries " << name;
      }
    }
  }
  // No program's own tensor lies on a persistent one.
  for (const ChainProgram* p : all)
    for (const auto& [name, t] : p->result.layout.tensors) {
      if (t.pinned || p->shared.count(name)) continue;
      const auto mine = compiler::tensorWords(t);
      for (const auto& [pname, pt] : chain.placements())
        for (const auto& [pos, words] : compiler::tensorWords(pt)) {
          if (!mine.count(pos)) continue;
          std::vector<std::uint32_t> both;
          std::set_intersection(words.begin(), words.end(), mine.at(pos).begin(), mine.at(pos).end(),
                                std::back_inserter(both));
          EXPECT_TRUE(both.empty()) << p->name << ": " << name << " lies on " << pname << " in slice " << pos;
        }
    }
  m_.loadProgram(chain.setupImage());

  const IntLayer& L = w_.layers[0];
  std::vector<std::vector<std::int8_t>> k_rows, v_rows;
  std::vector<std::int32_t> x(sz(c.dim));
  for (int pos = 0; pos < 2; ++pos) {
    const int token = 3 + 40 * pos;
    run(embed, {{"token", {token}}});
    for (int i = 0; i < c.dim; ++i)
      x[sz(i)] = req(w_.embedding.row(token)[sz(i)], w_.embedding_rq.multiplier[sz(token)], w_.embedding_rq.shift, 16);
    ASSERT_EQ(read(chain.placement("x")), x) << "embedding of token " << token;
    const RopeInputs rope = ropeInputs(w_, pos);
    run(pos == 0 ? qkv0 : qkv1, {});
    run(pos == 0 ? rope0 : rope1,
        {{"cos_q", rope.cos_q}, {"sin_q", rope.sin_q}, {"cos_k", rope.cos_k}, {"sin_k", rope.sin_k}});
    const std::vector<std::int8_t> xn = norm(x);
    std::vector<std::int8_t> q8(sz(c.dim)), k8(sz(c.kvDim()));
    ropeInt(project<std::int16_t>(L.wq, L.rq, 16, xn), w_.rope, pos, q8);
    ropeInt(project<std::int16_t>(L.wk, L.rk, 16, xn), w_.rope, pos, k8);
    k_rows.push_back(k8);
    v_rows.push_back(project<std::int8_t>(L.wv, L.rv, 8, xn));
    EXPECT_EQ(read(chain.placement("l0.q8")), widen(q8)) << "pos " << pos;
  }
  // Both positions' rows are in the caches, row 0 untouched by the second program.
  const std::vector<std::int32_t> kc = read(chain.placement("l0.kcache")), vc = read(chain.placement("l0.vcache"));
  for (int pos = 0; pos < 2; ++pos) {
    const auto row = [&](const std::vector<std::int32_t>& cache) {
      return std::vector<std::int32_t>(cache.begin() + pos * c.kvDim(), cache.begin() + (pos + 1) * c.kvDim());
    };
    EXPECT_EQ(row(kc), widen(k_rows[sz(pos)])) << "k cache row " << pos;
    EXPECT_EQ(row(vc), widen(v_rows[sz(pos)])) << "v cache row " << pos;
  }

  // The attention output projection and its residual update, from a host-written attention result.
  std::vector<std::int8_t> xb8(sz(c.dim));
  std::mt19937 rng(5);
  for (auto& v : xb8) v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-127, 127)(rng));
  run(out, {{"xb8", widen(xb8)}});
  addToResidual(x, matvec(L.wo, xb8), L.ro);
  ASSERT_EQ(read(chain.placement("x")), x) << "after out";

  run(gate, {});
  run(up, {});
  run(down, {});
  const std::vector<std::int8_t> xn = norm(x);
  const std::vector<std::int16_t> gate16 = project<std::int16_t>(L.w1, L.r1, 16, xn);
  const std::vector<std::int8_t> up8 = project<std::int8_t>(L.w3, L.r3, 8, xn);
  std::vector<std::int8_t> glu(gate16.size());
  for (std::size_t i = 0; i < glu.size(); ++i) glu[i] = swigluInt(gate16[i], up8[i], L.glu.multiplier[0], L.glu.shift);
  EXPECT_EQ(read(chain.placement("l0.gate16")), widen(gate16));
  EXPECT_EQ(read(chain.placement("l0.glu8")), widen(glu));
  addToResidual(x, matvec(L.w2, glu), L.r2);
  ASSERT_EQ(read(chain.placement("x")), x) << "after down";

  for (const ChainProgram& p : cls) run(p, {});
  run(argmax, {});
  const std::vector<std::int16_t> logits = project<std::int16_t>(w_.classifier, w_.classifier_rq, 16, norm(x));
  EXPECT_EQ(read(chain.placement("logits")), widen(logits));
  EXPECT_EQ(read(chain.placement("next")), std::vector<std::int32_t>{argmaxInt(logits)});
}

}  // namespace
}  // namespace lpu::llm
