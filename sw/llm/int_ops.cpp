#include "sw/llm/int_ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sw/model/vxm_functions.hpp"

namespace lpu::llm {

std::int32_t saturate(std::int64_t x, unsigned bits) {
  const std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
  return static_cast<std::int32_t>(std::clamp(x, -hi - 1, hi));
}

std::int32_t req(std::int64_t a, std::int32_t m, unsigned shift, unsigned bits) {
  return static_cast<std::int32_t>(model::requantise(a, m, shift, bits));
}

// ---- RMSNorm --------------------------------------------------------------------------------------------------
//
// With q = x/4 (kNormPreShift = 2) and x = X / x_scale: ss = sum q^2 = n * rms(X)^2 / (4 x_scale)^2, rsqrt(ss)
// ~= 2^31 / sqrt(ss), so x * r ~= (X / rms(X)) * 2^33 / sqrt(n). With m = r >> r_shift and y = x * m >> shift:
// y ~= (X / rms) * 2^(33 - r_shift - shift) / sqrt(n), i.e. scale = sqrt(n) * 2^(r_shift + shift - 33);
// r_shift + shift = 33 - frac_bits - log2(sqrt(n)) (rounded) gives 2^frac_bits steps per unit RMS.

NormFormat makeNormFormat(int n, double x_scale, double x_rms, double eps, unsigned frac_bits) {
  if (n <= 0 || !(x_scale > 0.0) || !(x_rms > 0.0)) {
    throw std::invalid_argument(fmt::format("makeNormFormat: n {} scale {} rms {}", n, x_scale, x_rms));
  }
  NormFormat f;
  const double q_step = x_scale * double{1u << kNormPreShift};
  f.eps_term = static_cast<std::uint32_t>(std::clamp(std::round(eps * n / (q_step * q_step)), 1.0, 2147483647.0));
  // Keep the multiplier in [2^12, 2^13) for a residual of the typical RMS: room for a 4x smaller RMS before it
  // saturates, 8 bits left at 16x larger.
  const double ss = n * (x_rms / q_step) * (x_rms / q_step);
  const double r = std::ldexp(1.0, 31) / std::sqrt(ss);
  const int r_shift = static_cast<int>(std::floor(std::log2(r))) - 12;
  f.r_shift = static_cast<unsigned>(std::max(0, r_shift));
  const int total = 33 - static_cast<int>(frac_bits) - static_cast<int>(std::lround(std::log2(std::sqrt(n))));
  if (total - static_cast<int>(f.r_shift) < 1) {
    throw std::invalid_argument("makeNormFormat: residual scale too small");
  }
  f.shift = static_cast<unsigned>(total - static_cast<int>(f.r_shift));
  f.scale = std::sqrt(static_cast<double>(n)) * std::ldexp(1.0, static_cast<int>(f.r_shift + f.shift) - 33);
  return f;
}

void rmsnormInt(std::span<const std::int32_t> x, const NormFormat& f, std::span<std::int8_t> out) {
  // The VXM's adds.i32: every term is non-negative, so the saturating sum is min(2^31 - 1, total) in any order
  // (the LPU adds column tiles as a tree, then across lanes).
  std::int64_t ss = f.eps_term;
  for (std::int32_t v : x) {
    const std::int32_t q = saturate(v >> kNormPreShift, 16);
    ss = std::min<std::int64_t>(ss + std::int64_t{q} * q, 0x7FFFFFFF);
  }
  const std::int32_t r = model::rsqrtQ31(static_cast<std::uint32_t>(ss));
  const std::int32_t m = saturate(r >> f.r_shift, 16);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<std::int8_t>(req(x[i], m, f.shift, 8));
}

// ---- RoPE -----------------------------------------------------------------------------------------------------

RopeTable makeRopeTable(int seq_len, int head_size) {
  RopeTable t;
  t.head_size = head_size;
  const auto half = static_cast<std::size_t>(head_size / 2);
  t.cos.resize(static_cast<std::size_t>(seq_len) * half);
  t.sin.resize(t.cos.size());
  for (int pos = 0; pos < seq_len; ++pos) {
    for (std::size_t i = 0; i < half; ++i) {
      const double freq = std::pow(10000.0, -static_cast<double>(2 * i) / head_size);
      const double a = pos * freq;
      const std::size_t k = static_cast<std::size_t>(pos) * half + i;
      t.cos[k] = static_cast<std::int16_t>(std::min(16383.0, std::round(std::cos(a) * 16384.0)));
      t.sin[k] = static_cast<std::int16_t>(std::min(16383.0, std::round(std::sin(a) * 16384.0)));
    }
  }
  return t;
}

void ropeInt(std::span<const std::int16_t> v, const RopeTable& t, int pos, std::span<std::int8_t> out) {
  const auto half = static_cast<std::size_t>(t.head_size / 2);
  for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
    const std::size_t k = static_cast<std::size_t>(pos) * half + (i % static_cast<std::size_t>(t.head_size)) / 2;
    const std::int32_t c = t.cos[k], s = t.sin[k], v0 = v[i], v1 = v[i + 1];
    out[i] = static_cast<std::int8_t>(req(v0 * c - v1 * s, 1, 22, 8));
    out[i + 1] = static_cast<std::int8_t>(req(v0 * s + v1 * c, 1, 22, 8));
  }
}

// ---- Softmax --------------------------------------------------------------------------------------------------

std::int32_t softmaxWeights(std::span<const std::int32_t> scores, std::int32_t m, unsigned shift,
                            std::span<std::int8_t> weights) {
  const std::int32_t top = *std::max_element(scores.begin(), scores.end());
  std::int32_t sum = 0;
  for (std::size_t t = 0; t < scores.size(); ++t) {
    const std::int32_t z = req(std::int64_t{scores[t]} - top, m, shift, 16);  // <= 0, Q7.8
    const std::int32_t w = std::min((model::exp2Q14(z) + 64) >> 7, 127);      // rounded: add, shr, min
    weights[t] = static_cast<std::int8_t>(w);
    sum += w;
  }
  return sum;
}

std::int32_t reciprocalQ21(std::int32_t sum) {
  const std::int32_t r = model::rsqrtQ31(static_cast<std::uint32_t>(sum));
  return req(r, saturate(r >> 14, 16), 27, 16);
}

// ---- SwiGLU, argmax -------------------------------------------------------------------------------------------

std::int8_t swigluInt(std::int16_t gate_q11, std::int8_t up, std::int32_t m, unsigned shift) {
  const std::int32_t s = model::siluQ11(gate_q11);
  return static_cast<std::int8_t>(req(s * std::int32_t{up}, m, shift, 8));
}

int argmaxInt(std::span<const std::int16_t> values) {
  int best = 0;
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace lpu::llm
