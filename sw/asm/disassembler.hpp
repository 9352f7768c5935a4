// openlpu disassembler: isa::Program -> assembly text that assembles back to the same program.
//
// Example:
//   std::string text = disassemble(program, cfg);
//   // .config small
//   //
//   // .queue MEM_W0
//   //     read 0x040, E3
//   //     halt
//   //
//   // .data MEM_E1, 0x040
//   //     .byte 0x01, 0x02, 0xfd, 0xff, ...      (16 per line)
//
// Layout: `.config`, then each queue in queue order (queues that are just `halt` are left out),
// one instruction per line as isa::format prints it, then each data segment in program order. A
// word the assembler would not accept as instruction text in that place (it does not decode, or
// breaks a rule of sw/asm/rules.hpp such as wrong slice, operand range or Repeat's predecessor) is
// printed as `.word 0x........  ; <why>`. Hence, for every program p that assemble() produced:
//   assemble(disassemble(p)) == p   and   disassemble(assemble(disassemble(p))) == disassemble(p).
// Programs from elsewhere round-trip too, except a queue that does not end in halt (the assembler
// appends one; a comment says so) and empty data segments (the assembler makes none).
#pragma once

#include <string>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::assembler {

// Throws std::invalid_argument when the program does not fit `cfg` (queue count, segment position
// not a MEM slice); every instruction word is representable.
std::string disassemble(const isa::Program& program, const isa::ArchConfig& cfg);

}  // namespace lpu::assembler
