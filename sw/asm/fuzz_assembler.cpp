// libFuzzer target: arbitrary bytes as assembly source, for both named configurations. Whatever the
// input, the assembler must return (no crash, hang or sanitizer report) either a program or
// 1..kMaxErrors+1 diagnostics; when it returns a program, the disassembly must assemble to the
// identical program and disassemble to the same text. Built only with -DLPU_FUZZ=ON and clang
// (sw/tools/fuzz.sh).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"
#include "sw/isa/arch.hpp"
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
  if (!again.ok())
    fail("disassembly does not assemble", again.formatDiagnostics() + "---\n" + text);
  if (lpu::isa::serialize(*again.program) != lpu::isa::serialize(*r.program)) {
    fail("reassembled binary differs", text);
  }
  const std::string text2 = lpu::assembler::disassemble(*again.program, cfg);
  if (text2 != text) fail("second disassembly differs", text + "---\n" + text2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lpu::isa::ArchConfig small = lpu::isa::ArchConfig::byName("small");
  static const lpu::isa::ArchConfig large = lpu::isa::ArchConfig::byName("large");
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  check(source, small);
  check(source, large);
  return 0;
}
