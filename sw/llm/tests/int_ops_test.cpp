// Each integer nonlinearity of IntModel against its float definition, over its whole input range or many seeded
// random inputs, within a stated bound. The bounds are the ones docs/llm.md quotes; each test prints the measured
// worst case.
#include "sw/llm/int_ops.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sw/llm/quantize.hpp"
#include "sw/model/vxm_functions.hpp"

namespace lpu::llm {
namespace {

// exp2 (Q7.8 -> Q1.14) on every input that does not saturate: within 1.5 output steps of 2^x (table rounding 0.5,
// the floor of the shift 1).
TEST(IntOps, Exp2WithinOneAndAHalfSteps) {
  double worst = 0;
  for (std::int32_t x = -32768; x < 256; ++x) {
    const double ref = std::exp2(x / 256.0) * 16384.0;
    const double err = std::abs(model::exp2Q14(x) - ref);
    worst = std::max(worst, err);
    ASSERT_LE(err, 1.5) << "x " << x;
  }
  std::printf("exp2: max error %.3f steps of 2^-14\n", worst);
}

// rsqrt: relative error below 0.4 % (8-bit mantissa index, table at the segment's centre).
TEST(IntOps, RsqrtRelativeError) {
  std::mt19937 rng(7);
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t v = std::max<std::uint32_t>(1, rng() >> (rng() % 32));
    const double ref = std::ldexp(1.0, 31) / std::sqrt(double(v));
    if (ref >= 2147483647.0) continue;  // saturated (v = 1)
    const double err = std::abs(model::rsqrtQ31(v) / ref - 1.0);
    worst = std::max(worst, err);
    ASSERT_LE(err, 0.004) << "v " << v;
  }
  std::printf("rsqrt: max relative error %.5f\n", worst);
}

// silu (Q4.11): within 1.2e-3 of x * sigmoid(x) over the whole i16 input range [-16, 16).
TEST(IntOps, SiluAbsoluteError) {
  double worst = 0;
  for (std::int32_t x = -32768; x < 32768; ++x) {
    const double xf = x / 2048.0;
    const double ref = xf / (1.0 + std::exp(-xf));
    const double err = std::abs(model::siluQ11(x) / 2048.0 - ref);
    worst = std::max(worst, err);
    ASSERT_LE(err, 1.2e-3) << "x " << x;
  }
  std::printf("silu: max absolute error %.6f\n", worst);
}

// Integer RMSNorm of random residual vectors (RMS from 1/4 to 8 times the format's typical RMS): every output within
// one step plus 1 % of x / rms(x).
TEST(IntOps, RmsnormAgainstFloat) {
  std::mt19937 rng(11);
  const int n = 64;
  const double x_scale = 1e-3, typical = 0.25;
  const NormFormat f = makeNormFormat(n, x_scale, typical, 1e-5, 5);
  EXPECT_NEAR(f.scale, 1.0 / 32.0, 1e-12);
  double worst = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const double rms = typical * std::ldexp(1.0, static_cast<int>(trial % 6) - 2);
    std::normal_distribution<double> d(0.0, rms);
    std::vector<std::int32_t> x(n);
    double ss = 0;
    for (auto& v : x) {
      v = static_cast<std::int32_t>(std::lround(d(rng) / x_scale));
      ss += (v * x_scale) * (v * x_scale);
    }
    const double inv = 1.0 / std::sqrt(ss / n + 1e-5);
    std::vector<std::int8_t> y(n);
    rmsnormInt(x, f, y);
    for (int i = 0; i < n; ++i) {
      const double ref = std::clamp(x[i] * x_scale * inv, -128 * f.scale, 127 * f.scale);
      const double err = std::abs(y[i] * f.scale - ref);
      worst = std::max(worst, err / (f.scale + 0.01 * std::abs(ref)));
      ASSERT_LE(err, f.scale + 0.01 * std::abs(ref)) << "trial " << trial << " i " << i;
    }
  }
  std::printf("rmsnorm: worst error %.3f of the bound (1 step + 1 %%)\n", worst);
}

// The sum of squares is the VXM's adds.i32 (the LPU's rmsnorm adds tiles and lanes in a tree): it saturates at
// 2^31 - 1, and since every term is non-negative the order does not matter.
TEST(IntOps, RmsnormSumSaturatesAtInt32Max) {
  const NormFormat f = makeNormFormat(4, 1e-3, 0.25, 1e-5, 5);
  // q = sat16(x >> 2) = 32767 for all four: 4 * 32767^2 > 2^31 (also 2^32 - 1 would differ from 2^31 - 1).
  const std::vector<std::int32_t> x = {1 << 20, 1 << 18, 1 << 21, (1 << 17) + 5};
  std::vector<std::int8_t> y(x.size());
  rmsnormInt(x, f, y);
  const std::int32_t r = model::rsqrtQ31(0x7FFFFFFFu);
  ASSERT_NE(r, model::rsqrtQ31(0xFFFFFFFFu));
  const std::int32_t m = saturate(r >> f.r_shift, 16);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], req(x[i], m, f.shift, 8)) << i;
}

// RoPE on i16 inputs: within one int8 step (0.5 rounding, table quantisation) of the float rotation.
TEST(IntOps, RopeAgainstFloat) {
  const int head_size = 8, seq_len = 512;
  const RopeTable t = makeRopeTable(seq_len, head_size);
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d(-127 * 256, 127 * 256);
  double worst = 0;
  for (int pos = 0; pos < seq_len; pos += 7) {
    std::vector<std::int16_t> v(2 * head_size);
    for (auto& e : v) e = static_cast<std::int16_t>(d(rng) / 2);  // |rotated| stays inside int8
    std::vector<std::int8_t> out(v.size());
    ropeInt(v, t, pos, out);
    for (std::size_t i = 0; i < v.size(); i += 2) {
      const double a = pos * std::pow(10000.0, -static_cast<double>(i % head_size) / head_size);
      const double r0 = (v[i] * std::cos(a) - v[i + 1] * std::sin(a)) / 256.0;
      const double r1 = (v[i] * std::sin(a) + v[i + 1] * std::cos(a)) / 256.0;
      worst = std::max({worst, std::abs(out[i] - r0), std::abs(out[i + 1] - r1)});
      ASSERT_LE(std::abs(out[i] - r0), 1.0) << pos << " " << i;
      ASSERT_LE(std::abs(out[i + 1] - r1), 1.0) << pos << " " << i;
    }
  }
  std::printf("rope: max error %.3f int8 steps\n", worst);
}

// 1/sum from rsqrt^2: within 0.8 % (twice rsqrt's 0.39 %) plus one output step of 2^21 / sum, for every softmax
// sum up to 127 * 512.
TEST(IntOps, ReciprocalFromRsqrt) {
  double worst = 0;
  for (std::int32_t s = 127; s <= 127 * 512; ++s) {
    const double ref = std::ldexp(1.0, 21) / s;
    const double err = std::abs(reciprocalQ21(s) - ref);
    worst = std::max(worst, err / (0.008 * ref + 1.0));
    ASSERT_LE(err, 0.008 * ref + 1.0) << "sum " << s;
  }
  std::printf("reciprocal: worst error %.3f of the bound\n", worst);
}

// The whole softmax (scores -> exp2 -> weights -> normalised by the reciprocal) against the float softmax: every
// probability within 0.015 of exp(s - max) / sum (the weights are Q0.7: up to 63 rounding errors of 1/256 of a
// sum that can be as small as 127).
TEST(IntOps, SoftmaxAgainstFloat) {
  std::mt19937 rng(5);
  const double factor = 0.01;  // float value of one score step, times log2(e) and 256 for the req
  const Requant rq = makeRequant(factor * 1.4426950408889634 * 256.0);
  double worst = 0;
  for (int trial = 0; trial < 500; ++trial) {
    const int n = 1 + trial % 64;
    std::normal_distribution<double> d(0.0, 100.0 * (1 + trial % 4));
    std::vector<std::int32_t> s(static_cast<std::size_t>(n));
    for (auto& v : s) v = static_cast<std::int32_t>(std::lround(d(rng)));
    std::vector<std::int8_t> w(s.size());
    const std::int32_t sum = softmaxWeights(s, rq.multiplier[0], rq.shift, w);
    const std::int32_t inv = reciprocalQ21(sum);
    const double top = *std::max_element(s.begin(), s.end());
    double ref_sum = 0;
    for (auto v : s) ref_sum += std::exp((v - top) * factor);
    for (std::size_t t = 0; t < s.size(); ++t) {
      const double p = w[t] * inv / std::ldexp(1.0, 21);
      const double ref = std::exp((s[t] - top) * factor) / ref_sum;
      worst = std::max(worst, std::abs(p - ref));
      ASSERT_LE(std::abs(p - ref), 0.015) << "trial " << trial << " t " << t << " n " << n << " w " << int{w[t]}
                                          << " sum " << sum << " inv " << inv << " s " << s[t] - top;
    }
  }
  std::printf("softmax: max probability error %.5f\n", worst);
}

// SwiGLU: silu(g) * u requantised to int8 within one output step plus silu's error times |u|.
TEST(IntOps, SwigluAgainstFloat) {
  const double out_scale = 0.05, up_scale = 0.02;
  const Requant rq = makeRequant(up_scale / 2048.0 / out_scale);
  double worst = 0;
  for (std::int32_t g = -32768; g < 32768; g += 97) {
    for (int u = -127; u <= 127; u += 9) {
      const double gf = g / 2048.0, uf = u * up_scale;
      const double ref = std::clamp(gf / (1.0 + std::exp(-gf)) * uf / out_scale, -128.0, 127.0);
      const auto y = swigluInt(static_cast<std::int16_t>(g), static_cast<std::int8_t>(u), rq.multiplier[0], rq.shift);
      const double bound = 0.5 + 1.2e-3 * std::abs(uf) / out_scale + 1e-3 * std::abs(ref);
      worst = std::max(worst, std::abs(y - ref) / bound);
      ASSERT_LE(std::abs(y - ref), bound) << g << " " << u;
    }
  }
  std::printf("swiglu: worst error %.3f of the bound\n", worst);
}

TEST(IntOps, ArgmaxFirstMaximum) {
  const std::vector<std::int16_t> v = {3, -2, 9, 9, 1};
  EXPECT_EQ(argmaxInt(v), 2);
  EXPECT_EQ(saturate(200, 8), 127);
  EXPECT_EQ(saturate(-200, 8), -128);
  EXPECT_EQ(req(3, 1, 1, 8), 2);    // 1.5 rounds away from zero
  EXPECT_EQ(req(-3, 1, 1, 8), -2);  // -1.5 too
}

}  // namespace
}  // namespace lpu::llm
