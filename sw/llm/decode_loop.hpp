// run.c's generate() loop with greedy sampling (temperature 0): BOS at position 0, the prompt's tokens forced one
// position at a time, then the argmax of the logits, until `steps` positions ran or BOS was sampled.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sw/llm/float_model.hpp"
#include "sw/llm/tokenizer.hpp"

namespace lpu::llm {

// run.c's sample_argmax: the first index of the largest value.
int argmax(std::span<const float> values);

// Cosine of two logit vectors of one length (in double), 0 when either is all zeros: how the integer pipeline's
// logits are compared with the fp32 reference's.
double cosine(std::span<const float> a, std::span<const float> b);

// run.c's step count: 0, negative or more than seq_len means seq_len.
int effectiveSteps(int steps, int seq_len);

struct DecodeOptions {
  std::string prompt;  // empty: start from BOS alone
  int steps = 256;     // as run.c's -n
};

// Called once per new token (forced prompt token or sampled one) with the text run.c prints for it (decode() then
// safe_printf(), possibly empty).
using TokenSink = std::function<void(int token, const std::string& text)>;

// Returns the whole sequence: the first token (BOS), then every token after it in order; a sampled BOS ends the run
// and is not included. Throws std::invalid_argument when the tokenizer and the model disagree on vocab_size.
std::vector<int> decodeGreedy(Transformer& model, const Tokenizer& tokenizer, const DecodeOptions& options,
                              const TokenSink& sink);

}  // namespace lpu::llm
