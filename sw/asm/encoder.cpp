#include "sw/asm/encoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "sw/asm/expr.hpp"
#include "sw/asm/rules.hpp"

namespace lpu::assembler::internal {
namespace {

using isa::ArchConfig;
using isa::InsnDesc;

class Encoder final : public SectionLayout {
 public:
  Encoder(ParsedSource& parsed, const ArchConfig& cfg, Diagnostics& diag, Encoded& out)
      : parsed_(parsed), cfg_(cfg), diag_(diag), out_(out), eval_(parsed, diag, *this) {}

  void run() {
    encodeQueues();
    buildData();
    finishQueues();
    // Evaluate every definition, used or not, so errors in unused ones are reported too.
    for (std::uint32_t i = 0; i < parsed_.symbols.size(); ++i) {
      if (parsed_.symbols[i].kind != SymKind::kUndefined) eval_.evalSymbol(i, parsed_.symbols[i].loc);
    }
  }

 private:
  // ---------------------------------------------------------------------------------------------
  // Data layout

  std::string sliceName(unsigned pos) const { return cfg_.sliceName(pos); }

  // Computes the section's base, size and label values (once).
  void layout(std::uint32_t id) override {
    if (parsed_.sections[id].state != State::kPending) return;
    parsed_.sections[id].state = State::kInProgress;
    const bool ok = layoutBody(id);
    Section& s = parsed_.sections[id];
    s.state = ok ? State::kDone : State::kFailed;
    for (const Chunk& c : s.chunks) {
      if (c.kind == Chunk::Kind::kLabel && parsed_.symbols[c.sym].state != State::kDone) {
        parsed_.symbols[c.sym].state = State::kFailed;
      }
    }
  }

  bool layoutBody(std::uint32_t id) {
    const std::int64_t words = cfg_.wordsPerSlice();
    const std::int64_t lanes = cfg_.lanes();
    const auto base = eval_.eval(parsed_.sections[id].addr);
    if (!base) return false;
    Section& s0 = parsed_.sections[id];
    if (*base < 0 || *base >= words) {
      diag_.error(parsed_.nodes[s0.addr].loc,
                  fmt::format("data address {} out of range; expected 0..{} (config '{}' has {} words "
                              "per MEM slice)",
                              *base, words - 1, cfg_.name(), words));
      return false;
    }
    s0.base = *base;
    const std::int64_t capacity = (words - *base) * lanes;
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < parsed_.sections[id].chunks.size(); ++k) {
      const Chunk c = parsed_.sections[id].chunks[k];
      switch (c.kind) {
        case Chunk::Kind::kBytes:
          offset += static_cast<std::int64_t>(c.count);
          break;
        case Chunk::Kind::kZero: {
          const auto n = eval_.eval(c.expr);
          if (!n) return false;
          if (*n < 0) {
            diag_.error(c.loc, fmt::format(".zero count {} is negative; expected 0 or more", *n));
            return false;
          }
          const std::int64_t count = std::min<std::int64_t>(*n, capacity + 1);
          parsed_.sections[id].chunks[k].count = static_cast<std::size_t>(count);
          offset += count;
          break;
        }
        case Chunk::Kind::kLabel: {
          Symbol& l = parsed_.symbols[c.sym];
          if (offset % lanes != 0) {
            diag_.error(c.loc,
                        fmt::format("data label '{}' at byte {} of a {}-byte word; expected a word boundary (add "
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
        const Section& s = parsed_.sections[id];
        diag_.error(c.loc,
                    fmt::format("data for {} at word 0x{:03x} runs past the end of the slice; expected at most {} "
                                "bytes from there (config '{}' has {} words of {} bytes per MEM slice)",
                                sliceName(s.position), *base, capacity, cfg_.name(), words, lanes));
        return false;
      }
    }
    parsed_.sections[id].size_bytes = offset;
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Queues

  void encodeQueues() {
    out_.queues.assign(cfg_.queues(), {});
    out_.bad.assign(cfg_.queues(), {});
    out_.source.assign(cfg_.queues(), {});
    for (const Stmt& s : parsed_.stmts) {
      std::uint32_t word = 0;
      const bool ok = s.desc == nullptr ? encodeWord(s, word) : encodeInsn(s, word);
      out_.queues[s.queue].push_back(word);
      out_.bad[s.queue].push_back(!ok);
      out_.source[s.queue].push_back({s.loc.line, s.loc.col});
    }
  }

  bool encodeWord(const Stmt& s, std::uint32_t& word) {
    const auto v = eval_.eval(s.word);
    if (!v) return false;
    if (*v < 0 || *v > 0xFFFFFFFFLL) {
      diag_.error(s.loc,
                  fmt::format("word value {} out of range; expected 0..0xffffffff (a 32-bit instruction word)", *v));
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
        const auto e = eval_.eval(op.expr);
        if (!e) {
          ok = false;
          reported[i] = true;
          v = r.lo;
        } else if (*e < r.lo || *e > r.hi) {
          diag_.error(op.loc, rangeMessage(r, *e));
          ok = false;
          reported[i] = true;
          v = r.lo;
        } else {
          v = *e;
        }
      }
      insn.set(od.field, static_cast<std::int32_t>(v));
    }
    const std::vector<std::uint32_t>& q = out_.queues[s.queue];
    const Predecessor prev = q.empty()                  ? Predecessor::start()
                             : out_.bad[s.queue].back() ? Predecessor::unknown()
                                                        : Predecessor::of(q.back());
    for (const Problem& p : checkInstruction(insn, s.queue, prev, cfg_)) {
      if (p.operand >= 0 && reported[static_cast<std::size_t>(p.operand)]) continue;
      diag_.error(p.operand >= 0 ? s.ops[static_cast<std::size_t>(p.operand)].loc : s.loc, p.message);
      ok = false;
    }
    if (!ok) return false;
    try {
      word = isa::encode(insn);
    } catch (const isa::EncodeError& e) {
      diag_.error(s.loc, fmt::format("cannot encode '{}' ({}); expected encodable operands", d.mnemonic, e.what()));
      return false;
    }
    return true;
  }

  void finishQueues() {
    const std::uint32_t halt = isa::encode(isa::Instruction::make(isa::Opcode::kHalt));
    const unsigned depth = cfg_.params().queue_depth;
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (parsed_.queue_full[q]) continue;  // reported in pass 1
      std::vector<std::uint32_t>& words = out_.queues[q];
      if (!words.empty() && words.back() == halt && !out_.bad[q].back()) continue;
      const SourceLoc last = out_.source[q].empty() ? SourceLoc{} : out_.source[q].back();
      if (words.size() >= depth) {
        diag_.error({last.line, last.column},
                    fmt::format("queue {} has {} words and no room for its final halt; expected at most "
                                "{} words before an "
                                "implicit halt (queue_depth of config '{}')",
                                cfg_.queueName(q), words.size(), depth - 1, cfg_.name()));
        continue;
      }
      words.push_back(halt);
      out_.bad[q].push_back(false);
      out_.source[q].push_back(last);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Data contents and overlaps

  void buildData() {
    for (std::uint32_t i = 0; i < parsed_.sections.size(); ++i) layout(i);
    for (Section& s : parsed_.sections) {
      if (s.state != State::kDone) continue;
      for (const Patch& p : s.patches) {
        const auto v = eval_.eval(p.expr);
        if (!v) continue;
        if (*v < -128 || *v > 255) {
          diag_.error(parsed_.nodes[p.expr].loc, byteRangeMessage(*v));
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
    for (std::size_t i = 0; i < parsed_.sections.size(); ++i) {
      const Section& s = parsed_.sections[i];
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
          const Section& ls = parsed_.sections[later.section];
          const Section& es = parsed_.sections[earlier.section];
          diag_.error(ls.loc, fmt::format("data for {} words 0x{:03x}..0x{:03x} overlaps the data section at {}:{}:{} "
                                          "(words 0x{:03x}..0x{:03x}); expected disjoint data sections",
                                          sliceName(ls.position), later.start, later.end - 1, diag_.file(), es.loc.line,
                                          es.loc.col, earlier.start, earlier.end - 1));
        }
        if (b.end > a.end) widest = k;
      }
    }
  }

  ParsedSource& parsed_;
  const ArchConfig& cfg_;
  Diagnostics& diag_;
  Encoded& out_;
  Evaluator eval_;
};

}  // namespace

Encoded encode(ParsedSource& parsed, const ArchConfig& cfg, Diagnostics& diag) {
  Encoded out;
  Encoder(parsed, cfg, diag, out).run();
  return out;
}

void takeProgram(ParsedSource& parsed, Encoded& encoded, const ArchConfig& cfg, AssembleResult& result) {
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues = std::move(encoded.queues);
  const std::size_t lanes = cfg.lanes();
  for (Section& s : parsed.sections) {
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
  result.source = std::move(encoded.source);
  for (const Symbol& s : parsed.symbols) {
    if (s.kind != SymKind::kUndefined && s.state == State::kDone) result.symbols[s.name] = s.value;
  }
}

}  // namespace lpu::assembler::internal
