// Seeded random llama2.c checkpoints of real shapes and a byte-level BPE tokenizer in run.c's format, for tests and
// benchmarks when no trained checkpoint is at hand. docs/llm.md gives the distributions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sw/llm/checkpoint.hpp"
#include "sw/llm/tokenizer.hpp"

namespace lpu::llm {

// The header of a named llama2.c model shape: "260K" (stories260K), "15M" (stories15M) or "tiny". Throws
// std::invalid_argument for other names, listing the known ones.
Config shapeConfig(std::string_view shape);
std::vector<std::string> shapeNames();

// Weights drawn from a fixed integer RNG (splitmix64) and an Irwin-Hall normal (sum of 12 uniforms), so the same
// config and seed give the same bytes on every platform:
//   token embedding (and wcls)  N(0, (2/sqrt(dim))^2)      logits of std ~2 through the shared classifier
//   wq, wk, wv, w1, w3          N(0, 1/dim)                fan-in scaling keeps activations O(1)
//   wo                          N(0, 1/(dim * 2*n_layers))  residual branches scaled down like GPT-2's init
//   w2                          N(0, 1/(hidden_dim * 2*n_layers))
//   rms_att, rms_ffn, rms_final 1 + N(0, 0.1^2)
//   freq_cis_real/imag          cos/sin(pos * 10000^(-2i/head_size)), as the exporter writes them (run.c ignores them)
// Normals are bounded at 6 standard deviations (Irwin-Hall).
Checkpoint randomCheckpoint(const Config& config, std::uint64_t seed);

// A byte-level BPE tokenizer of vocab_size tokens (at least 3): 0 "<unk>", 1 "\n<s>\n", 2 "\n</s>\n",
// 3..258 "<0x00>".."<0xFF>", 259..353 the printable ASCII characters ' '..'~', then merged pieces (each the
// concatenation of two earlier pieces): first the merges a small BPE training pass finds in a built-in English
// text, then seeded pseudo-random pairs until the vocabulary is full. Scores: 0 for ids 0..258 and -(id - 259) from
// 259 on, so every merge has its own score and earlier merges win. Depends only on vocab_size.
Tokenizer byteLevelTokenizer(int vocab_size);

}  // namespace lpu::llm
