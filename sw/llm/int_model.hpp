// The integer reference of one decode step: the computation the LPU program must match bit for bit. Int8 weights
// with per-row scales (quantize.hpp), int8 activations into every matrix product with int32 accumulation, req
// requantisation (an i16 multiplier per row and one shift per product), an int32 residual stream, integer RMSNorm,
// RoPE, softmax and SwiGLU (int_ops.hpp) and an int8 KV cache. Every float below is a compile-time constant derived
// from the checkpoint (scales and multipliers); nothing at decode time is floating point except the dequantised
// logits handed to the Transformer interface. docs/llm.md ("Integer reference") describes the formats and errors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/llm/float_model.hpp"
#include "sw/llm/int_weights.hpp"

namespace lpu::llm {

class IntModel final : public Transformer {
 public:
  // Quantises the checkpoint (the model keeps no reference to it).
  explicit IntModel(const Checkpoint& checkpoint, const IntFormatOptions& options = {});

  const Config& config() const override { return w_.config; }
  // Dequantised logits: logitsInt()[i] * logitScale().
  std::span<const float> forward(int token, int pos) override;

  std::span<const std::int16_t> logitsInt() const { return logits_int_; }
  double logitScale() const { return w_.logit_scale; }
  int argmax() const { return argmaxInt(logits_int_); }
  double residualScale() const { return w_.x_scale; }
  const NormFormat& normFormat() const { return w_.norm; }
  const IntWeights& weights() const { return w_; }

 private:
  IntWeights w_;

  std::vector<std::int32_t> x_, acc_, scores_;
  std::vector<std::int8_t> xn_, q8_, xb8_, up8_, glu8_, weights_;
  std::vector<std::int16_t> q16_, k16_, gate16_, logits_int_;
  std::vector<float> logits_;
  std::vector<std::int8_t> key_cache_, value_cache_;  // (n_layers, seq_len, kv_dim)
};

}  // namespace lpu::llm
