// Reference VXM arithmetic for the unit tests, written from docs/isa.md (not from the RTL, not from the golden
// model's code). Elements are int64 values already sign-extended from their operand widths.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "sw/isa/isa.hpp"

namespace lpu::tb::ref {

inline std::int64_t signExtend(std::uint64_t v, unsigned bits) {
  const unsigned sh = 64 - bits;
  return static_cast<std::int64_t>(v << sh) >> sh;
}
inline std::int64_t wrapTo(std::int64_t v, unsigned bits) { return signExtend(static_cast<std::uint64_t>(v), bits); }
inline std::int64_t satTo(std::int64_t v, unsigned bits) {
  const std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
  return std::clamp(v, -hi - 1, hi);
}

// Tables from their defining formulas in docs/isa.md (std::round rounds half away from zero).
struct Tables {
  std::array<std::int64_t, 256> e{};  // exp2: round(2^(f/256) * 16384)
  std::array<std::int64_t, 256> r{};  // rsqrt: round(2^19 / sqrt(m + 0.5)) for m >= 64
  std::array<std::int64_t, 257> s{};  // sigmoid: min(round(32768 / (1 + exp(-(j - 128) / 8))), 32767)
  Tables() {
    for (int f = 0; f < 256; ++f) e[f] = std::llround(std::pow(2.0, f / 256.0) * 16384.0);
    for (int m = 64; m < 256; ++m) r[m] = std::llround(524288.0 / std::sqrt(m + 0.5));
    for (int j = 0; j <= 256; ++j)
      s[j] = std::min<std::int64_t>(std::llround(32768.0 / (1.0 + std::exp(-(j - 128) / 8.0))), 32767);
  }
};
inline const Tables& tables() {
  static const Tables t;
  return t;
}

inline std::int64_t exp2(std::int64_t x) {
  const std::int64_t i = x >> 8;  // arithmetic
  const std::int64_t e = tables().e[static_cast<unsigned>(x & 255)];
  if (i >= 1) return 32767;
  if (i == 0) return e;
  if (i >= -15) return e >> -i;
  return 0;
}
inline std::int64_t rsqrt(std::uint32_t v) {
  if (v == 0) return 0x7FFFFFFF;
  const unsigned k = static_cast<unsigned>(std::countl_zero(v)) / 2;
  const auto m = static_cast<unsigned>((std::uint64_t{v} << (2 * k)) >> 24);
  return std::min<std::int64_t>(tables().r[m] << k, 0x7FFFFFFF);
}
inline std::int64_t sigmoid(std::int64_t x) {
  const auto j = static_cast<unsigned>((x >> 8) + 128);
  const std::int64_t f = x & 255;
  const auto& s = tables().s;
  return s[j] + (((s[j + 1] - s[j]) * f) >> 8);
}
inline std::int64_t silu(std::int64_t x) { return (x * sigmoid(x) + (1 << 14)) >> 15; }

inline std::int64_t req(std::int64_t a, std::int64_t m, unsigned shamt, unsigned bits) {
  const std::int64_t p = a * m;
  std::int64_t r = p;
  if (shamt != 0) r = (p + (std::int64_t{1} << (shamt - 1)) - (p < 0 ? 1 : 0)) >> shamt;
  return satTo(r, bits);
}

// One VXM element. bits = width of the destination type; a/b/c sign-extended from their operand widths.
inline std::int64_t vxm(isa::Opcode op, unsigned bits, unsigned shamt, std::int64_t a, std::int64_t b, std::int64_t c) {
  using isa::Opcode;
  const std::uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
  const unsigned cnt = static_cast<unsigned>(b) & (bits - 1);  // b mod w (w a power of two)
  switch (op) {
    case Opcode::kAdd:
      return wrapTo(a + b, bits);
    case Opcode::kSub:
      return wrapTo(a - b, bits);
    case Opcode::kAdds:
      return satTo(a + b, bits);
    case Opcode::kSubs:
      return satTo(a - b, bits);
    case Opcode::kMul:
      return wrapTo(static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b)), bits);
    case Opcode::kAnd:
      return a & b;
    case Opcode::kOr:
      return a | b;
    case Opcode::kXor:
      return a ^ b;
    case Opcode::kShl:
      return wrapTo(static_cast<std::int64_t>(static_cast<std::uint64_t>(a) << cnt), bits);
    case Opcode::kShr:
      return a >> cnt;
    case Opcode::kShrl:
      return wrapTo(static_cast<std::int64_t>((static_cast<std::uint64_t>(a) & mask) >> cnt), bits);
    case Opcode::kMin:
      return std::min(a, b);
    case Opcode::kMax:
      return std::max(a, b);
    case Opcode::kCmpeq:
      return a == b ? -1 : 0;
    case Opcode::kCmplt:
      return a < b ? -1 : 0;
    case Opcode::kSel:
      return a != 0 ? b : c;
    case Opcode::kNeg:
      return wrapTo(-a, bits);
    case Opcode::kAbs:
      return wrapTo(a < 0 ? -a : a, bits);
    case Opcode::kNot:
      return ~a;
    case Opcode::kMov:
      return a;
    case Opcode::kRelu:
      return a < 0 ? 0 : a;
    case Opcode::kCvt:
      return satTo(a, bits);
    case Opcode::kReq:
      return req(a, b, shamt, bits);
    case Opcode::kExp2:
      return exp2(a);
    case Opcode::kRsqrt:
      return rsqrt(static_cast<std::uint32_t>(a));
    case Opcode::kSigmoid:
      return sigmoid(a);
    case Opcode::kSilu:
      return silu(a);
    default:
      return 0;
  }
}

}  // namespace lpu::tb::ref
