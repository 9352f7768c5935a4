// Schedule report, listing, Perfetto trace and the GEMM benchmark entry point.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sw/compiler/compiler.hpp"

namespace lpu::compiler {

namespace {

std::string runText(const EmittedRun& r) {
  std::string s = isa::format(r.insn);
  if (r.n > 0) s += fmt::format(" ; repeat {}, {}, {}", r.n, r.d, r.stride);
  return s;
}

std::string nodeOf(const CompileResult& res, int bundle) {
  if (bundle < 0 || static_cast<std::size_t>(bundle) >= res.bundle_node.size()) return "";
  const int n = res.bundle_node[static_cast<std::size_t>(bundle)];
  return n >= 0 ? res.node_names[static_cast<std::size_t>(n)] : "";
}

}  // namespace

std::string ScheduleReport::toText() const {
  std::string s;
  s += fmt::format("config {}: predicted cycles {}\n", config, predicted_cycles);
  if (macs)
    s += fmt::format("MXM: {} MACs on {} MXM(s), peak {} MACs/cycle, utilisation {:.4f}\n", macs, mxms_used,
                     peak_macs_per_cycle, mxm_utilisation);
  s += "queue      issues   words  utilisation\n";
  for (const QueueReport& q : queues) {
    if (q.issues == 0) continue;
    s += fmt::format("{:<9} {:>7} {:>7}  {:.3f}\n", q.name, q.issues, q.words, q.utilisation);
  }
  const std::size_t n = critical_path.size();
  s += fmt::format("critical path: {} step(s){}\n", n, n > 12 ? " (first 4 and last 8)" : "");
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 12 && i >= 4 && i + 8 < n) {
      if (i == 4) s += "  ...\n";
      continue;
    }
    const CriticalStep& c = critical_path[i];
    s += fmt::format("  @{:<7} {}{}\n", c.cycle, c.what, c.resource_bound ? "  [waited for a resource]" : "");
  }
  return s;
}

std::string ScheduleReport::toJson() const {
  nlohmann::json j;
  j["config"] = config;
  j["predicted_cycles"] = predicted_cycles;
  j["macs"] = macs;
  j["mxms_used"] = mxms_used;
  j["peak_macs_per_cycle"] = peak_macs_per_cycle;
  j["mxm_utilisation"] = mxm_utilisation;
  j["queues"] = nlohmann::json::array();
  for (const QueueReport& q : queues)
    j["queues"].push_back({{"position", q.position},
                           {"name", q.name},
                           {"issues", q.issues},
                           {"words", q.words},
                           {"utilisation", q.utilisation}});
  j["critical_path"] = nlohmann::json::array();
  for (const CriticalStep& c : critical_path)
    j["critical_path"].push_back(
        {{"cycle", c.cycle}, {"node", c.node}, {"what", c.what}, {"resource_bound", c.resource_bound}});
  return j.dump(1);
}

std::string scheduleListing(const CompileResult& r) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
  std::string s;
  for (std::size_t q = 0; q < r.runs.size(); ++q) {
    if (r.runs[q].empty()) continue;
    s += fmt::format(".queue {}\n", cfg.queueName(static_cast<unsigned>(q)));
    for (const EmittedRun& run : r.runs[q]) {
      std::string when = run.n ? fmt::format("{}..{}", run.cycle, run.cycle + std::int64_t{run.n} * run.d)
                               : fmt::format("{}", run.cycle);
      s += fmt::format("  {:>13}  {:<40} ; {}\n", when, runText(run), nodeOf(r, run.bundle));
    }
  }
  return s;
}

void writeScheduleTrace(const CompileResult& r, std::ostream& out) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
  out << "{\"traceEvents\":[\n";
  bool first = true;
  auto ev = [&](const nlohmann::json& j) {
    out << (first ? "" : ",\n") << j.dump();
    first = false;
  };
  ev({{"name", "process_name"},
      {"ph", "M"},
      {"pid", 0},
      {"args", {{"name", fmt::format("openlpu schedule ({})", cfg.name())}}}});
  for (unsigned q = 0; q < cfg.queues(); ++q) {
    ev({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", q}, {"args", {{"name", cfg.queueName(q)}}}});
    ev({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 0}, {"tid", q}, {"args", {{"sort_index", q}}}});
  }
  for (std::size_t q = 0; q < r.runs.size(); ++q) {
    for (const EmittedRun& run : r.runs[q]) {
      const std::string name =
          run.n ? fmt::format("{} x{}", run.insn.desc->mnemonic, run.n + 1) : std::string(run.insn.desc->mnemonic);
      ev({{"name", name},
          {"cat", nodeOf(r, run.bundle)},
          {"ph", "X"},
          {"pid", 0},
          {"tid", q},
          {"ts", run.cycle},
          {"dur", std::int64_t{run.n} * run.d + 1},
          {"args", {{"insn", runText(run)}, {"node", nodeOf(r, run.bundle)}}}});
    }
  }
  out << "\n],\"otherData\":{\"predicted_cycles\":" << r.report.predicted_cycles << "}}\n";
}

GemmEstimate estimateGemm(const std::string& config, unsigned M, unsigned K, unsigned N,
                          const CompileOptions& options) {
  const Graph g = gemmGraph(config, M, K, N);
  const CompileResult r = compile(g, options);
  const isa::ArchConfig cfg = isa::ArchConfig::byName(config);
  GemmEstimate e;
  e.config = config;
  e.M = M;
  e.K = K;
  e.N = N;
  e.predicted_cycles = r.report.predicted_cycles;
  e.macs = r.report.macs;
  e.peak_macs_per_cycle = r.report.peak_macs_per_cycle;
  e.utilisation = r.report.mxm_utilisation;
  // SRAM->MXM bound (docs/compiler.md §8): each weight row of each column tile is one SRAM word,
  // at most one per MEM slice and streams_per_dir per MXM's LW per cycle.
  const std::uint64_t vectors = std::uint64_t{K} * ((N + cfg.lanes() - 1) / cfg.lanes());
  const std::uint64_t per_cycle =
      std::min<std::uint64_t>(cfg.memSlices(), std::uint64_t{cfg.streamsPerDir()} * std::max(1u, r.report.mxms_used));
  e.weight_bound_cycles = (vectors + per_cycle - 1) / per_cycle;
  return e;
}

}  // namespace lpu::compiler
