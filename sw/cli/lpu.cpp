// lpu: the openlpu command-line tool. Thin layer over the libraries: parse arguments, read/write files, print.
//
//   lpu asm prog.s -o prog.lpb            assemble
//   lpu disasm prog.lpb                   disassemble to stdout
//   lpu run prog.s --dump MEM_E0:0x10:2   run on the golden model, dump SRAM words, print the cycle count
//   lpu compile g.json -o g.lpb --run     compile a tensor graph, run it, check the predicted cycle count
//   lpu info --config large               print a configuration
//   lpu llama gen --shape 260K -o DIR     write a seeded random llama2.c checkpoint and tokenizer
//   lpu llama run DIR/model.bin -i "Once" greedy Llama 2 decode (run.c's flags)
//   lpu llama sim DIR/model.bin -n 32       the main demo: decode on the RTL, the golden model checking each token
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"
#include "sw/cli/compile_command.hpp"
#include "sw/cli/llama_command.hpp"
#include "sw/cli/llama_sim_command.hpp"
#include "sw/cli/run_command.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace {

using lpu::isa::ArchConfig;
using lpu::isa::Program;

// Thrown for user errors; main prints "lpu: <message>" and exits 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot open for reading", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Loads a program from assembly (.s) or a binary container (anything else); config_name may be empty.
Program loadAnyProgram(const std::string& path, const std::string& config_name) {
  if (endsWith(path, ".s") || endsWith(path, ".asm")) {
    // --config, else the program's own .config line, else the default configuration.
    const std::string source = readTextFile(path);
    // An unknown .config name falls back to the default, so the assembler reports it at its file:line:col.
    std::string name = config_name;
    if (name.empty()) {
      name = lpu::assembler::declaredConfig(source);
      const bool known = std::any_of(lpu::isa::kConfigs.begin(), lpu::isa::kConfigs.end(),
                                     [&](const auto& p) { return p.name == name; });
      if (!known) name = lpu::isa::kDefaultConfig;
    }
    const ArchConfig cfg = ArchConfig::byName(name);
    auto result = lpu::assembler::assemble(source, path, cfg);
    if (!result.ok()) throw UsageError(result.formatDiagnostics());
    return std::move(*result.program);
  }
  Program p = lpu::isa::loadProgramFile(path);
  if (!config_name.empty() && p.config != config_name) {
    throw UsageError(fmt::format("{}: built for config '{}', but --config {} was given", path, p.config, config_name));
  }
  return p;
}

int cmdAsm(const std::string& input, std::string output, const std::string& config_name) {
  const Program p = loadAnyProgram(input, config_name);
  if (output.empty()) output = (endsWith(input, ".s") ? input.substr(0, input.size() - 2) : input) + ".lpb";
  lpu::isa::saveProgramFile(output, p);
  std::size_t words = 0;
  for (const auto& q : p.queues) words += q.size();
  fmt::print("{}: {} instruction words in {} queues, {} data segments (config {})\n", output, words, p.queues.size(),
             p.data.size(), p.config);
  return 0;
}

int cmdDisasm(const std::string& input, const std::string& output) {
  const Program p = lpu::isa::loadProgramFile(input);
  const std::string text = lpu::assembler::disassemble(p, ArchConfig::byName(p.config));
  if (output.empty() || output == "-") {
    std::cout << text;
  } else {
    std::ofstream out(output);
    if (!(out << text)) throw UsageError(fmt::format("{}: cannot write", output));
  }
  return 0;
}

int cmdInfo(const std::string& config_name) {
  const ArchConfig cfg = ArchConfig::byName(config_name);
  const auto& p = cfg.params();
  fmt::print("config {}: {}\n", p.name, p.description);
  fmt::print("  lanes {} ({} superlanes), {} streams per direction, {} positions/queues\n", p.lanes, cfg.superlanes(),
             p.streams_per_dir, cfg.positions());
  fmt::print("  SRAM {} KiB: {} MEM slices x {} banks x {} words x {} B\n", cfg.sramBytes() / 1024, cfg.memSlices(),
             p.banks_per_slice, p.words_per_bank, p.lanes);
  fmt::print("  MXM {}x{}, ABC every {} cycle(s): {} MACs/cycle peak, {} accumulators\n", p.lanes, p.lanes,
             p.mxm_abc_interval, cfg.mxmPeakMacsPerCycle(), p.mxm_acc_slots);
  fmt::print("  slices:");
  for (unsigned i = 0; i < cfg.positions(); ++i) fmt::print(" {}:{}", i, cfg.sliceName(i));
  fmt::print("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"openlpu: assembler, disassembler and runner for the openlpu LPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "openlpu 0.1");

  std::string config_name, input, output;

  auto* asm_cmd = app.add_subcommand("asm", "Assemble a .s file into a .lpb program");
  asm_cmd->add_option("input", input, "assembly source (.s)")->required();
  asm_cmd->add_option("-o,--output", output, "output file (default: input with .lpb)");
  asm_cmd->add_option("-c,--config", config_name, "configuration (ulx3s, small, large); default ulx3s or the .config");

  auto* dis_cmd = app.add_subcommand("disasm", "Disassemble a .lpb program to assembly");
  dis_cmd->add_option("input", input, "program (.lpb)")->required();
  dis_cmd->add_option("-o,--output", output, "output file (default: stdout)");

  lpu::cli::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a program (.s or .lpb) and report cycles, status and memory");
  run_cmd->add_option("input", run.program_path, "program (.s or .lpb)")->required();
  run_cmd->add_option("-c,--config", run.config_name, "configuration for .s input (default ulx3s)");
  run_cmd
      ->add_option("-b,--backend", run.backend,
                   "model (golden model), rtl (verilated RTL) or serial (a board over its UART: --port)")
      ->check(CLI::IsMember({"model", "rtl", "serial"}));
  run_cmd->add_option("--port", run.port, "serial port of the board (/dev/ttyUSB0) or lpu-board-sim's pty");
  run_cmd->add_option("--baud", run.baud, "baud rate of --port (default 3000000, the board's; ignored on a pty)");
  run_cmd->add_option("-m,--mem", run.memory_images, "memory image (.lpm) loaded after the program's own data");
  run_cmd->add_option("-d,--dump", run.dumps, "dump SRAM words: SLICE:ADDR[:WORDS], e.g. MEM_E0:0x10:2");
  run_cmd->add_option("-t,--trace", run.trace_path, "write a Chrome/Perfetto trace (JSON) of the run");
  run_cmd->add_option("--max-cycles", run.max_cycles, "stop with TIMEOUT after this many cycles");
  run_cmd->add_flag("--json", run.json, "print the summary as JSON");

  lpu::cli::CompileCommandOptions comp;
  auto* comp_cmd = app.add_subcommand("compile", "Compile a tensor graph (JSON, docs/compiler.md) to a program");
  comp_cmd->add_option("graph", comp.graph_path, "graph description (.json)")->required();
  comp_cmd->add_option("-o,--output", comp.output, "program (.lpb)");
  comp_cmd->add_option("--asm", comp.asm_output, "also write the program as assembly");
  comp_cmd->add_option("--layout", comp.layout_path, "memory layout (JSON): where every tensor lives");
  comp_cmd->add_option("--report", comp.report_path, "schedule report (JSON)");
  comp_cmd->add_option("--trace", comp.trace_path, "Chrome/Perfetto trace of the schedule");
  comp_cmd->add_flag("--listing", comp.listing, "print the per-queue schedule");
  comp_cmd->add_option("--mxms", comp.mxms, "MXMs a matmul may use (1 or 2)")->check(CLI::Range(1, 2));
  comp_cmd->add_flag("--run", comp.run, "run with random inputs and check the predicted cycle count");
  comp_cmd->add_option("-b,--backend", comp.backend, "backend for --run: model, rtl or serial (with --port)")
      ->check(CLI::IsMember({"model", "rtl", "serial"}));
  comp_cmd->add_option("--port", comp.port, "serial port of the board for --backend serial");
  comp_cmd->add_option("--baud", comp.baud, "baud rate of --port (default 3000000; ignored on a pty)");
  comp_cmd->add_option("--seed", comp.seed, "seed of the random inputs for --run");

  auto* info_cmd = app.add_subcommand("info", "Print a named configuration");
  std::string info_config(lpu::isa::kDefaultConfig);
  info_cmd->add_option("-c,--config", info_config, "configuration (ulx3s, small, large)");

  auto* llama_cmd = app.add_subcommand("llama", "Llama 2 (llama2.c checkpoints): generate a model, decode");
  llama_cmd->require_subcommand(1);
  lpu::cli::LlamaGenOptions llama_gen;
  auto* llama_gen_cmd = llama_cmd->add_subcommand(
      "gen", "Write a seeded random checkpoint (DIR/model.bin) and tokenizer (DIR/tokenizer.bin)");
  llama_gen_cmd->add_option("--shape", llama_gen.shape, "model shape: 260K, 15M or tiny (docs/llm.md)")
      ->check(CLI::IsMember({"260K", "15M", "tiny"}));
  llama_gen_cmd->add_option("--seed", llama_gen.seed, "seed of the weights");
  llama_gen_cmd->add_option("-o,--output", llama_gen.out_dir, "output directory")->required();
  llama_gen_cmd->add_flag("--unshared", llama_gen.unshared, "separate classifier (negative vocab_size)");
  lpu::cli::LlamaRunOptions llama_run;
  auto* llama_run_cmd = llama_cmd->add_subcommand("run", "Greedy decode of a llama2.c checkpoint (run.c -t 0)");
  llama_run_cmd->add_option("checkpoint", llama_run.checkpoint, "llama2.c checkpoint (run.c format)")->required();
  llama_run_cmd->add_option("-z,--tokenizer", llama_run.tokenizer, "tokenizer.bin (default: next to the checkpoint)");
  llama_run_cmd->add_option("-n,--steps", llama_run.steps, "positions to run, prompt included; 0 = seq_len");
  llama_run_cmd->add_option("-i,--prompt", llama_run.prompt, "prompt (default: empty, start from BOS)");
  llama_run_cmd
      ->add_option("-b,--backend", llama_run.backend,
                   "float (fp32 reference), int (integer reference), or the LPU: model (golden model), rtl "
                   "(verilated RTL), serial (a board: --port)")
      ->check(CLI::IsMember({"float", "int", "model", "rtl", "serial"}));
  llama_run_cmd->add_option("--config", llama_run.config, "LPU configuration (default ulx3s)");
  llama_run_cmd->add_option("--port", llama_run.port, "serial port of the board or lpu-board-sim's pty");
  llama_run_cmd->add_option("--baud", llama_run.baud, "baud rate of --port (default 3000000; ignored on a pty)");
  llama_run_cmd->add_flag("--ids", llama_run.ids, "print the token ids (space-separated, one line) instead of text");
  lpu::cli::LlamaSimOptions llama_sim;
  auto* llama_sim_cmd = llama_cmd->add_subcommand(
      "sim", "The main demo: greedy decode on the verilated RTL, the golden model checking every token");
  llama_sim_cmd->add_option("checkpoint", llama_sim.checkpoint, "llama2.c checkpoint (run.c format)")->required();
  llama_sim_cmd->add_option("-z,--tokenizer", llama_sim.tokenizer, "tokenizer.bin (default: next to the checkpoint)");
  llama_sim_cmd->add_option("-n,--steps", llama_sim.steps, "positions to run, prompt included (default 32)");
  llama_sim_cmd->add_option("-i,--prompt", llama_sim.prompt, "prompt (default: empty, start from BOS)");
  llama_sim_cmd->add_option("--config", llama_sim.config, "LPU configuration (default ulx3s)");
  llama_sim_cmd->add_option("--fpga-json", llama_sim.fpga_json, "make bitstream's report, for its Fmax");
  llama_sim_cmd->add_option("--target-mhz", llama_sim.target_mhz, "clock when the report has no Fmax (default 100)");
  llama_sim_cmd->add_option("-b,--backend", llama_sim.backend, "rtl (default) or model (no RTL)")
      ->check(CLI::IsMember({"rtl", "model"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*asm_cmd) return cmdAsm(input, output, config_name);
    if (*dis_cmd) return cmdDisasm(input, output);
    if (*info_cmd) return cmdInfo(info_config);
    if (*comp_cmd) return lpu::cli::compileCommand(comp, std::cout);
    if (*llama_gen_cmd) return lpu::cli::llamaGenCommand(llama_gen, std::cout);
    if (*llama_run_cmd) return lpu::cli::llamaRunCommand(llama_run, std::cout, std::cerr);
    if (*llama_sim_cmd) return lpu::cli::llamaSimCommand(llama_sim, std::cout, std::cerr);
    if (*run_cmd) {
      run.program = loadAnyProgram(run.program_path, run.config_name);
      return lpu::cli::runCommand(run, std::cout);
    }
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "lpu: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
