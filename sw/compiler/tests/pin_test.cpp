// Pinned tensors: programs sharing weights, activations and a KV cache in SRAM, run back to back on
// one golden model without reloading; and the errors of bad pins.
#include "sw/compiler/pin.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

using testing::reference;
using testing::Values;

// in (M x K, i8 input) . w (K x N weight) -> requant -> out (M x N, i8 output).
Graph projGraph(const std::string& in, const std::string& out, unsigned M, unsigned K, unsigned N, std::uint64_t seed) {
  Graph g;
  g.config = "small";
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127), m(-300, 300);
  Tensor w{"w", DType::kI8, K, N, TensorKind::kWeight, std::vector<std::int32_t>(std::size_t{K} * N)};
  for (auto& v : w.data) v = d(rng);
  g.tensors[in] = Tensor{in, DType::kI8, M, K, TensorKind::kInput, {}};
  g.tensors["w"] = w;
  g.tensors["acc"] = Tensor{"acc", DType::kI32, M, N, TensorKind::kTemp, {}};
  g.tensors[out] = Tensor{out, DType::kI8, M, N, TensorKind::kOutput, {}};
  std::vector<std::int32_t> mult(N);
  for (auto& v : mult) v = m(rng);
  g.nodes.push_back(Node{OpKind::kMatmul, "mm", {in, "w"}, "acc", {}, 0});
  g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc"}, out, mult, 9});
  return g;
}

std::vector<std::int32_t> randomI8(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<std::int32_t> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

// Loads r.program (+ the given host inputs) into m, runs it and checks it ends done in the predicted
// cycles.
void runOn(model::Machine& m, const CompileResult& r, const Values& inputs) {
  isa::Program p = r.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : packTensor(r.layout, name, vals)) p.data.push_back(std::move(seg));
  m.loadProgram(p);
  m.start();
  const model::RunState st = m.run(r.report.predicted_cycles + 1000);
  ASSERT_EQ(st, model::RunState::kDone) << (m.error() ? m.error()->message : "");
  EXPECT_EQ(m.cycle(), r.report.predicted_cycles);
}

std::vector<std::int32_t> readBack(const model::Machine& m, const MemoryLayout& l, const std::string& name) {
  return unpackTensor(l, name, [&](unsigned p, std::uint32_t a) { return m.readSram(p, a); });
}

// True when a data segment of the program writes a word of tensor t.
bool programWrites(const CompileResult& r, const TensorLayout& t) {
  const auto words = tensorWords(t);
  const unsigned L = r.layout.lanes;
  for (const isa::DataSegment& s : r.program.data) {
    auto it = words.find(s.position);
    if (it == words.end()) continue;
    for (std::uint32_t a : it->second)
      if (a >= s.address && a < s.address + s.bytes.size() / L) return true;
  }
  return false;
}

std::vector<unsigned> memPositions(const isa::ArchConfig& cfg) {
  std::vector<unsigned> v;
  for (unsigned p = 0; p < cfg.positions(); ++p)
    if (cfg.sliceAt(p) == isa::Slice::kMEM) v.push_back(p);
  return v;
}

TEST(Pin, SharedWeightAndActivationBackToBack) {
  // A: y = rq(x . w); B: z = rq(y . w), reading A's weight and A's output where A left them.
  const unsigned M = 3, K = 20;
  Graph a = projGraph("x", "y", M, K, K, 1);
  Graph b = projGraph("y", "z", M, K, K, 1);
  const CompileResult ra = compile(a);
  pinTo(b, "w", ra.layout, true);
  pinTo(b, "y", ra.layout, true);
  const CompileResult rb = compile(b);
  // B places nothing on A's w and y, and carries no data for them.
  for (const char* t : {"w", "y"}) {
    EXPECT_TRUE(rb.layout.tensor(t).pinned && rb.layout.tensor(t).resident) << t;
    EXPECT_EQ(tensorWords(rb.layout.tensor(t)), tensorWords(ra.layout.tensor(t))) << t;
    EXPECT_FALSE(programWrites(rb, ra.layout.tensor(t))) << t;
  }
  for (const auto& [name, tl] : rb.layout.tensors) {
    if (name == "w" || name == "y") continue;
    for (const auto& [p, words] : tensorWords(tl))
      for (const char* t : {"w", "y"}) {
        const auto pinned = tensorWords(ra.layout.tensor(t));
        if (!pinned.count(p)) continue;
        for (std::uint32_t w : words)
          EXPECT_FALSE(std::binary_search(pinned.at(p).begin(), pinned.at(p).end(), w))
              << name << " on " << t << " at slice " << p << " word " << w;
      }
  }
  const Values in{{"x", randomI8(M * K, 2)}};
  const Values want_a = reference(a, in);
  const Values want_b = reference(b, {{"y", want_a.at("y")}});
  model::Machine m(isa::ArchConfig::byName("small"));
  runOn(m, ra, in);
  EXPECT_EQ(readBack(m, ra.layout, "y"), want_a.at("y"));
  runOn(m, rb, {});
  EXPECT_EQ(readBack(m, rb.layout, "z"), want_b.at("z"));
  EXPECT_EQ(readBack(m, rb.layout, "w"), b.tensor("w").data);
}

TEST(Pin, HostComputedPinsInGraphJson) {
  // A host writes its own placement into the graph: a at words 100.. of the first MEM slice, y at
  // 200.. of the last one, tile 1 of each 4 rows (tile_stride) after tile 0.
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("small");
  const std::vector<unsigned> mem = memPositions(cfg);
  const std::string json = fmt::format(
      R"({{"config": "small", "tensors": {{
        "a": {{"shape": [3, 20], "kind": "input",
              "pin": {{"fragments": [{{"slices": [{}], "base": 100, "tile_stride": 4}}]}}}},
        "y": {{"shape": [3, 20], "kind": "output",
              "pin": {{"fragments": [{{"col_tiles": [0, 1], "slices": [{}], "base": 200}},
                                    {{"col_tiles": [1, 2], "slices": [{}], "base": 300}}]}}}}}},
       "nodes": [{{"op": "relu", "inputs": ["a"], "output": "y"}}]}})",
      mem.front(), mem.back(), mem.back());
  const Graph g = parseGraph(json, "pins.json");
  EXPECT_EQ(parseGraph(graphToJson(g)).tensor("a").pin, g.tensor("a").pin);
  const CompileResult r = testing::compileAndCheckOnModel(g, 3);
  const TensorLayout& a = r.layout.tensor("a");
  EXPECT_EQ(a.locate(2, 1).position, mem.front());
  EXPECT_EQ(a.locate(2, 1).address, 100u + 4 + 2);
  EXPECT_EQ(r.layout.tensor("y").locate(1, 1).address, 301u);
  // The exported layout carries the pin and reads back as one.
  EXPECT_NE(r.layout.toJson().find("\"tile_stride\": 4"), std::string::npos);
}

TEST(Pin, KvCacheRowsAtSuccessivePositions) {
  // K cache: T rows (positions) x kv i8, held by the host in one MEM slice, kept across programs.
  // The projection program for position pos writes its k row into cache row pos.
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("small");
  const unsigned T = 8, D = 16, KV = 32, L = cfg.lanes();
  TensorLayout cache;
  cache.name = "kcache";
  cache.rows = T;
  cache.cols = KV;
  cache.col_tiles = KV / L;
  Fragment f;
  f.ct_end = cache.col_tiles;
  f.slices = {memPositions(cfg).back()};
  f.base = cfg.wordsPerSlice() - cache.col_tiles * T;
  f.rows = T;
  cache.fragments.push_back(f);
  MemoryLayout cl;
  cl.config = "small";
  cl.lanes = L;
  cl.tensors["kcache"] = cache;

  model::Machine m(cfg);
  // Every cache byte starts at 5, so that a write to a wrong row shows.
  std::vector<std::int32_t> want(std::size_t{T} * KV, 5);
  for (const isa::DataSegment& s : packTensor(cl, "kcache", want))
    for (std::size_t w = 0; w * L < s.bytes.size(); ++w)
      m.writeSram(s.position, s.address + static_cast<std::uint32_t>(w), std::span(s.bytes).subspan(w * L, L));
  MemoryLayout prev;
  for (unsigned pos : {0u, 1u}) {
    SCOPED_TRACE(fmt::format("position {}", pos));
    Graph g = projGraph("x", "k", 1, D, KV, 11);
    g.tensors["k"].pin = tensorLayoutJson(rowsOf(cache, pos, 1), L);
    if (pos > 0) pinTo(g, "w", prev, true);  // the weight stays from position 0
    CompileOptions opt;
    opt.keep = {cache};
    const CompileResult r = compile(g, opt);
    const Values in{{"x", randomI8(D, 20 + pos)}};
    const Values ref = reference(g, in);
    runOn(m, r, in);
    std::copy(ref.at("k").begin(), ref.at("k").end(), want.begin() + std::ptrdiff_t{pos} * KV);
    EXPECT_EQ(readBack(m, cl, "kcache"), want);
    prev = r.layout;
  }
  // A reader (the attention's side) takes the cache as a resident input.
  Graph rd;
  rd.config = "small";
  rd.tensors["kc"] = Tensor{"kc", DType::kI8, T, KV, TensorKind::kInput, {}};
  rd.tensors["out"] = Tensor{"out", DType::kI8, T, KV, TensorKind::kOutput, {}};
  rd.nodes.push_back(Node{OpKind::kCopy, "cp", {"kc"}, "out", {}, 0});
  pinTo(rd, "kc", cl, true, "kcache");
  const CompileResult r = compile(rd);
  runOn(m, r, {});
  EXPECT_EQ(readBack(m, r.layout, "out"), want);
}

// A wide matvec (x . w, 22 column tiles over both MXMs, requantised to i16) compiled again with its weight pinned
// resident where the first compile put it: the pinned program computes what the first one does, on every tile.
TEST(Pin, ResidentWideWeightRecompiled) {
  for (unsigned n : {172u, 64u})
    for (bool norm : {false, true}) {
      SCOPED_TRACE(fmt::format("n {} norm {}", n, norm));
      Graph g;
      g.config = "ulx3s";
      std::mt19937_64 rng(n);
      std::uniform_int_distribution<int> d(-127, 127), dm(1000, 32767);
      Tensor w{"w", DType::kI8, 64, n, TensorKind::kWeight, std::vector<std::int32_t>(64 * n)};
      for (auto& v : w.data) v = d(rng);
      std::vector<std::int32_t> mult(n);
      for (auto& v : mult) v = dm(rng);
      if (norm) {
        g.tensors["x32"] = Tensor{"x32", DType::kI32, 1, 64, TensorKind::kInput, {}};
        g.tensors["x"] = Tensor{"x", DType::kI8, 1, 64, TensorKind::kOutput, {}};
        Node nd{OpKind::kRmsnorm, "norm", {"x32"}, "x", {}, 15};
        nd.eps_term = 40;
        nd.r_shift = 10;
        g.nodes.push_back(nd);
      } else {
        g.tensors["x"] = Tensor{"x", DType::kI8, 1, 64, TensorKind::kInput, {}};
      }
      g.tensors["w"] = w;
      g.tensors["acc"] = Tensor{"acc", DType::kI32, 1, n, TensorKind::kTemp, {}};
      g.tensors["y"] = Tensor{"y", DType::kI16, 1, n, TensorKind::kOutput, {}};
      g.nodes.push_back(Node{OpKind::kMatmul, "mm", {"x", "w"}, "acc", {}, 0});
      g.nodes.push_back(Node{OpKind::kRequant, "rq", {"acc"}, "y", mult, 14});
      const CompileResult first = compile(g);
      Graph g2 = g;
      pinTo(g2, "w", first.layout, true);
      const CompileResult second = compile(g2);
      EXPECT_FALSE(programWrites(second, first.layout.tensor("w")));
      Values in{{"x", randomI8(64, n)}};
      if (norm) {
        in.clear();
        std::vector<std::int32_t> x32(64);
        for (auto& v : x32) v = d(rng) * 40;
        in["x32"] = x32;
      }
      const Values want = reference(g, in);
      model::Machine m(isa::ArchConfig::byName("ulx3s"));
      runOn(m, first, in);
      EXPECT_EQ(readBack(m, first.layout, "y"), want.at("y"));
      model::Machine m2(isa::ArchConfig::byName("ulx3s"));
      isa::Program weights;
      weights.config = "ulx3s";
      weights.queues.resize(m2.config().queues());
      weights.data = packTensor(first.layout, "w", w.data);
      m2.loadProgram(weights);
      runOn(m2, second, in);
      EXPECT_EQ(readBack(m2, second.layout, "y"), want.at("y"));
    }
}

// The error message of compiling `g` (empty when it compiles).
std::string compileError(const Graph& g) {
  try {
    compile(g);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

Graph reluGraph() {
  Graph g;
  g.config = "small";
  g.tensors["a"] = Tensor{"a", DType::kI8, 3, 20, TensorKind::kInput, {}};
  g.tensors["y"] = Tensor{"y", DType::kI8, 3, 20, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kRelu, "act", {"a"}, "y", {}, 0});
  return g;
}

TEST(Pin, BadPinsNameTensorFragmentAndField) {
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("small");
  const unsigned s = memPositions(cfg).front();
  struct Case {
    std::string pin, want;
  };
  const std::vector<Case> cases = {
      {fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 0}}]}})", cfg.vxmPosition()),
       fmt::format("tensor 'a': pin fragment 0: slice {} is not a MEM slice of small", cfg.vxmPosition())},
      {fmt::format(R"({{"fragments": [{{"plane": 1, "slices": [{}], "base": 0}}]}})", s),
       "fragment 0: plane 1, expected 0 .. 0"},
      {fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 4093}}]}})", s),
       "fragment 0: words 4093 .. 4098 out of range, a slice of small has words 0 .. 4095"},
      {fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 0, "tile_stride": 2}}]}})", s),
       "tile_stride 2 is misaligned: below the 3 rows of a tile"},
      {fmt::format(R"({{"fragments": [{{"col_tiles": [0, 1], "slices": [{}], "base": 0}}]}})", s),
       "no fragment holds column tile 1 of plane 0"},
      {fmt::format(R"({{"fragments": [{{"slices": [{}, {}], "base": 0}}]}})", s, s),
       "slice " + std::to_string(s) + " listed twice"},
      {fmt::format(R"({{"fragments": [{{"slices": [{}]}}]}})", s), "fragment 0: needs 'base'"},
      {fmt::format(R"({{"shape": [4, 20], "fragments": [{{"slices": [{}], "base": 0}}]}})", s),
       "shape [4,20], the tensor is [3, 20]"},
      {R"({"slices": [1]})", "tensor 'a': pin: needs a non-empty array 'fragments'"},
      {fmt::format(R"({{"tile_cols": 17, "fragments": [{{"slices": [{}], "base": 0}}]}})", s),
       "field 'tile_cols' is 17, expected 1 .. 16"},
      {fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 0}}, )"
                   R"({{"col_tiles": [1, 2], "slices": [{}], "base": 9}}]}})",
                   s, s),
       "fragment 1: column tile 1 of plane 0 copy 0 is also in fragment 0"},
  };
  for (const Case& c : cases) {
    Graph g = reluGraph();
    g.tensors["a"].pin = c.pin;
    const std::string e = compileError(g);
    EXPECT_NE(e.find(c.want), std::string::npos) << "pin " << c.pin << "\n got: " << e << "\n want: " << c.want;
  }
}

TEST(Pin, OverlappingPinsAndResidentWithoutPin) {
  const unsigned s = memPositions(isa::ArchConfig::byName("small")).front();
  Graph g = reluGraph();
  g.tensors["a"].pin = fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 100}}]}})", s);
  g.tensors["y"].pin = fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 105}}]}})", s);
  EXPECT_NE(
      compileError(g).find(fmt::format("tensor 'y': pinned to word 105 of slice {}, which pinned tensor 'a' holds", s)),
      std::string::npos)
      << compileError(g);
  // Apart, they compile.
  g.tensors["y"].pin = fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 106}}]}})", s);
  EXPECT_EQ(compileError(g), "");

  Graph h = reluGraph();
  h.tensors["a"].resident = true;
  EXPECT_NE(compileError(h).find("tensor 'a': resident needs a pin"), std::string::npos) << compileError(h);
  Graph o = reluGraph();
  o.tensors["y"].pin = g.tensors["y"].pin;
  o.tensors["y"].resident = true;
  EXPECT_NE(compileError(o).find("only an input or a weight can be resident"), std::string::npos);

  // The i32 result of a matmul fused with its requant never reaches SRAM.
  Graph f = projGraph("x", "y", 2, 16, 16, 5);
  f.tensors["acc"].pin = fmt::format(R"({{"fragments": [{{"slices": [{}], "base": 0}}]}})", s);
  EXPECT_NE(compileError(f).find("tensor 'acc': pinned, but it is the result of matmul 'mm' fused"), std::string::npos)
      << compileError(f);
  // A pin from another tensor's layout of a different shape.
  Graph p = reluGraph();
  MemoryLayout other = compile(projGraph("x", "y", 2, 16, 16, 5)).layout;
  pinTo(p, "a", other, true, "y");
  EXPECT_NE(compileError(p).find("tensor 'a': pin: shape [2,16], the tensor is [3, 20]"), std::string::npos)
      << compileError(p);
}

}  // namespace
}  // namespace lpu::compiler
