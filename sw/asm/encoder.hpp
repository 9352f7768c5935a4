// The assembler's pass 2 after parsing: data layout, instruction encoding and the program-wide checks, then the
// isa::Program. Every statement of ParsedSource is evaluated (expr.hpp), range-checked and checked against the
// placement rules (rules.hpp) in queue order; data sections get their base, size and label values and their
// .byte expressions patched; queues get their final halt within queue_depth; data sections of one slice must not
// overlap; and every definition is evaluated, used or not, so that its errors are reported too.
//
// Example:
//   ParsedSource parsed = parse(source, cfg, diag, last_line);
//   Encoded enc = encode(parsed, cfg, diag);
//   if (diag.empty()) takeProgram(parsed, enc, cfg, result);  // result.program, .source, .symbols
#pragma once

#include <cstdint>
#include <vector>

#include "sw/asm/assembler_internal.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::assembler::internal {

// The queues as encoded, one entry per queue of the configuration.
struct Encoded {
  std::vector<std::vector<std::uint32_t>> queues;
  std::vector<std::vector<bool>> bad;  // the word at this index had an error (its value is a placeholder)
  std::vector<std::vector<SourceLoc>> source;
};

// Pass 2 over `parsed` (whose symbols and sections it completes); problems go to `diag`.
Encoded encode(ParsedSource& parsed, const isa::ArchConfig& cfg, Diagnostics& diag);

// Moves the program, its source locations and its symbols into `result`. Only for a source without diagnostics.
void takeProgram(ParsedSource& parsed, Encoded& encoded, const isa::ArchConfig& cfg, AssembleResult& result);

}  // namespace lpu::assembler::internal
