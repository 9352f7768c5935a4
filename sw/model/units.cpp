#include "sw/model/units.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace lpu::model::detail {
namespace {

using isa::Opcode;

// Two's-complement wrap of x to `bits` bits, sign-extended back to 64.
inline std::int64_t wrap(std::int64_t x, unsigned bits) {
  unsigned shift = 64 - bits;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << shift) >> shift;
}

inline std::int64_t saturate(std::int64_t x, unsigned bits) {
  std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
  std::int64_t lo = -hi - 1;
  return std::clamp(x, lo, hi);
}

}  // namespace

// ---- VXM ------------------------------------------------------------------------------------------------------

namespace {

// One VXM instruction with the element width fixed at compile time (BYTES = 1, 2, 4), so the byte-plane gathers
// and scatters unroll.
template <unsigned BYTES>
void vxmTyped(const isa::Instruction& insn, unsigned lanes, const Planes& a, const Planes& b, const Planes& c,
              std::uint8_t* out) {
  constexpr unsigned bits = 8 * BYTES;
  constexpr std::uint64_t mask = (std::uint64_t{1} << bits) - 1;

  // Runs f(a, b, c) for every lane and stores the low BYTES bytes of the result. a is read at its own width (cvt
  // and req read wider sources); b and c default to 0 when absent.
  auto each = [&](auto f) {
    for (unsigned i = 0; i < lanes; ++i) {
      const std::int64_t x = loadElement(a, i);
      const std::int64_t y = b.plane[0] ? loadElement(b, i) : 0;
      const std::int64_t z = c.plane[0] ? loadElement(c, i) : 0;
      const auto u = static_cast<std::uint64_t>(f(x, y, z));
      for (unsigned k = 0; k < BYTES; ++k) out[k * lanes + i] = static_cast<std::uint8_t>(u >> (8 * k));
    }
  };
  auto count = [](std::int64_t y) { return static_cast<unsigned>(y) & (bits - 1); };  // b mod w

  switch (insn.opcode()) {
    case Opcode::kAdd:
      each([](auto x, auto y, auto) { return wrap(x + y, bits); });
      break;
    case Opcode::kSub:
      each([](auto x, auto y, auto) { return wrap(x - y, bits); });
      break;
    case Opcode::kAdds:
      each([](auto x, auto y, auto) { return saturate(x + y, bits); });
      break;
    case Opcode::kSubs:
      each([](auto x, auto y, auto) { return saturate(x - y, bits); });
      break;
    case Opcode::kMul:
      each([](auto x, auto y, auto) { return wrap(x * y, bits); });
      break;
    case Opcode::kAnd:
      each([](auto x, auto y, auto) { return x & y; });
      break;
    case Opcode::kOr:
      each([](auto x, auto y, auto) { return x | y; });
      break;
    case Opcode::kXor:
      each([](auto x, auto y, auto) { return x ^ y; });
      break;
    case Opcode::kShl:
      each([&](auto x, auto y, auto) {
        return wrap(static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << count(y)), bits);
      });
      break;
    case Opcode::kShr:
      each([&](auto x, auto y, auto) { return x >> count(y); });
      break;
    case Opcode::kShrl:
      each([&](auto x, auto y, auto) {
        return wrap(static_cast<std::int64_t>((static_cast<std::uint64_t>(x) & mask) >> count(y)), bits);
      });
      break;
    case Opcode::kMin:
      each([](auto x, auto y, auto) { return std::min(x, y); });
      break;
    case Opcode::kMax:
      each([](auto x, auto y, auto) { return std::max(x, y); });
      break;
    case Opcode::kCmpeq:
      each([](auto x, auto y, auto) -> std::int64_t { return x == y ? -1 : 0; });
      break;
    case Opcode::kCmplt:
      each([](auto x, auto y, auto) -> std::int64_t { return x < y ? -1 : 0; });
      break;
    case Opcode::kSel:
      each([](auto x, auto y, auto z) { return x != 0 ? y : z; });
      break;
    case Opcode::kNeg:
      each([](auto x, auto, auto) { return wrap(-x, bits); });
      break;
    case Opcode::kAbs:
      each([](auto x, auto, auto) { return wrap(x < 0 ? -x : x, bits); });
      break;
    case Opcode::kNot:
      each([](auto x, auto, auto) { return ~x; });
      break;
    case Opcode::kMov:
      each([](auto x, auto, auto) { return x; });
      break;
    case Opcode::kRelu:
      each([](auto x, auto, auto) { return std::max<std::int64_t>(x, 0); });
      break;
    case Opcode::kCvt:  // a is read at the source width; widening keeps the value, narrowing saturates
      each([](auto x, auto, auto) { return saturate(x, bits); });
      break;
    case Opcode::kReq: {
      const unsigned shamt = static_cast<unsigned>(insn.get(isa::Field::kShamt));
      each([&](auto x, auto m, auto) { return requantise(x, m, shamt, bits); });
      break;
    }
    case Opcode::kExp2:
      each([](auto x, auto, auto) { return std::int64_t{exp2Q14(static_cast<std::int32_t>(x))}; });
      break;
    case Opcode::kRsqrt:
      each([](auto x, auto, auto) {
        return std::int64_t{rsqrtQ31(static_cast<std::uint32_t>(static_cast<std::int32_t>(x)))};
      });
      break;
    case Opcode::kSigmoid:
      each([](auto x, auto, auto) { return std::int64_t{sigmoidQ15(static_cast<std::int32_t>(x))}; });
      break;
    case Opcode::kSilu:
      each([](auto x, auto, auto) { return std::int64_t{siluQ11(static_cast<std::int32_t>(x))}; });
      break;
    default:
      std::memset(out, 0, std::size_t{BYTES} * lanes);  // not a VXM opcode: validate() rejected it already
      break;
  }
}

}  // namespace

void vxmExecute(const isa::Instruction& insn, unsigned lanes, const Planes& a, const Planes& b, const Planes& c,
                std::uint8_t* out) {
  switch (isa::typeBytes(insn.type)) {
    case 1:
      vxmTyped<1>(insn, lanes, a, b, c, out);
      break;
    case 2:
      vxmTyped<2>(insn, lanes, a, b, c, out);
      break;
    default:
      vxmTyped<4>(insn, lanes, a, b, c, out);
      break;
  }
}

// ---- SXM ------------------------------------------------------------------------------------------------------

void sxmExecute(const isa::Instruction& insn, unsigned lanes, unsigned superlane_lanes, const std::uint8_t* a,
                const std::uint8_t* map, std::uint8_t* out) {
  const auto n = static_cast<std::int64_t>(lanes);
  switch (insn.opcode()) {
    case Opcode::kShift: {  // dst[i] = a[i - imm] inside the vector, else 0
      const std::int64_t imm = insn.get(isa::Field::kImm8);
      std::memset(out, 0, lanes);
      if (imm >= 0 && imm < n) {
        std::memcpy(out + imm, a, static_cast<std::size_t>(n - imm));
      } else if (imm < 0 && -imm < n) {
        std::memcpy(out, a - imm, static_cast<std::size_t>(n + imm));
      }
      break;
    }
    case Opcode::kRotate: {  // dst[i] = a[(i - imm) mod lanes]: two copies around r = imm mod lanes
      const std::int64_t r = ((insn.get(isa::Field::kImm8) % n) + n) % n;
      std::memcpy(out + r, a, static_cast<std::size_t>(n - r));
      std::memcpy(out, a + (n - r), static_cast<std::size_t>(r));
      break;
    }
    case Opcode::kPermute:
      for (unsigned i = 0; i < lanes; ++i) out[i] = a[map[i] % lanes];
      break;
    case Opcode::kDistribute:
      for (unsigned i = 0; i < lanes; ++i) {
        unsigned base = superlane_lanes * (i / superlane_lanes);
        out[i] = (map[i] & 0x80) ? 0 : a[base + map[i] % superlane_lanes];
      }
      break;
    default:
      std::memset(out, 0, lanes);
      break;
  }
}

void sxmTranspose(unsigned lanes, unsigned n, const std::uint8_t* const* src, std::uint8_t* out) {
  // stream dst+i, lane b*n+j  <-  stream srca+j, lane b*n+i
  for (unsigned blk = 0; blk < lanes / n; ++blk)
    for (unsigned i = 0; i < n; ++i)
      for (unsigned j = 0; j < n; ++j) out[i * lanes + blk * n + j] = src[j][blk * n + i];
}

// ---- MXM ------------------------------------------------------------------------------------------------------

namespace {
// out[j] += xk * row[j] for 16 lanes. GCC's -O2 cost model vectorises only a loop with a known trip count and no
// runtime alias check, hence the fixed 16 and the restrict-qualified parameters (int8 pointers alias anything).
inline void axpy16(std::int32_t* __restrict out, const std::int8_t* __restrict row, std::int32_t xk) {
  for (std::size_t j = 0; j < 16; ++j) out[j] += xk * row[j];
}
}  // namespace

void mxmProduct(unsigned lanes, const std::int8_t* x, const std::int8_t* w, std::int32_t* y) {
  std::fill(y, y + lanes, 0);
  const std::size_t chunks = lanes / 16;
  for (unsigned k = 0; k < lanes; ++k) {
    const std::int32_t xk = x[k];
    if (xk == 0) continue;
    const std::int8_t* row = w + std::size_t{k} * lanes;
    for (std::size_t c = 0; c < chunks; ++c) axpy16(y + 16 * c, row + 16 * c, xk);
    for (std::size_t n = 16 * chunks; n < lanes; ++n) y[n] += xk * row[n];
  }
}

}  // namespace lpu::model::detail
