// The assembler's pass 1: source lines (tokenised by lexer.hpp) -> queue statements, data sections, symbols and
// expression trees (ParsedSource, assembler_internal.hpp). It checks syntax, names, sections, type suffixes, operand
// kinds and counts, stream register syntax and queue depth; values other than queue labels are left as expressions
// for pass 2 (expr.hpp, encoder.hpp).
//
// Example:
//   Diagnostics diag("prog.s");
//   unsigned last_line = 1;
//   ParsedSource p = parse(".queue VXM\ntop: nop n\n.equ n, 4\n", cfg, diag, last_line);
//   // diag.empty(); p.stmts = {nop (operand: expression 'n')}; p.symbols: 'top' = 0 (done), 'n' = expr (pending)
#pragma once

#include <string_view>

#include "sw/asm/assembler_internal.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::assembler::internal {

// Parses every line of `source`. `last_line` follows the line being parsed, so that the caller can place a
// diagnostic for an exception thrown out of pass 1 (TooManyErrors, std::bad_alloc) or after it.
ParsedSource parse(std::string_view source, const isa::ArchConfig& cfg, Diagnostics& diag, unsigned& last_line);

}  // namespace lpu::assembler::internal
