// The fp32 reference forward pass: run.c's forward() operation for operation, in the same order, so that compiled
// with the same floating-point rules (no fast-math, no FMA contraction) it gives the same bits as run.c.
#pragma once

#include <span>
#include <vector>

#include "sw/llm/checkpoint.hpp"

namespace lpu::llm {

// What the decode loop needs from a backend: logits for `token` at position `pos`. Positions must be fed in order
// 0, 1, 2, ... (the KV cache of position p is written by the call for p).
class Transformer {
 public:
  virtual ~Transformer() = default;
  virtual const Config& config() const = 0;
  // The returned logits (vocab_size) stay valid until the next call. Throws std::out_of_range for a token outside
  // the vocabulary or a position outside 0..seq_len-1.
  virtual std::span<const float> forward(int token, int pos) = 0;
};

class FloatModel final : public Transformer {
 public:
  // Keeps a reference: `checkpoint` must outlive the model.
  explicit FloatModel(const Checkpoint& checkpoint);

  const Config& config() const override { return checkpoint_.config; }
  std::span<const float> forward(int token, int pos) override;

 private:
  const Checkpoint& checkpoint_;
  // run.c's RunState.
  std::vector<float> x_, xb_, xb2_, hb_, hb2_, q_, att_, logits_;
  std::vector<float> key_cache_, value_cache_;  // (n_layers, seq_len, kv_dim)
};

// The building blocks, exposed for the tests: each is run.c's function of the same name.
void rmsnorm(float* o, const float* x, const float* weight, int size);
void softmax(float* x, int size);
void matmul(float* xout, const float* x, const float* w, int n, int d);  // W (d,n) @ x (n) -> xout (d)

}  // namespace lpu::llm
