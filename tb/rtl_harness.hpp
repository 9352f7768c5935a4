// Host-level driver of the verilated openlpu core (lpu_top) in either named configuration.
//
// Everything goes through the host register port of docs/architecture.md section 7, exactly as a host would
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

#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"

namespace lpu::tb {

// Register offsets (docs/architecture.md section 7; the RTL's copy is rtl/lpu_pkg.sv).
inline constexpr std::uint32_t kRegCtrl = 0x00;
inline constexpr std::uint32_t kRegStatus = 0x04;
inline constexpr std::uint32_t kRegErrCode = 0x08;
inline constexpr std::uint32_t kRegErrCycle = 0x0C;
inline constexpr std::uint32_t kRegErrWhere = 0x10;
inline constexpr std::uint32_t kRegCycleLo = 0x14;
inline constexpr std::uint32_t kRegCycleHi = 0x18;
inline constexpr std::uint32_t kRegConfig = 0x1C;
inline constexpr std::uint32_t kRegImemAddr = 0x20;
inline constexpr std::uint32_t kRegImemData = 0x24;
inline constexpr std::uint32_t kRegSramAddr = 0x30;
inline constexpr std::uint32_t kRegSramCmd = 0x34;
inline constexpr std::uint32_t kRegSramData = 0x100;

inline constexpr std::uint32_t kCtrlStart = 1u << 0;
inline constexpr std::uint32_t kCtrlClear = 1u << 1;
inline constexpr std::uint32_t kStatusRunning = 1u << 0;
inline constexpr std::uint32_t kStatusDone = 1u << 1;
inline constexpr std::uint32_t kStatusError = 1u << 2;
inline constexpr std::uint32_t kSramCmdWrite = 1;
inline constexpr std::uint32_t kSramCmdRead = 2;

// ERR_WHERE decoded: bits 7:0 position, 15:8 stream, 16 direction, 31:17 address.
struct ErrWhere {
  unsigned position = 0;
  unsigned stream = 0;
  isa::Dir dir = isa::Dir::kEast;
  std::uint32_t address = 0;  // low 15 bits of the model's ErrorInfo::address
  static ErrWhere decode(std::uint32_t v) {
    return ErrWhere{v & 0xFF, (v >> 8) & 0xFF, ((v >> 16) & 1) ? isa::Dir::kWest : isa::Dir::kEast, v >> 17};
  }
};

struct RunResult {
  std::uint32_t status = 0;           // STATUS at the end
  isa::ErrorCode error = isa::ErrorCode::kNone;  // ERR_CODE, or kTimeout when max_cycles ran out
  std::uint64_t cycles = 0;           // CYCLE_HI:CYCLE_LO: the program's cycle count (ERR_CYCLE+1 on error)
  std::uint64_t clocks = 0;           // clock cycles the run took, host polling included
};

struct HarnessOptions {
  // FST trace of the clock cycles [trace_from, trace_to) counted from construction (clocks(), not program
  // cycles); empty path = no tracing (tracing slows the simulation several times).
  std::string trace_path;
  std::uint64_t trace_from = 0;
  std::uint64_t trace_to = UINT64_MAX;
  // A failing RTL assertion aborts the process (true) or only sets assertionFailed() (false).
  bool fatal_assertions = false;
};

class RtlHarness {
 public:
  // Builds the verilated model of the named configuration ("small" or "large") and applies reset.
  // Throws std::invalid_argument for a configuration without a verilated model.
  explicit RtlHarness(const isa::ArchConfig& cfg, HarnessOptions options = {});
  ~RtlHarness();
  // Whether this build verilated the named configuration (tb/CMakeLists.txt LPU_RTL_CONFIGS; the normal build has
  // both, the coverage build small alone).
  static bool available(std::string_view config_name);
  RtlHarness(const RtlHarness&) = delete;
  RtlHarness& operator=(const RtlHarness&) = delete;

  const isa::ArchConfig& config() const { return cfg_; }

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
  void start();                                  // CTRL = START
  void clear();                                  // CTRL = CLEAR (also stops a running machine)
  // START, then read STATUS once per clock until RUNNING drops. After max_cycles program cycles without stopping,
  // CLEAR stops the machine and the result says kTimeout (the host's TIMEOUT, as the model's run()).
  RunResult run(std::uint64_t max_cycles);

  std::uint32_t status() { return readReg(kRegStatus); }
  isa::ErrorCode errorCode() { return static_cast<isa::ErrorCode>(readReg(kRegErrCode)); }
  std::uint32_t errorCycle() { return readReg(kRegErrCycle); }
  ErrWhere errorWhere() { return ErrWhere::decode(readReg(kRegErrWhere)); }
  std::uint64_t cycle();                          // CYCLE_HI:CYCLE_LO

  // ---- Inspection without host cycles.
  // R[dir][stream][position] as the RTL holds it now (lanes bytes): the state at the start of the current cycle.
  std::vector<std::uint8_t> peekStream(isa::Dir dir, unsigned stream, unsigned position) const;
  // Clock cycles since construction (reset included).
  std::uint64_t clocks() const;
  // An RTL assertion failed (see HarnessOptions::fatal_assertions).
  bool assertionFailed() const;

  // The model behind the harness (one implementation per verilated configuration).
  class Model;

 private:
  isa::ArchConfig cfg_;
  std::unique_ptr<Model> model_;
};

}  // namespace lpu::tb
