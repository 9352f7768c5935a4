#include "sw/verif/random_program.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "sw/isa/isa.hpp"

namespace lpu::verif {
namespace {

using isa::ArchConfig;
using isa::Dir;
using isa::ElemType;
using isa::Field;
using isa::FieldKind;
using isa::Instruction;
using isa::Opcode;
using isa::Slice;
using isa::StreamRef;

// Generates one queue's instruction stream, tracking the dispatch cycle of every instruction so that results of
// this slice never collide (the only way two producers can meet at one stream register: one slice per position).
class QueueGenerator {
 public:
  QueueGenerator(const ArchConfig& cfg, unsigned queue, std::mt19937_64& rng, const RandomProgramOptions& opt,
                 std::uint32_t data_base, std::uint32_t data_words)
      : cfg_(cfg),
        queue_(queue),
        pos_(cfg.queuePosition(queue)),
        slice_(cfg.sliceAt(pos_)),
        load_queue_(cfg.isLoadQueue(queue)),
        rng_(rng),
        opt_(opt),
        data_base_(data_base),
        data_words_(data_words) {}

  std::vector<std::uint32_t>& words() { return words_; }

  void emitSync() { emitIcu(Opcode::kSync, 0); }
  void emitNotifyAfter(unsigned delay) {
    Instruction nop = Instruction::make(Opcode::kNop);
    nop.set(Field::kCount, static_cast<std::int32_t>(delay));
    words_.push_back(isa::encode(nop));
    words_.push_back(isa::encode(Instruction::make(Opcode::kNotify)));
  }
  // After a barrier released at `release`, the next dispatch happens at release + 1.
  void setCycle(std::uint64_t t) { t_ = t; }

  void generateBody(unsigned count) {
    for (unsigned i = 0; i < count && words_.size() + 2 < cfg_.params().queue_depth; ++i) {
      const unsigned total = opt_.nop_weight + opt_.op_weight + (prev_ ? opt_.repeat_weight : 0);
      unsigned pick = uniform(0, total - 1);
      if (pick < opt_.nop_weight) {
        emitNop(uniform(1, 6));
      } else if (pick < opt_.nop_weight + opt_.op_weight) {
        emitOp();
      } else {
        emitRepeat();
      }
    }
    words_.push_back(isa::encode(Instruction::make(Opcode::kHalt)));
  }

 private:
  unsigned uniform(unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng_); }
  bool chance(unsigned percent) { return uniform(0, 99) < percent; }

  void emitIcu(Opcode op, std::int32_t count) {
    Instruction insn = Instruction::make(op);
    if (op == Opcode::kNop) insn.set(Field::kCount, count);
    words_.push_back(isa::encode(insn));
  }

  void emitNop(unsigned n) {
    emitIcu(Opcode::kNop, static_cast<std::int32_t>(n));
    t_ += n;
    prev_.reset();
  }

  std::vector<Opcode> candidates() const {
    std::vector<Opcode> ops;
    for (const isa::InsnDesc& d : isa::kInsns) {
      if (d.slice != slice_) continue;
      if (d.slice == Slice::kMXM && d.load_queue != load_queue_) continue;
      if ((d.opcode == Opcode::kGather || d.opcode == Opcode::kScatter) && opt_.gather_scatter_weight == 0) continue;
      ops.push_back(d.opcode);
    }
    return ops;
  }

  // Random legal stream for operand i: aligned group within range; destinations never point past the edge.
  std::int32_t randomStream(const Instruction& insn, unsigned operand, bool is_dst) {
    const unsigned g = insn.groupBytes(operand, cfg_);
    const unsigned groups = cfg_.streamsPerDir() / g;
    Dir dir = chance(50) ? Dir::kEast : Dir::kWest;
    if (is_dst && pos_ == 0) dir = Dir::kEast;
    if (is_dst && pos_ == cfg_.positions() - 1) dir = Dir::kWest;
    return static_cast<std::int32_t>(StreamRef{dir, uniform(0, groups - 1) * g}.encode());
  }

  bool producesStreams(Opcode op) const {
    switch (op) {
      case Opcode::kWrite:
      case Opcode::kScatter:
      case Opcode::kLw:
      case Opcode::kLwi:
      case Opcode::kIw:
      case Opcode::kAbc:
      case Opcode::kAbca:
        return false;
      default:
        return true;
    }
  }

  // The (dir, stream) registers an instruction's result loads.
  std::vector<std::pair<Dir, unsigned>> resultStreams(const Instruction& insn) const {
    std::vector<std::pair<Dir, unsigned>> out;
    if (!producesStreams(insn.opcode())) return out;
    const isa::InsnDesc& d = *insn.desc;
    for (unsigned i = 0; i < d.num_operands; ++i) {
      const Field f = d.operands[i].field;
      if (f != Field::kDst && f != Field::kMstrm) continue;
      const StreamRef s = insn.stream(f);
      for (unsigned k = 0; k < insn.groupBytes(i, cfg_); ++k) out.emplace_back(s.dir, s.index + k);
    }
    return out;
  }

  bool isAbc(Opcode op) const { return op == Opcode::kAbc || op == Opcode::kAbca || op == Opcode::kAbce; }

  // Would issuing `insn` at cycle t collide with results already placed, or violate ABC spacing?
  bool fits(const Instruction& insn, std::uint64_t t) const {
    const std::uint64_t w = t + insn.desc->latency - 1;
    for (auto [dir, s] : resultStreams(insn)) {
      if (reserved_.count({w, static_cast<int>(dir), s})) return false;
    }
    if (isAbc(insn.opcode()) && last_abc_ && t < *last_abc_ + cfg_.params().mxm_abc_interval) return false;
    return true;
  }

  void reserve(const Instruction& insn, std::uint64_t t) {
    const std::uint64_t w = t + insn.desc->latency - 1;
    for (auto [dir, s] : resultStreams(insn)) reserved_.insert({w, static_cast<int>(dir), s});
    if (isAbc(insn.opcode())) last_abc_ = t;
  }

  Instruction randomInstruction(Opcode op) {
    Instruction insn = Instruction::make(op);
    const isa::InsnDesc& d = *insn.desc;
    std::vector<ElemType> types, stypes;
    for (unsigned t = 0; t < 3; ++t) {
      if (d.type_mask >> t & 1u) types.push_back(static_cast<ElemType>(t));
      if (d.stype_mask >> t & 1u) stypes.push_back(static_cast<ElemType>(t));
    }
    if (!types.empty()) insn.type = types[uniform(0, static_cast<unsigned>(types.size()) - 1)];
    if (!stypes.empty()) insn.stype = stypes[uniform(0, static_cast<unsigned>(stypes.size()) - 1)];
    for (unsigned i = 0; i < d.num_operands; ++i) {
      const Field f = d.operands[i].field;
      const isa::FieldDesc& fd = isa::fieldDesc(f);
      std::int32_t v = 0;
      switch (f) {
        case Field::kAddr:
          v = static_cast<std::int32_t>(data_base_ + uniform(0, data_words_ - 1));
          break;
        case Field::kIndex:
          v = static_cast<std::int32_t>(
              uniform(0, (op == Opcode::kLw || op == Opcode::kLwi ? cfg_.lanes() : cfg_.params().mxm_acc_slots) - 1));
          break;
        case Field::kLwn:
          v = static_cast<std::int32_t>(uniform(1, 4));
          break;
        case Field::kShamt:
          v = static_cast<std::int32_t>(uniform(0, 40));
          break;
        case Field::kImm8:
          v = static_cast<std::int32_t>(uniform(0, 2 * cfg_.lanes() + 2)) - static_cast<std::int32_t>(cfg_.lanes() + 1);
          break;
        default:
          if (fd.kind == FieldKind::kStream) {
            const bool is_dst =
                f == Field::kDst || (f == Field::kMstrm && (op == Opcode::kRead || op == Opcode::kGather));
            v = randomStream(insn, i, is_dst);
          }
          break;
      }
      insn.set(f, v);
    }
    return insn;
  }

  void emitOp() {
    const auto ops = candidates();
    for (int attempt = 0; attempt < 8; ++attempt) {
      Instruction insn = randomInstruction(ops[uniform(0, static_cast<unsigned>(ops.size()) - 1)]);
      if (isa::validate(insn, cfg_, queue_).error != isa::ErrorCode::kNone) continue;
      if (!fits(insn, t_)) continue;
      reserve(insn, t_);
      words_.push_back(isa::encode(insn));
      prev_ = insn;
      prev_t_ = t_;
      t_ += 1;
      return;
    }
    emitNop(1);  // nothing fitted this cycle
  }

  void emitRepeat() {
    const Instruction base = *prev_;
    const isa::InsnDesc& d = *base.desc;
    const unsigned min_d = isAbc(base.opcode()) ? cfg_.params().mxm_abc_interval : 1;
    for (int attempt = 0; attempt < 8; ++attempt) {
      const unsigned n = uniform(1, 8), dist = uniform(min_d, min_d + 3);
      int stride = 0;
      if (d.strided && chance(70)) stride = static_cast<int>(uniform(0, 6)) - 3;
      bool ok = true;
      std::vector<std::pair<Instruction, std::uint64_t>> issues;
      for (unsigned i = 1; i <= n && ok; ++i) {
        Instruction again = base;
        if (d.strided) {
          again.set(d.strided_field, base.get(d.strided_field) + static_cast<std::int32_t>(i) * stride);
          if (d.strided_field == Field::kAddr) {
            const std::int64_t a = again.get(Field::kAddr);
            ok = a >= data_base_ && a < static_cast<std::int64_t>(data_base_ + data_words_);
          } else {
            ok = isa::validateOperands(again, cfg_).error == isa::ErrorCode::kNone;
          }
        }
        const std::uint64_t ti = prev_t_ + std::uint64_t{i} * dist;
        ok = ok && fits(again, ti);
        if (ok) {
          // Later issues of the same Repeat must not collide with earlier ones either.
          reserve(again, ti);
          issues.emplace_back(again, ti);
        }
      }
      if (!ok) {
        unreserve(issues, base);
        continue;
      }
      Instruction rep = Instruction::make(Opcode::kRepeat);
      rep.set(Field::kRepN, static_cast<std::int32_t>(n));
      rep.set(Field::kRepD, static_cast<std::int32_t>(dist));
      rep.set(Field::kStride, stride);
      words_.push_back(isa::encode(rep));
      t_ = prev_t_ + std::uint64_t{n} * dist + 1;
      prev_.reset();
      return;
    }
    prev_.reset();  // give up on repeating this one
  }

  void unreserve(const std::vector<std::pair<Instruction, std::uint64_t>>& issues, const Instruction& base) {
    for (const auto& [insn, t] : issues) {
      const std::uint64_t w = t + insn.desc->latency - 1;
      for (auto [dir, s] : resultStreams(insn)) reserved_.erase({w, static_cast<int>(dir), s});
    }
    if (isAbc(base.opcode())) last_abc_ = prev_t_;
  }

  const ArchConfig& cfg_;
  unsigned queue_;
  unsigned pos_;
  Slice slice_;
  bool load_queue_;
  std::mt19937_64& rng_;
  const RandomProgramOptions& opt_;
  std::uint32_t data_base_, data_words_;
  std::vector<std::uint32_t> words_;
  std::uint64_t t_ = 0;
  std::optional<Instruction> prev_;
  std::uint64_t prev_t_ = 0;
  std::optional<std::uint64_t> last_abc_;
  std::set<std::tuple<std::uint64_t, int, unsigned>> reserved_;
};

}  // namespace

isa::Program randomProgram(const ArchConfig& cfg, const RandomProgramOptions& opt) {
  std::mt19937_64 rng(opt.seed);
  auto uniform = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };

  isa::Program program;
  program.config = std::string(cfg.name());
  program.queues.resize(cfg.queues());

  // One initialised window of SRAM per MEM slice; all direct reads and writes stay inside it, so the program never
  // reads a word whose power-up value is undefined.
  const std::uint32_t words = std::min<std::uint32_t>(std::max(opt.data_words, 1u), cfg.wordsPerSlice());
  std::vector<std::uint32_t> base(cfg.positions(), 0);
  for (unsigned p = 0; p < cfg.positions(); ++p) {
    if (cfg.sliceAt(p) != Slice::kMEM) continue;
    base[p] = uniform(0, cfg.wordsPerSlice() - words);
    isa::DataSegment seg;
    seg.position = p;
    seg.address = base[p];
    seg.bytes.resize(std::size_t{words} * cfg.lanes());
    for (auto& b : seg.bytes) b = static_cast<std::uint8_t>(uniform(0, 255));
    program.data.push_back(std::move(seg));
  }

  std::vector<QueueGenerator> gens;
  gens.reserve(cfg.queues());
  for (unsigned p = 0; p < cfg.queues(); ++p) gens.emplace_back(cfg, p, rng, opt, base[p], words);

  if (opt.use_sync && uniform(0, 3) == 0) {
    const unsigned notifier = uniform(0, cfg.queues() - 1);
    const unsigned delay = uniform(1, 5);
    for (unsigned p = 0; p < cfg.queues(); ++p) {
      if (p == notifier) {
        gens[p].emitNotifyAfter(delay);
      } else {
        gens[p].emitSync();
      }
      gens[p].setCycle(delay + 1);  // Notify dispatched at `delay`; everyone dispatches next at delay + 1
    }
  }
  for (unsigned p = 0; p < cfg.queues(); ++p) {
    const bool mxm = cfg.sliceAt(cfg.queuePosition(p)) == Slice::kMXM;
    const unsigned n = (mxm && !opt.use_mxm) ? 0 : uniform(opt.min_insns, opt.max_insns);
    gens[p].generateBody(n);
    program.queues[p] = std::move(gens[p].words());
  }
  return program;
}

}  // namespace lpu::verif
