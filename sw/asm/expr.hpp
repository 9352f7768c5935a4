// The assembler's expression evaluator (pass 2): values of pass 1's expression trees and symbols, computed on
// demand and cached in the symbols, so names may be used before their definition. 64-bit signed arithmetic with
// every overflow, division by zero and out-of-range shift reported at its operator; a name that depends on itself
// is reported as circular. A data label's value needs its section laid out, which the evaluator asks of a
// SectionLayout (encoder.cpp), whose layout evaluates the section's address and .zero counts in turn.
//
// Example (after parse() of ".equ a, b * 2\n.equ b, 1 << 4\n"):
//   Evaluator ev(parsed, diag, layout);
//   ev.evalSymbol(id_of_a, use) -> 32 (and b is now done, = 16)
#pragma once

#include <cstdint>
#include <optional>

#include "sw/asm/assembler_internal.hpp"

namespace lpu::assembler::internal {

// Lays out data sections for the evaluator.
class SectionLayout {
 public:
  // Computes section `id`'s base, size and label values once (later calls do nothing); on a failure (reported) its
  // labels that got no value are kFailed.
  virtual void layout(std::uint32_t id) = 0;

 protected:
  ~SectionLayout() = default;
};

class Evaluator {
 public:
  Evaluator(ParsedSource& parsed, Diagnostics& diag, SectionLayout& layout)
      : parsed_(parsed), diag_(diag), layout_(layout) {}

  // The value of expression `id`; nullopt after reporting (or silently when a name it uses failed before).
  std::optional<std::int64_t> eval(ExprId id);

  // The value of symbol `id` used at `use` (where an undefined or circular name is reported).
  std::optional<std::int64_t> evalSymbol(std::uint32_t id, Loc use);

 private:
  std::optional<std::int64_t> overflow(const Node& n);

  ParsedSource& parsed_;
  Diagnostics& diag_;
  SectionLayout& layout_;
  unsigned depth_ = 0;  // expression nodes plus symbol references being evaluated
};

}  // namespace lpu::assembler::internal
