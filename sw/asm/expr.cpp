#include "sw/asm/expr.hpp"

#include <fmt/format.h>

#include <limits>

namespace lpu::assembler::internal {
namespace {

constexpr unsigned kMaxEvalDepth = 1000;  // expression nodes plus symbol references being evaluated at once

struct DepthGuard {
  unsigned& depth;
  ~DepthGuard() { --depth; }
};

}  // namespace

std::optional<std::int64_t> Evaluator::overflow(const Node& n) {
  diag_.error(n.loc, "arithmetic overflow in an expression; expected a result within 64-bit signed integers");
  return std::nullopt;
}

std::optional<std::int64_t> Evaluator::eval(ExprId id) {
  const Node& n = parsed_.nodes[id];
  if (++depth_ > kMaxEvalDepth) {
    --depth_;
    diag_.error(n.loc,
                fmt::format("expressions and names nested more than {} levels deep; expected simpler definitions",
                            kMaxEvalDepth));
    return std::nullopt;
  }
  DepthGuard guard{depth_};
  switch (n.op) {
    case Op::kNum:
      return n.value;
    case Op::kSym:
      return evalSymbol(n.sym, n.loc);
    case Op::kNeg:
    case Op::kPos:
    case Op::kNot: {
      const auto a = eval(n.a);
      if (!a) return std::nullopt;
      if (n.op == Op::kPos) return *a;
      if (n.op == Op::kNot) return ~*a;
      if (*a == std::numeric_limits<std::int64_t>::min()) return overflow(n);
      return -*a;
    }
    default:
      break;
  }
  const auto a = eval(n.a);
  if (!a) return std::nullopt;
  const auto b = eval(n.b);
  if (!b) return std::nullopt;
  const std::int64_t x = *a;
  const std::int64_t y = *b;
  std::int64_t r = 0;
  switch (n.op) {
    case Op::kAdd:
      if (__builtin_add_overflow(x, y, &r)) return overflow(n);
      return r;
    case Op::kSub:
      if (__builtin_sub_overflow(x, y, &r)) return overflow(n);
      return r;
    case Op::kMul:
      if (__builtin_mul_overflow(x, y, &r)) return overflow(n);
      return r;
    case Op::kDiv:
    case Op::kMod:
      if (y == 0) {
        diag_.error(n.loc,
                    fmt::format("{} by zero; expected a non-zero divisor", n.op == Op::kDiv ? "division" : "modulo"));
        return std::nullopt;
      }
      if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return overflow(n);
      return n.op == Op::kDiv ? x / y : x % y;
    case Op::kShl:
    case Op::kShr:
      if (y < 0 || y > 63) {
        diag_.error(n.loc, fmt::format("shift count {} out of range; expected 0..63", y));
        return std::nullopt;
      }
      if (n.op == Op::kShr) return x >> y;
      r = static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << y);
      if ((r >> y) != x) return overflow(n);
      return r;
    case Op::kAnd:
      return x & y;
    case Op::kXor:
      return x ^ y;
    case Op::kOr:
      return x | y;
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> Evaluator::evalSymbol(std::uint32_t id, Loc use) {
  Symbol& s = parsed_.symbols[id];
  switch (s.state) {
    case State::kDone:
      return s.value;
    case State::kFailed:
      return std::nullopt;
    case State::kInProgress:
      diag_.error(use,
                  fmt::format("circular definition of '{}'; expected a value that does not depend on itself", s.name));
      return std::nullopt;
    case State::kPending:
      break;
  }
  switch (s.kind) {
    case SymKind::kUndefined:
      diag_.error(use, fmt::format("undefined name '{}'; expected a label or .equ constant", s.name));
      return std::nullopt;
    case SymKind::kEqu: {
      s.state = State::kInProgress;
      const auto v = eval(s.expr);
      Symbol& after = parsed_.symbols[id];
      after.state = v ? State::kDone : State::kFailed;
      after.value = v.value_or(0);
      return v;
    }
    case SymKind::kDataLabel: {
      s.state = State::kInProgress;
      const std::uint32_t sec = s.section;
      if (parsed_.sections[sec].state == State::kInProgress) {
        diag_.error(
            use, fmt::format("circular definition of '{}'; expected a value that does not depend on itself", s.name));
        parsed_.symbols[id].state = State::kFailed;
        return std::nullopt;
      }
      layout_.layout(sec);  // sets this label's state and value
      const Symbol& after = parsed_.symbols[id];
      if (after.state != State::kDone) {
        parsed_.symbols[id].state = State::kFailed;
        return std::nullopt;
      }
      return after.value;
    }
    case SymKind::kQueueLabel:
      return s.value;  // set at definition (state kDone); not reached
  }
  return std::nullopt;
}

}  // namespace lpu::assembler::internal
