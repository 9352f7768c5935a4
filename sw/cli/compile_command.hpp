// `lpu compile`: graph (JSON) -> program, memory layout, schedule report, listing and trace; optionally run it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace lpu::cli {

struct CompileCommandOptions {
  std::string graph_path;
  std::string output;       // .lpb
  std::string asm_output;   // readable assembly of the compiled program
  std::string layout_path;  // JSON: tensor -> slice/address/shape/padding
  std::string report_path;  // JSON schedule report
  std::string trace_path;   // Chrome/Perfetto trace of the schedule
  bool listing = false;     // print the per-queue schedule
  unsigned mxms = 2;
  // --run: fill the inputs with seeded random int8 values, run on `backend`, check that the measured cycle count
  // equals the prediction, print the outputs.
  bool run = false;
  std::string backend = "model";
  std::string port;           // --backend serial: the board's serial port (or lpu-board-sim's pty)
  unsigned baud = 3'000'000;  // --backend serial: its rate (ignored on a pty)
  std::uint64_t seed = 1;
};

// Returns the exit code: 0 ok, 2 when a run ended with an error status or missed the predicted cycle count.
int compileCommand(const CompileCommandOptions& options, std::ostream& out);

}  // namespace lpu::cli
