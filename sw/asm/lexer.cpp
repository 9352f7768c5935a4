#include "sw/asm/lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace lpu::assembler::internal {
namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return isAlpha(c) || c == '_'; }
bool isNameChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Sets t.value from t.text (decimal, 0x hex or 0b binary); false after reporting.
bool parseNumber(Token& t, unsigned line, Diagnostics& diag) {
  const std::string_view s = t.text;
  unsigned base = 10;
  std::size_t k = 0;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    k = 2;
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    k = 2;
  }
  const Loc loc{line, t.col};
  if (k == s.size()) {
    diag.error(loc, fmt::format("bad number '{}'; expected digits after '{}'", s, s));
    return false;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t v = 0;
  for (; k < s.size(); ++k) {
    const char c = s[k];
    unsigned d = 99;
    if (isDigit(c)) d = static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    if (d >= base) {
      diag.error(loc, fmt::format("bad number '{}'; expected a decimal, 0x hex or 0b binary literal", s));
      return false;
    }
    if (v > (kMax - d) / base) {
      diag.error(loc, fmt::format("number '{}' overflows 64 bits; expected at most {}", s, kMax));
      return false;
    }
    v = v * base + d;
  }
  t.value = static_cast<std::int64_t>(v);
  return true;
}

}  // namespace

bool isName(std::string_view s) {
  if (s.empty() || !isNameStart(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), isNameChar);
}

bool isStreamName(std::string_view s) {
  if (s.size() < 2 || (s[0] != 'E' && s[0] != 'W')) return false;
  return std::all_of(s.begin() + 1, s.end(), isDigit);
}

std::string describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of line";
  return fmt::format("'{}'", t.text);
}

bool lexLine(std::string_view s, unsigned line, std::vector<Token>& toks, Diagnostics& diag) {
  toks.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const Loc loc{line, static_cast<unsigned>(i + 1)};
    if (c == 0) {
      diag.error(loc, "NUL byte; expected ASCII text");
      return false;
    }
    if (c >= 0x80) {
      diag.error(loc, fmt::format("non-ASCII byte 0x{:02x}; expected ASCII text", c));
      return false;
    }
    if ((c < 0x20 && !isSpace(static_cast<char>(c))) || c == 0x7f) {
      diag.error(loc, fmt::format("control character 0x{:02x}; expected ASCII text", c));
      return false;
    }
  }
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const unsigned col = static_cast<unsigned>(i + 1);
    if (isSpace(c)) {
      ++i;
      continue;
    }
    if (c == ';' || (c == '/' && i + 1 < s.size() && s[i + 1] == '/')) break;
    if (isNameStart(c) || c == '.') {
      std::size_t j = i + 1;
      while (j < s.size() && (isNameChar(s[j]) || s[j] == '.')) ++j;
      toks.push_back({Tok::kIdent, s.substr(i, j - i), col, 0, 0});
      i = j;
      continue;
    }
    if (isDigit(c)) {
      std::size_t j = i + 1;
      while (j < s.size() && (isNameChar(s[j]) || s[j] == '.')) ++j;
      Token t{Tok::kNumber, s.substr(i, j - i), col, 0, 0};
      if (!parseNumber(t, line, diag)) return false;
      toks.push_back(t);
      i = j;
      continue;
    }
    if (c == '<' || c == '>') {
      if (i + 1 < s.size() && s[i + 1] == c) {
        toks.push_back({Tok::kPunct, s.substr(i, 2), col, 0, c});
        i += 2;
        continue;
      }
      diag.error({line, col}, fmt::format("unexpected character '{}'; expected '{}{}' (shift)", c, c, c));
      return false;
    }
    if (std::string_view(",:()+-*/%~&|^").find(c) != std::string_view::npos) {
      toks.push_back({Tok::kPunct, s.substr(i, 1), col, 0, c});
      ++i;
      continue;
    }
    diag.error({line, col},
               fmt::format("unexpected character '{}'; expected a name, number, operator, ',' or comment", c));
    return false;
  }
  toks.push_back({Tok::kEnd, {}, static_cast<unsigned>(s.size() + 1), 0, 0});
  return true;
}

}  // namespace lpu::assembler::internal
