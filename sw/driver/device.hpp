// The host's view of an LPU: load a program, move SRAM words, run, read the status. One interface, several
// backends:
//   "model"   the golden model (sw/model), always available; the only one that writes a Chrome trace.
//   "rtl"     the verilated core (sim/rtl_harness) through its register port, in builds with Verilator.
//   "serial"  a board (or tb/fpga's lpu-board-sim behind a pty) over the UART link of docs/fpga.md section 4
//             (sw/driver/serial_device.hpp); needs SerialOptions::port.
#pragma once

#include <chrono>
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

// Where the serial backend finds the board.
struct SerialOptions {
  std::string port;                               // /dev/ttyUSB0, or the pty lpu-board-sim prints
  unsigned baud = 3'000'000;                      // the board's rate (docs/fpga.md); meaningless on a pty
  std::chrono::milliseconds reply_timeout{2000};  // per request frame
  std::chrono::milliseconds run_timeout{60'000};  // wall clock for one run() (STATUS polling)
};

// "model" (always available), "rtl" (when built with Verilator) or "serial" (serial.port must be set). Throws
// std::invalid_argument for an unknown or unavailable backend, naming the ones that exist; std::runtime_error when
// the serial port cannot be opened or the board does not answer.
std::unique_ptr<Device> makeDevice(std::string_view backend, const isa::ArchConfig& cfg,
                                   const SerialOptions& serial = {});

}  // namespace lpu::driver
