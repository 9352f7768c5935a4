// libFuzzer target: arbitrary bytes as assembly source, for both named configurations. Whatever the
// input, the assembler must return (no crash, hang or sanitizer report) either a program or
// 1..kMaxErrors+1 diagnostics; when it returns a program, the disassembly must assemble to the
// identical program and disassemble to the same text. The same bytes are also read as a binary
// program whose disassembly must reassemble to it. Built only with -DLPU_FUZZ=ON and clang
// (sw/tools/fuzz.sh).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"

namespace {

using lpu::assembler::AssembleResult;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_assembler: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void check(std::string_view source, const lpu::isa::ArchConfig& cfg) {
  const AssembleResult r = lpu::assembler::assemble(source, "fuzz.s", cfg);
  if (!r.ok()) {
    if (r.diagnostics.empty() || r.diagnostics.size() > lpu::assembler::kMaxErrors + 1) {
      fail("failed without a sensible number of diagnostics", r.formatDiagnostics());
    }
    return;
  }
  if (!r.diagnostics.empty()) fail("program and diagnostics at once", r.formatDiagnostics());
  const std::string text = lpu::assembler::disassemble(*r.program, cfg);
  const AssembleResult again = lpu::assembler::assemble(text, "disassembly.s", cfg);
  if (!again.ok()) fail("disassembly does not assemble", again.formatDiagnostics() + "---\n" + text);
  if (lpu::isa::serialize(*again.program) != lpu::isa::serialize(*r.program)) {
    fail("reassembled binary differs", text);
  }
  const std::string text2 = lpu::assembler::disassemble(*again.program, cfg);
  if (text2 != text) fail("second disassembly differs", text + "---\n" + text2);
}

// The first kBinaryBytes of the input as a binary program: little-endian words, 16 consecutive
// words per queue in turn, each queue ending in halt. Every such program must survive disassemble
// -> assemble unchanged (words the assembler would reject as text are printed as .word).
constexpr std::size_t kBinaryBytes = 256;  // bounded so that the text mode keeps its speed

void checkBinary(const std::uint8_t* data, std::size_t size, const lpu::isa::ArchConfig& cfg) {
  lpu::isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.resize(cfg.queues());
  const std::uint32_t halt = lpu::isa::encode(lpu::isa::Instruction::make(lpu::isa::Opcode::kHalt));
  for (std::size_t i = 0; i + 4 <= std::min(size, kBinaryBytes); i += 4) {
    const std::uint32_t w = std::uint32_t{data[i]} | std::uint32_t{data[i + 1]} << 8 |
                            std::uint32_t{data[i + 2]} << 16 | std::uint32_t{data[i + 3]} << 24;
    p.queues[(i / 4 / 16) % cfg.queues()].push_back(w);
  }
  for (auto& q : p.queues) q.push_back(halt);
  const std::string text = lpu::assembler::disassemble(p, cfg);
  const AssembleResult r = lpu::assembler::assemble(text, "binary.s", cfg);
  if (!r.ok()) fail("disassembly of a binary does not assemble", r.formatDiagnostics() + "---\n" + text);
  if (r.program->queues != p.queues) fail("binary -> text -> binary differs", text);
  if (lpu::assembler::disassemble(*r.program, cfg) != text) fail("binary: second disassembly differs", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lpu::isa::ArchConfig small = lpu::isa::ArchConfig::byName("small");
  static const lpu::isa::ArchConfig large = lpu::isa::ArchConfig::byName("large");
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  check(source, small);
  check(source, large);
  checkBinary(data, size, small);
  checkBinary(data, size, large);
  return 0;
}
