// The error corpus: every sw/asm/tests/bad/*.s starts with `; expect: <file:line:col: error: ...>`
// and must fail to assemble (config small) with a diagnostic containing that text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/asm/tests/test_util.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::assembler {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> badFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(LPU_SOURCE_DIR) / "sw/asm/tests/bad")) {
    if (e.path().extension() == ".s") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class BadProgram : public ::testing::TestWithParam<fs::path> {};

TEST_P(BadProgram, FailsWithExpectedDiagnostic) {
  const fs::path path = GetParam();
  const std::string source = testing::readFile(path);
  const std::string prefix = "; expect: ";
  ASSERT_EQ(source.rfind(prefix, 0), 0U) << path << " must start with '" << prefix << "'";
  const std::string expected = source.substr(prefix.size(), source.find('\n') - prefix.size());
  ASSERT_FALSE(expected.empty());

  const AssembleResult r = assemble(source, path.filename().string(), isa::ArchConfig::byName("small"));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.program.has_value());
  EXPECT_FALSE(r.diagnostics.empty());
  EXPECT_LE(r.diagnostics.size(), kMaxErrors + 1);
  const std::string text = r.formatDiagnostics();
  EXPECT_NE(text.find(expected), std::string::npos) << "expected: " << expected << "\ngot:\n" << text;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadProgram, ::testing::ValuesIn(badFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return testing::camelName(info.param.stem().string());
                         });

TEST(BadProgramCorpus, HasAtLeastThirtyCases) { EXPECT_GE(badFiles().size(), 30U); }

TEST(AsmDiagnostics, UseGccFormatAndAreSortedByLine) {
  // Pass-2 errors (line 2) are found after pass-1 errors (line 3) but are reported first.
  const AssembleResult r =
      assemble(".queue MEM_W0\n read nowhere, E0\n bogus\n", "p.s", isa::ArchConfig::byName("small"));
  ASSERT_EQ(r.diagnostics.size(), 2U);
  EXPECT_EQ(r.diagnostics[0].toString(), "p.s:2:7: error: undefined name 'nowhere'; expected a label or .equ constant");
  EXPECT_EQ(r.diagnostics[1].line, 3U);
  EXPECT_EQ(r.formatDiagnostics(), r.diagnostics[0].toString() + "\n" + r.diagnostics[1].toString() + "\n");
}

TEST(AsmDiagnostics, EveryErrorOfAWrongInstructionIsReported) {
  // Wrong slice and a stream out of range on the same line: both are reported, at their own
  // columns.
  const AssembleResult r = assemble(".queue MEM_W0\nadd.i8 E9, E0, E0\n", "p.s", isa::ArchConfig::byName("small"));
  ASSERT_EQ(r.diagnostics.size(), 2U) << r.formatDiagnostics();
  EXPECT_EQ(r.diagnostics[0].column, 1U);
  EXPECT_EQ(r.diagnostics[1].column, 8U);
}

TEST(AsmDiagnostics, ConfigIsCheckedAgainstTheAssemblersConfig) {
  EXPECT_TRUE(assemble(".config large\n", "p.s", isa::ArchConfig::byName("large")).ok());
  EXPECT_FALSE(assemble(".config large\n", "p.s", isa::ArchConfig::byName("small")).ok());
  EXPECT_FALSE(assemble(".config tiny\n", "p.s", isa::ArchConfig::byName("small")).ok());
}

TEST(AsmDiagnostics, LargeConfigHasWiderRanges) {
  // E12 and address 8000 are fine in large, errors in small.
  const std::string src = ".queue MEM_W7\n read 8000, E12\n";
  EXPECT_TRUE(assemble(src, "p.s", isa::ArchConfig::byName("large")).ok());
  const AssembleResult r = assemble(src, "p.s", isa::ArchConfig::byName("small"));
  EXPECT_FALSE(r.ok());
}

TEST(AsmRobustness, HostileInputsGiveDiagnosticsNotCrashes) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  const std::vector<std::string> inputs = {
      std::string(100000, '('),                       // not a statement
      ".equ A, " + std::string(100000, '(') + "1\n",  // deep nesting
      ".equ A, " + std::string(5000, '-') + "1\n",    // long unary chain
      ".equ A, 1" +
          [] {
            std::string s;
            for (int i = 0; i < 20000; ++i) s += "+1";
            return s;
          }() +
          "\n",
      std::string("\0\0\0", 3),                        // NUL bytes
      "\xff\xfe",                                      // non-ASCII
      ".data MEM_E0, 0\n .zero 0x7fffffffffffffff\n",  // huge .zero
      ".data MEM_E0, 0\n .zero 0x7fffffffffffffff\n .zero 0x7fffffffffffffff\n",
      ".equ A, -0x7fffffffffffffff - 1\n.equ B, A / -1\n",  // INT64_MIN / -1
      ".equ A, -0x7fffffffffffffff - 1\n.equ B, -A\n",
      ".equ A, 1 << 63\n",
      ".queue VXM\n nop 1,,,,\n",
      ":\n::\n,\n",
      ".queue\n.data\n.data MEM_E0\n.data MEM_E0,\n.equ\n.equ X\n.equ X,\n.config\n",
      "a: b: c: .queue VXM\n",
  };
  for (const std::string& in : inputs) {
    const AssembleResult r = assemble(in, "hostile.s", cfg);
    EXPECT_FALSE(r.ok()) << in.substr(0, 60);
    EXPECT_FALSE(r.diagnostics.empty());
    EXPECT_LE(r.diagnostics.size(), kMaxErrors + 1);
  }
  // A long chain of .equ definitions referring to the next one is too deep to evaluate, but fails
  // cleanly.
  std::string chain;
  for (int i = 0; i < 3000; ++i) chain += ".equ S" + std::to_string(i) + ", S" + std::to_string(i + 1) + " + 1\n";
  chain += ".equ S3000, 0\n";
  const AssembleResult r = assemble(chain, "chain.s", cfg);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.formatDiagnostics().find("nested more than"), std::string::npos) << r.formatDiagnostics();
}

}  // namespace
}  // namespace lpu::assembler
