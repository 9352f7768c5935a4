// Two passes: pass 1 lexes and parses every line into statements, data sections and a symbol table
// (values of queue labels are known here, everything else is an unevaluated expression tree); pass
// 2 evaluates expressions lazily (so names may be used before their definition), checks and encodes
// instructions, lays out data and checks the program-wide rules (queue depth, data overlap).
#include "sw/asm/assembler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "sw/asm/rules.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler {

std::string Diagnostic::toString() const { return fmt::format("{}:{}:{}: error: {}", file, line, column, message); }

std::string AssembleResult::formatDiagnostics() const {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += d.toString();
    out += '\n';
  }
  return out;
}

namespace {

using isa::ArchConfig;
using isa::ElemType;
using isa::Field;
using isa::FieldKind;
using isa::InsnDesc;

constexpr std::size_t kMaxSourceBytes = std::size_t{256} << 20;  // 256 MiB: far above any real program
constexpr unsigned kMaxNesting = 64;      // parentheses and unary operators within one expression
constexpr unsigned kMaxEvalDepth = 1000;  // expression nodes plus symbol references being evaluated at once

struct TooManyErrors {};

struct Loc {
  unsigned line = 0;
  unsigned col = 0;
};

// -------------------------------------------------------------------------------------------------
// Characters and tokens

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return isAlpha(c) || c == '_'; }
bool isNameChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool isName(std::string_view s) {
  if (s.empty() || !isNameStart(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), isNameChar);
}

// "E3", "W12": a stream register name (any number of digits; the range is checked elsewhere).
bool isStreamName(std::string_view s) {
  if (s.size() < 2 || (s[0] != 'E' && s[0] != 'W')) return false;
  return std::all_of(s.begin() + 1, s.end(), isDigit);
}

enum class Tok : std::uint8_t { kIdent, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  unsigned col = 0;
  std::int64_t value = 0;  // kNumber
  char op = 0;             // kPunct: the character, '<' for "<<" and '>' for ">>"
};

std::string describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of line";
  return fmt::format("'{}'", t.text);
}

bool isPunct(const Token& t, char op) { return t.kind == Tok::kPunct && t.op == op; }

// -------------------------------------------------------------------------------------------------
// Expressions: an arena of nodes, evaluated in pass 2.

using ExprId = std::uint32_t;
constexpr ExprId kNoExpr = std::numeric_limits<ExprId>::max();

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
  const InsnDesc* desc = nullptr;
  ElemType type = ElemType::kI8;
  ElemType stype = ElemType::kI8;
  std::array<Operand, isa::kMaxOperands> ops{};
  ExprId word = kNoExpr;  // `.word`
};

struct Chunk {
  enum class Kind : std::uint8_t { kBytes, kZero, kLabel };
  Kind kind = Kind::kBytes;
  Loc loc;
  std::size_t start = 0;  // kBytes: first byte in Section::bytes
  std::size_t count = 0;  // kBytes: number of bytes
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

// -------------------------------------------------------------------------------------------------

class Assembler {
 public:
  Assembler(std::string_view file, const ArchConfig& cfg) : file_(file), cfg_(cfg) {
    queue_count_.assign(cfg.queues(), 0);
    queue_full_.assign(cfg.queues(), false);
  }

  AssembleResult run(std::string_view source) {
    AssembleResult result;
    try {
      if (source.size() > kMaxSourceBytes) {
        error({1, 1}, fmt::format("input of {} bytes; expected at most {} MiB", source.size(), kMaxSourceBytes >> 20));
      } else {
        pass1(source);
        pass2();
      }
    } catch (const TooManyErrors&) {
      // diagnostics_ already ends with the "too many errors" line
    } catch (const std::exception& e) {
      error({last_line_, 1}, fmt::format("internal error ({}); expected the assembler not to fail", e.what()));
    }
    finish(result);
    return result;
  }

 private:
  // -----------------------------------------------------------------------------------------------
  // Diagnostics

  void error(Loc loc, std::string message) {
    if (diagnostics_.size() >= kMaxErrors) {
      diagnostics_.push_back({std::string(file_), loc.line, loc.col,
                              fmt::format("too many errors, stopping; expected at most {}", kMaxErrors)});
      throw TooManyErrors{};
    }
    diagnostics_.push_back({std::string(file_), loc.line, loc.col, std::move(message)});
  }

  // -----------------------------------------------------------------------------------------------
  // Pass 1: lines -> tokens -> statements

  void pass1(std::string_view src) {
    std::size_t pos = 0;
    unsigned line = 0;
    while (true) {
      const std::size_t nl = src.find('\n', pos);
      const std::string_view text = src.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      ++line;
      last_line_ = line;
      if (lex(text, line)) parseStatement(line);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }

  // Fills toks_ (ending in kEnd); false (after reporting) when the line cannot be tokenised.
  bool lex(std::string_view s, unsigned line) {
    toks_.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      const Loc loc{line, static_cast<unsigned>(i + 1)};
      if (c == 0) {
        error(loc, "NUL byte; expected ASCII text");
        return false;
      }
      if (c >= 0x80) {
        error(loc, fmt::format("non-ASCII byte 0x{:02x}; expected ASCII text", c));
        return false;
      }
      if ((c < 0x20 && !isSpace(static_cast<char>(c))) || c == 0x7f) {
        error(loc, fmt::format("control character 0x{:02x}; expected ASCII text", c));
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
        toks_.push_back({Tok::kIdent, s.substr(i, j - i), col, 0, 0});
        i = j;
        continue;
      }
      if (isDigit(c)) {
        std::size_t j = i + 1;
        while (j < s.size() && (isNameChar(s[j]) || s[j] == '.')) ++j;
        Token t{Tok::kNumber, s.substr(i, j - i), col, 0, 0};
        if (!parseNumber(t, line)) return false;
        toks_.push_back(t);
        i = j;
        continue;
      }
      if (c == '<' || c == '>') {
        if (i + 1 < s.size() && s[i + 1] == c) {
          toks_.push_back({Tok::kPunct, s.substr(i, 2), col, 0, c});
          i += 2;
          continue;
        }
        error({line, col}, fmt::format("unexpected character '{}'; expected '{}{}' (shift)", c, c, c));
        return false;
      }
      if (std::string_view(",:()+-*/%~&|^").find(c) != std::string_view::npos) {
        toks_.push_back({Tok::kPunct, s.substr(i, 1), col, 0, c});
        ++i;
        continue;
      }
      error({line, col},
            fmt::format("unexpected character '{}'; expected a name, number, operator, ',' or comment", c));
      return false;
    }
    toks_.push_back({Tok::kEnd, {}, static_cast<unsigned>(s.size() + 1), 0, 0});
    return true;
  }

  bool parseNumber(Token& t, unsigned line) {
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
      error(loc, fmt::format("bad number '{}'; expected digits after '{}'", s, s));
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
        error(loc, fmt::format("bad number '{}'; expected a decimal, 0x hex or 0b binary literal", s));
        return false;
      }
      if (v > (kMax - d) / base) {
        error(loc, fmt::format("number '{}' overflows 64 bits; expected at most {}", s, kMax));
        return false;
      }
      v = v * base + d;
    }
    t.value = static_cast<std::int64_t>(v);
    return true;
  }

  // Cursor over toks_ for the current line.
  const Token& peek() const { return toks_[cur_]; }
  const Token& next() { return toks_[cur_ < toks_.size() - 1 ? cur_++ : cur_]; }
  Loc loc(const Token& t) const { return {line_, t.col}; }

  void parseStatement(unsigned line) {
    line_ = line;
    cur_ = 0;
    while (peek().kind == Tok::kIdent && isPunct(toks_[cur_ + 1], ':')) {
      const Token& name = next();
      next();
      defineLabel(name);
    }
    const Token& t = peek();
    if (t.kind == Tok::kEnd) return;
    if (t.kind != Tok::kIdent) {
      error(loc(t), fmt::format("unexpected {}; expected a label, instruction or directive", describe(t)));
      return;
    }
    if (t.text[0] == '.') {
      parseDirective();
    } else {
      parseInstruction();
    }
  }

  // --- symbols

  std::uint32_t symbolId(std::string_view name) {
    auto it = symbol_index_.find(name);
    if (it != symbol_index_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(symbols_.size());
    symbols_.push_back(Symbol{std::string(name), SymKind::kUndefined, {}, kNoExpr, 0, State::kPending, 0});
    symbol_index_.emplace(std::string(name), id);
    return id;
  }

  // Checks a new name; returns its symbol id, or nullopt (after reporting) when it cannot be
  // defined.
  std::optional<std::uint32_t> newSymbol(const Token& t, std::string_view what) {
    if (t.kind != Tok::kIdent || !isName(t.text)) {
      error(loc(t), fmt::format("{} name {}; expected a name of letters, digits and '_' not starting with a digit",
                                what, describe(t)));
      return std::nullopt;
    }
    if (isStreamName(t.text)) {
      error(loc(t), fmt::format("{} name '{}' is a stream register; expected another name", what, t.text));
      return std::nullopt;
    }
    const std::uint32_t id = symbolId(t.text);
    Symbol& s = symbols_[id];
    if (s.kind != SymKind::kUndefined) {
      error(loc(t), fmt::format("duplicate definition of '{}'; expected a unique name (first defined at {}:{}:{})",
                                t.text, file_, s.loc.line, s.loc.col));
      return std::nullopt;
    }
    s.loc = loc(t);
    return id;
  }

  void defineLabel(const Token& t) {
    const auto id = newSymbol(t, "label");
    if (!id) return;
    Symbol& s = symbols_[*id];
    switch (mode_) {
      case Mode::kQueue:
        s.kind = SymKind::kQueueLabel;
        s.value = queue_count_[queue_];
        s.state = State::kDone;
        break;
      case Mode::kData: {
        s.kind = SymKind::kDataLabel;
        s.section = static_cast<std::uint32_t>(sections_.size() - 1);
        Chunk c;
        c.kind = Chunk::Kind::kLabel;
        c.loc = loc(t);
        c.sym = *id;
        sections_.back().chunks.push_back(c);
        break;
      }
      case Mode::kDead:
        s.kind = SymKind::kEqu;  // defined, but its section had an error: uses stay silent
        s.state = State::kFailed;
        break;
      case Mode::kNone:
        s.kind = SymKind::kEqu;
        s.state = State::kFailed;
        error(loc(t),
              fmt::format("label '{}' outside a section; expected a .queue or .data directive before it", t.text));
        break;
    }
  }

  // --- expressions

  ExprId addNode(Node n) {
    nodes_.push_back(n);
    return static_cast<ExprId>(nodes_.size() - 1);
  }

  // expr := or; C precedence. Returns kNoExpr after reporting an error.
  ExprId parseExpr(unsigned depth = 0) { return parseBinary(0, depth); }

  ExprId parseBinary(int level, unsigned depth) {
    // Levels, loosest first: | ^ & (<< >>) (+ -) (* / %)
    static constexpr std::array<std::string_view, 6> kLevels = {"|", "^", "&", "<>", "+-", "*/%"};
    if (level == static_cast<int>(kLevels.size())) return parseUnary(depth);
    ExprId lhs = parseBinary(level + 1, depth);
    if (lhs == kNoExpr) return kNoExpr;
    while (peek().kind == Tok::kPunct &&
           kLevels[static_cast<std::size_t>(level)].find(peek().op) != std::string_view::npos) {
      const Token& opt = next();
      const ExprId rhs = parseBinary(level + 1, depth);
      if (rhs == kNoExpr) return kNoExpr;
      Node n;
      n.loc = loc(opt);
      n.a = lhs;
      n.b = rhs;
      switch (opt.op) {
        case '|':
          n.op = Op::kOr;
          break;
        case '^':
          n.op = Op::kXor;
          break;
        case '&':
          n.op = Op::kAnd;
          break;
        case '<':
          n.op = Op::kShl;
          break;
        case '>':
          n.op = Op::kShr;
          break;
        case '+':
          n.op = Op::kAdd;
          break;
        case '-':
          n.op = Op::kSub;
          break;
        case '*':
          n.op = Op::kMul;
          break;
        case '/':
          n.op = Op::kDiv;
          break;
        default:
          n.op = Op::kMod;
          break;
      }
      lhs = addNode(n);
    }
    return lhs;
  }

  bool tooDeep(unsigned depth, const Token& t) {
    if (depth < kMaxNesting) return false;
    error(loc(t),
          fmt::format("expression nested more than {} levels deep; expected a simpler expression", kMaxNesting));
    return true;
  }

  ExprId parseUnary(unsigned depth) {
    const Token& t = peek();
    if (isPunct(t, '-') || isPunct(t, '+') || isPunct(t, '~')) {
      if (tooDeep(depth, t)) return kNoExpr;
      next();
      const ExprId a = parseUnary(depth + 1);
      if (a == kNoExpr) return kNoExpr;
      Node n;
      n.op = t.op == '-' ? Op::kNeg : t.op == '+' ? Op::kPos : Op::kNot;
      n.loc = loc(t);
      n.a = a;
      return addNode(n);
    }
    return parsePrimary(depth);
  }

  ExprId parsePrimary(unsigned depth) {
    const Token& t = peek();
    if (t.kind == Tok::kNumber) {
      next();
      Node n;
      n.op = Op::kNum;
      n.loc = loc(t);
      n.value = t.value;
      return addNode(n);
    }
    if (t.kind == Tok::kIdent) {
      if (isStreamName(t.text)) {
        error(loc(t), fmt::format("stream register '{}' in an expression; expected a number or name", t.text));
        return kNoExpr;
      }
      if (!isName(t.text)) {
        error(loc(t), fmt::format("unexpected '{}' in an expression; expected a number, name or '('", t.text));
        return kNoExpr;
      }
      next();
      Node n;
      n.op = Op::kSym;
      n.loc = loc(t);
      n.sym = symbolId(t.text);
      return addNode(n);
    }
    if (isPunct(t, '(')) {
      if (tooDeep(depth, t)) return kNoExpr;
      next();
      const ExprId e = parseExpr(depth + 1);
      if (e == kNoExpr) return kNoExpr;
      if (!isPunct(peek(), ')')) {
        error(loc(peek()), fmt::format("unexpected {} in an expression; expected ')' to close the '(' at column {}",
                                       describe(peek()), t.col));
        return kNoExpr;
      }
      next();
      return e;
    }
    error(loc(t), fmt::format("unexpected {}; expected a number, name or '('", describe(t)));
    return kNoExpr;
  }

  // --- directives

  bool expectEnd(std::string_view after) {
    if (peek().kind == Tok::kEnd) return true;
    error(loc(peek()), fmt::format("unexpected {} after {}; expected end of line", describe(peek()), after));
    return false;
  }

  bool expectComma(std::string_view after) {
    if (isPunct(peek(), ',')) {
      next();
      return true;
    }
    error(loc(peek()), fmt::format("unexpected {} after {}; expected ','", describe(peek()), after));
    return false;
  }

  std::string queueNames() const {
    std::string out;
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (q > 0) out += ", ";
      out += cfg_.queueName(q);
    }
    return out;
  }

  std::string memNames() const {
    std::string out;
    for (unsigned p = 0; p < cfg_.positions(); ++p) {
      if (cfg_.sliceAt(p) != isa::Slice::kMEM) continue;
      if (!out.empty()) out += ", ";
      out += cfg_.sliceName(p);
    }
    return out;
  }

  // A slice name operand; -1 (after reporting) when not one of this configuration.
  int parseSliceName(std::string_view directive) {
    const Token& t = peek();
    if (t.kind == Tok::kEnd) {
      error(loc(t), fmt::format("end of line after {}; expected a slice name ({})", directive, queueNames()));
      return -1;
    }
    next();
    // .queue names a queue (slices plus the MXM load queues), .data names a slice.
    const int pos = t.kind != Tok::kIdent ? -1 : directive == ".queue" ? cfg_.queueOf(t.text) : cfg_.positionOf(t.text);
    if (pos < 0) {
      error(loc(t), fmt::format("unknown {} {}; expected one of {} (config '{}')",
                                directive == ".queue" ? "queue" : "slice", describe(t), queueNames(), cfg_.name()));
    }
    return pos;
  }

  void parseDirective() {
    const Token& d = next();
    const std::string_view name = d.text;
    if (name == ".config") {
      const Token& t = peek();
      if (t.kind != Tok::kIdent) {
        error(loc(t), fmt::format("unexpected {} after .config; expected a configuration name", describe(t)));
        return;
      }
      next();
      if (t.text != cfg_.name()) {
        error(loc(t), fmt::format("configuration '{}' differs from the one being assembled for; expected .config {}",
                                  t.text, cfg_.name()));
        return;
      }
      expectEnd(".config");
    } else if (name == ".equ") {
      const Token& t = next();
      const auto id = newSymbol(t, ".equ");
      if (!id) return;
      symbols_[*id].kind = SymKind::kEqu;
      symbols_[*id].state = State::kFailed;  // until the whole line parses
      if (!expectComma("the .equ name")) return;
      const ExprId e = parseExpr();
      if (e == kNoExpr || !expectEnd("the .equ value")) return;
      symbols_[*id].state = State::kPending;
      symbols_[*id].expr = e;
    } else if (name == ".queue") {
      mode_ = Mode::kDead;
      const int pos = parseSliceName(".queue");
      if (pos < 0 || !expectEnd("the queue name")) return;
      mode_ = Mode::kQueue;
      queue_ = static_cast<unsigned>(pos);
    } else if (name == ".data") {
      mode_ = Mode::kDead;
      const Token& st = peek();
      const int pos = parseSliceName(".data");
      if (pos < 0) return;
      if (cfg_.sliceAt(static_cast<unsigned>(pos)) != isa::Slice::kMEM) {
        error(loc(st), fmt::format("slice '{}' has no SRAM; expected a MEM slice ({})", st.text, memNames()));
        return;
      }
      if (!expectComma("the slice name")) return;
      const ExprId e = parseExpr();
      if (e == kNoExpr || !expectEnd("the data address")) return;
      Section s;
      s.loc = loc(d);
      s.position = static_cast<unsigned>(pos);
      s.addr = e;
      sections_.push_back(std::move(s));
      mode_ = Mode::kData;
    } else if (name == ".byte" || name == ".zero") {
      if (mode_ != Mode::kData) {
        if (mode_ != Mode::kDead) {
          error(loc(d), fmt::format("'{}' outside a data section; expected a .data directive before it", name));
        }
        return;
      }
      if (name == ".zero") {
        const ExprId e = parseExpr();
        if (e == kNoExpr || !expectEnd("the .zero count")) return;
        Chunk c;
        c.kind = Chunk::Kind::kZero;
        c.loc = loc(d);
        c.expr = e;
        sections_.back().chunks.push_back(c);
        return;
      }
      parseBytes(d);
    } else if (name == ".word") {
      if (mode_ != Mode::kQueue) {
        if (mode_ == Mode::kData) {
          error(loc(d),
                "'.word' in a data section; expected .byte or .zero (.word is a raw instruction "
                "word in a "
                ".queue section)");
        } else if (mode_ != Mode::kDead) {
          error(loc(d), "'.word' outside a queue section; expected a .queue directive before it");
        }
        return;
      }
      while (true) {
        const Token& at = peek();
        const ExprId e = parseExpr();
        if (e == kNoExpr) return;
        Stmt s;
        s.loc = loc(at);
        s.queue = queue_;
        s.word = e;
        addStmt(s);
        if (peek().kind == Tok::kEnd) return;
        if (!expectComma("a .word value")) return;
      }
    } else {
      error(loc(d), fmt::format("unknown directive '{}'; expected .config, .equ, .queue, .data, .byte, .zero or "
                                ".word",
                                name));
    }
  }

  void parseBytes(const Token& d) {
    Section& sec = sections_.back();
    Chunk c;  // one chunk per line, so that an overflow is reported on the line that causes it
    c.kind = Chunk::Kind::kBytes;
    c.loc = loc(d);
    c.start = sec.bytes.size();
    sec.chunks.push_back(c);
    Chunk& chunk = sec.chunks.back();
    while (true) {
      const Token& at = peek();
      // Fast path for the common case, a plain or negated literal (no expression node: data can be
      // megabytes); anything else is an expression, patched in pass 2.
      const bool neg = isPunct(at, '-');
      const Token& num = toks_[neg ? cur_ + 1 : cur_];
      std::optional<std::int64_t> literal;
      ExprId e = kNoExpr;
      const std::size_t after = neg ? cur_ + 2 : cur_ + 1;  // exists: toks_ ends in kEnd and num is not it
      if (num.kind == Tok::kNumber && (toks_[after].kind == Tok::kEnd || isPunct(toks_[after], ','))) {
        literal = neg ? -num.value : num.value;
        cur_ += neg ? 2 : 1;
      } else {
        e = parseExpr();
        if (e == kNoExpr) return;
      }
      if (literal && (*literal < -128 || *literal > 255)) {
        error(loc(at), byteRangeMessage(*literal));
        return;
      }
      if (!literal) sec.patches.push_back({sec.bytes.size(), e});
      sec.bytes.push_back(static_cast<std::uint8_t>(literal.value_or(0) & 0xFF));
      ++chunk.count;
      if (peek().kind == Tok::kEnd) return;
      if (!expectComma("a .byte value")) return;
    }
  }

  static std::string byteRangeMessage(std::int64_t v) {
    return fmt::format("byte value {} out of range; expected -128..255", v);
  }

  // --- instructions

  void addStmt(const Stmt& s) {
    const unsigned q = s.queue;
    const unsigned index = queue_count_[q]++;
    if (queue_full_[q]) return;
    if (index >= cfg_.params().queue_depth) {
      queue_full_[q] = true;
      error(s.loc, fmt::format("word {} of queue {} overflows it; expected at most {} words per queue (queue_depth "
                               "of config '{}', including the final halt)",
                               index + 1, cfg_.queueName(q), cfg_.params().queue_depth, cfg_.name()));
      return;
    }
    stmts_.push_back(s);
  }

  void parseInstruction() {
    const Token& m = next();
    const std::string_view text = m.text;
    const std::size_t dot = text.find('.');
    const std::string_view base = text.substr(0, dot);
    const InsnDesc* d = isa::findInsn(base);
    if (d == nullptr) {
      std::string lower(base);
      for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (lower != base && isa::findInsn(lower) != nullptr) {
        error(loc(m), fmt::format("unknown mnemonic '{}'; expected lower case '{}'", base, lower));
      } else {
        error(loc(m), fmt::format("unknown mnemonic '{}'; expected an instruction or directive", base));
      }
      return;
    }
    Stmt s;
    s.loc = loc(m);
    s.desc = d;
    if (!parseSuffixes(m, *d, s)) return;

    if (mode_ != Mode::kQueue) {
      if (mode_ == Mode::kData) {
        error(loc(m), fmt::format("instruction '{}' in a data section; expected a .queue directive before it", base));
      } else if (mode_ == Mode::kNone) {
        error(loc(m),
              fmt::format("instruction '{}' outside a queue section; expected a .queue directive before it", base));
      }
      return;
    }
    s.queue = queue_;

    const unsigned n = d->num_operands;
    const unsigned required = n - d->num_optional;
    const std::string expected_count = required == n ? fmt::format("{} operand{}", n, n == 1 ? "" : "s")
                                                     : fmt::format("{} to {} operands", required, n);
    for (unsigned i = 0; i < n; ++i) {
      const isa::OperandDesc& od = d->operands[i];
      const isa::FieldDesc& fd = isa::fieldDesc(od.field);
      if (peek().kind == Tok::kEnd) {
        if (i >= required) break;
        error(loc(peek()),
              fmt::format("missing operand {} ({}) of '{}'; expected {}", i + 1, fd.name, base, expected_count));
        return;
      }
      if (i > 0 && !expectComma(fmt::format("operand {} of '{}'", i, base))) return;
      const Token& t = peek();
      Operand& op = s.ops[i];
      op.loc = loc(t);
      if (fd.kind == FieldKind::kStream) {
        if (!parseStream(op, fd, base, i)) return;
      } else {
        op.expr = parseExpr();
        if (op.expr == kNoExpr) return;
      }
    }
    if (peek().kind != Tok::kEnd) {
      if (isPunct(peek(), ',') || n == 0) {
        error(loc(peek()), fmt::format("too many operands for '{}'; expected {}", base,
                                       n == 0 ? std::string("none") : expected_count));
      } else {
        error(loc(peek()), fmt::format("unexpected {} after operand {} of '{}'; expected ',' or end of line",
                                       describe(peek()), n, base));
      }
      return;
    }
    addStmt(s);
  }

  bool parseStream(Operand& op, const isa::FieldDesc& fd, std::string_view mnemonic, unsigned i) {
    const Token& t = next();
    const unsigned last = cfg_.streamsPerDir() - 1;
    if (t.kind != Tok::kIdent || !isStreamName(t.text)) {
      error(op.loc, fmt::format("operand {} ({}) of '{}' is {}; expected a stream register E0..E{} or W0..W{}", i + 1,
                                fd.name, mnemonic, describe(t), last, last));
      return false;
    }
    std::int64_t index = 0;
    for (char c : t.text.substr(1)) {
      index = std::min<std::int64_t>(index * 10 + (c - '0'), 1000000);
    }
    if (index > 15) {  // not encodable; smaller out-of-range indices are reported by checkInstruction
      error(op.loc, streamRangeMessage(t.text[0], index, cfg_));
      return false;
    }
    op.is_stream = true;
    op.stream = isa::StreamRef{t.text[0] == 'E' ? isa::Dir::kEast : isa::Dir::kWest, static_cast<unsigned>(index)};
    return true;
  }

  static std::optional<ElemType> typeByName(std::string_view s) {
    for (unsigned t = 0; t < isa::kTypeNames.size(); ++t) {
      if (isa::kTypeNames[t] == s) return static_cast<ElemType>(t);
    }
    return std::nullopt;
  }

  static std::string suffixList(const InsnDesc& d, std::uint8_t mask) {
    std::vector<std::string> v;
    for (unsigned t = 0; t < isa::kTypeNames.size(); ++t) {
      if ((mask >> t) & 1U) v.push_back(fmt::format("{}.{}", d.mnemonic, isa::kTypeNames[t]));
    }
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += (i + 1 == v.size()) ? " or " : ", ";
      out += v[i];
    }
    return out;
  }

  static unsigned popcount(std::uint8_t m) {
    unsigned n = 0;
    for (; m != 0; m &= static_cast<std::uint8_t>(m - 1)) ++n;
    return n;
  }

  static ElemType firstType(std::uint8_t mask) {
    for (unsigned t = 0; t < isa::kTypeNames.size(); ++t) {
      if ((mask >> t) & 1U) return static_cast<ElemType>(t);
    }
    return ElemType::kI8;
  }

  // Type suffixes of mnemonic token `m` ("add.i16", "cvt.i32.i8") into s.type / s.stype.
  bool parseSuffixes(const Token& m, const InsnDesc& d, Stmt& s) {
    std::vector<std::pair<std::string_view, unsigned>> suffixes;  // text, column
    std::size_t pos = m.text.find('.');
    while (pos != std::string_view::npos) {
      const std::size_t nextdot = m.text.find('.', pos + 1);
      const std::string_view suf =
          m.text.substr(pos + 1, nextdot == std::string_view::npos ? std::string_view::npos : nextdot - pos - 1);
      suffixes.emplace_back(suf, m.col + static_cast<unsigned>(pos));
      pos = nextdot;
    }
    const Loc at = loc(m);
    if (d.type_mask == 0) {
      if (!suffixes.empty()) {
        error({line_, suffixes[0].second}, fmt::format("type suffix '.{}' on '{}'; expected '{}' without a suffix",
                                                       suffixes[0].first, d.mnemonic, d.mnemonic));
        return false;
      }
      return true;
    }
    const bool two = d.stype_mask != 0;
    const std::size_t want = two ? 2 : 1;
    if (suffixes.size() > want) {
      error({line_, suffixes[want].second},
            fmt::format("too many type suffixes in '{}'; expected {}", m.text,
                        two ? fmt::format("{}.T.S (for example {}.i32.i8)", d.mnemonic, d.mnemonic)
                            : suffixList(d, d.type_mask)));
      return false;
    }
    if (suffixes.empty() && popcount(d.type_mask) == 1 && !two) {
      s.type = firstType(d.type_mask);
      return true;
    }
    if (suffixes.size() < want) {
      error(at, two ? fmt::format("missing type suffix on '{}'; expected {}.T.S with T, S in {{i8, "
                                  "i16, i32}} (for "
                                  "example {}.i32.i8)",
                                  m.text, d.mnemonic, d.mnemonic)
                    : fmt::format("missing type suffix on '{}'; expected {}", m.text, suffixList(d, d.type_mask)));
      return false;
    }
    for (std::size_t k = 0; k < suffixes.size(); ++k) {
      const std::uint8_t mask = k == 0 ? d.type_mask : d.stype_mask;
      const auto t = typeByName(suffixes[k].first);
      const Loc sl{line_, suffixes[k].second};
      if (!t) {
        error(sl, fmt::format("bad type suffix '.{}' on '{}'; expected {}", suffixes[k].first, d.mnemonic,
                              suffixList(d, mask)));
        return false;
      }
      if (((mask >> static_cast<unsigned>(*t)) & 1U) == 0) {
        error(sl, fmt::format("type '.{}' not allowed for '{}'; expected {}", suffixes[k].first, d.mnemonic,
                              suffixList(d, mask)));
        return false;
      }
      (k == 0 ? s.type : s.stype) = *t;
    }
    return true;
  }

  // -----------------------------------------------------------------------------------------------
  // Pass 2: evaluation, encoding, layout, program-wide checks

  struct DepthGuard {
    unsigned& depth;
    ~DepthGuard() { --depth; }
  };

  std::optional<std::int64_t> overflow(const Node& n) {
    error(n.loc, "arithmetic overflow in an expression; expected a result within 64-bit signed integers");
    return std::nullopt;
  }

  std::optional<std::int64_t> eval(ExprId id) {
    const Node& n = nodes_[id];
    if (++eval_depth_ > kMaxEvalDepth) {
      --eval_depth_;
      error(n.loc, fmt::format("expressions and names nested more than {} levels deep; expected simpler definitions",
                               kMaxEvalDepth));
      return std::nullopt;
    }
    DepthGuard guard{eval_depth_};
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
          error(n.loc,
                fmt::format("{} by zero; expected a non-zero divisor", n.op == Op::kDiv ? "division" : "modulo"));
          return std::nullopt;
        }
        if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return overflow(n);
        return n.op == Op::kDiv ? x / y : x % y;
      case Op::kShl:
      case Op::kShr:
        if (y < 0 || y > 63) {
          error(n.loc, fmt::format("shift count {} out of range; expected 0..63", y));
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

  std::optional<std::int64_t> evalSymbol(std::uint32_t id, Loc use) {
    Symbol& s = symbols_[id];
    switch (s.state) {
      case State::kDone:
        return s.value;
      case State::kFailed:
        return std::nullopt;
      case State::kInProgress:
        error(use, fmt::format("circular definition of '{}'; expected a value that does not depend on itself", s.name));
        return std::nullopt;
      case State::kPending:
        break;
    }
    switch (s.kind) {
      case SymKind::kUndefined:
        error(use, fmt::format("undefined name '{}'; expected a label or .equ constant", s.name));
        return std::nullopt;
      case SymKind::kEqu: {
        s.state = State::kInProgress;
        const auto v = eval(s.expr);
        Symbol& after = symbols_[id];
        after.state = v ? State::kDone : State::kFailed;
        after.value = v.value_or(0);
        return v;
      }
      case SymKind::kDataLabel: {
        s.state = State::kInProgress;
        const std::uint32_t sec = s.section;
        if (sections_[sec].state == State::kInProgress) {
          error(use,
                fmt::format("circular definition of '{}'; expected a value that does not depend on itself", s.name));
          symbols_[id].state = State::kFailed;
          return std::nullopt;
        }
        layout(sec);  // sets this label's state and value
        const Symbol& after = symbols_[id];
        if (after.state != State::kDone) {
          symbols_[id].state = State::kFailed;
          return std::nullopt;
        }
        return after.value;
      }
      case SymKind::kQueueLabel:
        return s.value;  // set at definition (state kDone); not reached
    }
    return std::nullopt;
  }

  std::string sliceName(unsigned pos) const { return cfg_.sliceName(pos); }

  // Computes the section's base, size and label values (once).
  void layout(std::uint32_t id) {
    if (sections_[id].state != State::kPending) return;
    sections_[id].state = State::kInProgress;
    const bool ok = layoutBody(id);
    Section& s = sections_[id];
    s.state = ok ? State::kDone : State::kFailed;
    for (const Chunk& c : s.chunks) {
      if (c.kind == Chunk::Kind::kLabel && symbols_[c.sym].state != State::kDone) {
        symbols_[c.sym].state = State::kFailed;
      }
    }
  }

  bool layoutBody(std::uint32_t id) {
    const std::int64_t words = cfg_.wordsPerSlice();
    const std::int64_t lanes = cfg_.lanes();
    const auto base = eval(sections_[id].addr);
    if (!base) return false;
    Section& s0 = sections_[id];
    if (*base < 0 || *base >= words) {
      error(nodes_[s0.addr].loc, fmt::format("data address {} out of range; expected 0..{} (config '{}' has {} words "
                                             "per MEM slice)",
                                             *base, words - 1, cfg_.name(), words));
      return false;
    }
    s0.base = *base;
    const std::int64_t capacity = (words - *base) * lanes;
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < sections_[id].chunks.size(); ++k) {
      const Chunk c = sections_[id].chunks[k];
      switch (c.kind) {
        case Chunk::Kind::kBytes:
          offset += static_cast<std::int64_t>(c.count);
          break;
        case Chunk::Kind::kZero: {
          const auto n = eval(c.expr);
          if (!n) return false;
          if (*n < 0) {
            error(c.loc, fmt::format(".zero count {} is negative; expected 0 or more", *n));
            return false;
          }
          const std::int64_t count = std::min<std::int64_t>(*n, capacity + 1);
          sections_[id].chunks[k].count = static_cast<std::size_t>(count);
          offset += count;
          break;
        }
        case Chunk::Kind::kLabel: {
          Symbol& l = symbols_[c.sym];
          if (offset % lanes != 0) {
            error(c.loc, fmt::format("data label '{}' at byte {} of a {}-byte word; expected a word boundary (add "
                                     ".zero {} before it)",
                                     l.name, offset % lanes, lanes, lanes - offset % lanes));
            l.state = State::kFailed;
          } else {
            l.value = *base + offset / lanes;
            l.state = State::kDone;
          }
          break;
        }
      }
      if (offset > capacity) {
        const Section& s = sections_[id];
        error(c.loc, fmt::format("data for {} at word 0x{:03x} runs past the end of the slice; expected at most {} "
                                 "bytes from there (config '{}' has {} words of {} bytes per MEM slice)",
                                 sliceName(s.position), *base, capacity, cfg_.name(), words, lanes));
        return false;
      }
    }
    sections_[id].size_bytes = offset;
    return true;
  }

  void pass2() {
    encodeQueues();
    buildData();
    finishQueues();
    // Evaluate every definition, used or not, so errors in unused ones are reported too.
    for (std::uint32_t i = 0; i < symbols_.size(); ++i) {
      if (symbols_[i].kind != SymKind::kUndefined) evalSymbol(i, symbols_[i].loc);
    }
  }

  void encodeQueues() {
    queues_.assign(cfg_.queues(), {});
    bad_.assign(cfg_.queues(), {});
    source_.assign(cfg_.queues(), {});
    for (const Stmt& s : stmts_) {
      std::uint32_t word = 0;
      const bool ok = s.desc == nullptr ? encodeWord(s, word) : encodeInsn(s, word);
      queues_[s.queue].push_back(word);
      bad_[s.queue].push_back(!ok);
      source_[s.queue].push_back({s.loc.line, s.loc.col});
    }
  }

  bool encodeWord(const Stmt& s, std::uint32_t& word) {
    const auto v = eval(s.word);
    if (!v) return false;
    if (*v < 0 || *v > 0xFFFFFFFFLL) {
      error(s.loc, fmt::format("word value {} out of range; expected 0..0xffffffff (a 32-bit instruction word)", *v));
      return false;
    }
    word = static_cast<std::uint32_t>(*v);
    return true;
  }

  bool encodeInsn(const Stmt& s, std::uint32_t& word) {
    const InsnDesc& d = *s.desc;
    isa::Instruction insn = isa::Instruction::make(d.opcode);
    insn.type = s.type;
    insn.stype = s.stype;
    bool ok = true;
    std::array<bool, isa::kMaxOperands> reported{};
    for (unsigned i = 0; i < d.num_operands; ++i) {
      const isa::OperandDesc& od = d.operands[i];
      const Operand& op = s.ops[i];
      if (op.is_stream) {
        insn.set(od.field, static_cast<std::int32_t>(op.stream.encode()));
        continue;
      }
      const ValueRange r = operandRange(d, od.field, cfg_);
      std::int64_t v = 0;
      if (op.expr != kNoExpr) {
        const auto e = eval(op.expr);
        if (!e) {
          ok = false;
          reported[i] = true;
          v = r.lo;
        } else if (*e < r.lo || *e > r.hi) {
          error(op.loc, rangeMessage(r, *e));
          ok = false;
          reported[i] = true;
          v = r.lo;
        } else {
          v = *e;
        }
      }
      insn.set(od.field, static_cast<std::int32_t>(v));
    }
    const std::vector<std::uint32_t>& q = queues_[s.queue];
    const Predecessor prev = q.empty()              ? Predecessor::start()
                             : bad_[s.queue].back() ? Predecessor::unknown()
                                                    : Predecessor::of(q.back());
    for (const Problem& p : checkInstruction(insn, s.queue, prev, cfg_)) {
      if (p.operand >= 0 && reported[static_cast<std::size_t>(p.operand)]) continue;
      error(p.operand >= 0 ? s.ops[static_cast<std::size_t>(p.operand)].loc : s.loc, p.message);
      ok = false;
    }
    if (!ok) return false;
    try {
      word = isa::encode(insn);
    } catch (const isa::EncodeError& e) {
      error(s.loc, fmt::format("cannot encode '{}' ({}); expected encodable operands", d.mnemonic, e.what()));
      return false;
    }
    return true;
  }

  void finishQueues() {
    const std::uint32_t halt = isa::encode(isa::Instruction::make(isa::Opcode::kHalt));
    const unsigned depth = cfg_.params().queue_depth;
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (queue_full_[q]) continue;  // reported in pass 1
      std::vector<std::uint32_t>& words = queues_[q];
      if (!words.empty() && words.back() == halt && !bad_[q].back()) continue;
      const SourceLoc last = source_[q].empty() ? SourceLoc{} : source_[q].back();
      if (words.size() >= depth) {
        error({last.line, last.column},
              fmt::format("queue {} has {} words and no room for its final halt; expected at most "
                          "{} words before an "
                          "implicit halt (queue_depth of config '{}')",
                          cfg_.queueName(q), words.size(), depth - 1, cfg_.name()));
        continue;
      }
      words.push_back(halt);
      bad_[q].push_back(false);
      source_[q].push_back(last);
    }
  }

  void buildData() {
    for (std::uint32_t i = 0; i < sections_.size(); ++i) layout(i);
    for (Section& s : sections_) {
      if (s.state != State::kDone) continue;
      for (const Patch& p : s.patches) {
        const auto v = eval(p.expr);
        if (!v) continue;
        if (*v < -128 || *v > 255) {
          error(nodes_[p.expr].loc, byteRangeMessage(*v));
          continue;
        }
        s.bytes[p.index] = static_cast<std::uint8_t>(*v & 0xFF);
      }
    }
    checkOverlaps();
  }

  void checkOverlaps() {
    const std::int64_t lanes = cfg_.lanes();
    struct Extent {
      std::int64_t start;
      std::int64_t end;  // exclusive, words
      std::size_t section;
    };
    std::vector<std::vector<Extent>> by_position(cfg_.positions());
    for (std::size_t i = 0; i < sections_.size(); ++i) {
      const Section& s = sections_[i];
      if (s.state != State::kDone || s.size_bytes == 0) continue;
      by_position[s.position].push_back({s.base, s.base + (s.size_bytes + lanes - 1) / lanes, i});
    }
    for (std::vector<Extent>& v : by_position) {
      std::sort(v.begin(), v.end(), [](const Extent& a, const Extent& b) {
        return a.start != b.start ? a.start < b.start : a.section < b.section;
      });
      std::size_t widest = 0;  // extent with the largest end so far
      for (std::size_t k = 1; k < v.size(); ++k) {
        const Extent& a = v[widest];
        const Extent& b = v[k];
        if (b.start < a.end) {
          const Extent& later = a.section > b.section ? a : b;
          const Extent& earlier = a.section > b.section ? b : a;
          const Section& ls = sections_[later.section];
          const Section& es = sections_[earlier.section];
          error(ls.loc, fmt::format("data for {} words 0x{:03x}..0x{:03x} overlaps the data section at {}:{}:{} "
                                    "(words 0x{:03x}..0x{:03x}); expected disjoint data sections",
                                    sliceName(ls.position), later.start, later.end - 1, file_, es.loc.line, es.loc.col,
                                    earlier.start, earlier.end - 1));
        }
        if (b.end > a.end) widest = k;
      }
    }
  }

  void finish(AssembleResult& result) {
    if (!diagnostics_.empty()) {
      // Sort by position; a trailing "too many errors" line stays last.
      const bool capped = diagnostics_.size() > kMaxErrors;
      auto end = capped ? diagnostics_.end() - 1 : diagnostics_.end();
      std::stable_sort(diagnostics_.begin(), end, [](const Diagnostic& a, const Diagnostic& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
      });
      result.diagnostics = std::move(diagnostics_);
      return;
    }
    isa::Program p;
    p.config = std::string(cfg_.name());
    p.queues = std::move(queues_);
    const std::size_t lanes = cfg_.lanes();
    for (Section& s : sections_) {
      if (s.size_bytes == 0) continue;
      isa::DataSegment seg;
      seg.position = s.position;
      seg.address = static_cast<std::uint32_t>(s.base);
      seg.bytes.reserve(static_cast<std::size_t>(s.size_bytes) + lanes);
      for (const Chunk& c : s.chunks) {
        if (c.kind == Chunk::Kind::kBytes) {
          seg.bytes.insert(seg.bytes.end(), s.bytes.begin() + static_cast<std::ptrdiff_t>(c.start),
                           s.bytes.begin() + static_cast<std::ptrdiff_t>(c.start + c.count));
        } else if (c.kind == Chunk::Kind::kZero) {
          seg.bytes.resize(seg.bytes.size() + c.count, 0);
        }
      }
      seg.bytes.resize((seg.bytes.size() + lanes - 1) / lanes * lanes, 0);
      p.data.push_back(std::move(seg));
    }
    result.program = std::move(p);
    result.source = std::move(source_);
    for (const Symbol& s : symbols_) {
      if (s.kind != SymKind::kUndefined && s.state == State::kDone) result.symbols[s.name] = s.value;
    }
  }

  enum class Mode : std::uint8_t {
    kNone,   // before the first section
    kQueue,  // in a .queue section (queue_)
    kData,   // in a .data section (sections_.back())
    kDead,   // after a section directive with an error: statements are parsed but not recorded
  };

  std::string_view file_;
  const ArchConfig& cfg_;
  std::vector<Diagnostic> diagnostics_;

  // pass 1
  std::vector<Token> toks_;
  std::size_t cur_ = 0;
  unsigned line_ = 0;
  unsigned last_line_ = 1;
  Mode mode_ = Mode::kNone;
  unsigned queue_ = 0;
  std::vector<unsigned> queue_count_;  // words seen per queue (including ones not recorded after an overflow)
  std::vector<bool> queue_full_;
  std::vector<Stmt> stmts_;
  std::vector<Section> sections_;
  std::vector<Node> nodes_;
  std::vector<Symbol> symbols_;
  std::map<std::string, std::uint32_t, std::less<>> symbol_index_;

  // pass 2
  unsigned eval_depth_ = 0;
  std::vector<std::vector<std::uint32_t>> queues_;
  std::vector<std::vector<bool>> bad_;  // the word at this index had an error
  std::vector<std::vector<SourceLoc>> source_;
};

}  // namespace

AssembleResult assemble(std::string_view source, std::string_view file_name, const isa::ArchConfig& cfg) {
  Assembler a(file_name, cfg);
  return a.run(source);
}

std::string declaredConfig(std::string_view source) {
  while (!source.empty()) {
    const std::size_t eol = source.find('\n');
    std::string_view line = source.substr(0, eol);
    source = eol == std::string_view::npos ? std::string_view{} : source.substr(eol + 1);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.substr(0, 7) != ".config" || line.size() == 7 || (line[7] != ' ' && line[7] != '\t')) continue;
    line.remove_prefix(7);
    const std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos) return "";
    const std::size_t e = line.find_first_of(" \t\r;/", b);
    return std::string(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
  }
  return "";
}

}  // namespace lpu::assembler
