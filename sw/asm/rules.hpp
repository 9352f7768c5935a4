// The placement and operand rules the assembler enforces for one instruction in one queue, shared
// with the disassembler so that it prints as text exactly the words the assembler accepts as text
// (everything else becomes `.word`), which makes assemble(disassemble(p)) == p for every program
// the assembler produces.
//
// Example:
//   Instruction add = ...;  // add.i32 E1, E0, E0
//   auto problems = checkInstruction(add, cfg.positionOf("VXM"), Predecessor::start(), cfg);
//   // problems = {{0, "stream 'E1' is not aligned for an i32 group; expected a multiple of 4"}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler {

// What comes before an instruction in its queue (Repeat's rules depend on it).
struct Predecessor {
  enum class Kind : std::uint8_t {
    kStart,    // first word of the queue
    kWord,     // the previous word of the queue, in `word`
    kUnknown,  // the previous statement had an error: skip the checks that depend on it
  };
  Kind kind = Kind::kStart;
  std::uint32_t word = 0;

  static Predecessor start() { return {}; }
  static Predecessor of(std::uint32_t w) { return {Kind::kWord, w}; }
  static Predecessor unknown() { return {Kind::kUnknown, 0}; }
};

// A broken rule: `operand` is the index into insn.desc->operands it concerns, or -1 for the
// instruction as a whole (its slice or type). `message` reads "<what was found>; expected <what>".
struct Problem {
  int operand = -1;
  std::string message;
};

// The values an integer operand may take, and a name for it in messages.
struct ValueRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  std::string what;  // "MEM address"
  std::string why;   // "config 'small' has 4096 words per MEM slice" (may be empty)
};

// Range of integer field `field` of instruction `desc` in configuration `cfg`: the field's semantic
// range (NOP count >= 1, MEM address < words per slice, weight row < lanes, ...), always within its
// encodable range.
ValueRange operandRange(const isa::InsnDesc& desc, isa::Field field, const isa::ArchConfig& cfg);

// "MEM address 4096 out of range; expected 0..4095 (config 'small' has 4096 words per MEM slice)"
std::string rangeMessage(const ValueRange& range, std::int64_t value);

// "stream 'E9' out of range; expected E0..E7 or W0..W7 for config 'small'"
std::string streamRangeMessage(char dir, std::int64_t index, const isa::ArchConfig& cfg);

// Every rule `insn`, placed in the queue at `position` after `prev`, breaks (empty: it may be
// assembled). Checks, in order: slice (C2C has no queue), element types, operand ranges and stream
// groups, Repeat's predecessor and stride, and finally isa::validate as a backstop.
std::vector<Problem> checkInstruction(const isa::Instruction& insn, unsigned queue_index, const Predecessor& prev,
                                      const isa::ArchConfig& cfg);

}  // namespace lpu::assembler
