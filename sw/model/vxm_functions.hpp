// The VXM's element functions that software outside the machine must reproduce bit for bit: the table-driven special
// functions and req's rounding requantisation, exactly as docs/isa.md defines them (tables from isa_gen.hpp). The
// Machine calls these for its lanes (units.cpp); sw/llm's integer reference calls the same functions, so the
// reference and the machine cannot drift apart.
#pragma once

#include <cstdint>

namespace lpu::model {

std::int32_t exp2Q14(std::int32_t x);     // exp2: x i16 Q7.8 -> Q1.14
std::int32_t rsqrtQ31(std::uint32_t v);   // rsqrt: v u32 -> ~2^31/sqrt(v)
std::int32_t sigmoidQ15(std::int32_t x);  // sigmoid: x i16 Q4.11 -> Q0.15
std::int32_t siluQ11(std::int32_t x);     // silu: x i16 Q4.11 -> Q4.11

// req: p = a * m exact, rounded right shift by shamt (half away from zero), saturated to `bits` (8 or 16) bits.
std::int64_t requantise(std::int64_t a, std::int64_t m, unsigned shamt, unsigned bits);

}  // namespace lpu::model
