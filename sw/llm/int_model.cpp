#include "sw/llm/int_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace lpu::llm {

namespace {

std::size_t sz(int v) { return static_cast<std::size_t>(v); }

// acc[r] = sum_c W[r][c] * x[c], exact int32 (|acc| <= cols * 127^2).
void matvec(const QuantMatrix& w, std::span<const std::int8_t> x, std::span<std::int32_t> acc) {
  for (int r = 0; r < w.rows; ++r) {
    std::int32_t a = 0;
    const auto row = w.row(r);
    for (int c = 0; c < w.cols; ++c) a += std::int32_t{row[sz(c)]} * std::int32_t{x[sz(c)]};
    acc[sz(r)] = a;
  }
}

// out[r] = req(W x, multiplier[r], shift) at `bits` (8 or 16): one product and its requantisation.
template <typename T>
void project(const QuantMatrix& w, const Requant& rq, unsigned bits, std::span<const std::int8_t> x,
             std::span<std::int32_t> acc, T* out) {
  matvec(w, x, acc);
  for (int r = 0; r < w.rows; ++r) {
    out[sz(r)] = static_cast<T>(req(acc[sz(r)], rq.multiplier[sz(r)], rq.shift, bits));
  }
}

// Residual += req16(acc, ...), saturating in int32.
void addToResidual(std::span<std::int32_t> x, std::span<const std::int32_t> acc, const Requant& rq) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = saturate(std::int64_t{x[i]} + req(acc[i], rq.multiplier[i], rq.shift, 16), 32);
  }
}

}  // namespace

IntModel::IntModel(const Checkpoint& checkpoint, const IntFormatOptions& options)
    : w_(quantizeModel(checkpoint, options)) {
  const Config& p = w_.config;
  const int dim = p.dim, kv_dim = p.kvDim(), hidden = p.hidden_dim;
  x_.assign(sz(dim), 0);
  acc_.assign(sz(std::max({dim, hidden, p.vocab_size})), 0);
  scores_.assign(sz(p.seq_len), 0);
  xn_.assign(sz(dim), 0);
  q8_.assign(sz(dim), 0);
  xb8_.assign(sz(dim), 0);
  up8_.assign(sz(hidden), 0);
  glu8_.assign(sz(hidden), 0);
  weights_.assign(sz(p.seq_len), 0);
  q16_.assign(sz(dim), 0);
  k16_.assign(sz(kv_dim), 0);
  gate16_.assign(sz(hidden), 0);
  logits_int_.assign(sz(p.vocab_size), 0);
  logits_.assign(sz(p.vocab_size), 0.0f);
  const std::size_t cache = sz(p.n_layers) * sz(p.seq_len) * sz(kv_dim);
  key_cache_.assign(cache, 0);
  value_cache_.assign(cache, 0);
}

std::span<const float> IntModel::forward(int token, int pos) {
  const Config& p = w_.config;
  if (token < 0 || token >= p.vocab_size) {
    throw std::out_of_range(
        fmt::format("forward: token {} is outside the vocabulary (0..{})", token, p.vocab_size - 1));
  }
  if (pos < 0 || pos >= p.seq_len) {
    throw std::out_of_range(fmt::format("forward: position {} is outside 0..seq_len-1 ({})", pos, p.seq_len - 1));
  }
  const int dim = p.dim, kv_dim = p.kvDim(), kv_mul = p.kvMul(), hidden = p.hidden_dim, hs = p.headSize();
  const std::span<std::int32_t> x(x_);
  const std::span<std::int32_t> acc(acc_);

  const auto erow = w_.embedding.row(token);
  for (int i = 0; i < dim; ++i) {
    x[sz(i)] = req(erow[sz(i)], w_.embedding_rq.multiplier[sz(token)], w_.embedding_rq.shift, 16);
  }

  for (int l = 0; l < p.n_layers; ++l) {
    const IntLayer& L = w_.layers[sz(l)];
    rmsnormInt(x, w_.norm, xn_);

    const std::size_t loff = sz(l) * sz(p.seq_len) * sz(kv_dim);
    const std::span<std::int8_t> k8(key_cache_.data() + loff + sz(pos) * sz(kv_dim), sz(kv_dim));
    const std::span<std::int8_t> v8(value_cache_.data() + loff + sz(pos) * sz(kv_dim), sz(kv_dim));
    project(L.wq, L.rq, 16, xn_, acc, q16_.data());
    project(L.wk, L.rk, 16, xn_, acc, k16_.data());
    project(L.wv, L.rv, 8, xn_, acc, v8.data());
    ropeInt(q16_, w_.rope, pos, q8_);
    ropeInt(k16_, w_.rope, pos, k8);

    for (int h = 0; h < p.n_heads; ++h) {
      const std::int8_t* q = q8_.data() + sz(h) * sz(hs);
      const std::size_t kvh = sz(h / kv_mul) * sz(hs);
      for (int t = 0; t <= pos; ++t) {
        const std::int8_t* kt = key_cache_.data() + loff + sz(t) * sz(kv_dim) + kvh;
        std::int32_t s = 0;
        for (int i = 0; i < hs; ++i) s += std::int32_t{q[i]} * std::int32_t{kt[i]};
        scores_[sz(t)] = s;
      }
      const auto scores = std::span<const std::int32_t>(scores_).first(sz(pos + 1));
      const std::int32_t sum = softmaxWeights(scores, L.att.multiplier[0], L.att.shift, weights_);
      const std::int32_t inv = reciprocalQ21(sum);
      for (int i = 0; i < hs; ++i) {
        std::int32_t a = 0;
        for (int t = 0; t <= pos; ++t) {
          a += std::int32_t{weights_[sz(t)]} * std::int32_t{value_cache_[loff + sz(t) * sz(kv_dim) + kvh + sz(i)]};
        }
        xb8_[sz(h) * sz(hs) + sz(i)] = static_cast<std::int8_t>(req(a, inv, 21, 8));
      }
    }
    matvec(L.wo, xb8_, acc);
    addToResidual(x, acc, L.ro);

    rmsnormInt(x, w_.norm, xn_);
    project(L.w1, L.r1, 16, xn_, acc, gate16_.data());
    project(L.w3, L.r3, 8, xn_, acc, up8_.data());
    for (int i = 0; i < hidden; ++i) {
      glu8_[sz(i)] = swigluInt(gate16_[sz(i)], up8_[sz(i)], L.glu.multiplier[0], L.glu.shift);
    }
    matvec(L.w2, glu8_, acc);
    addToResidual(x, acc, L.r2);
  }

  rmsnormInt(x, w_.norm, xn_);
  project(w_.classifier, w_.classifier_rq, 16, xn_, acc, logits_int_.data());
  for (int i = 0; i < p.vocab_size; ++i) logits_[sz(i)] = static_cast<float>(logits_int_[sz(i)] * w_.logit_scale);
  return logits_;
}

}  // namespace lpu::llm
