#include "sw/llm/int_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
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

// Per-row factors in_scale * scale[r] / out_scale.
Requant rowRequant(const QuantMatrix& w, double in_scale, double out_scale) {
  std::vector<double> f(sz(w.rows));
  for (int r = 0; r < w.rows; ++r) f[sz(r)] = in_scale * w.scale[sz(r)] / out_scale;
  return makeRequant(f);
}

// Residual += req16(acc, ...), saturating in int32.
void addToResidual(std::span<std::int32_t> x, std::span<const std::int32_t> acc, const Requant& rq) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = saturate(std::int64_t{x[i]} + req(acc[i], rq.multiplier[i], rq.shift, 16), 32);
  }
}

}  // namespace

IntModel::IntModel(const Checkpoint& checkpoint, const IntFormatOptions& options)
    : config_(checkpoint.config), options_(options) {
  const Config& p = config_;
  validateConfig(p, "IntModel");
  checkTensorSizes(checkpoint);
  const Weights& w = checkpoint.weights;
  const int dim = p.dim, kv_dim = p.kvDim(), hidden = p.hidden_dim;

  embedding_ = quantizeRows(w.token_embedding, p.vocab_size, dim);
  double emax = 0.0, esq = 0.0;
  for (float v : w.token_embedding) {
    emax = std::max(emax, std::abs(double{v}));
    esq += double{v} * double{v};
  }
  if (emax == 0.0) throw std::invalid_argument("IntModel: the token embedding is all zeros");
  x_scale_ = emax / options.residual_steps;
  embedding_rq_ = rowRequant(embedding_, 1.0, x_scale_);
  const double x_rms = std::sqrt(esq / static_cast<double>(w.token_embedding.size()));
  norm_ = makeNormFormat(dim, x_scale_, x_rms, 1e-5, options.norm_frac_bits);
  const double s_n = norm_.scale;
  rope_ = makeRopeTable(p.seq_len, p.headSize());

  const auto slice = [](const std::vector<float>& v, int l, std::size_t n) {
    return std::span<const float>(v).subspan(sz(l) * n, n);
  };
  const std::size_t dd = sz(dim) * sz(dim), kd = sz(kv_dim) * sz(dim), hd = sz(hidden) * sz(dim);
  for (int l = 0; l < p.n_layers; ++l) {
    Layer L;
    const auto g_att = slice(w.rms_att, l, sz(dim)), g_ffn = slice(w.rms_ffn, l, sz(dim));
    L.wq = quantizeRows(slice(w.wq, l, dd), dim, dim, g_att);
    L.wk = quantizeRows(slice(w.wk, l, kd), kv_dim, dim, g_att);
    L.wv = quantizeRows(slice(w.wv, l, kd), kv_dim, dim, g_att);
    L.wo = quantizeRows(slice(w.wo, l, dd), dim, dim);
    L.w1 = quantizeRows(slice(w.w1, l, hd), hidden, dim, g_ffn);
    L.w2 = quantizeRows(slice(w.w2, l, hd), dim, hidden);
    L.w3 = quantizeRows(slice(w.w3, l, hd), hidden, dim, g_ffn);
    L.q_scale = options.clip_qkv * rowNormRms(L.wq) / 127.0;
    L.k_scale = options.clip_qkv * rowNormRms(L.wk) / 127.0;
    L.v_scale = options.clip_qkv * rowNormRms(L.wv) / 127.0;
    L.up_scale = options.clip_qkv * rowNormRms(L.w3) / 127.0;
    // silu(g) * u for g, u ~ N(0, sg^2), N(0, su^2) with sg ~ 1: RMS ~ 0.6 sg su.
    L.glu_scale = options.clip_glu * 0.6 * rowNormRms(L.w1) * rowNormRms(L.w3) / 127.0;
    L.rq = rowRequant(L.wq, s_n, L.q_scale / 256.0);  // i16 with 8 more fraction bits than the int8 after RoPE
    L.rk = rowRequant(L.wk, s_n, L.k_scale / 256.0);
    L.rv = rowRequant(L.wv, s_n, L.v_scale);
    L.ro = rowRequant(L.wo, L.v_scale, x_scale_);  // the attention output has v's format
    L.r1 = rowRequant(L.w1, s_n, 1.0 / 2048.0);    // Q4.11, silu's input
    L.r3 = rowRequant(L.w3, s_n, L.up_scale);
    L.r2 = rowRequant(L.w2, L.glu_scale, x_scale_);
    L.att = makeRequant(L.q_scale * L.k_scale * std::numbers::log2e / std::sqrt(double(p.headSize())) * 256.0);
    L.glu = makeRequant(L.up_scale / 2048.0 / L.glu_scale);
    layers_.push_back(std::move(L));
  }
  std::vector<float> gain(w.rms_final.begin(), w.rms_final.end());
  classifier_ = quantizeRows(checkpoint.classifier(), p.vocab_size, dim, gain);
  logit_scale_ = options.clip_logits * rowNormRms(classifier_) / 32767.0;
  classifier_rq_ = rowRequant(classifier_, s_n, logit_scale_);

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
  const Config& p = config_;
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

  const auto erow = embedding_.row(token);
  for (int i = 0; i < dim; ++i) {
    x[sz(i)] = req(erow[sz(i)], embedding_rq_.multiplier[sz(token)], embedding_rq_.shift, 16);
  }

  for (int l = 0; l < p.n_layers; ++l) {
    const Layer& L = layers_[sz(l)];
    rmsnormInt(x, norm_, xn_);

    const std::size_t loff = sz(l) * sz(p.seq_len) * sz(kv_dim);
    const std::span<std::int8_t> k8(key_cache_.data() + loff + sz(pos) * sz(kv_dim), sz(kv_dim));
    const std::span<std::int8_t> v8(value_cache_.data() + loff + sz(pos) * sz(kv_dim), sz(kv_dim));
    project(L.wq, L.rq, 16, xn_, acc, q16_.data());
    project(L.wk, L.rk, 16, xn_, acc, k16_.data());
    project(L.wv, L.rv, 8, xn_, acc, v8.data());
    ropeInt(q16_, rope_, pos, q8_);
    ropeInt(k16_, rope_, pos, k8);

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

    rmsnormInt(x, norm_, xn_);
    project(L.w1, L.r1, 16, xn_, acc, gate16_.data());
    project(L.w3, L.r3, 8, xn_, acc, up8_.data());
    for (int i = 0; i < hidden; ++i) {
      glu8_[sz(i)] = swigluInt(gate16_[sz(i)], up8_[sz(i)], L.glu.multiplier[0], L.glu.shift);
    }
    matvec(L.w2, glu8_, acc);
    addToResidual(x, acc, L.r2);
  }

  rmsnormInt(x, norm_, xn_);
  project(classifier_, classifier_rq_, 16, xn_, acc, logits_int_.data());
  for (int i = 0; i < p.vocab_size; ++i) logits_[sz(i)] = static_cast<float>(logits_int_[sz(i)] * logit_scale_);
  return logits_;
}

}  // namespace lpu::llm
