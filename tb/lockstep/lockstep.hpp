// Lockstep comparison of the verilated RTL (sim/rtl_harness.hpp) with the golden model
// (sw/model/machine.hpp).
//
// run() loads one isa::Program into a fresh RtlHarness (through the host register port:
// IMEM_ADDR/IMEM_DATA, SRAM_DATA/SRAM_ADDR/SRAM_CMD, as a host would) and into a fresh
// model::Machine, starts both and steps them together one program cycle at a time. After every
// cycle it compares
//   - every stream register R[E|W][s][p] (RtlHarness::peekStream vs Machine::streamReg): this
//   covers every
//     stream-register write, every hop and the chip-edge entry registers;
//   - RTL assertions (RtlHarness::assertionFailed);
// and at the end
//   - every SRAM word the model wrote (MemWrite observer), read back through the host port from
//   both;
//   - the final cycle count (CYCLE_HI:CYCLE_LO vs Machine::cycle());
//   - STATUS and the error: ERR_CODE, ERR_CYCLE, ERR_WHERE (position, stream, direction, low 15
//   address bits)
//     vs model::ErrorInfo.
//
// Cycle alignment (sim/rtl_harness.cpp, rtl/lpu_top.sv "Run control", docs/rtl.md section 5): the
// START write is one clock (start_req_q rises); in the next clock `start` (= start_req_q && !busy)
// resets the queues and the stream registers and raises running_q; the clock after that is program
// cycle 0. So after RtlHarness::start() and one RtlHarness::step(), one step() = one program cycle,
// and peekStream() reads the state at the start of the next cycle, which is what
// Machine::streamReg() reads after Machine::step(). A fresh harness is never busy at START (nothing
// in flight), so the delay is always exactly one clock. The machine then needs one more clock than
// the model to stop on a normal end (cycle T, in which it detects "all halted, nothing busy"; its
// one effect, a stream hop, the model applies with its last cycle); after an error in cycle e both
// have run cycles 0..e.
//
// The report of a mismatch names the cycle, the slice, the stream (E/W index) or SRAM address, both
// values as hex bytes with the differing lanes marked, the model's explanation of the value (which
// slice loaded it, or from which position it was passed on, and the instructions dispatched there
// just before), and two commands: one that reruns the program, and one that reruns it with an FST
// trace of a window of program cycles around the failing cycle.
//
// Example:
//   lockstep::Options opt;  opt.repro = "build/bin/lpu-lockstep --config small --seed 7";
//   lockstep::Result r = lockstep::run(isa::ArchConfig::byName("ulx3s"), program, opt);
//   if (!r.ok()) std::cerr << r.report();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/rtl_harness.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"
#include "sw/model/machine.hpp"
#include "sw/verif/random_program.hpp"

namespace lpu::lockstep {

struct Options {
  // Both stop with TIMEOUT after this many program cycles.
  std::uint64_t max_cycles = 200'000;
  // Registers reported in detail for the first mismatching cycle (the rest are counted).
  unsigned max_reported_registers = 6;
  // After the first mismatching cycle the per-cycle comparison stops (the machines have diverged);
  // both still run to their end so that the final cycle count, status and SRAM are compared and
  // reported too.
  //
  // The command that reruns exactly this program (no wave options), printed in the report. When
  // empty the program is saved to `failure_dir`/<name>.lpb on a mismatch and the command names that
  // file.
  std::string repro;
  std::string failure_dir = "build/lockstep-failures";
  std::string name = "program";  // used for the saved program and the default wave file name
  // Optional FST trace of the program cycles [trace_from, trace_to] (both inclusive; clamped to the
  // run).
  std::string trace_path;
  std::uint64_t trace_from = 0;
  std::uint64_t trace_to = UINT64_MAX;
  // Window suggested in the wave command of a report: [cycle - before, cycle + after].
  unsigned wave_before = 16;
  unsigned wave_after = 4;
  // SRAM words to read back and compare in addition to the ones the model wrote (e.g. a directed
  // test's result or "every word of the data segments" to catch RTL writes the model did not make).
  std::vector<std::pair<unsigned, std::uint32_t>> extra_sram_words;
  bool check_data_segments = false;  // add every word of program.data to the read-back
  // Seed of the RTL's random initial state (sim::HarnessOptions::init_seed) for run(); a Session keeps
  // the seed its harness was built with. The report prints it and the rerun command passes it on.
  std::uint32_t init_seed = 1;
  // Self-test of the checker only: the model runs this program instead of the RTL's (so a
  // difference is known).
  const isa::Program* model_program = nullptr;
};

struct Mismatch {
  enum class Kind { kStream, kSram, kCycles, kStatus, kError, kAssertion, kHarness };
  Kind kind;
  // Program cycle: end of which a register differs; the final cycle for end-of-run checks.
  std::uint64_t cycle;
  std::string text;  // a human-readable paragraph (several lines)
};

std::string_view kindName(Mismatch::Kind kind);

struct Result {
  std::string config;
  std::string name;
  // Model side.
  model::RunState model_state = model::RunState::kIdle;
  std::uint64_t model_cycles = 0;
  std::optional<model::ErrorInfo> model_error;
  // RTL side (host registers read after the run).
  std::uint32_t rtl_status = 0;
  std::uint64_t rtl_cycles = 0;
  isa::ErrorCode rtl_error = isa::ErrorCode::kNone;
  std::uint32_t rtl_err_cycle = 0;
  std::uint32_t rtl_err_where = 0;
  std::uint32_t init_seed = 0;  // seed of the RTL's random initial state
  // Comparison.
  std::vector<Mismatch> mismatches;
  std::optional<std::uint64_t> first_mismatch_cycle;           // the first cycle at whose end streams differed
  std::uint64_t cycles_compared = 0;                           // cycles whose end state was compared
  std::uint64_t registers_compared = 0;                        // stream registers compared in total
  std::vector<std::pair<unsigned, std::uint32_t>> sram_words;  // (position, address) read back and compared
  std::vector<std::vector<std::uint8_t>> sram_values;          // the model's value of each of them
  std::uint64_t clock_at_cycle0 = 0;                           // harness clock index at which program cycle 0 ended
  std::uint64_t rtl_clocks = 0;               // clocks the whole RTL session took (load, run, read-back)
  double rtl_seconds = 0, model_seconds = 0;  // time spent stepping each side (lockstep loop only)
  std::string repro;                          // command that reruns this program
  std::string wave_command;                   // the same with an FST window (set on a mismatch)
  std::string gtkwave_command;                // how to look at it

  bool ok() const { return mismatches.empty(); }
  // One line: "small seed 7: MATCH 123 cycles (done)" / "... MISMATCH at cycle 57 (3 differences)".
  std::string summary() const;
  // summary() plus every mismatch and the rerun / wave commands; "" extra when ok().
  std::string report() const;
};

// A fresh RtlHarness and Machine for this program alone (so a failing program reproduces on its
// own).
Result run(const isa::ArchConfig& cfg, const isa::Program& program, const Options& options = {});

// Coverage build only (LPU_RTL_COVERAGE=1; a no-op otherwise): run() keeps one session per
// configuration for the whole process; this writes their counters to $LPU_COVERAGE_DIR. Call it
// before the process exits (lpu-lockstep's main, the tests' global TearDown): left to static
// destruction, the process aborts inside the Verilated runtime once another harness (e.g. the rtl
// driver's) has come and gone, before the counters are written.
void flushCoverage();

// One RtlHarness and one Machine for a sequence of programs (SRAM contents carry over on both
// sides, as on a real device): quicker, and needed where the RTL state must survive (coverage
// counters). Tracing is not supported here (use run()). A program that fails in a session may need
// its predecessors to reproduce; the regression uses run().
class Session {
 public:
  explicit Session(const isa::ArchConfig& cfg);
  Session(const isa::ArchConfig& cfg, const sim::HarnessOptions& harness_options);
  ~Session();
  // Coverage build only (no-op otherwise): writes this session's coverage counters now (once).
  void writeCoverage();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Result run(const isa::Program& program, const Options& options = {});
  sim::RtlHarness& harness();
  model::Machine& machine();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---- Helpers shared by the tests, the CLI and the benchmark.

// The lpu-lockstep flags that select `opt` (everything but the seed), e.g. " --gs 2 --max-insns
// 12"; "" for the defaults. The CLI parses the same flags, so `lpu-lockstep --config small --seed
// N` + this reruns a program.
std::string randomFlags(const verif::RandomProgramOptions& opt);
// Command that reruns random program `opt.seed` of `config` with these options.
std::string randomRepro(std::string_view config, const verif::RandomProgramOptions& opt);
// Path of the lpu-lockstep binary for repro commands: "build/bin/lpu-lockstep" unless
// LPU_LOCKSTEP_BIN is set.
std::string lockstepBinary();

// Hex bytes "01 02 ff ..." of a word.
std::string hexBytes(std::span<const std::uint8_t> bytes);

}  // namespace lpu::lockstep
