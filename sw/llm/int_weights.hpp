// The quantised model the integer pipeline runs: int8 weights with per-row scales (quantize.hpp), the requantisation
// multipliers of every matrix product, the residual, norm, RoPE and logit formats. Built once from a checkpoint;
// IntModel (the C++ integer reference) and the LPU program builder both read it, so the two compute with the very
// same integers. docs/llm.md ("Integer reference") describes the formats.
#pragma once

#include <vector>

#include "sw/llm/checkpoint.hpp"
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

// One layer: the seven int8 matrices (the RMSNorm gains folded into wq/wk/wv and w1/w3), their requantisations
// (per row), the activation scales they were derived from, and the softmax (att) and SwiGLU (glu) multipliers.
struct IntLayer {
  QuantMatrix wq, wk, wv, wo, w1, w2, w3;
  Requant rq, rk, rv, ro, r1, r2, r3;
  double q_scale = 0, k_scale = 0, v_scale = 0, up_scale = 0, glu_scale = 0;
  Requant att, glu;  // one multiplier each
};

struct IntWeights {
  Config config;
  IntFormatOptions options;
  double x_scale = 0;      // the int32 residual's step
  double logit_scale = 0;  // an i16 logit's step
  NormFormat norm;
  RopeTable rope;
  QuantMatrix embedding, classifier;  // the final RMSNorm gain folded into the classifier
  Requant embedding_rq, classifier_rq;
  std::vector<IntLayer> layers;
};

// Quantises a checkpoint (validated first; throws std::invalid_argument naming what is wrong).
IntWeights quantizeModel(const Checkpoint& checkpoint, const IntFormatOptions& options = {});

}  // namespace lpu::llm
