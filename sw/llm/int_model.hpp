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
#include "sw/llm/int_ops.hpp"
#include "sw/llm/quantize.hpp"

namespace lpu::llm {

// The static activation formats, in multiples of a tensor's expected RMS (from its weights' row norms).
struct IntFormatOptions {
  // Defaults measured on random 260K checkpoints (docs/llm.md): Q3.4 norms (4 bits) lose 0.002 of mean cosine,
  // Q1.6 (6 bits) clips; a GLU range of 6 RMS clips, 16 loses precision.
  unsigned norm_frac_bits = 5;     // RMSNorm output: 2^frac steps per unit RMS (Q2.5: +-4 RMS)
  double clip_qkv = 4.0;           // q, k, v and the SwiGLU up projection: int8 range = clip * RMS
  double clip_glu = 12.0;          // silu(gate) * up, in units of its estimated RMS 0.6 * RMS(gate) * RMS(up)
  double clip_logits = 16.0;       // i16 logits
  double residual_steps = 1024.0;  // residual step = max|embedding| / residual_steps
};

class IntModel final : public Transformer {
 public:
  // Quantises the checkpoint (the model keeps no reference to it).
  explicit IntModel(const Checkpoint& checkpoint, const IntFormatOptions& options = {});

  const Config& config() const override { return config_; }
  // Dequantised logits: logitsInt()[i] * logitScale().
  std::span<const float> forward(int token, int pos) override;

  std::span<const std::int16_t> logitsInt() const { return logits_int_; }
  double logitScale() const { return logit_scale_; }
  int argmax() const { return argmaxInt(logits_int_); }
  double residualScale() const { return x_scale_; }
  const NormFormat& normFormat() const { return norm_; }

 private:
  struct Layer {
    QuantMatrix wq, wk, wv, wo, w1, w2, w3;
    Requant rq, rk, rv, ro, r1, r2, r3;
    double q_scale = 0, k_scale = 0, v_scale = 0, up_scale = 0, glu_scale = 0;
    Requant att, glu;  // one multiplier each
  };

  Config config_;
  IntFormatOptions options_;
  double x_scale_ = 0, logit_scale_ = 0;
  NormFormat norm_;
  RopeTable rope_;
  QuantMatrix embedding_, classifier_;
  Requant embedding_rq_, classifier_rq_;
  std::vector<Layer> layers_;

  std::vector<std::int32_t> x_, acc_, scores_;
  std::vector<std::int8_t> xn_, q8_, xb8_, up8_, glu8_, weights_;
  std::vector<std::int16_t> q16_, k16_, gate16_, logits_int_;
  std::vector<float> logits_;
  std::vector<std::int8_t> key_cache_, value_cache_;  // (n_layers, seq_len, kv_dim)
};

}  // namespace lpu::llm
