// Instruction encoding, decoding and validation, driven entirely by the generated tables in isa_gen.hpp.
//
// Example:
//   Instruction add = Instruction::make(Opcode::kAdd);
//   add.type = ElemType::kI16;
//   add.set(Field::kDst, StreamRef{Dir::kEast, 2}.encode());
//   ...
//   std::uint32_t word = encode(add);            // throws EncodeError naming the field on a range error
//   DecodeResult back = decode(word);            // back.error == ErrorCode::kNone, back.insn == add
//   ErrorCode e = validate(back.insn, ArchConfig::byName("small"));   // config-dependent checks
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sw/isa/arch.hpp"
#include "sw/isa/isa_gen.hpp"

namespace lpu::isa {

enum class Dir : std::uint8_t { kEast = 0, kWest = 1 };

// A stream register name: direction plus index. Encoded in 5 bits: {dir, idx[3:0]}.
struct StreamRef {
  Dir dir = Dir::kEast;
  unsigned index = 0;

  std::uint32_t encode() const { return (static_cast<unsigned>(dir) << 4) | (index & 0xF); }
  static StreamRef decode(std::uint32_t bits) { return StreamRef{(bits & 0x10) ? Dir::kWest : Dir::kEast, bits & 0xF}; }
  std::string toString() const;  // "E3", "W12"
  bool operator==(const StreamRef&) const = default;
};

// Table entry for an opcode, or nullptr when the opcode is not assigned.
const InsnDesc* findInsn(unsigned opcode);
// Table entry for a mnemonic (without type suffix), or nullptr.
const InsnDesc* findInsn(std::string_view mnemonic);
const FieldDesc& fieldDesc(Field f);
unsigned typeBytes(ElemType t);

// A decoded instruction. Field values are stored raw (as encoded, sign-extended for sint fields) in `fields`,
// indexed by Field; only the fields the instruction uses are meaningful.
struct Instruction {
  const InsnDesc* desc = nullptr;
  ElemType type = ElemType::kI8;   // meaningful when desc->type_mask != 0
  ElemType stype = ElemType::kI8;  // meaningful when desc->stype_mask != 0
  std::array<std::int32_t, kNumFields> fields{};

  static Instruction make(Opcode op);
  Opcode opcode() const { return desc->opcode; }
  std::int32_t get(Field f) const { return fields[static_cast<unsigned>(f)]; }
  void set(Field f, std::int32_t v) { fields[static_cast<unsigned>(f)] = v; }
  StreamRef stream(Field f) const { return StreamRef::decode(static_cast<std::uint32_t>(get(f))); }
  // Width in bytes of the stream group for operand i (resolves T, S and N).
  unsigned groupBytes(unsigned operand_index, const ArchConfig& cfg) const;
  bool operator==(const Instruction& o) const;
};

class EncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Packs an instruction; throws EncodeError("field 'addr' = 9000 does not fit [12:0] (0 .. 8191)") on range errors.
std::uint32_t encode(const Instruction& insn);

struct DecodeResult {
  ErrorCode error = ErrorCode::kNone;  // kIllegalOpcode, or kBadOperand for reserved bits / reserved type
  Instruction insn;
  std::string message;  // why, when error != kNone
};
// Configuration-independent decode: opcode lookup, reserved-bit and type checks.
DecodeResult decode(std::uint32_t word);

struct ValidateResult {
  ErrorCode error = ErrorCode::kNone;
  std::string message;
};
// Configuration-dependent checks for an instruction to be dispatched from queue `queue` (see ArchConfig: queues
// below positions() drive the slice at that position, the last two are the MXM load queues): WRONG_SLICE (incl.
// MXM load/compute queue), stream index range and group alignment, type allowed, NOP count, MEM address range,
// MXM row/slot/row-count range. (Repeat legality depends on queue history and is checked by the sequencer.)
ValidateResult validate(const Instruction& insn, const ArchConfig& cfg, unsigned queue);
// Same, without the slice check (for instructions not yet placed in a queue).
ValidateResult validateOperands(const Instruction& insn, const ArchConfig& cfg);

// Assembly text for one instruction, e.g. "add.i16 E2, W0, W4", "read 0x010, E3", "repeat 15, 1, 1".
std::string format(const Instruction& insn);

std::string_view errorName(ErrorCode e);

}  // namespace lpu::isa
