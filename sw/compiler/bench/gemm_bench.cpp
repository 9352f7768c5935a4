// lpu_compiler_bench [out.json] [--quick] [--only TEXT] [--show NAME]: compiles the benchmark
// programs, runs each on the golden model and writes, per program: cycles_predicted,
// cycles_measured, macs, peak_macs_per_cycle, utilization and, for matrix-vector programs,
// bound_cycles and ratio_to_bound (docs/compiler.md §8 defines the bound). Programs:
//   gemm    C = A.B: 32^3 and 64^3 on ulx3s, 64^3 on small, 64^3, 256^3 and 1024^3 on large, 96^3 on xl
//           (--quick skips 1024^3);
//   matvec  each matrix-vector product (batch 1) of a transformer layer, one program per shape:
//           stories260K on ulx3s and small (dim 64, hidden 172 padded to 176, and its classifier
//           wcls, 64 x vocab 512, whole and one half), stories15M on large (288/768);
//   layer   the same layer's seven matrix-vector products back to back in one program;
//   token   (no program of its own) the matrix-vector cycles of one decoded token: n_layers x the
//           layer program (or the sum of the per-shape programs where it does not compile) + the
//           classifier (or twice its half), as predicted by the compiler. It leaves out what the
//           compiler does not generate yet (attention over the KV cache, RMSNorm, softmax, RoPE,
//           SiLU, residual adds): a lower bound on the cycles per token.
// Every output is checked against a direct dot product. Exit status 1 when a prediction differs
// from the model, a result is wrong or a program fails to compile (except those known not to
// fit a queue today, marked must_compile false: their rows carry the compiler's error).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "sw/model/machine.hpp"

namespace {

using namespace lpu;

struct Matmul {
  std::string name;  // output tensor
  std::string a, b;  // input (1xK or MxK), weight (KxN)
  unsigned M, K, N;
};

struct Program {
  std::string group, config, name;
  std::vector<Matmul> mm;
  // false: the program is known not to compile today (too many instructions for a queue of this
  // configuration); the bench reports the compiler's error and goes on.
  bool must_compile = true;
};

// A graph of independent matmuls: each A is an input, each B a weight, each C an i32 output.
compiler::Graph makeGraph(const Program& p) {
  compiler::Graph g;
  g.config = p.config;
  for (const Matmul& m : p.mm) {
    if (!g.tensors.count(m.a))
      g.tensors[m.a] = compiler::Tensor{m.a, compiler::DType::kI8, m.M, m.K, compiler::TensorKind::kInput, {}};
    g.tensors[m.b] =
        compiler::Tensor{m.b, compiler::DType::kI8,          m.K,
                         m.N, compiler::TensorKind::kWeight, std::vector<std::int32_t>(std::size_t{m.K} * m.N)};
    g.tensors[m.name] = compiler::Tensor{m.name, compiler::DType::kI32, m.M, m.N, compiler::TensorKind::kOutput, {}};
    g.nodes.push_back(compiler::Node{compiler::OpKind::kMatmul, m.name, {m.a, m.b}, m.name, {}, 0});
  }
  return g;
}

// A model's shapes at batch 1 (y = x . W, W is in x out) and how many layers one token passes.
struct Model {
  const char* config;
  const char* name;
  unsigned dim, hidden, kv_dim, n_layers, vocab;  // vocab 0: classifier not benchmarked
};

// stories260K: hidden 172 padded to 176 as stored (a multiple of 8 and 16 lanes); its classifier
// (64 x 512) fits the 384 KiB of ulx3s/small. stories15M's (288 x 32000, 9 MB) does not fit large.
constexpr Model kModels[] = {{"ulx3s", "stories260K", 64, 176, 32, 5, 512},
                             {"small", "stories260K", 64, 176, 32, 5, 512},
                             {"large", "stories15M", 288, 768, 288, 6, 0},
                             {"xl", "stories15M", 288, 768, 288, 6, 0}};

std::string layerName(const Model& m) { return fmt::format("{} layer (7 matvecs)", m.name); }
std::string classifierName(const Model& m) { return fmt::format("{} wcls", m.name); }
std::string classifierHalfName(const Model& m) { return fmt::format("{} wcls half", m.name); }

// The layer's matrix-vector products, y = x . W (W is in x out): x feeds wq/wk/wv, att wo, hn
// w1/w3, u w2. One program per distinct shape (label, how often the shape occurs in a layer).
struct Shape {
  const char* label;
  unsigned count;
  Matmul mm;
};
std::vector<Shape> layerShapes(const Model& m) {
  return {{"wq", 1, {"q", "x", "wq", 1, m.dim, m.dim}},
          {"wk/wv", 2, {"k", "x", "wk", 1, m.dim, m.kv_dim}},
          {"wo", 1, {"o", "att", "wo", 1, m.dim, m.dim}},
          {"w1/w3", 2, {"g1", "hn", "w1", 1, m.dim, m.hidden}},
          {"w2", 1, {"d", "u", "w2", 1, m.hidden, m.dim}}};
}
std::vector<Matmul> layerMatmuls(const Model& m) {
  return {{"q", "x", "wq", 1, m.dim, m.dim},      {"k", "x", "wk", 1, m.dim, m.kv_dim},
          {"v", "x", "wv", 1, m.dim, m.kv_dim},   {"o", "att", "wo", 1, m.dim, m.dim},
          {"g1", "hn", "w1", 1, m.dim, m.hidden}, {"g3", "hn", "w3", 1, m.dim, m.hidden},
          {"d", "u", "w2", 1, m.hidden, m.dim}};
}

// ulx3s (8 lanes) needs twice the instructions of small for a shape, and its queues hold 512
// words like small's: the 7-matvec layer (MEM_W0: 1,162 words), the whole classifier (835) and a
// 64^3 GEMM (MXM_W_LOAD: 514) do not fit today. The per-shape programs and the classifier's
// halves do; the token row then sums those.
std::vector<Program> programs(bool quick) {
  std::vector<Program> v;
  auto gemm = [&](const char* config, unsigned s, bool must_compile = true) {
    v.push_back({"gemm", config, fmt::format("{}^3", s), {{"C", "A", "B", s, s, s}}, must_compile});
  };
  gemm("ulx3s", 32);
  gemm("ulx3s", 64, false);
  gemm("small", 64);
  gemm("large", 64);
  gemm("large", 256);
  if (!quick) gemm("large", 1024);
  gemm("xl", 96);
  for (const Model& m : kModels) {
    const bool fpga8 = std::string(m.config) == "ulx3s";
    for (const Shape& sh : layerShapes(m))
      v.push_back({"matvec", m.config, fmt::format("{} {}", m.name, sh.label), {sh.mm}});
    if (m.vocab) {
      v.push_back({"matvec", m.config, classifierName(m), {{"logits", "xf", "wcls", 1, m.dim, m.vocab}}, !fpga8});
      v.push_back({"matvec", m.config, classifierHalfName(m), {{"logits", "xf", "wcls", 1, m.dim, m.vocab / 2}}});
    }
    v.push_back({"layer", m.config, layerName(m), layerMatmuls(m), !fpga8});
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, show, only;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--show" && i + 1 < argc)
      show = argv[++i];  // print the schedule report and listing of the program of that name
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];  // run only the programs whose name contains this
    else
      out_path = a;
  }
  nlohmann::json results = nlohmann::json::array();
  bool ok = true;
  for (const Program& prog : programs(quick)) {
    if (!only.empty() && prog.name.find(only) == std::string::npos) continue;
    compiler::Graph g = makeGraph(prog);
    const isa::ArchConfig cfg = isa::ArchConfig::byName(prog.config);
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> d(-128, 127);
    std::map<std::string, std::vector<std::int32_t>> inputs;
    for (auto& [name, t] : g.tensors) {
      if (t.kind == compiler::TensorKind::kWeight)
        for (auto& x : t.data) x = d(rng);
      if (t.kind == compiler::TensorKind::kInput) {
        auto& x = inputs[name];
        x.resize(std::size_t{t.rows} * t.cols);
        for (auto& e : x) e = d(rng);
      }
    }
    nlohmann::json j = {{"group", prog.group}, {"config", prog.config}, {"name", prog.name}};
    if (prog.mm.size() == 1) {
      j["M"] = prog.mm[0].M;
      j["K"] = prog.mm[0].K;
      j["N"] = prog.mm[0].N;
    }
    compiler::CompileResult r;
    try {
      r = compiler::compile(g);
    } catch (const std::exception& e) {
      // Known limits are a result (the row says so); anything else is a failure.
      j["error"] = e.what();
      j["must_compile"] = prog.must_compile;
      results.push_back(j);
      const std::string what = e.what();
      std::cout << fmt::format("{:<6} {:<6} {:<30} does not compile{}: {}\n", prog.group, prog.config, prog.name,
                               prog.must_compile ? " (FAILURE)" : "", what.substr(0, what.find(';')));
      ok = ok && !prog.must_compile;
      continue;
    }
    if (prog.name == show) {
      std::cout << compiler::scheduleListing(r) << r.report.toText();
      for (const auto& [name, t] : r.layout.tensors)
        for (const auto& f : t.fragments)
          std::cout << fmt::format("layout {} copy {} plane {} tiles {}..{} of {} cols slices {} base {}\n", name,
                                   f.copy, f.plane, f.ct_begin, f.ct_end, t.tile_cols ? t.tile_cols : cfg.lanes(),
                                   fmt::join(f.slices, ","), f.base);
    }
    isa::Program p = r.program;
    for (const auto& [name, vals] : inputs)
      for (auto& seg : compiler::packTensor(r.layout, name, vals)) p.data.push_back(std::move(seg));
    model::Machine m(cfg);
    m.loadProgram(p);
    m.start();
    const model::RunState st = m.run(r.report.predicted_cycles + 1000);
    const std::uint64_t measured = m.cycle();
    // Check outputs against a direct dot product (every element, or 64 probes of a big GEMM).
    bool right = st == model::RunState::kDone;
    std::uint64_t weight_words = 0;
    for (const Matmul& mm : prog.mm) {
      weight_words += std::uint64_t{mm.K} * ((mm.N + cfg.lanes() - 1) / cfg.lanes());
      if (!right) break;
      const auto c = compiler::unpackTensor(r.layout, mm.name,
                                            [&](unsigned pos, std::uint32_t addr) { return m.readSram(pos, addr); });
      const auto& a = inputs.at(mm.a);
      const auto& b = g.tensors.at(mm.b).data;
      const std::uint64_t all = std::uint64_t{mm.M} * mm.N;
      const std::uint64_t probes = all <= 4096 ? all : 64;
      for (std::uint64_t probe = 0; probe < probes && right; ++probe) {
        const std::uint64_t e = probes == all ? probe : (probe * 104729u) % all;
        const std::uint64_t i = e / mm.N, jj = e % mm.N;
        std::int64_t sum = 0;
        for (unsigned k = 0; k < mm.K; ++k) sum += std::int64_t{a[i * mm.K + k]} * b[std::size_t{k} * mm.N + jj];
        right = c[e] == static_cast<std::int32_t>(sum);
      }
    }
    const double util = static_cast<double>(r.report.macs) /
                        (static_cast<double>(measured) * static_cast<double>(r.report.peak_macs_per_cycle));
    j["cycles_predicted"] = r.report.predicted_cycles;
    j["cycles_measured"] = measured;
    j["macs"] = r.report.macs;
    j["mxms"] = r.report.mxms_used;
    j["peak_macs_per_cycle"] = r.report.peak_macs_per_cycle;
    j["utilization"] = util;
    j["correct"] = right;
    std::string bound_text;
    if (prog.group != "gemm") {
      // SRAM -> MXM bound (docs/compiler.md §8): every weight word (one row of one column tile)
      // read once from SRAM into an MXM; per cycle at most one word per MEM slice and at most
      // streams_per_dir rows per MXM's LW.
      const std::uint64_t per_cycle = std::min<std::uint64_t>(
          cfg.memSlices(), std::uint64_t{cfg.streamsPerDir()} * std::max(1u, r.report.mxms_used));
      const std::uint64_t bound = (weight_words + per_cycle - 1) / per_cycle;
      const double ratio = static_cast<double>(measured) / static_cast<double>(bound);
      j["weight_words"] = weight_words;
      j["bound_cycles"] = bound;
      j["ratio_to_bound"] = ratio;
      bound_text = fmt::format("  bound {:>6}  ratio {:.3f}", bound, ratio);
    }
    results.push_back(j);
    std::cout << fmt::format("{:<6} {:<6} {:<30} predicted {:>7}  measured {:>7}  util {:.4f}{}{}\n", prog.group,
                             prog.config, prog.name, r.report.predicted_cycles, measured, util, bound_text,
                             right ? "" : "  WRONG RESULT");
    ok = ok && right && measured == r.report.predicted_cycles;
  }
  // Cycles of one token's matrix-vector products, from the compiler's predictions (which the run
  // above checked against the model): the layer program, or where it does not compile the sum of
  // the per-shape programs; the whole classifier, or its two halves.
  for (const Model& m : kModels) {
    auto predicted = [&](const std::string& name) -> std::optional<std::uint64_t> {
      for (const auto& r : results)
        if (r["config"] == m.config && r["name"] == name && r.contains("cycles_predicted"))
          return r["cycles_predicted"].get<std::uint64_t>();
      return std::nullopt;
    };
    std::optional<std::uint64_t> layer = predicted(layerName(m));
    std::string layer_how = fmt::format("'{}'", layerName(m));
    if (!layer) {
      std::uint64_t sum = 0;
      std::vector<std::string> terms;
      for (const Shape& sh : layerShapes(m)) {
        const auto c = predicted(fmt::format("{} {}", m.name, sh.label));
        if (!c) {
          sum = 0;
          break;
        }
        sum += sh.count * *c;
        terms.push_back(fmt::format("{}x {} ({})", sh.count, sh.label, *c));
      }
      if (sum) layer = sum;
      layer_how = fmt::format("the per-shape programs {}", fmt::join(terms, " + "));
    }
    std::optional<std::uint64_t> cls;
    std::string cls_how = " (classifier not benchmarked)";
    if (m.vocab) {
      cls = predicted(classifierName(m));
      cls_how = fmt::format(" + '{}' ({})", classifierName(m), cls ? *cls : 0);
      if (!cls) {
        const auto half = predicted(classifierHalfName(m));
        if (half) cls = 2 * *half;
        cls_how = fmt::format(" + 2x '{}' ({})", classifierHalfName(m), half ? *half : 0);
      }
    }
    if (!layer || (m.vocab && !cls)) continue;  // not run (--only) or failed (reported above)
    const std::uint64_t cls_cycles = cls.value_or(0);
    const std::uint64_t per_token = m.n_layers * *layer + cls_cycles;
    const std::string source = fmt::format(
        "compiler prediction, matrix-vector products only (no attention over the KV cache, norms, "
        "softmax, RoPE, SiLU, residuals): {} layers x {} = {} per layer{}",
        m.n_layers, layer_how, *layer, cls_how);
    const std::string name = fmt::format("{} token (matvecs)", m.name);
    results.push_back({{"group", "token"},
                       {"config", m.config},
                       {"name", name},
                       {"model", m.name},
                       {"n_layers", m.n_layers},
                       {"layer_cycles", *layer},
                       {"classifier_cycles", cls_cycles},
                       {"cycles_per_token", per_token},
                       {"cycles_per_token_source", source}});
    std::cout << fmt::format("{:<6} {:<6} {:<30} cycles/token {:>7}  ({} x {} + {})\n", "token", m.config, name,
                             per_token, m.n_layers, *layer, cls_cycles);
  }
  if (!out_path.empty()) {
    std::ofstream f(out_path);
    f << nlohmann::json{{"benchmarks", results}}.dump(1) << "\n";
  }
  return ok ? 0 : 1;
}
