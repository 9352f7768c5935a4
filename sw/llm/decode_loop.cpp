#include "sw/llm/decode_loop.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace lpu::llm {

int argmax(std::span<const float> values) {
  if (values.empty()) throw std::invalid_argument("argmax: no values");
  int max_i = 0;
  float max_p = values[0];
  for (std::size_t i = 1; i < values.size(); i++) {
    if (values[i] > max_p) {
      max_i = static_cast<int>(i);
      max_p = values[i];
    }
  }
  return max_i;
}

double cosine(std::span<const float> a, std::span<const float> b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += double{a[i]} * double{b[i]};
    aa += double{a[i]} * double{a[i]};
    bb += double{b[i]} * double{b[i]};
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

int effectiveSteps(int steps, int seq_len) { return steps <= 0 || steps > seq_len ? seq_len : steps; }

std::vector<int> decodeGreedy(Transformer& model, const Tokenizer& tokenizer, const DecodeOptions& options,
                              const TokenSink& sink) {
  const Config& config = model.config();
  if (tokenizer.vocabSize() != config.vocab_size) {
    throw std::invalid_argument(fmt::format("the tokenizer has {} tokens, the model's vocab_size is {}",
                                            tokenizer.vocabSize(), config.vocab_size));
  }
  const std::vector<int> prompt = tokenizer.encode(options.prompt, true, false);
  const int steps = effectiveSteps(options.steps, config.seq_len);
  std::vector<int> sequence = {prompt[0]};
  int token = prompt[0];
  int pos = 0;
  while (pos < steps) {
    const auto logits = model.forward(token, pos);
    const bool forced = static_cast<std::size_t>(pos) + 1 < prompt.size();
    const int next = forced ? prompt[static_cast<std::size_t>(pos) + 1] : argmax(logits);
    pos++;
    if (next == kBos) break;
    sequence.push_back(next);
    if (sink) sink(next, printable(tokenizer.decode(token, next)));
    token = next;
  }
  return sequence;
}

}  // namespace lpu::llm
