// The integer nonlinearities of IntModel, each a composition of VXM element operations: req (sw/model's
// requantise), rsqrt, exp2, silu, shifts, min/max and saturating conversions. The special functions are the golden
// model's own (sw/model/vxm_functions.hpp), so the reference computes exactly what the VXM computes.
// docs/llm.md ("Integer reference") gives every format and the measured errors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lpu::llm {

// Saturating narrowing (cvt) and the VXM's req.
std::int32_t saturate(std::int64_t x, unsigned bits);
std::int32_t req(std::int64_t a, std::int32_t m, unsigned shift, unsigned bits);

// Integer RMSNorm of a residual vector x (int32). Sum of squares of q = sat16(x >> kNormPreShift) (mul, adds.i32:
// saturating at 2^31 - 1) plus `eps_term`, r = rsqrt(ss), m = sat16(r >> r_shift), y = req8(x, m, shift).
// The float value of y[i] is y[i] * scale ~= x[i] / rms(x) (the gain is folded into the next matrix).
struct NormFormat {
  std::uint32_t eps_term = 0;  // eps * n in the sum's units, rounded (at least 1)
  unsigned r_shift = 0;        // rsqrt result -> i16 multiplier
  unsigned shift = 0;          // req shift
  double scale = 0.0;          // float value of one output step
};
inline constexpr unsigned kNormPreShift = 2;
// x_scale: float value of one residual step; x_rms: typical RMS of the residual (chooses r_shift); frac_bits: output
// steps per unit RMS = 2^frac_bits.
NormFormat makeNormFormat(int n, double x_scale, double x_rms, double eps, unsigned frac_bits);
void rmsnormInt(std::span<const std::int32_t> x, const NormFormat& f, std::span<std::int8_t> out);

// RoPE tables: cos and sin of pos * 10000^(-2i/head_size) in Q1.14 (i16), (seq_len, head_size/2) row-major.
struct RopeTable {
  int head_size = 0;
  std::vector<std::int16_t> cos, sin;
};
RopeTable makeRopeTable(int seq_len, int head_size);
// Rotates the interleaved pairs of an i16 vector v (its scale is 2^-8 of the int8 output's): out = req8(v0*c - v1*s,
// 1, 22), req8(v0*s + v1*c, 1, 22). `v` holds whole heads (length a multiple of head_size).
void ropeInt(std::span<const std::int16_t> v, const RopeTable& t, int pos, std::span<std::int8_t> out);

// Softmax weights of one head's int32 scores: z = req16(score - max, m, shift) (Q7.8, the factor is
// q_scale*k_scale*log2(e)/sqrt(head_size)*256), e = exp2(z) (Q1.14), w = min((e + 64) >> 7, 127)
// (Q0.7, rounded). Returns sum(w).
std::int32_t softmaxWeights(std::span<const std::int32_t> scores, std::int32_t m, unsigned shift,
                            std::span<std::int8_t> weights);
// 1/sum from rsqrt^2: r = rsqrt(sum), inv = req16(r, sat16(r >> 14), 27) ~= 2^21 / sum; then a weighted sum acc of
// int8 values divides as req8(acc, inv, 21).
std::int32_t reciprocalQ21(std::int32_t sum);

// SwiGLU: silu(gate) (Q4.11) * up (int8) -> req8 with m, shift.
std::int8_t swigluInt(std::int16_t gate_q11, std::int8_t up, std::int32_t m, unsigned shift);

// run.c's sample_argmax on integers: the first index of the largest value.
int argmaxInt(std::span<const std::int16_t> values);

}  // namespace lpu::llm
