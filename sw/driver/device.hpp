// The host's view of an LPU: load a program, move SRAM words, run, read the status. One interface, several
// backends: the golden model ("model") and the verilated RTL ("rtl", in builds with Verilator).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::driver {

struct DeviceError {
  isa::ErrorCode code = isa::ErrorCode::kNone;
  std::uint64_t cycle = 0;
  unsigned position = 0;
  std::string message;
};

struct RunResult {
  std::uint64_t cycles = 0;          // the program's cycle count (error cycle + 1 after an error)
  std::optional<DeviceError> error;  // set when the machine stopped with an error status
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const isa::ArchConfig& config() const = 0;
  // Loads every queue and the program's data segments. Throws std::invalid_argument on a program that does not fit.
  virtual void loadProgram(const isa::Program& program) = 0;
  virtual void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) = 0;
  virtual std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) = 0;
  // Starts the machine and runs until done, error or max_cycles (TIMEOUT). When `trace` is given and the backend
  // supports it, a Chrome trace-event JSON of the run is written to it.
  virtual RunResult run(std::uint64_t max_cycles, std::ostream* trace) = 0;
};

// "model" (always available) or "rtl" (when built with Verilator). Throws std::invalid_argument for an unknown or
// unavailable backend, naming the ones that exist.
std::unique_ptr<Device> makeDevice(std::string_view backend, const isa::ArchConfig& cfg);

}  // namespace lpu::driver
