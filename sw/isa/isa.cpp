#include "sw/isa/isa.hpp"

#include <fmt/format.h>

namespace lpu::isa {
namespace {

constexpr std::uint32_t mask(unsigned bits) { return bits >= 32 ? 0xFFFFFFFFu : ((1u << bits) - 1u); }
unsigned fieldBits(const FieldDesc& f) { return f.msb - f.lsb + 1; }

std::int64_t fieldMin(const FieldDesc& f) {
  return f.kind == FieldKind::kSint ? -(std::int64_t{1} << (fieldBits(f) - 1)) : 0;
}
std::int64_t fieldMax(const FieldDesc& f) {
  return f.kind == FieldKind::kSint ? (std::int64_t{1} << (fieldBits(f) - 1)) - 1
                                    : (std::int64_t{1} << fieldBits(f)) - 1;
}

std::uint32_t extract(std::uint32_t word, const FieldDesc& f) { return (word >> f.lsb) & mask(fieldBits(f)); }

std::int32_t extractValue(std::uint32_t word, const FieldDesc& f) {
  std::uint32_t raw = extract(word, f);
  if (f.kind == FieldKind::kSint && (raw >> (fieldBits(f) - 1)) & 1u) {
    return static_cast<std::int32_t>(raw | ~mask(fieldBits(f)));
  }
  return static_cast<std::int32_t>(raw);
}

// Bits used by an instruction: opcode, its operand fields, and type fields.
std::uint32_t usedBits(const InsnDesc& d) {
  std::uint32_t used = mask(kOpcodeMsb - kOpcodeLsb + 1) << kOpcodeLsb;
  auto add = [&](Field f) {
    const FieldDesc& fd = fieldDesc(f);
    used |= mask(fieldBits(fd)) << fd.lsb;
  };
  for (unsigned i = 0; i < d.num_operands; ++i) add(d.operands[i].field);
  if (d.type_mask) add(Field::kType);
  if (d.stype_mask) add(Field::kStype);
  return used;
}

}  // namespace

std::string StreamRef::toString() const { return fmt::format("{}{}", dir == Dir::kEast ? 'E' : 'W', index); }

const InsnDesc* findInsn(unsigned opcode) {
  for (const InsnDesc& d : kInsns) {
    if (static_cast<unsigned>(d.opcode) == opcode) return &d;
  }
  return nullptr;
}

const InsnDesc* findInsn(std::string_view mnemonic) {
  for (const InsnDesc& d : kInsns) {
    if (d.mnemonic == mnemonic) return &d;
  }
  return nullptr;
}

const FieldDesc& fieldDesc(Field f) { return kFields[static_cast<unsigned>(f)]; }

unsigned typeBytes(ElemType t) { return 1u << static_cast<unsigned>(t); }

std::string_view errorName(ErrorCode e) {
  for (const ErrorDesc& d : kErrors) {
    if (d.code == e) return d.name;
  }
  return "UNKNOWN_ERROR";
}

Instruction Instruction::make(Opcode op) {
  Instruction insn;
  insn.desc = findInsn(static_cast<unsigned>(op));
  if (insn.desc == nullptr) throw EncodeError(fmt::format("opcode {:#04x} is not assigned", static_cast<unsigned>(op)));
  // Default to the first allowed type so a fresh instruction is encodable.
  for (unsigned t = 0; t < 3; ++t) {
    if (insn.desc->type_mask >> t & 1u) {
      insn.type = static_cast<ElemType>(t);
      break;
    }
  }
  for (unsigned t = 0; t < 3; ++t) {
    if (insn.desc->stype_mask >> t & 1u) {
      insn.stype = static_cast<ElemType>(t);
      break;
    }
  }
  return insn;
}

unsigned Instruction::groupBytes(unsigned operand_index, const ArchConfig& cfg) const {
  const std::uint8_t g = desc->operands[operand_index].group;
  switch (g) {
    case kGroupT:
      return typeBytes(type);
    case kGroupS:
      return typeBytes(stype);
    case kGroupN:
      return cfg.params().transpose_n;
    default:
      return g;
  }
}

bool Instruction::operator==(const Instruction& o) const {
  if (desc != o.desc) return false;
  if (desc == nullptr) return true;
  if (desc->type_mask && type != o.type) return false;
  if (desc->stype_mask && stype != o.stype) return false;
  for (unsigned i = 0; i < desc->num_operands; ++i) {
    if (get(desc->operands[i].field) != o.get(desc->operands[i].field)) return false;
  }
  return true;
}

std::uint32_t encode(const Instruction& insn) {
  if (insn.desc == nullptr) throw EncodeError("instruction has no opcode");
  const InsnDesc& d = *insn.desc;
  std::uint32_t word = static_cast<std::uint32_t>(d.opcode) << kOpcodeLsb;
  auto put = [&](Field f, std::int64_t v) {
    const FieldDesc& fd = fieldDesc(f);
    if (v < fieldMin(fd) || v > fieldMax(fd)) {
      throw EncodeError(fmt::format("{}: field '{}' = {} does not fit [{}:{}] ({} .. {})", d.mnemonic, fd.name, v,
                                    fd.msb, fd.lsb, fieldMin(fd), fieldMax(fd)));
    }
    word |= (static_cast<std::uint32_t>(v) & mask(fieldBits(fd))) << fd.lsb;
  };
  for (unsigned i = 0; i < d.num_operands; ++i) put(d.operands[i].field, insn.get(d.operands[i].field));
  if (d.type_mask) {
    if (!(d.type_mask >> static_cast<unsigned>(insn.type) & 1u)) {
      throw EncodeError(
          fmt::format("{}: type {} not allowed", d.mnemonic, kTypeNames[static_cast<unsigned>(insn.type)]));
    }
    put(Field::kType, static_cast<std::int64_t>(insn.type));
  }
  if (d.stype_mask) {
    if (!(d.stype_mask >> static_cast<unsigned>(insn.stype) & 1u)) {
      throw EncodeError(
          fmt::format("{}: source type {} not allowed", d.mnemonic, kTypeNames[static_cast<unsigned>(insn.stype)]));
    }
    put(Field::kStype, static_cast<std::int64_t>(insn.stype));
  }
  return word;
}

DecodeResult decode(std::uint32_t word) {
  DecodeResult r;
  const unsigned opcode = (word >> kOpcodeLsb) & mask(kOpcodeMsb - kOpcodeLsb + 1);
  const InsnDesc* d = findInsn(opcode);
  if (d == nullptr) {
    r.error = ErrorCode::kIllegalOpcode;
    r.message = fmt::format("opcode {:#04x} is not assigned (word {:#010x})", opcode, word);
    return r;
  }
  r.insn.desc = d;
  const std::uint32_t reserved = word & ~usedBits(*d);
  if (reserved != 0) {
    r.error = ErrorCode::kBadOperand;
    r.message = fmt::format("{}: reserved bits {:#010x} set (word {:#010x})", d->mnemonic, reserved, word);
    return r;
  }
  for (unsigned i = 0; i < d->num_operands; ++i) {
    const Field f = d->operands[i].field;
    r.insn.set(f, extractValue(word, fieldDesc(f)));
  }
  auto typeField = [&](Field f, std::uint8_t allowed, ElemType& out, const char* what) {
    const unsigned t = extract(word, fieldDesc(f));
    if (!(allowed >> t & 1u)) {
      r.error = ErrorCode::kBadOperand;
      r.message = fmt::format("{}: {} {} not allowed (word {:#010x})", d->mnemonic, what, t, word);
      return false;
    }
    out = static_cast<ElemType>(t);
    return true;
  };
  if (d->type_mask && !typeField(Field::kType, d->type_mask, r.insn.type, "type")) return r;
  if (d->stype_mask && !typeField(Field::kStype, d->stype_mask, r.insn.stype, "source type")) return r;
  return r;
}

ValidateResult validateOperands(const Instruction& insn, const ArchConfig& cfg) {
  const InsnDesc& d = *insn.desc;
  const ArchParams& p = cfg.params();
  auto bad = [&](ErrorCode e, std::string msg) { return ValidateResult{e, fmt::format("{}: {}", d.mnemonic, msg)}; };
  for (unsigned i = 0; i < d.num_operands; ++i) {
    const Field f = d.operands[i].field;
    const FieldDesc& fd = fieldDesc(f);
    const std::int32_t v = insn.get(f);
    if (fd.kind == FieldKind::kStream) {
      const StreamRef s = StreamRef::decode(static_cast<std::uint32_t>(v));
      const unsigned g = insn.groupBytes(i, cfg);
      if (s.index + g > p.streams_per_dir) {
        return bad(ErrorCode::kBadOperand,
                   fmt::format("stream {} (group of {}) exceeds the {} streams per direction of config '{}'",
                               s.toString(), g, p.streams_per_dir, p.name));
      }
      if (s.index % g != 0) {
        return bad(ErrorCode::kBadOperand,
                   fmt::format("stream {} is not aligned for a group of {} streams", s.toString(), g));
      }
    }
  }
  switch (d.opcode) {
    case Opcode::kNop:
      if (insn.get(Field::kCount) < 1) return bad(ErrorCode::kBadOperand, "count must be >= 1");
      break;
    case Opcode::kRepeat:
      if (insn.get(Field::kRepN) < 1 || insn.get(Field::kRepD) < 1) {
        return bad(ErrorCode::kBadRepeat, "n and d must be >= 1");
      }
      break;
    case Opcode::kRead:
    case Opcode::kWrite:
      if (static_cast<unsigned>(insn.get(Field::kAddr)) >= cfg.wordsPerSlice()) {
        return bad(ErrorCode::kBadAddress, fmt::format("address {:#x} outside the slice (0 .. {:#x})",
                                                       insn.get(Field::kAddr), cfg.wordsPerSlice() - 1));
      }
      break;
    case Opcode::kLw:
    case Opcode::kLwi: {
      const std::int32_t row = insn.get(Field::kIndex), n = insn.get(Field::kLwn);
      if (n < 1) return bad(ErrorCode::kBadOperand, "row count must be >= 1");
      if (row < 0) return bad(ErrorCode::kBadOperand, fmt::format("row {} out of range", row));
      if (static_cast<unsigned>(row + n) > p.lanes) {
        return bad(ErrorCode::kBadOperand,
                   fmt::format("rows {} .. {} out of range (0 .. {})", row, row + n - 1, p.lanes - 1));
      }
      if (insn.stream(Field::kSrca).index + static_cast<unsigned>(n) > p.streams_per_dir) {
        return bad(ErrorCode::kBadOperand,
                   fmt::format("streams {} .. +{} exceed the {} streams per direction of config '{}'",
                               insn.stream(Field::kSrca).toString(), n - 1, p.streams_per_dir, p.name));
      }
      break;
    }
    case Opcode::kAbc:
    case Opcode::kAbca:
    case Opcode::kAbce:
    case Opcode::kAcc:
      if (static_cast<unsigned>(insn.get(Field::kIndex)) >= p.mxm_acc_slots) {
        return bad(ErrorCode::kBadOperand, fmt::format("accumulator slot {} out of range (0 .. {})",
                                                       insn.get(Field::kIndex), p.mxm_acc_slots - 1));
      }
      break;
    default:
      break;
  }
  return {};
}

ValidateResult validate(const Instruction& insn, const ArchConfig& cfg, unsigned queue) {
  const InsnDesc& d = *insn.desc;
  const unsigned position = cfg.queuePosition(queue);
  const Slice here = cfg.sliceAt(position);
  if (d.slice != Slice::kICU && d.slice != here) {
    return {ErrorCode::kWrongSlice, fmt::format("{} is a {} instruction; queue {} ({}) drives a {} slice", d.mnemonic,
                                                kSliceNames[static_cast<unsigned>(d.slice)], queue,
                                                cfg.queueName(queue), kSliceNames[static_cast<unsigned>(here)])};
  }
  if (d.slice == Slice::kMXM && d.load_queue != cfg.isLoadQueue(queue)) {
    return {ErrorCode::kWrongSlice, fmt::format("{} belongs on the MXM's {} queue; queue {} ({}) is its {} queue",
                                                d.mnemonic, d.load_queue ? "load" : "compute", queue,
                                                cfg.queueName(queue), cfg.isLoadQueue(queue) ? "load" : "compute")};
  }
  return validateOperands(insn, cfg);
}

std::string format(const Instruction& insn) {
  const InsnDesc& d = *insn.desc;
  std::string out(d.mnemonic);
  const int types = __builtin_popcount(d.type_mask);
  if (d.stype_mask) {
    out += fmt::format(".{}.{}", kTypeNames[static_cast<unsigned>(insn.type)],
                       kTypeNames[static_cast<unsigned>(insn.stype)]);
  } else if (types > 1) {
    out += fmt::format(".{}", kTypeNames[static_cast<unsigned>(insn.type)]);
  }
  // Optional trailing operands are printed only when non-zero.
  unsigned shown = d.num_operands;
  while (shown > static_cast<unsigned>(d.num_operands - d.num_optional) && insn.get(d.operands[shown - 1].field) == 0) {
    --shown;
  }
  for (unsigned i = 0; i < shown; ++i) {
    const Field f = d.operands[i].field;
    const FieldDesc& fd = fieldDesc(f);
    out += i == 0 ? " " : ", ";
    if (fd.kind == FieldKind::kStream) {
      out += insn.stream(f).toString();
    } else if (f == Field::kAddr) {
      out += fmt::format("{:#05x}", insn.get(f));
    } else {
      out += fmt::format("{}", insn.get(f));
    }
  }
  return out;
}

}  // namespace lpu::isa
