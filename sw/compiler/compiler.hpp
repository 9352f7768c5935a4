// openlpu compiler: tensor graph -> statically scheduled program for the golden model / RTL
// (docs/compiler.md).
//
// Example:
//   compiler::Graph g = compiler::loadGraphFile("sw/compiler/graphs/mlp2.json");
//   compiler::CompileResult r = compiler::compile(g);
//   // r.program: queues + data segments for the weights; r.layout: where every tensor lives;
//   // r.report.predicted_cycles: the exact cycle count the machine will take.
//   for (auto& seg : compiler::packTensor(r.layout, "x", x_values)) r.program.data.push_back(seg);
//   model::Machine m(isa::ArchConfig::byName(g.config));
//   m.loadProgram(r.program);
//   m.run(r.report.predicted_cycles + 1);     // m.cycle() == r.report.predicted_cycles
//   auto y = compiler::unpackTensor(r.layout, "y", [&](unsigned p, std::uint32_t a) { return
//   m.readSram(p, a); });
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sw/compiler/constant_pool.hpp"
#include "sw/compiler/ir.hpp"
#include "sw/compiler/layout.hpp"
#include "sw/compiler/scheduler.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::compiler {

struct CompileOptions {
  // MXMs a matmul may use: 1 (west only) or 2 (column tiles split between the hemispheres,
  // balanced over the graph's matmuls).
  unsigned mxms = 2;
  // Placements of tensors other programs keep in SRAM (a shared weight, a KV cache) that this
  // graph does not name: nothing is allocated on their words. A pinned tensor of the graph may lie
  // in them (a k row written into a kept cache). E.g. {other.layout.tensor("w2")}.
  std::vector<TensorLayout> keep = {};
  // Weights of load-bound matmuls in one row-interleaved block per column tile instead of one block
  // per K tile: up to a third fewer SRAM words on 3 slices (a block of 8 rows takes 3 or 4 words per
  // slice), for a few cycles more where a K tile's first rows meet the A read. For models that only
  // just fit in SRAM (stories260K on ulx3s).
  bool compact_weights = false;
  // A constant pool shared with other programs (ConstantPool): the program's vector constants are taken from it or
  // added to it, and its data segments carry none of them. nullptr: the program carries its own.
  ConstantPool* constants = nullptr;
};

struct QueueReport {
  unsigned position = 0;
  std::string name;          // "MEM_W0", "MXM_W", ...
  std::uint64_t issues = 0;  // instructions dispatched (Repeat re-issues included, NOP/Repeat/Halt words not)
  std::uint64_t words = 0;   // instruction words emitted (incl. nop/repeat/halt)
  double utilisation = 0;    // issues / predicted cycles
};

struct CriticalStep {
  std::int64_t cycle = 0;  // placement cycle of the bundle
  std::string node;
  std::string what;
  bool resource_bound = false;  // placed later than its dependencies allowed (waited for a queue/stream/unit)
};

struct ScheduleReport {
  std::string config;
  std::uint64_t predicted_cycles = 0;
  std::uint64_t macs = 0;                 // useful int8 MACs of the graph's matmuls (unpadded M*K*N)
  std::uint64_t peak_macs_per_cycle = 0;  // of the MXMs the compile used (mxmPeakMacsPerCycle x MXMs)
  unsigned mxms_used = 0;
  double mxm_utilisation = 0;  // macs / (cycles * peak)
  std::vector<QueueReport> queues;
  std::vector<CriticalStep> critical_path;  // first to last
  std::string toText() const;
  std::string toJson() const;
};

struct CompileResult {
  isa::Program program;  // queues + data segments of weights and compiler constants (not inputs)
  MemoryLayout layout;
  ScheduleReport report;
  std::vector<std::vector<EmittedRun>> runs;  // per queue: what the emitted words do, with their cycles
  std::vector<std::string> node_names;        // index = Bundle::node (runs[q][i].bundle -> placement -> node)
  std::vector<int> bundle_node;               // per placed bundle: node index
};

class CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws GraphError / CompileError (e.g. SRAM or queue depth exceeded) with the reason.
CompileResult compile(const Graph& graph, const CompileOptions& options = {});

// Per-queue schedule listing: "cycle  queue  instruction  ; node" for every emitted run.
std::string scheduleListing(const CompileResult& r);
// Chrome/Perfetto trace of the schedule: one track per queue, one event per emitted run (1 cycle =
// 1 us).
void writeScheduleTrace(const CompileResult& r, std::ostream& out);

// Benchmark support: compile C = A.B for one shape and report the prediction.
struct GemmEstimate {
  std::string config;
  unsigned M = 0, K = 0, N = 0;
  std::uint64_t predicted_cycles = 0;
  std::uint64_t macs = 0;
  std::uint64_t peak_macs_per_cycle = 0;
  double utilisation = 0;
  // SRAM->MXM bound (docs/compiler.md §8): K * ceil(N / lanes) weight words, at most
  // min(MEM slices, MXMs used * streams_per_dir) of them per cycle.
  std::uint64_t weight_bound_cycles = 0;
};
GemmEstimate estimateGemm(const std::string& config, unsigned M, unsigned K, unsigned N,
                          const CompileOptions& options = {});

}  // namespace lpu::compiler
