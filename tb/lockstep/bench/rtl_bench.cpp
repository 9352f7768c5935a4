// lpu_rtl_bench: simulation speed of the verilated RTL (Vlpu_<config>) next to the golden
// model's, on the same programs, in program cycles per second of wall time; also the lockstep
// runner's speed (both plus the per-cycle comparison of every stream register).
//
//   lpu_rtl_bench                    every verilated configuration, JSON to build/bench/rtl.json
//   lpu_rtl_bench FILE               JSON to FILE (as sw/tools/bench.sh calls it)
//   lpu_rtl_bench --out FILE --config ulx3s --seconds 2
//   lpu_rtl_bench FILE --quick       one short busy program and a 16-read copy, each run once
//                                    (a smoke run of seconds, also on large)
//
// Workloads per configuration:
//   busy     long constrained-random programs (sw/verif, 200..400 instructions per queue, few
//            nops): every slice issues most cycles, values on most stream registers
//   copy     one MEM slice reads a word every 64 cycles (4 on large) for 1,024 reads, another
//            writes it (a mostly idle machine)
// The RTL is timed inside RtlHarness::run (START, then one STATUS poll per clock: the clocks are
// the program's cycles plus a handful); the model inside Machine::run; loading is not timed.
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/rtl_harness.hpp"
#include "sw/isa/isa.hpp"
#include "sw/model/machine.hpp"
#include "sw/verif/random_program.hpp"
#include "tb/lockstep/lockstep.hpp"

#ifndef LPU_BUILD_DIR_REL
#define LPU_BUILD_DIR_REL "build"
#endif

namespace {

using lpu::isa::ArchConfig;
using lpu::isa::Program;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::uint32_t enc(lpu::isa::Opcode op, std::initializer_list<std::pair<lpu::isa::Field, std::int32_t>> f = {}) {
  lpu::isa::Instruction i = lpu::isa::Instruction::make(op);
  for (auto [k, v] : f) i.set(k, v);
  return lpu::isa::encode(i);
}

// One MEM slice reads a word every `d` cycles (`reads` reads), another writes it:
// (reads-1)*d + 6 cycles.
Program copyProgram(const ArchConfig& cfg, std::int32_t d, std::int32_t reads) {
  using lpu::isa::Field;
  using lpu::isa::Opcode;
  Program p;
  p.config = std::string(cfg.name());
  p.queues.assign(cfg.queues(), {enc(Opcode::kHalt)});
  const unsigned v = cfg.vxmPosition();
  const std::uint32_t rep = enc(Opcode::kRepeat, {{Field::kRepN, reads - 1}, {Field::kRepD, d}, {Field::kStride, 1}});
  // The highest East stream every configuration has (ulx3s has 4 per direction).
  const std::int32_t east = static_cast<std::int32_t>(
      lpu::isa::StreamRef{lpu::isa::Dir::kEast, static_cast<std::uint8_t>(cfg.streamsPerDir() - 1)}.encode());
  p.queues[v - 1] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, east}}), rep, enc(Opcode::kHalt)};
  p.queues[v + 1] = {enc(Opcode::kNop, {{Field::kCount, 3}}),
                     enc(Opcode::kWrite, {{Field::kAddr, 2048}, {Field::kMstrm, east}}), rep, enc(Opcode::kHalt)};
  return p;
}

struct Sample {
  std::uint64_t cycles = 0, clocks = 0;
  double rtl_s = 0, model_s = 0, lockstep_s = 0;
  std::uint64_t lockstep_cycles = 0;
  unsigned programs = 0, mismatches = 0, errors = 0;
};

void measure(const ArchConfig& cfg, const std::vector<Program>& programs, double min_seconds, Sample& s) {
  const auto t_start = Clock::now();
  do {
    for (const Program& p : programs) {
      {
        lpu::sim::RtlHarness h(cfg);
        h.loadProgram(p);
        const auto t0 = Clock::now();
        const lpu::sim::RunResult r = h.run(10'000'000);
        s.rtl_s += since(t0);
        // A program that stops with an error measures nothing: the bench fails (main) rather than time it.
        if (r.error != lpu::isa::ErrorCode::kNone) ++s.errors;
        s.cycles += r.cycles;
        s.clocks += r.clocks;
      }
      {
        lpu::model::Machine m(cfg);
        m.loadProgram(p);
        m.start();
        const auto t0 = Clock::now();
        m.run(10'000'000);
        s.model_s += since(t0);
      }
      {
        const lpu::lockstep::Result r = lpu::lockstep::run(cfg, p);
        s.lockstep_s += r.rtl_seconds + r.model_seconds;
        s.lockstep_cycles += r.cycles_compared;
        if (!r.ok()) ++s.mismatches;
      }
      ++s.programs;
    }
  } while (since(t_start) < min_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = LPU_BUILD_DIR_REL "/bench/rtl.json";
  std::vector<std::string> configs;
  double seconds = 1.0;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--config" && i + 1 < argc) {
      configs = {argv[++i]};
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--quick") {
      quick = true;
      seconds = 0;
    } else if (!a.empty() && a[0] != '-') {
      out = a;
    } else {
      std::cerr << "usage: lpu_rtl_bench [FILE | --out FILE] [--config NAME] [--seconds S] [--quick]\n";
      return 2;
    }
  }
  if (configs.empty())
    for (const lpu::isa::ArchParams& p : lpu::isa::kConfigs)
      if (lpu::sim::RtlHarness::available(p.name)) configs.emplace_back(p.name);
  if (configs.empty()) {  // exit status 77: skipped (sw/tools/bench.sh says so and goes on)
    std::cerr << "lpu_rtl_bench: no configuration of this build has a verilated model the harness "
                 "drives (LPU_RTL_CONFIGS)\n";
    return 77;
  }

  bool failed = false;
  nlohmann::json j;
  j["unit"] = "program cycles per second (wall time)";
  j["quick"] = quick;
  fmt::print("{:<6} {:<5} {:>9} {:>14} {:>14} {:>14} {:>9}\n", "config", "load", "cycles", "RTL cyc/s", "model cyc/s",
             "lockstep cyc/s", "RTL/model");
  for (const std::string& name : configs) {
    const ArchConfig cfg = ArchConfig::byName(name);
    std::vector<std::pair<std::string, std::vector<Program>>> loads;
    std::vector<Program> busy;
    for (std::uint64_t seed = 1; seed <= (quick ? 1u : 3u); ++seed) {
      lpu::verif::RandomProgramOptions o;
      o.seed = seed;
      o.min_insns = quick ? 10 : 200;
      o.max_insns = quick ? 20 : 400;
      o.nop_weight = 1;
      o.data_words = quick ? 1 : 4;  // loading is not timed, but takes host-port clocks
      o.use_sync = false;
      busy.push_back(lpu::verif::randomProgram(cfg, o));
    }
    loads.emplace_back("busy", busy);
    // large simulates ~100x slower: a shorter copy (4 cycles apart) keeps the bench under a minute.
    loads.emplace_back("copy", std::vector<Program>{copyProgram(cfg, name == "large" ? 4 : 64, quick ? 16 : 1024)});
    for (const auto& [load, programs] : loads) {
      Sample s;
      measure(cfg, programs, seconds, s);
      if (s.errors != 0 || s.mismatches != 0) {
        std::cerr << fmt::format("lpu_rtl_bench: {} {}: {} of {} runs stopped with an error, {} lockstep mismatches\n",
                                 name, load, s.errors, s.programs, s.mismatches);
        failed = true;
      }
      const double rtl = s.cycles / s.rtl_s, model = s.cycles / s.model_s, ls = s.lockstep_cycles / s.lockstep_s;
      fmt::print("{:<6} {:<5} {:>9} {:>14.0f} {:>14.0f} {:>14.0f} {:>8.1f}x\n", name, load, s.cycles / s.programs, rtl,
                 model, ls, model / rtl);
      j["configs"][name][load] = {{"programs_run", s.programs},    {"cycles_per_program", s.cycles / s.programs},
                                  {"rtl_cycles_per_s", rtl},       {"rtl_clocks_per_s", s.clocks / s.rtl_s},
                                  {"model_cycles_per_s", model},   {"lockstep_cycles_per_s", ls},
                                  {"model_over_rtl", model / rtl}, {"lockstep_mismatches", s.mismatches}};
    }
  }
  std::filesystem::create_directories(std::filesystem::path(out).parent_path());
  std::ofstream(out) << j.dump(2) << "\n";
  fmt::print("wrote {}\n", out);
  return failed ? 1 : 0;
}
