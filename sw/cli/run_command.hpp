// `lpu run`: load a program (and memory images) into a backend, run it, report cycles/status and dump memory.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::cli {

struct RunOptions {
  std::string program_path;
  std::string config_name;
  std::string backend = "model";
  std::string port;           // --backend serial: the board's serial port (or lpu-board-sim's pty)
  unsigned baud = 3'000'000;  // --backend serial: its rate (ignored on a pty)
  std::vector<std::string> memory_images;
  std::vector<std::string> dumps;  // "SLICE:ADDR[:WORDS]"
  std::string trace_path;
  std::uint64_t max_cycles = 10'000'000;
  bool json = false;
  isa::Program program;  // filled by the caller from program_path
};

// A parsed --dump request. Throws std::invalid_argument naming the part that is wrong.
struct DumpRequest {
  unsigned position;
  std::uint32_t address;
  std::uint32_t words;
};
DumpRequest parseDump(const std::string& text, const isa::ArchConfig& cfg);

// Runs and prints the summary to `out`. Returns the process exit code: 0 when the program finished without an
// error status, 2 when the machine reported an error (ERR_CODE), 1 is left to the caller for usage errors.
int runCommand(const RunOptions& options, std::ostream& out);

}  // namespace lpu::cli
