#include "sw/model/vxm_functions.hpp"

#include <algorithm>
#include <bit>

#include "sw/isa/isa.hpp"

namespace lpu::model {

std::int32_t exp2Q14(std::int32_t x) {
  std::int32_t i = x >> 8;  // arithmetic: floor(x / 256)
  std::int32_t e = isa::kExp2Table[static_cast<unsigned>(x & 255)];
  if (i >= 1) return 32767;
  if (i == 0) return e;
  if (i >= -15) return e >> -i;
  return 0;
}

std::int32_t rsqrtQ31(std::uint32_t v) {
  if (v == 0) return 0x7FFFFFFF;
  unsigned k = static_cast<unsigned>(std::countl_zero(v)) / 2;                        // largest k with v * 4^k < 2^32
  std::uint32_t m = static_cast<std::uint32_t>((std::uint64_t{v} << (2 * k)) >> 24);  // 64 .. 255
  std::int64_t r = std::int64_t{isa::kRsqrtTable[m]} << k;
  return static_cast<std::int32_t>(std::min<std::int64_t>(r, 0x7FFFFFFF));
}

std::int32_t sigmoidQ15(std::int32_t x) {
  unsigned j = static_cast<unsigned>((x >> 8) + 128);  // 0 .. 255 for an i16 input
  std::int32_t f = x & 255;
  std::int32_t s0 = isa::kSigmoidTable[j];
  std::int32_t s1 = isa::kSigmoidTable[j + 1];
  return s0 + (((s1 - s0) * f) >> 8);
}

std::int32_t siluQ11(std::int32_t x) {
  std::int64_t p = std::int64_t{x} * sigmoidQ15(x);
  return static_cast<std::int32_t>((p + (1 << 14)) >> 15);
}

std::int64_t requantise(std::int64_t a, std::int64_t m, unsigned shamt, unsigned bits) {
  const std::int64_t p = a * m;  // exact: |i32 * i16| < 2^47
  std::int64_t r = p;
  if (shamt != 0) r = (p + (std::int64_t{1} << (shamt - 1)) - (p < 0 ? 1 : 0)) >> shamt;
  const std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
  return std::clamp(r, -hi - 1, hi);
}

}  // namespace lpu::model
