// lpu_compiler_bench [out.json] [--quick]: compiles the benchmark GEMM shapes, runs each on the
// golden model, and writes predicted and measured cycles, MACs, peak and utilisation (and, for
// matrix-vector shapes, the SRAM->MXM bandwidth bound). Exit status 1 when a prediction differs
// from the model or a result is wrong.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "sw/model/machine.hpp"

namespace {

using namespace lpu;

struct Shape {
  std::string group, config, name;
  unsigned M, K, N;
};

std::vector<Shape> shapes(bool quick) {
  std::vector<Shape> v = {{"gemm", "large", "64^3", 64, 64, 64},
                          {"gemm", "large", "256^3", 256, 256, 256}};
  if (!quick) v.push_back({"gemm", "large", "1024^3", 1024, 1024, 1024});
  // One transformer layer at batch 1 (y = x . W, W is in x out): stories260K on small, stories15M
  // on large.
  const struct {
    const char* config;
    const char* model;
    unsigned dim, hidden, kv_dim;
  } models[] = {{"small", "stories260K", 64, 172, 32}, {"large", "stories15M", 288, 768, 288}};
  for (const auto& m : models) {
    v.push_back({"matvec", m.config, fmt::format("{} wq", m.model), 1, m.dim, m.dim});
    v.push_back({"matvec", m.config, fmt::format("{} wk/wv", m.model), 1, m.dim, m.kv_dim});
    v.push_back({"matvec", m.config, fmt::format("{} wo", m.model), 1, m.dim, m.dim});
    v.push_back({"matvec", m.config, fmt::format("{} w1/w3", m.model), 1, m.dim, m.hidden});
    v.push_back({"matvec", m.config, fmt::format("{} w2", m.model), 1, m.hidden, m.dim});
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else
      out_path = a;
  }
  nlohmann::json results = nlohmann::json::array();
  bool ok = true;
  for (const Shape& s : shapes(quick)) {
    compiler::Graph g = compiler::gemmGraph(s.config, s.M, s.K, s.N);
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> d(-128, 127);
    for (auto& v : g.tensors["B"].data) v = d(rng);
    std::vector<std::int32_t> a(std::size_t{s.M} * s.K);
    for (auto& v : a) v = d(rng);
    compiler::CompileResult r;
    try {
      r = compiler::compile(g);
    } catch (const std::exception& e) {
      std::cerr << fmt::format("{} {} {}x{}x{}: compile failed: {}\n", s.config, s.name, s.M, s.K,
                               s.N, e.what());
      results.push_back({{"group", s.group},
                         {"config", s.config},
                         {"name", s.name},
                         {"M", s.M},
                         {"K", s.K},
                         {"N", s.N},
                         {"error", e.what()}});

      continue;
    }
    isa::Program p = r.program;
    for (auto& seg : compiler::packTensor(r.layout, "A", a)) p.data.push_back(std::move(seg));
    const isa::ArchConfig cfg = isa::ArchConfig::byName(s.config);
    model::Machine m(cfg);
    m.loadProgram(p);
    m.start();
    const model::RunState st = m.run(r.report.predicted_cycles + 1000);
    const std::uint64_t measured = m.cycle();
    // Spot-check a few outputs against a direct dot product.
    bool right = st == model::RunState::kDone;
    if (right) {
      const auto c = compiler::unpackTensor(
          r.layout, "C", [&](unsigned pos, std::uint32_t addr) { return m.readSram(pos, addr); });
      for (unsigned probe = 0; probe < 16 && right; ++probe) {
        const unsigned i = (probe * 7919u) % s.M, j = (probe * 104729u) % s.N;
        std::int64_t sum = 0;
        for (unsigned k = 0; k < s.K; ++k)
          sum += std::int64_t{a[std::size_t{i} * s.K + k]} *
                 g.tensors["B"].data[std::size_t{k} * s.N + j];
        right = c[std::size_t{i} * s.N + j] == static_cast<std::int32_t>(sum);
      }
    }
    const double util =
        static_cast<double>(r.report.macs) /
        (static_cast<double>(measured) * static_cast<double>(r.report.peak_macs_per_cycle));
    const std::uint64_t vectors = std::uint64_t{s.K} * ((s.N + cfg.lanes() - 1) / cfg.lanes());
    const std::uint64_t bound = (vectors + cfg.memSlices() - 1) / cfg.memSlices();
    nlohmann::json j = {
        {"group", s.group},
        {"config", s.config},
        {"name", s.name},
        {"M", s.M},
        {"K", s.K},
        {"N", s.N},
        {"predicted_cycles", r.report.predicted_cycles},
        {"measured_cycles", measured},
        {"macs", r.report.macs},
        {"mxms", r.report.mxms_used},
        {"peak_macs_per_cycle", r.report.peak_macs_per_cycle},
        {"utilisation", util},
        {"sram_to_mxm_bound_cycles", bound},
        {"cycles_over_bound", static_cast<double>(measured) / static_cast<double>(bound)},
        {"correct", right}};
    results.push_back(j);
    std::cout << fmt::format(
        "{:<6} {:<6} {:<18} {:>5}x{:>4}x{:>4}  predicted {:>7}  measured {:>7}  util {:.3f}  "
        "bound {:>6} ({:.2f}x){}\n",
        s.group, s.config, s.name, s.M, s.K, s.N, r.report.predicted_cycles, measured, util, bound,
        static_cast<double>(measured) / static_cast<double>(bound), right ? "" : "  WRONG RESULT");
    ok = ok && right && measured == r.report.predicted_cycles;
  }
  if (!out_path.empty()) {
    std::ofstream f(out_path);
    f << nlohmann::json{{"benchmarks", results}}.dump(1) << "\n";
  }
  return ok ? 0 : 1;
}
