#include "sw/asm/parser.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sw/asm/lexer.hpp"
#include "sw/asm/rules.hpp"

namespace lpu::assembler::internal {
namespace {

using isa::ArchConfig;
using isa::ElemType;
using isa::FieldKind;
using isa::InsnDesc;

constexpr unsigned kMaxNesting = 64;  // parentheses and unary operators within one expression

class Parser {
 public:
  Parser(const ArchConfig& cfg, Diagnostics& diag, ParsedSource& out, unsigned& last_line)
      : cfg_(cfg), diag_(diag), out_(out), last_line_(last_line) {
    queue_count_.assign(cfg.queues(), 0);
    out_.queue_full.assign(cfg.queues(), false);
  }

  void run(std::string_view src) {
    std::size_t pos = 0;
    unsigned line = 0;
    while (true) {
      const std::size_t nl = src.find('\n', pos);
      const std::string_view text = src.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      ++line;
      last_line_ = line;
      if (lexLine(text, line, toks_, diag_)) parseStatement(line);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }

 private:
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
      diag_.error(loc(t), fmt::format("unexpected {}; expected a label, instruction or directive", describe(t)));
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
    const auto id = static_cast<std::uint32_t>(out_.symbols.size());
    out_.symbols.push_back(Symbol{std::string(name), SymKind::kUndefined, {}, kNoExpr, 0, State::kPending, 0});
    symbol_index_.emplace(std::string(name), id);
    return id;
  }

  // Checks a new name; returns its symbol id, or nullopt (after reporting) when it cannot be
  // defined.
  std::optional<std::uint32_t> newSymbol(const Token& t, std::string_view what) {
    if (t.kind != Tok::kIdent || !isName(t.text)) {
      diag_.error(loc(t),
                  fmt::format("{} name {}; expected a name of letters, digits and '_' not starting with a digit", what,
                              describe(t)));
      return std::nullopt;
    }
    if (isStreamName(t.text)) {
      diag_.error(loc(t), fmt::format("{} name '{}' is a stream register; expected another name", what, t.text));
      return std::nullopt;
    }
    const std::uint32_t id = symbolId(t.text);
    Symbol& s = out_.symbols[id];
    if (s.kind != SymKind::kUndefined) {
      diag_.error(loc(t),
                  fmt::format("duplicate definition of '{}'; expected a unique name (first defined at {}:{}:{})",
                              t.text, diag_.file(), s.loc.line, s.loc.col));
      return std::nullopt;
    }
    s.loc = loc(t);
    return id;
  }

  void defineLabel(const Token& t) {
    const auto id = newSymbol(t, "label");
    if (!id) return;
    Symbol& s = out_.symbols[*id];
    switch (mode_) {
      case Mode::kQueue:
        s.kind = SymKind::kQueueLabel;
        s.value = queue_count_[queue_];
        s.state = State::kDone;
        break;
      case Mode::kData: {
        s.kind = SymKind::kDataLabel;
        s.section = static_cast<std::uint32_t>(out_.sections.size() - 1);
        Chunk c;
        c.kind = Chunk::Kind::kLabel;
        c.loc = loc(t);
        c.sym = *id;
        out_.sections.back().chunks.push_back(c);
        break;
      }
      case Mode::kDead:
        s.kind = SymKind::kEqu;  // defined, but its section had an error: uses stay silent
        s.state = State::kFailed;
        break;
      case Mode::kNone:
        s.kind = SymKind::kEqu;
        s.state = State::kFailed;
        diag_.error(loc(t), fmt::format("label '{}' outside a section; expected a .queue or .data directive before it",
                                        t.text));
        break;
    }
  }

  // --- expressions

  ExprId addNode(Node n) {
    out_.nodes.push_back(n);
    return static_cast<ExprId>(out_.nodes.size() - 1);
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
    diag_.error(loc(t),
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
        diag_.error(loc(t), fmt::format("stream register '{}' in an expression; expected a number or name", t.text));
        return kNoExpr;
      }
      if (!isName(t.text)) {
        diag_.error(loc(t), fmt::format("unexpected '{}' in an expression; expected a number, name or '('", t.text));
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
        diag_.error(loc(peek()),
                    fmt::format("unexpected {} in an expression; expected ')' to close the '(' at column {}",
                                describe(peek()), t.col));
        return kNoExpr;
      }
      next();
      return e;
    }
    diag_.error(loc(t), fmt::format("unexpected {}; expected a number, name or '('", describe(t)));
    return kNoExpr;
  }

  // --- directives

  bool expectEnd(std::string_view after) {
    if (peek().kind == Tok::kEnd) return true;
    diag_.error(loc(peek()), fmt::format("unexpected {} after {}; expected end of line", describe(peek()), after));
    return false;
  }

  bool expectComma(std::string_view after) {
    if (isPunct(peek(), ',')) {
      next();
      return true;
    }
    diag_.error(loc(peek()), fmt::format("unexpected {} after {}; expected ','", describe(peek()), after));
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
      diag_.error(loc(t), fmt::format("end of line after {}; expected a slice name ({})", directive, queueNames()));
      return -1;
    }
    next();
    // .queue names a queue (slices plus the MXM load queues), .data names a slice.
    const int pos = t.kind != Tok::kIdent ? -1 : directive == ".queue" ? cfg_.queueOf(t.text) : cfg_.positionOf(t.text);
    if (pos < 0) {
      diag_.error(loc(t),
                  fmt::format("unknown {} {}; expected one of {} (config '{}')",
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
        diag_.error(loc(t), fmt::format("unexpected {} after .config; expected a configuration name", describe(t)));
        return;
      }
      next();
      if (t.text != cfg_.name()) {
        diag_.error(loc(t),
                    fmt::format("configuration '{}' differs from the one being assembled for; expected .config {}",
                                t.text, cfg_.name()));
        return;
      }
      expectEnd(".config");
    } else if (name == ".equ") {
      const Token& t = next();
      const auto id = newSymbol(t, ".equ");
      if (!id) return;
      out_.symbols[*id].kind = SymKind::kEqu;
      out_.symbols[*id].state = State::kFailed;  // until the whole line parses
      if (!expectComma("the .equ name")) return;
      const ExprId e = parseExpr();
      if (e == kNoExpr || !expectEnd("the .equ value")) return;
      out_.symbols[*id].state = State::kPending;
      out_.symbols[*id].expr = e;
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
        diag_.error(loc(st), fmt::format("slice '{}' has no SRAM; expected a MEM slice ({})", st.text, memNames()));
        return;
      }
      if (!expectComma("the slice name")) return;
      const ExprId e = parseExpr();
      if (e == kNoExpr || !expectEnd("the data address")) return;
      Section s;
      s.loc = loc(d);
      s.position = static_cast<unsigned>(pos);
      s.addr = e;
      out_.sections.push_back(std::move(s));
      mode_ = Mode::kData;
    } else if (name == ".byte" || name == ".zero") {
      if (mode_ != Mode::kData) {
        if (mode_ != Mode::kDead) {
          diag_.error(loc(d), fmt::format("'{}' outside a data section; expected a .data directive before it", name));
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
        out_.sections.back().chunks.push_back(c);
        return;
      }
      parseBytes(d);
    } else if (name == ".word") {
      if (mode_ != Mode::kQueue) {
        if (mode_ == Mode::kData) {
          diag_.error(loc(d),
                      "'.word' in a data section; expected .byte or .zero (.word is a raw instruction "
                      "word in a "
                      ".queue section)");
        } else if (mode_ != Mode::kDead) {
          diag_.error(loc(d), "'.word' outside a queue section; expected a .queue directive before it");
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
      diag_.error(loc(d), fmt::format("unknown directive '{}'; expected .config, .equ, .queue, .data, .byte, .zero or "
                                      ".word",
                                      name));
    }
  }

  void parseBytes(const Token& d) {
    Section& sec = out_.sections.back();
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
        diag_.error(loc(at), byteRangeMessage(*literal));
        return;
      }
      if (!literal) sec.patches.push_back({sec.bytes.size(), e});
      sec.bytes.push_back(static_cast<std::uint8_t>(literal.value_or(0) & 0xFF));
      ++chunk.count;
      if (peek().kind == Tok::kEnd) return;
      if (!expectComma("a .byte value")) return;
    }
  }

  // --- instructions

  void addStmt(const Stmt& s) {
    const unsigned q = s.queue;
    const unsigned index = queue_count_[q]++;
    if (out_.queue_full[q]) return;
    if (index >= cfg_.params().queue_depth) {
      out_.queue_full[q] = true;
      diag_.error(s.loc,
                  fmt::format("word {} of queue {} overflows it; expected at most {} words per queue (queue_depth "
                              "of config '{}', including the final halt)",
                              index + 1, cfg_.queueName(q), cfg_.params().queue_depth, cfg_.name()));
      return;
    }
    out_.stmts.push_back(s);
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
        diag_.error(loc(m), fmt::format("unknown mnemonic '{}'; expected lower case '{}'", base, lower));
      } else {
        diag_.error(loc(m), fmt::format("unknown mnemonic '{}'; expected an instruction or directive", base));
      }
      return;
    }
    Stmt s;
    s.loc = loc(m);
    s.desc = d;
    if (!parseSuffixes(m, *d, s)) return;

    if (mode_ != Mode::kQueue) {
      if (mode_ == Mode::kData) {
        diag_.error(loc(m),
                    fmt::format("instruction '{}' in a data section; expected a .queue directive before it", base));
      } else if (mode_ == Mode::kNone) {
        diag_.error(
            loc(m),
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
        diag_.error(loc(peek()),
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
        diag_.error(loc(peek()), fmt::format("too many operands for '{}'; expected {}", base,
                                             n == 0 ? std::string("none") : expected_count));
      } else {
        diag_.error(loc(peek()), fmt::format("unexpected {} after operand {} of '{}'; expected ',' or end of line",
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
      diag_.error(op.loc, fmt::format("operand {} ({}) of '{}' is {}; expected a stream register E0..E{} or W0..W{}",
                                      i + 1, fd.name, mnemonic, describe(t), last, last));
      return false;
    }
    std::int64_t index = 0;
    for (char c : t.text.substr(1)) {
      index = std::min<std::int64_t>(index * 10 + (c - '0'), 1000000);
    }
    if (index > 15) {  // not encodable; smaller out-of-range indices are reported by checkInstruction
      diag_.error(op.loc, streamRangeMessage(t.text[0], index, cfg_));
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
        diag_.error({line_, suffixes[0].second},
                    fmt::format("type suffix '.{}' on '{}'; expected '{}' without a suffix", suffixes[0].first,
                                d.mnemonic, d.mnemonic));
        return false;
      }
      return true;
    }
    const bool two = d.stype_mask != 0;
    const std::size_t want = two ? 2 : 1;
    if (suffixes.size() > want) {
      diag_.error({line_, suffixes[want].second},
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
      diag_.error(at,
                  two ? fmt::format("missing type suffix on '{}'; expected {}.T.S with T, S in {{i8, "
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
        diag_.error(sl, fmt::format("bad type suffix '.{}' on '{}'; expected {}", suffixes[k].first, d.mnemonic,
                                    suffixList(d, mask)));
        return false;
      }
      if (((mask >> static_cast<unsigned>(*t)) & 1U) == 0) {
        diag_.error(sl, fmt::format("type '.{}' not allowed for '{}'; expected {}", suffixes[k].first, d.mnemonic,
                                    suffixList(d, mask)));
        return false;
      }
      (k == 0 ? s.type : s.stype) = *t;
    }
    return true;
  }

  enum class Mode : std::uint8_t {
    kNone,   // before the first section
    kQueue,  // in a .queue section (queue_)
    kData,   // in a .data section (out_.sections.back())
    kDead,   // after a section directive with an error: statements are parsed but not recorded
  };

  const ArchConfig& cfg_;
  Diagnostics& diag_;
  ParsedSource& out_;
  unsigned& last_line_;
  std::vector<Token> toks_;
  std::size_t cur_ = 0;
  unsigned line_ = 0;
  Mode mode_ = Mode::kNone;
  unsigned queue_ = 0;
  std::vector<unsigned> queue_count_;  // words seen per queue (including ones not recorded after an overflow)
  std::map<std::string, std::uint32_t, std::less<>> symbol_index_;
};

}  // namespace

ParsedSource parse(std::string_view source, const ArchConfig& cfg, Diagnostics& diag, unsigned& last_line) {
  ParsedSource out;
  Parser(cfg, diag, out, last_line).run(source);
  return out;
}

}  // namespace lpu::assembler::internal
