// llama2.c checkpoints in run.c's format (export.py --version 0, "legacy"): a 28-byte header of 7 little-endian
// int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size marks an
// unshared classifier), then fp32 tensors without padding in run.c's order. docs/llm.md describes the format and
// every error the reader gives.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace lpu::llm {

// The header, with vocab_size made positive and the sign kept in shared_classifier.
struct Config {
  int dim = 0;
  int hidden_dim = 0;
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;
  int vocab_size = 0;
  int seq_len = 0;
  bool shared_classifier = true;  // the classifier is the token-embedding table (vocab_size > 0 in the file)

  int headSize() const { return dim / n_heads; }
  int kvDim() const { return static_cast<int>(static_cast<std::int64_t>(dim) * n_kv_heads / n_heads); }
  int kvMul() const { return n_heads / n_kv_heads; }  // query heads per KV head (grouped-query attention)
  bool operator==(const Config&) const = default;
};

// Throws FormatError(name, field, ...) when a field is non-positive or the fields are inconsistent
// (dim % n_heads, n_heads % n_kv_heads, odd head_size) or too large for run.c's int arithmetic.
void validateConfig(const Config& config, const std::string& name);

// The fp32 tensors, each concatenated over all layers, row-major (out, in) like PyTorch's Linear.weight.
struct Weights {
  std::vector<float> token_embedding;  // (vocab_size, dim)
  std::vector<float> rms_att;          // (n_layers, dim)
  std::vector<float> wq;               // (n_layers, n_heads*head_size, dim)
  std::vector<float> wk;               // (n_layers, kv_dim, dim)
  std::vector<float> wv;               // (n_layers, kv_dim, dim)
  std::vector<float> wo;               // (n_layers, dim, n_heads*head_size)
  std::vector<float> rms_ffn;          // (n_layers, dim)
  std::vector<float> w1;               // (n_layers, hidden_dim, dim)  gate
  std::vector<float> w2;               // (n_layers, dim, hidden_dim)  down
  std::vector<float> w3;               // (n_layers, hidden_dim, dim)  up
  std::vector<float> rms_final;        // (dim)
  std::vector<float> freq_cis_real;    // (seq_len, head_size/2): stored by the exporter, unused by run.c
  std::vector<float> freq_cis_imag;    // (seq_len, head_size/2): stored by the exporter, unused by run.c
  std::vector<float> wcls;             // (vocab_size, dim), empty when the classifier is shared
  bool operator==(const Weights&) const = default;
};

struct Checkpoint {
  Config config;
  Weights weights;

  // The classifier matrix (vocab_size, dim): the embedding table when shared.
  std::span<const float> classifier() const {
    return config.shared_classifier ? std::span<const float>(weights.token_embedding)
                                    : std::span<const float>(weights.wcls);
  }
};

// One tensor of the file, in file order: its name (as in run.c) and number of floats.
struct TensorInfo {
  std::string name;
  std::uint64_t floats = 0;
};
// The tensors a valid config implies, in file order (wcls only when unshared).
std::vector<TensorInfo> tensorLayout(const Config& config);
// The exact file size a valid config implies: 28 + 4 * (sum of tensorLayout floats).
std::uint64_t checkpointBytes(const Config& config);

// Parses a whole file; `name` (the path) is used in error messages. Throws FormatError.
Checkpoint parseCheckpoint(std::span<const std::uint8_t> bytes, const std::string& name);
Checkpoint readCheckpoint(const std::filesystem::path& path);
// Only the header (the first 28 bytes), validated; the file length is not checked.
Config readCheckpointConfig(const std::filesystem::path& path);

// Throws std::invalid_argument naming the first tensor whose size differs from what the config implies.
void checkTensorSizes(const Checkpoint& checkpoint);

// The file image of a checkpoint; throws std::invalid_argument when a tensor has the wrong size.
std::vector<std::uint8_t> serializeCheckpoint(const Checkpoint& checkpoint);
void writeCheckpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);

// Whole-file helpers shared by the readers (throw std::runtime_error naming the path).
std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path);
void writeFileBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace lpu::llm
