#include "sw/llm/int_weights.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace lpu::llm {

namespace {

std::size_t sz(int v) { return static_cast<std::size_t>(v); }

// Per-row factors in_scale * scale[r] / out_scale.
Requant rowRequant(const QuantMatrix& w, double in_scale, double out_scale) {
  std::vector<double> f(sz(w.rows));
  for (int r = 0; r < w.rows; ++r) f[sz(r)] = in_scale * w.scale[sz(r)] / out_scale;
  return makeRequant(f);
}

}  // namespace

IntWeights quantizeModel(const Checkpoint& checkpoint, const IntFormatOptions& options) {
  IntWeights m;
  m.config = checkpoint.config;
  m.options = options;
  const Config& p = m.config;
  validateConfig(p, "IntModel");
  checkTensorSizes(checkpoint);
  const Weights& w = checkpoint.weights;
  const int dim = p.dim, kv_dim = p.kvDim(), hidden = p.hidden_dim;

  m.embedding = quantizeRows(w.token_embedding, p.vocab_size, dim);
  double emax = 0.0, esq = 0.0;
  for (float v : w.token_embedding) {
    emax = std::max(emax, std::abs(double{v}));
    esq += double{v} * double{v};
  }
  if (emax == 0.0) throw std::invalid_argument("IntModel: the token embedding is all zeros");
  m.x_scale = emax / options.residual_steps;
  m.embedding_rq = rowRequant(m.embedding, 1.0, m.x_scale);
  const double x_rms = std::sqrt(esq / static_cast<double>(w.token_embedding.size()));
  m.norm = makeNormFormat(dim, m.x_scale, x_rms, 1e-5, options.norm_frac_bits);
  const double s_n = m.norm.scale;
  m.rope = makeRopeTable(p.seq_len, p.headSize());

  const auto slice = [](const std::vector<float>& v, int l, std::size_t n) {
    return std::span<const float>(v).subspan(sz(l) * n, n);
  };
  const std::size_t dd = sz(dim) * sz(dim), kd = sz(kv_dim) * sz(dim), hd = sz(hidden) * sz(dim);
  for (int l = 0; l < p.n_layers; ++l) {
    IntLayer L;
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
    L.ro = rowRequant(L.wo, L.v_scale, m.x_scale);  // the attention output has v's format
    L.r1 = rowRequant(L.w1, s_n, 1.0 / 2048.0);    // Q4.11, silu's input
    L.r3 = rowRequant(L.w3, s_n, L.up_scale);
    L.r2 = rowRequant(L.w2, L.glu_scale, m.x_scale);
    L.att = makeRequant(L.q_scale * L.k_scale * std::numbers::log2e / std::sqrt(double(p.headSize())) * 256.0);
    L.glu = makeRequant(L.up_scale / 2048.0 / L.glu_scale);
    m.layers.push_back(std::move(L));
  }
  std::vector<float> gain(w.rms_final.begin(), w.rms_final.end());
  m.classifier = quantizeRows(checkpoint.classifier(), p.vocab_size, dim, gain);
  m.logit_scale = options.clip_logits * rowNormRms(m.classifier) / 32767.0;
  m.classifier_rq = rowRequant(m.classifier, s_n, m.logit_scale);

  return m;
}

}  // namespace lpu::llm
