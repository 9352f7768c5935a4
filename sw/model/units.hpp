// Lane arithmetic of the functional slices (VXM, SXM, MXM), free of timing: the Machine reads the operands from the
// stream registers, calls these, and schedules the results. Internal to lpu_model (namespace detail); the tests
// check the Machine end to end against their own reference arithmetic, never against these functions.
#pragma once

#include <cstdint>
#include <span>

#include "sw/isa/isa.hpp"
#include "sw/model/vxm_functions.hpp"

namespace lpu::model::detail {

// A stream-group operand: plane k holds byte k (little-endian) of every lane's element; `bytes` planes in use.
struct Planes {
  const std::uint8_t* plane[4] = {nullptr, nullptr, nullptr, nullptr};
  unsigned bytes = 1;
};

// Sign-extended element of `lane`.
inline std::int64_t loadElement(const Planes& g, unsigned lane) {
  std::uint32_t u = 0;
  for (unsigned k = 0; k < g.bytes; ++k) u |= std::uint32_t{g.plane[k][lane]} << (8 * k);
  unsigned shift = 32 - 8 * g.bytes;
  return static_cast<std::int32_t>(u << shift) >> shift;
}

// Special functions and req's rounding, exactly as docs/isa.md defines them (sw/model/vxm_functions.hpp).
using model::exp2Q14;
using model::requantise;
using model::rsqrtQ31;
using model::sigmoidQ15;
using model::siluQ11;

// One VXM instruction over all lanes. a/b/c: operand groups (unused ones ignored); out: T-width result, plane k at
// out + k*lanes.
void vxmExecute(const isa::Instruction& insn, unsigned lanes, const Planes& a, const Planes& b, const Planes& c,
                std::uint8_t* out);

// SXM shift/rotate/permute/distribute on one byte stream; out: lanes bytes.
void sxmExecute(const isa::Instruction& insn, unsigned lanes, unsigned superlane_lanes, const std::uint8_t* a,
                const std::uint8_t* map, std::uint8_t* out);
// SXM transpose of n streams: src[j] is stream srca+j; out plane i (stream dst+i) at out + i*lanes.
void sxmTranspose(unsigned lanes, unsigned n, const std::uint8_t* const* src, std::uint8_t* out);

// y[n] = sum_k x[k] * w[k*lanes + n], exact int32 (lanes <= 2^16 keeps it exact: |x*w| <= 2^14).
void mxmProduct(unsigned lanes, const std::int8_t* x, const std::int8_t* w, std::int32_t* y);

}  // namespace lpu::model::detail
