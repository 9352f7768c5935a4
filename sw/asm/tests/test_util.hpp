// Helpers shared by the assembler tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"
#include "sw/isa/program.hpp"

namespace lpu::assembler::testing {

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "queue-overflow" -> "QueueOverflow" (GoogleTest names without underscores).
inline std::string camelName(const std::string& stem) {
  std::string out;
  bool up = true;
  for (char c : stem) {
    if (c == '-' || c == '_' || c == '.') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

// Asserts assemble(disassemble(p)) == p (as binaries) and that disassembling that again gives the
// same text.
inline void expectRoundTrip(const isa::Program& p, const isa::ArchConfig& cfg, const std::string& what) {
  const std::string text = disassemble(p, cfg);
  const AssembleResult again = assemble(text, "disassembly.s", cfg);
  ASSERT_TRUE(again.ok()) << what << ": disassembly does not assemble:\n"
                          << again.formatDiagnostics() << "--- disassembly:\n"
                          << text;
  EXPECT_EQ(isa::serialize(*again.program), isa::serialize(p)) << what << ": binary differs; disassembly:\n" << text;
  EXPECT_EQ(again.program->queues, p.queues) << what;
  EXPECT_EQ(disassemble(*again.program, cfg), text) << what;
}

}  // namespace lpu::assembler::testing
