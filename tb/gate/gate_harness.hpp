// Gate-level simulation of the synthesized core: the Yosys ECP5 netlist of lpu_top
// (sw/tools/gatesim.sh) verilated with the ECP5 cell models, driven through its host register port
// only, and checked against the golden model.
//
// The netlist has lpu_top's ports and nothing else that a testbench can name (no stream registers,
// no queue state), so the harness is the host of docs/architecture.md section 7 and nothing more;
// the check compares what a host sees at the end of a run: STATUS, CYCLE,
// ERR_CODE/ERR_CYCLE/ERR_WHERE and the SRAM words the program wrote or loaded.
//
// Example:
//   GateHarness h(isa::ArchConfig::byName(GateHarness::configName()));
//   GateCheck c = runAndCompare(h, program, 10'000);  // the same program on a fresh golden model
//   too EXPECT_TRUE(c.ok()) << c.report();                 // c.cycles == the program's cycle count
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/rtl_harness.hpp"  // register offsets, ErrWhere, RunResult (header only)
#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::tb::gate {

// The host register map and the result types of the core harness (sim/rtl_harness.hpp).
using namespace ::lpu::regs;
using sim::ErrWhere;
using sim::RunResult;

class GateHarness {
 public:
  // The configuration the netlist was synthesized for (tb/gate/CMakeLists.txt: LPU_GATESIM_CONFIG).
  static std::string_view configName();

  // Builds the verilated netlist and applies reset. Throws std::invalid_argument when `cfg` is not
  // configName().
  explicit GateHarness(const isa::ArchConfig& cfg);
  ~GateHarness();
  GateHarness(const GateHarness&) = delete;
  GateHarness& operator=(const GateHarness&) = delete;

  const isa::ArchConfig& config() const { return cfg_; }

  // ---- Register port: each call is exactly one clock cycle (read data: the value registered in
  // the cycle of the request, as sim/rtl_harness.hpp).
  void writeReg(std::uint32_t addr, std::uint32_t value);
  std::uint32_t readReg(std::uint32_t addr);
  void step(std::uint64_t n = 1);

  // ---- Loads and read-back, exactly as RtlHarness does them (same register sequence).
  // Throws std::invalid_argument for a program of another configuration or queue count.
  void loadProgram(const isa::Program& program);
  void writeQueue(unsigned queue, std::span<const std::uint32_t> words);
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word);
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address);

  // START, then STATUS once per clock until RUNNING drops; after max_cycles program cycles CLEAR
  // stops the machine and the result says kTimeout.
  RunResult run(std::uint64_t max_cycles);
  std::uint64_t cycle();  // CYCLE_HI:CYCLE_LO
  // Clock cycles since construction (reset included).
  std::uint64_t clocks() const;

  class Model;

 private:
  isa::ArchConfig cfg_;
  std::unique_ptr<Model> model_;
};

// One program on the netlist and on a fresh golden model, compared at the end.
struct GateCheck {
  std::vector<std::string> mismatches;  // empty when everything matched
  std::uint64_t model_cycles = 0;       // the golden model's cycle count
  std::uint64_t cycles = 0;             // the netlist's CYCLE
  std::uint32_t status = 0;             // the netlist's STATUS at the end
  std::size_t sram_words = 0;           // SRAM words compared
  std::uint64_t run_clocks = 0;         // clocks from START to the end of polling
  double run_seconds = 0;               // wall time of those clocks
  bool ok() const { return mismatches.empty(); }
  std::string report() const;  // one line per mismatch
};

// Loads `program` into `h` and into a golden model, runs both (limit max_cycles), and compares
// STATUS, CYCLE, ERR_CODE, ERR_CYCLE, ERR_WHERE and every SRAM word the model wrote or the program
// loaded.
GateCheck runAndCompare(GateHarness& h, const isa::Program& program, std::uint64_t max_cycles);

}  // namespace lpu::tb::gate
