// openlpu assembler: assembly text -> isa::Program (one instruction stream per queue plus SRAM data
// segments).
//
// Example:
//   const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
//   AssembleResult r = assemble(".queue MEM_W0\n read 0, E3\n", "prog.s", cfg);
//   if (!r.ok()) { std::cerr << r.formatDiagnostics(); return 1; }
//   // r.program->queues[cfg.positionOf("MEM_W0")] == {encode(read 0, E3), encode(halt)}
//   // every other queue is {encode(halt)}
//
// -------------------------------------------------------------------------------------------------
// The language (docs/assembly.md has the same text with more examples)
//
//   ; comment to end of line (also '//')
//   .config ulx3s              ; optional; must name the configuration passed to assemble()
//   .equ ROWS, 16              ; named constant (an expression; may use later definitions)
//   .queue MEM_W0              ; start (or continue) the instruction section of that queue
//   start:                     ; label in a queue section = index of the next instruction
//       read  weights, E3      ; MEM read addr, stream
//       repeat 15, 1, 1        ; stride optional (default 0)
//       nop   4
//       .word 0x10000000       ; a raw 32-bit instruction word, emitted as is (no checks)
//       halt
//   .queue VXM
//       add.i16 E2, W0, W4     ; suffix required where the instruction allows several types
//       cvt.i32.i8 E4, W1      ; cvt: .T.S (destination type, source type)
//       req.i8 E0, W4, W2, 7
//       exp2 E2, W2            ; single-type instructions: suffix optional (must match)
//   .data MEM_E1, 0x040        ; data section: SRAM of a MEM slice from word address 0x040
//   weights:                   ; label in a data section = word address of the next byte
//       .byte 1, 2, -3, 0xff   ; bytes (-128..255) fill words of `lanes` bytes in order
//       .zero 32               ; that many zero bytes
//
// Lines: `{label:} [instruction | directive]`, one statement per line; several labels may precede
// it. Names (labels, .equ constants) match [A-Za-z_][A-Za-z0-9_]*, are case-sensitive and share one
// global namespace; names of stream registers (E0, W12, ...) are reserved. Mnemonics, type suffixes
// and directives are lower case. Queue names are those of ArchConfig::queueName (one per slice,
// named after it: MXM_W SXM_W MEM_W{m-1}..MEM_W0 VXM MEM_E0..MEM_E{m-1} SXM_E MXM_E, plus the MXM
// weight-load queues MXM_W_LOAD MXM_E_LOAD); .data takes a MEM slice name. Streams are E<i>
// (eastward) and W<i> (westward).
//
// Expressions (64-bit signed, every overflow is an error): decimal, 0x hex and 0b binary literals,
// names, parentheses, unary - + ~, and binary operators with C precedence: * / % (truncating, as
// C), + -, << >> (arithmetic; count 0..63), &, ^, |. Names may be used before they are defined (the
// assembler makes two passes).
//
// Rules:
// - Every operand is range-checked against the configuration: stream index < streams_per_dir,
//   stream groups aligned to their width (T: element type, S: cvt source type, N: transpose_n), MEM
//   address < words per slice, MXM weight rows row..row+n-1 < lanes from streams s..s+n-1 <
//   streams_per_dir, accumulator slot < mxm_acc_slots, nop count >= 1, repeat n and d >= 1.
// - An instruction must run on its queue's slice (ICU instructions run anywhere); lw/lwi/iw on an
//   MXM load queue, abc/abca/abce/acc on an MXM compute queue. C2C instructions have no queue in
//   the current configurations and are rejected in every queue.
// - repeat must follow a non-ICU instruction of the same queue; a non-zero stride needs an
//   instruction with a strided field (read/write address, lw/lwi/abc/abca/abce/acc index), and the
//   last issue's value must stay in range.
// - A queue that does not end in halt gets one appended; queues never mentioned are just halt. A
//   queue holds at most queue_depth words (including that halt).
// - Data: labels must sit on a word boundary; a section's final partial word is zero-padded;
//   sections must fit their slice and must not overlap one another. Empty sections produce no
//   segment.
//
// Diagnostics are gcc-style, `file:line:column: error: <what was found>; expected <what>`, sorted
// by position, at most kMaxErrors of them (then one "too many errors" line). Input is ASCII text:
// NUL bytes, other control characters (except tab, CR, VT, FF) and bytes >= 0x80 are errors, even
// inside comments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::assembler {

inline constexpr std::size_t kMaxErrors = 20;

struct Diagnostic {
  std::string file;
  unsigned line = 0;    // 1-based
  unsigned column = 0;  // 1-based byte column
  std::string message;  // "<what was found>; expected <what>"

  // "prog.s:12:9: error: unknown mnemonic 'ad'; expected an instruction or directive"
  std::string toString() const;
};

// Where an instruction word came from, for tools that report run-time errors against the source.
struct SourceLoc {
  unsigned line = 0;  // 0 for the implicit halt of a queue never mentioned
  unsigned column = 0;
};

struct AssembleResult {
  std::optional<isa::Program> program;  // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  // source[q][i] = location of the statement that produced program->queues[q][i] (empty on error)
  std::vector<std::vector<SourceLoc>> source;
  // Every label and .equ constant with its value (empty on error)
  std::map<std::string, std::int64_t> symbols;

  bool ok() const { return program.has_value(); }
  // One Diagnostic::toString() line (ending in '\n') per diagnostic; "" when ok().
  std::string formatDiagnostics() const;
};

// Assembles `source` for configuration `cfg`. Never throws for bad input (every problem is a
// Diagnostic); `file_name` is used only in diagnostics.
AssembleResult assemble(std::string_view source, std::string_view file_name, const isa::ArchConfig& cfg);

// The configuration a source names in its `.config NAME` line (the first one; a line of its own, comments
// allowed), or "" when it has none. Tools use it to pick the configuration when the user names none:
//   declaredConfig(source) -> "ulx3s" for ".config ulx3s ; FPGA"; assemble() still checks the line itself.
std::string declaredConfig(std::string_view source);

}  // namespace lpu::assembler
