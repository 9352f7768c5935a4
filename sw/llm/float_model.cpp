#include "sw/llm/float_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace lpu::llm {

// Every expression below keeps run.c's types and order: float accumulators, left-to-right sums, division where
// run.c divides. The library is compiled with -ffp-contract=off (sw/llm/CMakeLists.txt).

void rmsnorm(float* o, const float* x, const float* weight, int size) {
  float ss = 0.0f;
  for (int j = 0; j < size; j++) ss += x[j] * x[j];
  ss /= static_cast<float>(size);
  ss += 1e-5f;
  ss = 1.0f / std::sqrt(ss);
  for (int j = 0; j < size; j++) o[j] = weight[j] * (ss * x[j]);
}

void softmax(float* x, int size) {
  float max_val = x[0];
  for (int i = 1; i < size; i++) {
    if (x[i] > max_val) max_val = x[i];
  }
  float sum = 0.0f;
  for (int i = 0; i < size; i++) {
    x[i] = std::exp(x[i] - max_val);
    sum += x[i];
  }
  for (int i = 0; i < size; i++) x[i] /= sum;
}

void matmul(float* xout, const float* x, const float* w, int n, int d) {
  for (int i = 0; i < d; i++) {
    float val = 0.0f;
    const float* row = w + static_cast<std::size_t>(i) * static_cast<std::size_t>(n);
    for (int j = 0; j < n; j++) val += row[j] * x[j];
    xout[i] = val;
  }
}

FloatModel::FloatModel(const Checkpoint& checkpoint) : checkpoint_(checkpoint) {
  const Config& p = checkpoint.config;
  validateConfig(p, "FloatModel");
  const auto dim = static_cast<std::size_t>(p.dim), hidden = static_cast<std::size_t>(p.hidden_dim);
  x_.assign(dim, 0.0f);
  xb_.assign(dim, 0.0f);
  xb2_.assign(dim, 0.0f);
  hb_.assign(hidden, 0.0f);
  hb2_.assign(hidden, 0.0f);
  q_.assign(dim, 0.0f);
  att_.assign(static_cast<std::size_t>(p.n_heads) * static_cast<std::size_t>(p.seq_len), 0.0f);
  logits_.assign(static_cast<std::size_t>(p.vocab_size), 0.0f);
  const std::size_t cache =
      static_cast<std::size_t>(p.n_layers) * static_cast<std::size_t>(p.seq_len) * static_cast<std::size_t>(p.kvDim());
  key_cache_.assign(cache, 0.0f);
  value_cache_.assign(cache, 0.0f);
  checkTensorSizes(checkpoint);
}

std::span<const float> FloatModel::forward(int token, int pos) {
  const Config& p = checkpoint_.config;
  const Weights& w = checkpoint_.weights;
  if (token < 0 || token >= p.vocab_size) {
    throw std::out_of_range(
        fmt::format("forward: token {} is outside the vocabulary (0..{})", token, p.vocab_size - 1));
  }
  if (pos < 0 || pos >= p.seq_len) {
    throw std::out_of_range(fmt::format("forward: position {} is outside 0..seq_len-1 ({})", pos, p.seq_len - 1));
  }
  float* x = x_.data();
  const int dim = p.dim;
  const int kv_dim = p.kvDim();
  const int kv_mul = p.kvMul();
  const int hidden_dim = p.hidden_dim;
  const int head_size = p.headSize();
  const auto sz = [](auto v) { return static_cast<std::size_t>(v); };

  std::memcpy(x, w.token_embedding.data() + sz(token) * sz(dim), sz(dim) * sizeof(float));

  for (int l = 0; l < p.n_layers; l++) {
    rmsnorm(xb_.data(), x, w.rms_att.data() + sz(l) * sz(dim), dim);

    const std::size_t loff = sz(l) * sz(p.seq_len) * sz(kv_dim);
    float* k = key_cache_.data() + loff + sz(pos) * sz(kv_dim);
    float* v = value_cache_.data() + loff + sz(pos) * sz(kv_dim);

    matmul(q_.data(), xb_.data(), w.wq.data() + sz(l) * sz(dim) * sz(dim), dim, dim);
    matmul(k, xb_.data(), w.wk.data() + sz(l) * sz(dim) * sz(kv_dim), dim, kv_dim);
    matmul(v, xb_.data(), w.wv.data() + sz(l) * sz(dim) * sz(kv_dim), dim, kv_dim);

    // RoPE: rotate interleaved pairs (i, i+1) of q, and of k while i < kv_dim.
    for (int i = 0; i < dim; i += 2) {
      const int head_dim = i % head_size;
      const float freq = 1.0f / std::pow(10000.0f, static_cast<float>(head_dim) / static_cast<float>(head_size));
      const float val = static_cast<float>(pos) * freq;
      const float fcr = std::cos(val);
      const float fci = std::sin(val);
      const int rotn = i < kv_dim ? 2 : 1;
      for (int r = 0; r < rotn; r++) {
        float* vec = r == 0 ? q_.data() : k;
        const float v0 = vec[i];
        const float v1 = vec[i + 1];
        vec[i] = v0 * fcr - v1 * fci;
        vec[i + 1] = v0 * fci + v1 * fcr;
      }
    }

    // Grouped-query attention: query head h reads KV head h / kv_mul.
    for (int h = 0; h < p.n_heads; h++) {
      const float* q = q_.data() + sz(h) * sz(head_size);
      float* att = att_.data() + sz(h) * sz(p.seq_len);
      for (int t = 0; t <= pos; t++) {
        const float* kt = key_cache_.data() + loff + sz(t) * sz(kv_dim) + sz(h / kv_mul) * sz(head_size);
        float score = 0.0f;
        for (int i = 0; i < head_size; i++) score += q[i] * kt[i];
        score /= std::sqrt(static_cast<float>(head_size));
        att[t] = score;
      }
      softmax(att, pos + 1);
      float* xb = xb_.data() + sz(h) * sz(head_size);
      std::memset(xb, 0, sz(head_size) * sizeof(float));
      for (int t = 0; t <= pos; t++) {
        const float* vt = value_cache_.data() + loff + sz(t) * sz(kv_dim) + sz(h / kv_mul) * sz(head_size);
        const float a = att[t];
        for (int i = 0; i < head_size; i++) xb[i] += a * vt[i];
      }
    }

    matmul(xb2_.data(), xb_.data(), w.wo.data() + sz(l) * sz(dim) * sz(dim), dim, dim);
    for (int i = 0; i < dim; i++) x[i] += xb2_[sz(i)];

    rmsnorm(xb_.data(), x, w.rms_ffn.data() + sz(l) * sz(dim), dim);
    matmul(hb_.data(), xb_.data(), w.w1.data() + sz(l) * sz(dim) * sz(hidden_dim), dim, hidden_dim);
    matmul(hb2_.data(), xb_.data(), w.w3.data() + sz(l) * sz(dim) * sz(hidden_dim), dim, hidden_dim);

    // SwiGLU: silu(w1 x) * (w3 x).
    for (int i = 0; i < hidden_dim; i++) {
      float val = hb_[sz(i)];
      val *= (1.0f / (1.0f + std::exp(-val)));
      val *= hb2_[sz(i)];
      hb_[sz(i)] = val;
    }

    matmul(xb_.data(), hb_.data(), w.w2.data() + sz(l) * sz(dim) * sz(hidden_dim), hidden_dim, dim);
    for (int i = 0; i < dim; i++) x[i] += xb_[sz(i)];
  }

  rmsnorm(x, x, w.rms_final.data(), dim);
  matmul(logits_.data(), x, checkpoint_.classifier().data(), p.dim, p.vocab_size);
  return logits_;
}

}  // namespace lpu::llm
