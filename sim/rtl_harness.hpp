// Host-level driver of the verilated openlpu core (lpu_top) in either named configuration.
//
// Everything goes through the host register port of docs/isa.md ("Host registers"), exactly as a host would
// (one register access per clock; a read returns the value registered in the cycle of the request), except
// peekStream(), which reads the stream register file directly for lockstep comparison with the golden model.
//
// Example:
//   RtlHarness h(isa::ArchConfig::byName("small"));
//   h.loadProgram(program);                  // IMEM_ADDR/IMEM_DATA per queue, SRAM_DATA/SRAM_ADDR/SRAM_CMD
//   RunResult r = h.run(10'000);             // START, then poll STATUS until it stops
//   // r.status == kStatusDone, r.cycles == the program's cycle count (CYCLE_LO/HI)
//   std::vector<std::uint8_t> w = h.readSram(6, 0x10);   // lanes bytes of word 0x10 of MEM_E0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assert_log.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"
#include "sw/isa/regs_gen.hpp"

namespace lpu::sim {

// The host register map (kReg*, kCtrl*, kStatus*, kSramCmd*, field positions) is generated from
// sw/isa/regs.toml (docs/isa.md, "Host registers"); code in lpu::sim names it unqualified.
using namespace ::lpu::regs;

// ERR_WHERE decoded.
struct ErrWhere {
  unsigned position = 0;
  unsigned stream = 0;
  isa::Dir dir = isa::Dir::kEast;
  std::uint32_t address = 0;  // low 15 bits of the model's ErrorInfo::address
  static ErrWhere decode(std::uint32_t v) {
    return ErrWhere{kErrWherePosField.get(v), kErrWhereStreamField.get(v),
                    (v & kErrWhereDir) ? isa::Dir::kWest : isa::Dir::kEast, kErrWhereAddrField.get(v)};
  }
};

struct RunResult {
  std::uint32_t status = 0;                      // STATUS at the end
  isa::ErrorCode error = isa::ErrorCode::kNone;  // ERR_CODE, or kTimeout when max_cycles ran out
  std::uint64_t cycles = 0;                      // CYCLE_HI:CYCLE_LO: the program's cycle count (ERR_CYCLE+1 on error)
  std::uint64_t clocks = 0;                      // clock cycles the run took, host polling included
};

struct HarnessOptions {
  // FST trace of the clock cycles [trace_from, trace_to) counted from construction (clocks(), not program
  // cycles); empty path = no tracing (tracing slows the simulation several times).
  std::string trace_path;
  std::uint64_t trace_from = 0;
  std::uint64_t trace_to = UINT64_MAX;
  // A failing RTL assertion aborts the process (true) or only sets assertionFailed() (false).
  bool fatal_assertions = false;
  // Seed of the initial state: every flop and memory bit that reset does not set (SRAM, instruction memories,
  // stream registers, datapath registers) starts from values drawn from it (Verilator --x-initial unique with
  // randReset 2), so nothing may depend on an unreset register and a run reproduces from its seed. 0 = all
  // zeros. Callers print it with their result.
  std::uint32_t init_seed = 1;
};

class RtlHarness {
 public:
  // Builds the verilated model of the named configuration ("small" or "large") and applies reset.
  // Throws std::invalid_argument for a configuration without a verilated model.
  explicit RtlHarness(const isa::ArchConfig& cfg, HarnessOptions options = {});
  ~RtlHarness();
  // Whether this build verilated the named configuration (sim/CMakeLists.txt LPU_RTL_CONFIGS; the normal build has
  // both, the coverage build small alone).
  static bool available(std::string_view config_name);
  RtlHarness(const RtlHarness&) = delete;
  RtlHarness& operator=(const RtlHarness&) = delete;

  const isa::ArchConfig& config() const { return cfg_; }
  std::uint32_t initSeed() const { return init_seed_; }

  // ---- Register port: each call is exactly one clock cycle.
  void writeReg(std::uint32_t addr, std::uint32_t value);
  std::uint32_t readReg(std::uint32_t addr);
  // n clock cycles without a host access.
  void step(std::uint64_t n = 1);

  // ---- Loads (only while stopped).
  // Every queue: IMEM_ADDR = {queue, 0} (which empties it), then one IMEM_DATA per word; then every data segment
  // word by word through the staging buffer. Throws std::invalid_argument when the program is for another
  // configuration or has the wrong number of queues.
  void loadProgram(const isa::Program& program);
  // IMEM_ADDR = {queue, first}, then the words. The queue's program ends after the last word written.
  void writeQueue(unsigned queue, std::span<const std::uint32_t> words, unsigned first = 0);
  // SRAM_DATA[0..lanes/4) = word, SRAM_ADDR = {position, address}, SRAM_CMD = write.
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word);
  // SRAM_ADDR, SRAM_CMD = read, then SRAM_DATA[0..lanes/4): lanes bytes.
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address);

  // ---- Run control.
  void start();  // CTRL = START
  void clear();  // CTRL = CLEAR (also stops a running machine)
  // START, then read STATUS once per clock until RUNNING drops. After max_cycles program cycles without stopping,
  // CLEAR stops the machine and the result says kTimeout (the host's TIMEOUT, as the model's run()).
  RunResult run(std::uint64_t max_cycles);

  std::uint32_t status() { return readReg(kRegStatus); }
  isa::ErrorCode errorCode() { return static_cast<isa::ErrorCode>(readReg(kRegErrCode)); }
  std::uint32_t errorCycle() { return readReg(kRegErrCycle); }
  ErrWhere errorWhere() { return ErrWhere::decode(readReg(kRegErrWhere)); }
  std::uint64_t cycle();  // CYCLE_HI:CYCLE_LO

  // ---- Inspection without host cycles.
  // R[dir][stream][position] as the RTL holds it now (lanes bytes): the state at the start of the current cycle.
  std::vector<std::uint8_t> peekStream(isa::Dir dir, unsigned stream, unsigned position) const;
  // Clock cycles since construction (reset included).
  std::uint64_t clocks() const;
  // An RTL assertion failed (see HarnessOptions::fatal_assertions).
  bool assertionFailed() const;
  // Which ones, by name (sim/assert_log.hpp): every failure with its source line, the distinct keys
  // (module.label, in first-failure order), and whether one matching `name` (module.label or a bare label) fired.
  const AssertLog& assertions() const;
  std::vector<std::string> firedAssertions() const;
  bool fired(std::string_view name) const;

  // The model behind the harness (one implementation per verilated configuration).
  class Model;

 private:
  isa::ArchConfig cfg_;
  std::uint32_t init_seed_ = 0;
  std::unique_ptr<Model> model_;
};

}  // namespace lpu::sim
