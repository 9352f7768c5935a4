// What the assembler's stages share (not part of the public API, sw/asm/assembler.hpp): source positions, the
// diagnostic sink, and pass 1's output, which pass 2 reads and completes.
//
// The stages, in the order assemble() (assembler.cpp) runs them:
//   lexer.cpp    one line of text -> tokens (lexer.hpp)
//   parser.cpp   pass 1: tokens -> statements, data sections, symbols, expression trees (parser.hpp)
//   expr.cpp     pass 2: expression and symbol values, on demand (expr.hpp)
//   encoder.cpp  pass 2: data layout, instruction encoding, program-wide checks, the isa::Program (encoder.hpp)
// Pass 1 knows queue label values (the index of the next word) but evaluates nothing else, so names may be used
// before their definition; pass 2 evaluates lazily, laying a data section out when one of its labels is needed.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler::internal {

// Thrown by Diagnostics::error() after the "too many errors" line; assemble() catches it.
struct TooManyErrors {};

struct Loc {
  unsigned line = 0;
  unsigned col = 0;
};

// The diagnostics of one assemble() call. Stages report in whatever order they find problems; takeSorted() puts
// them in source order.
class Diagnostics {
 public:
  explicit Diagnostics(std::string_view file) : file_(file) {}

  // Records `message` at `loc`; past kMaxErrors records "too many errors" instead and throws TooManyErrors.
  void error(Loc loc, std::string message);

  std::string_view file() const { return file_; }
  bool empty() const { return list_.empty(); }
  // Sorted by line and column (stable); a trailing "too many errors" line stays last.
  std::vector<Diagnostic> takeSorted();

 private:
  std::string_view file_;
  std::vector<Diagnostic> list_;
};

// -------------------------------------------------------------------------------------------------
// Expressions: an arena of nodes (ParsedSource::nodes), built in pass 1, evaluated in pass 2.

using ExprId = std::uint32_t;
inline constexpr ExprId kNoExpr = std::numeric_limits<ExprId>::max();

enum class Op : std::uint8_t {
  kNum,
  kSym,
  kNeg,
  kPos,
  kNot,
  kMul,
  kDiv,
  kMod,
  kAdd,
  kSub,
  kShl,
  kShr,
  kAnd,
  kXor,
  kOr
};

struct Node {
  Op op = Op::kNum;
  Loc loc;  // the literal, name or operator
  std::int64_t value = 0;
  ExprId a = kNoExpr;
  ExprId b = kNoExpr;
  std::uint32_t sym = 0;
};

// -------------------------------------------------------------------------------------------------
// Symbols, statements, data sections

enum class SymKind : std::uint8_t { kUndefined, kEqu, kQueueLabel, kDataLabel };
enum class State : std::uint8_t { kPending, kInProgress, kDone, kFailed };

struct Symbol {
  std::string name;
  SymKind kind = SymKind::kUndefined;
  Loc loc;
  ExprId expr = kNoExpr;      // kEqu
  std::uint32_t section = 0;  // kDataLabel
  State state = State::kPending;
  std::int64_t value = 0;
};

struct Operand {
  Loc loc;
  bool is_stream = false;
  isa::StreamRef stream;
  ExprId expr = kNoExpr;  // kNoExpr for an omitted optional operand (value 0)
};

// One word of a queue: an instruction, or a raw `.word` (desc == nullptr).
struct Stmt {
  Loc loc;
  unsigned queue = 0;
  const isa::InsnDesc* desc = nullptr;
  isa::ElemType type = isa::ElemType::kI8;
  isa::ElemType stype = isa::ElemType::kI8;
  std::array<Operand, isa::kMaxOperands> ops{};
  ExprId word = kNoExpr;  // `.word`
};

struct Chunk {
  enum class Kind : std::uint8_t { kBytes, kZero, kLabel };
  Kind kind = Kind::kBytes;
  Loc loc;
  std::size_t start = 0;  // kBytes: first byte in Section::bytes
  std::size_t count = 0;  // kBytes: number of bytes; kZero: set by the layout
  ExprId expr = kNoExpr;  // kZero: the count
  std::uint32_t sym = 0;  // kLabel
};

struct Patch {
  std::size_t index = 0;  // into Section::bytes
  ExprId expr = kNoExpr;
};

struct Section {
  Loc loc;
  unsigned position = 0;
  ExprId addr = kNoExpr;
  std::vector<Chunk> chunks;
  std::vector<std::uint8_t> bytes;  // literal .byte values; patched in pass 2
  std::vector<Patch> patches;
  State state = State::kPending;
  std::int64_t base = 0;        // word address
  std::int64_t size_bytes = 0;  // after layout
};

// Pass 1's output. Pass 2 fills in symbol values and states, section layouts and patched bytes.
struct ParsedSource {
  std::vector<Stmt> stmts;  // in source order; none for a queue past its overflow
  std::vector<Section> sections;
  std::vector<Node> nodes;
  std::vector<Symbol> symbols;
  std::vector<bool> queue_full;  // per queue: it overflowed (reported in pass 1)
};

// The message for a .byte value outside -128..255 (a literal in pass 1, an expression in pass 2).
inline std::string byteRangeMessage(std::int64_t v) {
  return fmt::format("byte value {} out of range; expected -128..255", v);
}

}  // namespace lpu::assembler::internal
