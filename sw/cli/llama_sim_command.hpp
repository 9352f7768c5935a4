// `lpu llama sim`: the main demo (make sim). Greedy decode of a llama2.c checkpoint on the verilated RTL, with the
// golden model running the same programs beside it: every token's logits must be equal on both, and every step
// must take the compiler's predicted cycles. Prints the text as it is generated, a progress bar, the cycles per
// token, tokens/s at the FPGA clock and the integer pipeline's agreement with the fp32 reference. docs/llm.md.
#pragma once

#include <ostream>
#include <string>

namespace lpu::cli {

struct LlamaSimOptions {
  std::string checkpoint;
  std::string tokenizer;  // default: tokenizer.bin next to the checkpoint
  int steps = 32;         // positions, prompt included (run.c's -n)
  std::string prompt;
  std::string config = "ulx3s";
  std::string fpga_json = "build/bench/fpga.json";  // make bitstream's report: its Fmax when present
  double target_mhz = 100;                          // else this clock (the FPGA configuration's target)
  std::string backend = "rtl";                      // rtl; model runs the demo without the RTL (both sides model)
};

// Throws std::runtime_error naming the position, the logit and both values when the RTL and the golden model
// disagree, and for the errors of `lpu llama run`.
int llamaSimCommand(const LlamaSimOptions& options, std::ostream& out, std::ostream& err);

}  // namespace lpu::cli
