// `lpu llama gen` (a seeded random llama2.c checkpoint and tokenizer) and `lpu llama run` (greedy decode with
// run.c's flag meanings). docs/llm.md describes both.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace lpu::cli {

struct LlamaGenOptions {
  std::string shape = "260K";  // 260K or 15M (sw/llm/generate.hpp)
  std::uint64_t seed = 1;
  std::string out_dir;    // receives model.bin and tokenizer.bin
  bool unshared = false;  // write a separate classifier (negative vocab_size in the header)
};

struct LlamaRunOptions {
  std::string checkpoint;
  std::string tokenizer;  // default: tokenizer.bin next to the checkpoint
  int steps = 256;        // run.c's -n: 0 or more than seq_len means seq_len
  std::string prompt;     // run.c's -i; empty starts from BOS
  // float (FloatModel), int (IntModel), or the LPU: model (golden model), rtl (verilated core), serial (a board)
  std::string backend = "float";
  std::string config = "ulx3s";  // the LPU configuration (model, rtl, serial)
  std::string port;              // --backend serial: the board's serial port (or lpu-board-sim's pty)
  unsigned baud = 3'000'000;     // --backend serial: its rate (ignored on a pty)
  bool ids = false;              // print the token ids instead of the text
};

// File names `gen` writes inside out_dir.
inline constexpr const char* kModelFile = "model.bin";
inline constexpr const char* kTokenizerFile = "tokenizer.bin";

int llamaGenCommand(const LlamaGenOptions& options, std::ostream& out);
// Prints the text as it is generated (or the ids with `ids`) on `out`, the speed on `err`, like run.c; on an LPU
// backend also the compile time and the cycles per token (measured and predicted). Throws for unreadable files, an
// unknown backend, a model that does not compile for the configuration, or a device error.
int llamaRunCommand(const LlamaRunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace lpu::cli
