#include "sw/asm/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace lpu::assembler {
namespace {

using isa::ElemType;
using isa::Field;
using isa::FieldKind;
using isa::InsnDesc;
using isa::Slice;

std::string_view sliceKindName(Slice s) { return isa::kSliceNames[static_cast<unsigned>(s)]; }
std::string_view typeName(ElemType t) { return isa::kTypeNames[static_cast<unsigned>(t)]; }

// "i8, i16 or i32" for a type mask.
std::string typeList(std::uint8_t mask) {
  std::vector<std::string_view> names;
  for (unsigned t = 0; t < isa::kTypeNames.size(); ++t) {
    if ((mask >> t) & 1U) names.push_back(isa::kTypeNames[t]);
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string streamName(const isa::StreamRef& s) {
  return fmt::format("{}{}", s.dir == isa::Dir::kEast ? 'E' : 'W', s.index);
}

// Width in streams of operand `op` of `insn`, and a phrase naming the group for alignment messages.
struct Group {
  unsigned width = 1;
  std::string name;  // "an i32 group", "a transpose group of 8 streams"
};

Group groupOf(const isa::Instruction& insn, const isa::OperandDesc& op, const isa::ArchConfig& cfg) {
  auto typed = [](ElemType t) { return Group{isa::typeBytes(t), fmt::format("an {} group", typeName(t))}; };
  switch (op.group) {
    case isa::kGroupT:
      return typed(insn.type);
    case isa::kGroupS:
      return typed(insn.stype);
    case isa::kGroupN:
      return Group{cfg.params().transpose_n, fmt::format("a transpose group of {} streams", cfg.params().transpose_n)};
    case 2:
      return typed(ElemType::kI16);
    case 4:
      return typed(ElemType::kI32);
    default:
      return Group{1, "a single stream"};
  }
}

// The queues that can execute `d` ("MEM_W2, MEM_W1, ..."; for MXM instructions the load or the
// compute queues).
std::string queuesFor(const InsnDesc& d, const isa::ArchConfig& cfg) {
  std::string out;
  for (unsigned q = 0; q < cfg.queues(); ++q) {
    if (cfg.sliceAt(cfg.queuePosition(q)) != d.slice) continue;
    if (d.slice == Slice::kMXM && d.load_queue != cfg.isLoadQueue(q)) continue;
    if (!out.empty()) out += ", ";
    out += cfg.queueName(q);
  }
  return out;
}

bool isWeightLoad(const InsnDesc& d) { return d.opcode == isa::Opcode::kLw || d.opcode == isa::Opcode::kLwi; }

// Range of the strided field of `insn` for every issue of a Repeat: the field's own range, narrowed
// for lw/lwi so that all `lwn` rows of the last issue stay below `lanes`.
ValueRange stridedRange(const isa::Instruction& insn, const isa::ArchConfig& cfg) {
  ValueRange r = operandRange(*insn.desc, insn.desc->strided_field, cfg);
  if (isWeightLoad(*insn.desc)) r.hi = std::int64_t{cfg.lanes()} - insn.get(Field::kLwn);
  return r;
}

}  // namespace

ValueRange operandRange(const InsnDesc& desc, Field field, const isa::ArchConfig& cfg) {
  const isa::FieldDesc& fd = isa::fieldDesc(field);
  const unsigned width = fd.msb - fd.lsb + 1;
  ValueRange r;
  if (fd.kind == FieldKind::kSint) {
    r.lo = -(std::int64_t{1} << (width - 1));
    r.hi = (std::int64_t{1} << (width - 1)) - 1;
  } else {
    r.lo = 0;
    r.hi = (std::int64_t{1} << width) - 1;
  }
  r.what = fmt::format("{} operand '{}'", desc.mnemonic, fd.name);
  switch (field) {
    case Field::kCount:
      r.lo = 1;
      r.what = "nop count";
      break;
    case Field::kRepN:
      r.lo = 1;
      r.what = "repeat count";
      break;
    case Field::kRepD:
      r.lo = 1;
      r.what = "repeat distance";
      r.why = "cycles between issues";
      break;
    case Field::kStride:
      r.what = "repeat stride";
      break;
    case Field::kAddr:
      r.hi = std::int64_t{cfg.wordsPerSlice()} - 1;
      r.what = "MEM address";
      r.why = fmt::format("config '{}' has {} words per MEM slice", cfg.name(), cfg.wordsPerSlice());
      break;
    case Field::kShamt:
      r.what = "shift amount";
      break;
    case Field::kLwn:
      r.lo = 1;
      r.hi = std::min<std::int64_t>(16, cfg.streamsPerDir());
      r.what = "weight row count";
      r.why = "one row per stream";
      break;
    case Field::kImm8:
      r.what = "lane count";
      break;
    case Field::kIndex:
      if (desc.opcode == isa::Opcode::kLw || desc.opcode == isa::Opcode::kLwi) {
        r.hi = std::int64_t{cfg.lanes()} - 1;
        r.what = "weight row";
        r.why = fmt::format("config '{}' has {} lanes", cfg.name(), cfg.lanes());
      } else if (desc.slice == Slice::kMXM) {
        r.hi = std::int64_t{cfg.params().mxm_acc_slots} - 1;
        r.what = "accumulator slot";
        r.why = fmt::format("config '{}' has {} accumulator slots", cfg.name(), cfg.params().mxm_acc_slots);
      } else if (desc.slice == Slice::kC2C) {
        r.what = "C2C link";
      }
      break;
    default:
      break;
  }
  return r;
}

std::string rangeMessage(const ValueRange& range, std::int64_t value) {
  std::string msg = fmt::format("{} {} out of range; expected {}..{}", range.what, value, range.lo, range.hi);
  if (!range.why.empty()) msg += fmt::format(" ({})", range.why);
  return msg;
}

std::string streamRangeMessage(char dir, std::int64_t index, const isa::ArchConfig& cfg) {
  const unsigned last = cfg.streamsPerDir() - 1;
  return fmt::format("stream '{}{}' out of range; expected E0..E{} or W0..W{} for config '{}'", dir, index, last, last,
                     cfg.name());
}

std::vector<Problem> checkInstruction(const isa::Instruction& insn, unsigned queue_index, const Predecessor& prev,
                                      const isa::ArchConfig& cfg) {
  std::vector<Problem> problems;
  const InsnDesc& d = *insn.desc;

  // Slice (and, for an MXM, which of its two queues).
  const Slice here = cfg.sliceAt(cfg.queuePosition(queue_index));
  const std::string queue = cfg.queueName(queue_index);
  if (d.slice == Slice::kC2C) {
    problems.push_back({-1, fmt::format("C2C instruction '{}' in queue {}; expected no C2C instruction (config '{}' "
                                        "has no C2C queue)",
                                        d.mnemonic, queue, cfg.name())});
  } else if (d.slice != Slice::kICU && d.slice != here) {
    problems.push_back(
        {-1, fmt::format("{} instruction '{}' in queue {}; expected a {} or ICU instruction (or "
                         "move it to {})",
                         sliceKindName(d.slice), d.mnemonic, queue, sliceKindName(here), queuesFor(d, cfg))});
  } else if (d.slice == Slice::kMXM && d.load_queue != cfg.isLoadQueue(queue_index)) {
    problems.push_back({-1, fmt::format("MXM instruction '{}' in queue {}; expected it in an MXM {} queue ({})",
                                        d.mnemonic, queue, d.load_queue ? "load" : "compute", queuesFor(d, cfg))});
  }

  // Element types.
  if (d.type_mask != 0 && ((d.type_mask >> static_cast<unsigned>(insn.type)) & 1U) == 0) {
    problems.push_back({-1, fmt::format("type '{}' not allowed for '{}'; expected {}", typeName(insn.type), d.mnemonic,
                                        typeList(d.type_mask))});
  }
  if (d.stype_mask != 0 && ((d.stype_mask >> static_cast<unsigned>(insn.stype)) & 1U) == 0) {
    problems.push_back({-1, fmt::format("source type '{}' not allowed for '{}'; expected {}", typeName(insn.stype),
                                        d.mnemonic, typeList(d.stype_mask))});
  }

  // Operands.
  for (unsigned i = 0; i < d.num_operands; ++i) {
    const isa::OperandDesc& op = d.operands[i];
    const isa::FieldDesc& fd = isa::fieldDesc(op.field);
    const int oi = static_cast<int>(i);
    if (fd.kind == FieldKind::kStream) {
      const isa::StreamRef s = insn.stream(op.field);
      if (s.index >= cfg.streamsPerDir()) {
        problems.push_back({oi, streamRangeMessage(s.dir == isa::Dir::kEast ? 'E' : 'W', s.index, cfg)});
        continue;
      }
      const Group g = groupOf(insn, op, cfg);
      if (g.width > 1 && s.index % g.width != 0) {
        problems.push_back({oi, fmt::format("stream '{}' is not aligned for {}; expected a multiple of {}",
                                            streamName(s), g.name, g.width)});
      } else if (s.index + g.width > cfg.streamsPerDir()) {
        problems.push_back({oi, fmt::format("stream group '{}' needs {} streams; expected a group within "
                                            "E0..E{} or W0..W{}",
                                            streamName(s), g.width, cfg.streamsPerDir() - 1, cfg.streamsPerDir() - 1)});
      }
    } else if (fd.kind == FieldKind::kUint || fd.kind == FieldKind::kSint) {
      const ValueRange r = operandRange(d, op.field, cfg);
      const std::int64_t v = insn.get(op.field);
      if (v < r.lo || v > r.hi) problems.push_back({oi, rangeMessage(r, v)});
    }
  }

  // lw/lwi load rows index .. index+lwn-1 from streams srca .. srca+lwn-1: both must fit.
  if (isWeightLoad(d)) {
    const std::int64_t row = insn.get(Field::kIndex);
    const std::int64_t n = insn.get(Field::kLwn);
    const isa::StreamRef s = insn.stream(Field::kSrca);
    const bool reported =
        std::any_of(problems.begin(), problems.end(), [](const Problem& p) { return p.operand >= 0; });
    if (!reported && row + n > cfg.lanes()) {
      problems.push_back({2, fmt::format("weight rows {}..{} out of range; expected row + count <= {} (config "
                                         "'{}' has {} lanes)",
                                         row, row + n - 1, cfg.lanes(), cfg.name(), cfg.lanes())});
    } else if (!reported && s.index + n > cfg.streamsPerDir()) {
      problems.push_back(
          {2, fmt::format("streams {}..{}{} run past {}{}; expected stream + count <= {}", streamName(s),
                          s.dir == isa::Dir::kEast ? 'E' : 'W', s.index + n - 1, s.dir == isa::Dir::kEast ? 'E' : 'W',
                          cfg.streamsPerDir() - 1, cfg.streamsPerDir())});
    }
  }

  // Repeat: predecessor and stride.
  if (d.opcode == isa::Opcode::kRepeat && prev.kind != Predecessor::Kind::kUnknown) {
    if (prev.kind == Predecessor::Kind::kStart) {
      problems.push_back(
          {-1, fmt::format("repeat at the start of queue {}; expected it after the instruction it repeats", queue)});
    } else {
      const isa::DecodeResult p = isa::decode(prev.word);
      const std::int64_t n = insn.get(Field::kRepN);
      const std::int64_t stride = insn.get(Field::kStride);
      if (p.error != isa::ErrorCode::kNone) {
        problems.push_back({-1, fmt::format("repeat after the word 0x{:08x}, which does not decode ({}); expected "
                                            "a non-ICU instruction before it",
                                            prev.word, p.message)});
      } else if (p.insn.desc->slice == Slice::kICU) {
        problems.push_back({-1, fmt::format("repeat after '{}'; expected a non-ICU instruction before it (repeat "
                                            "re-issues the previous instruction)",
                                            p.insn.desc->mnemonic)});
      } else if (stride != 0 && !p.insn.desc->strided) {
        problems.push_back({2, fmt::format("stride {} after '{}', which has no strided field; expected stride 0",
                                           stride, p.insn.desc->mnemonic)});
      } else if (stride != 0) {
        const ValueRange r = stridedRange(p.insn, cfg);
        const std::int64_t last = p.insn.get(p.insn.desc->strided_field) + n * stride;
        if (last < r.lo || last > r.hi) {
          problems.push_back({2, fmt::format("repeat steps the {} of '{}' to {} on its last issue; expected {}..{}",
                                             r.what, p.insn.desc->mnemonic, last, r.lo, r.hi)});
        }
      }
    }
  }

  // Backstop: the ISA library's own configuration checks.
  if (problems.empty()) {
    const isa::ValidateResult v = isa::validate(insn, cfg, queue_index);
    if (v.error != isa::ErrorCode::kNone) {
      problems.push_back({-1, fmt::format("{} ({}); expected an instruction the hardware accepts", v.message,
                                          isa::errorName(v.error))});
    }
  }
  return problems;
}

}  // namespace lpu::assembler
