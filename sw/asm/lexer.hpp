// The assembler's lexer: one source line -> tokens. Names, directives and mnemonics are one kind of token
// (identifiers may contain '.', as in "add.i16" or ".queue"); numbers are converted here, so a bad or overflowing
// literal is reported at its column; comments (';' or "//" to end of line) are dropped.
//
// Example:
//   std::vector<Token> toks;
//   lexLine("  add.i16 E2, W0, 0x10 ; sum", 3, toks, diag)
//   // true; toks = {kIdent "add.i16" col 3, kIdent "E2", kPunct ',', kIdent "W0", kPunct ',',
//   //               kNumber "0x10" value 16, kEnd col 29}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sw/asm/assembler_internal.hpp"

namespace lpu::assembler::internal {

enum class Tok : std::uint8_t { kIdent, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;  // into the source line
  unsigned col = 0;
  std::int64_t value = 0;  // kNumber
  char op = 0;             // kPunct: the character, '<' for "<<" and '>' for ">>"
};

// [A-Za-z_][A-Za-z0-9_]*: a label or .equ name.
bool isName(std::string_view s);

// "E3", "W12": a stream register name (any number of digits; the range is checked elsewhere).
bool isStreamName(std::string_view s);

// "'add'" for a token, "end of line" for kEnd: what a diagnostic says was found.
std::string describe(const Token& t);

inline bool isPunct(const Token& t, char op) { return t.kind == Tok::kPunct && t.op == op; }

// Replaces `toks` by the tokens of `text` (line `line` of the source), ending in one kEnd whose column is just past
// the line. Returns false after reporting the first character or number that cannot be tokenised; a line with a
// NUL, control (other than tab, CR, VT, FF) or non-ASCII byte anywhere, even in a comment, is rejected as a whole.
bool lexLine(std::string_view text, unsigned line, std::vector<Token>& toks, Diagnostics& diag);

}  // namespace lpu::assembler::internal
