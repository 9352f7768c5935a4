// lpu-lockstep: runs programs on the verilated RTL in lockstep with the golden model
// (tb/lockstep/lockstep.hpp).
//
//   lpu-lockstep --config small --seed 7                 random program 7 (sw/verif), default
//   generator options lpu-lockstep --config large --seed 100 --count 50    programs 100..149
//   lpu-lockstep --config small --seed 7 --gs 2 --max-insns 12      generator options (as printed
//   in a report) lpu-lockstep --program examples/hello.s [--config large]        an assembly (.s)
//   or binary (.lpb) program lpu-lockstep --config small --seed 7 --wave build/waves/s7.fst --from
//   40 --to 60   FST of program cycles 40..60 lpu-lockstep --program examples/hello.s --summary
//   readable summary (what `make sim` prints)
//
// Exit status: 0 when every program matched, 1 on a mismatch, 2 on a usage or input error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sw/asm/assembler.hpp"
#include "sw/isa/isa.hpp"
#include "sw/verif/random_program.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace {

using lpu::isa::ArchConfig;
using lpu::isa::Program;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// config_given: --config was on the command line; otherwise a .config directive of the source wins.
Program loadProgram(const std::string& path, std::string config, bool config_given) {
  if (endsWith(path, ".s") || endsWith(path, ".asm")) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (!config_given && !lpu::assembler::declaredConfig(text).empty()) {
      config = lpu::assembler::declaredConfig(text);
    }
    const auto r = lpu::assembler::assemble(text, path, ArchConfig::byName(config));
    if (!r.ok()) throw std::runtime_error(r.formatDiagnostics());
    return *r.program;
  }
  (void)config_given;
  return lpu::isa::loadProgramFile(path);
}

std::string statusText(const lpu::lockstep::Result& r, bool rtl) {
  if (rtl) {
    if (r.rtl_error != lpu::isa::ErrorCode::kNone) {
      const unsigned pos = r.rtl_err_where & 0xFF;
      return fmt::format("stopped with {} at cycle {} (position {}), {} cycles", lpu::isa::errorName(r.rtl_error),
                         r.rtl_err_cycle, pos, r.rtl_cycles);
    }
    return fmt::format("done after {} cycles, no error", r.rtl_cycles);
  }
  if (r.model_error) {
    return fmt::format("stopped with {} at cycle {} (position {}), {} cycles", lpu::isa::errorName(r.model_error->code),
                       r.model_error->cycle, r.model_error->position, r.model_cycles);
  }
  return fmt::format("done after {} cycles, no error", r.model_cycles);
}

// Adds the lpu_view scope (one signal per stream register / queue, named by slice) to an FST
// written by the harness, with tb/waves/fst_view.py; the save file tb/waves/lpu.gtkw shows those
// signals.
void addView(const std::string& fst) {
  const std::string script = std::string(LPU_SOURCE_DIR) + "/tb/waves/fst_view.py";
  const std::string tmp = fst + ".view.fst";
  const std::string cmd = fmt::format("python3 '{}' '{}' '{}'", script, fst, tmp);
  if (std::system(cmd.c_str()) == 0 && std::rename(tmp.c_str(), fst.c_str()) == 0) return;
  std::remove(tmp.c_str());
  std::cerr << "lpu-lockstep: could not add the lpu_view scope (" << cmd
            << " failed); the FST has the raw RTL signals only\n";
}

void printSummary(const std::string& what, const ArchConfig& cfg, const Program& program,
                  const lpu::lockstep::Result& r) {
  unsigned words = 0, queues = 0;
  for (const auto& q : program.queues) {
    words += static_cast<unsigned>(q.size());
    if (q.size() > 1) ++queues;
  }
  fmt::print("{} on the RTL (Vlpu_{}) in lockstep with the golden model\n", what, cfg.name());
  fmt::print("  program : {} instruction words, {} queues doing more than halt, {} data segments\n", words, queues,
             program.data.size());
  fmt::print("  RTL     : {}  ({} host clocks: load, run, read-back; random initial state, seed {})\n",
             statusText(r, true), r.rtl_clocks, r.init_seed);
  fmt::print("  model   : {}\n", statusText(r, false));
  fmt::print("  compared: every stream register ({}) in each of {} cycles, {} SRAM words read back\n",
             2 * cfg.positions() * cfg.streamsPerDir(), r.cycles_compared, r.sram_words.size());
  for (std::size_t i = 0; i < r.sram_words.size() && i < 8; ++i) {
    std::string v;
    const auto& w = r.sram_values[i];
    for (std::size_t k = 0; k < w.size() && k < 16; ++k)
      v += fmt::format(" {}", static_cast<int>(static_cast<std::int8_t>(w[k])));
    fmt::print("  SRAM    : {}[{:#06x}] ={}{} (int8 lanes 0..)\n", cfg.sliceName(r.sram_words[i].first),
               r.sram_words[i].second, v, w.size() > 16 ? " ..." : "");
  }
  if (r.sram_words.size() > 8) fmt::print("  SRAM    : ... {} more words\n", r.sram_words.size() - 8);
  fmt::print("  result  : {}\n", r.ok() ? "MATCH (RTL == model, cycle for cycle)" : "MISMATCH");
  if (!r.ok()) std::cout << r.report();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lpu-lockstep: verilated RTL vs golden model, cycle by cycle"};
  std::string config(lpu::isa::kDefaultConfig), program_path, wave;
  std::uint64_t seed = 1, count = 1, from = 0, to = UINT64_MAX, max_cycles = 200'000;
  bool summary = false, quiet = false;
  lpu::verif::RandomProgramOptions ro;
  bool no_mxm = false, mxm = false, no_sync = false, sync = false;

  std::vector<std::string> config_names;
  for (const auto& p : lpu::isa::kConfigs) config_names.emplace_back(p.name);
  config_names.emplace_back("both");
  auto* config_opt = app.add_option("-c,--config", config,
                                    "configuration (sw/isa/arch.toml), or both: ulx3s and large (random programs)")
                         ->check(CLI::IsMember(config_names));
  auto* seed_opt = app.add_option("-s,--seed", seed, "first random program (sw/verif randomProgram seed)");
  app.add_option("-n,--count", count, "number of random programs: seeds seed .. seed+count-1");
  auto* prog_opt = app.add_option("-p,--program", program_path, "program to run instead: assembly (.s) or .lpb");
  prog_opt->excludes(seed_opt);
  app.add_option("--wave", wave, "write an FST trace of program cycles --from..--to (one program only)");
  app.add_option("--from", from, "first program cycle of the FST window");
  app.add_option("--to", to, "last program cycle of the FST window");
  app.add_option("--max-cycles", max_cycles, "TIMEOUT after this many cycles");
  std::uint32_t init_seed = 0;
  auto* init_seed_opt =
      app.add_option("--init-seed", init_seed,
                     "seed of the RTL's random initial state (default: the random program's seed; 1 for --program; "
                     "0: all zeros)");
  app.add_flag("--summary", summary, "print a readable summary of the run (make sim)");
  app.add_flag("-q,--quiet", quiet, "print only mismatches and the final count");
  app.add_option("--min-insns", ro.min_insns, "generator: min instructions per queue");
  app.add_option("--max-insns", ro.max_insns, "generator: max instructions per queue");
  app.add_option("--nop-weight", ro.nop_weight, "generator: weight of nop");
  app.add_option("--repeat-weight", ro.repeat_weight, "generator: weight of repeat");
  app.add_option("--op-weight", ro.op_weight, "generator: weight of slice instructions");
  app.add_option("--gs", ro.gather_scatter_weight, "generator: allow gather/scatter (may raise BAD_ADDRESS)");
  app.add_flag("--no-mxm", no_mxm, "generator: leave the MXM queues empty");
  app.add_flag("--mxm", mxm, "generator: use the MXMs (default)");
  app.add_flag("--no-sync", no_sync, "generator: no sync/notify barrier");
  app.add_flag("--sync", sync, "generator: allow a sync/notify barrier (default)");
  app.add_option("--data-words", ro.data_words, "generator: SRAM words per MEM slice");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (no_mxm) ro.use_mxm = false;
  if (mxm) ro.use_mxm = true;
  if (no_sync) ro.use_sync = false;
  if (sync) ro.use_sync = true;

  try {
    std::vector<std::string> configs;
    if (config == "both") {
      configs = {"ulx3s", "large"};
    } else {
      configs = {config};
    }
    if (!wave.empty() && (count != 1 || configs.size() != 1)) {
      std::cerr << "lpu-lockstep: --wave traces one program: use it with --count 1 and one --config\n";
      return 2;
    }
    std::uint64_t total = 0, bad = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const std::string& name : configs) {
      const ArchConfig cfg = ArchConfig::byName(name);
      const std::uint64_t n = program_path.empty() ? count : 1;
      for (std::uint64_t i = 0; i < n; ++i) {
        Program program;
        lpu::lockstep::Options opt;
        opt.max_cycles = max_cycles;
        opt.init_seed = init_seed_opt->count() > 0 ? init_seed : 1;
        if (program_path.empty()) {
          ro.seed = seed + i;
          if (init_seed_opt->count() == 0) opt.init_seed = static_cast<std::uint32_t>(ro.seed);
          program = lpu::verif::randomProgram(cfg, ro);
          opt.repro = lpu::lockstep::randomRepro(name, ro);
          opt.name = fmt::format("seed{}", ro.seed);
        } else {
          program = loadProgram(program_path, name, config_opt->count() > 0);
          const std::string file = program_path.substr(program_path.find_last_of('/') + 1);
          opt.name = file.substr(0, file.find_last_of('.'));
          opt.repro =
              fmt::format("{} --config {} --program {}", lpu::lockstep::lockstepBinary(), program.config, program_path);
        }
        const ArchConfig pcfg = ArchConfig::byName(program.config);
        if (!wave.empty()) {
          opt.trace_path = wave;
          opt.trace_from = from;
          opt.trace_to = to;
        }
        const lpu::lockstep::Result r = lpu::lockstep::run(pcfg, program, opt);
        ++total;
        if (!r.ok()) ++bad;
        if (summary) {
          printSummary(program_path.empty() ? fmt::format("random program {} ({})", ro.seed, name) : program_path, pcfg,
                       program, r);
        } else if (!r.ok()) {
          std::cout << r.report() << std::flush;
        } else if (!quiet) {
          std::cout << r.summary() << "\n";
        }
        if (!wave.empty()) {
          addView(wave);
          std::cout << fmt::format(
              "  wave    : {} (program cycles {}..{}); view with\n            gtkwave {} --save "
              "tb/waves/lpu.gtkw\n",
              wave, from, to == UINT64_MAX ? std::string("end") : std::to_string(to), wave);
        }
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (total > 1 || quiet) {
      std::cout << fmt::format("lpu-lockstep: {} program{}, {} mismatch{} ({:.1f} s)\n", total, total == 1 ? "" : "s",
                               bad, bad == 1 ? "" : "es", secs);
    }
    lpu::lockstep::flushCoverage();
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::cout << std::flush;
    std::cerr << "lpu-lockstep: " << e.what() << "\n";
    return 2;
  }
}
