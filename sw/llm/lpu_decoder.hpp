// IntModel's decode step on an LPU: the step's programs (decode_graphs.hpp) compiled into one ProgramChain,
// the weights written once, and per token only the token id and the position's RoPE rows written. It is a
// Transformer, so decodeGreedy() drives it like the float and integer references; the logits it returns are
// IntModel's integers (bit for bit) times the logit scale.
//
// Example:
//   auto device = driver::makeDevice("model", isa::ArchConfig::byName("ulx3s"));
//   LpuDecoder lpu(quantizeModel(checkpoint), "ulx3s", *device);
//   std::span<const float> logits = lpu.forward(token, pos);   // runs every program of the step
//   lpu.lastStep().cycles == lpu.predictedCycles(pos)
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sw/driver/device.hpp"
#include "sw/llm/decode_graphs.hpp"
#include "sw/llm/float_model.hpp"
#include "sw/llm/int_weights.hpp"
#include "sw/llm/program_chain.hpp"

namespace lpu::llm {

struct DecoderOptions {
  // The embedding on the device (the embed program: the table resident, the host writes the token id), or on the
  // host (it writes the token's row of x, dim int32 values, into l0.qkv). The table and its per-token multipliers
  // take 5,120 of the 49,152 SRAM words of ulx3s, which stories260K with a 256-row KV cache cannot spare.
  bool device_embedding = true;
  unsigned temp_words = ProgramChain::kDefaultTempWords;  // ProgramChain's low words
  unsigned pool_words = ProgramChain::kDefaultPoolWords;  // its constant pool's words per slice
  // The first position whose heads are two programs each (attentionGraphs); a cache row or above: never.
  int attention_split_position = kAttentionSplitPosition;
};

// The decoder options for a configuration: device embedding where the SRAM has room for it (not ulx3s, not xl).
DecoderOptions defaultDecoderOptions(const std::string& config);

// Where the SRAM goes (bytes): the persistent tensors by kind, the low words kept for the programs' own tensors, the
// constant pool's words (reserved; constants_used of them hold constants) and what is left.
struct SramUse {
  std::uint64_t weights = 0, caches = 0, activations = 0, program_words = 0, constants = 0, constants_used = 0,
                free = 0, total = 0;
};

// The programs of every position, compiled once each (the first time a position is asked for).
class DecodePrograms {
 public:
  // Compiles the position-independent programs and position 0's (the placement phase). Throws
  // compiler::CompileError naming the program when a program or the whole model does not fit.
  DecodePrograms(const IntWeights& w, std::string config, const DecoderOptions& options);

  // The step at `pos` in run order.
  const std::vector<const ChainProgram*>& step(int pos);
  std::uint64_t predictedCycles(int pos);
  const ProgramChain& chain() const { return chain_; }
  const IntWeights& weights() const { return w_; }
  // Wall time spent compiling: in all, in the constructor (the placement phase: every position-independent program
  // and position 0's), and per position after it (the mean over the positions compiled since; 0 when none was).
  double compileSeconds() const { return compile_seconds_; }
  double placementSeconds() const { return placement_seconds_; }
  double meanPositionSeconds() const;
  const DecoderOptions& options() const { return options_; }
  SramUse sramUse() const;

 private:
  const ChainProgram& add(const StepGraph& g);

  IntWeights w_;
  std::string config_;
  DecoderOptions options_;
  ProgramChain chain_;
  std::vector<ChainProgram> fixed_;  // position-independent, by name in run order
  std::map<std::string, std::size_t> fixed_index_;
  std::map<int, std::vector<ChainProgram>> per_pos_;  // qkv, rope, attention of every layer
  std::map<int, std::vector<const ChainProgram*>> steps_;
  double compile_seconds_ = 0, placement_seconds_ = 0;
};

struct StepReport {
  std::uint64_t cycles = 0;            // measured on the device, every program of the step
  std::uint64_t predicted_cycles = 0;  // the compiler's
  unsigned programs = 0;
  // SRAM bytes the host wrote for the step: the data of its programs (the token's inputs: x or the token id, the
  // RoPE rows), and the constants its programs added to the chain's pool (once, when a position is first compiled).
  std::uint64_t data_bytes = 0, constant_bytes = 0;
  int next = -1;  // the device's argmax
};

class LpuDecoder final : public Transformer {
 public:
  // Compiles (DecodePrograms) and writes the weights into the device's SRAM.
  LpuDecoder(const IntWeights& w, std::string config, driver::Device& device, const DecoderOptions& options);

  const Config& config() const override { return programs_.weights().config; }
  // Runs the step and reads the i16 logits back (logitsInt()). Throws std::out_of_range for a token or position
  // outside the model, std::runtime_error naming the program when the device stops with an error or takes
  // other than the predicted cycles.
  std::span<const float> forward(int token, int pos) override;
  // Runs the step and reads back only the device's argmax.
  int next(int token, int pos);

  std::span<const std::int16_t> logitsInt() const { return logits_int_; }
  const StepReport& lastStep() const { return last_; }
  DecodePrograms& programs() { return programs_; }

 private:
  void run(int token, int pos);

  DecodePrograms programs_;
  driver::Device& device_;
  std::vector<std::int16_t> logits_int_;
  std::vector<float> logits_;
  StepReport last_;
  std::size_t constants_written_ = 0;  // the pool's segments already in the device's SRAM
};

}  // namespace lpu::llm
