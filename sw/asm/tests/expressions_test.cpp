// Expressions, names and labels, and the program-level rules (implicit halt, source map, data
// layout).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "sw/asm/assembler.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler {
namespace {

const isa::ArchConfig& small() {
  static const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  return cfg;
}

// Value of `.equ X, <expr>`, or the diagnostics as a string.
std::string value(const std::string& expr) {
  const AssembleResult r = assemble(".equ X, " + expr + "\n", "e.s", small());
  if (!r.ok()) return r.formatDiagnostics();
  return std::to_string(r.symbols.at("X"));
}

TEST(AsmExpressions, FollowCPrecedence) {
  EXPECT_EQ(value("1 + 2 * 3"), "7");
  EXPECT_EQ(value("(1 + 2) * 3"), "9");
  EXPECT_EQ(value("1 << 2 + 1"), "8");  // + binds tighter than <<
  EXPECT_EQ(value("6 & 3 | 8"), "10");  // & before |
  EXPECT_EQ(value("1 | 2 ^ 3"), "1");   // ^ before |: 1 | (2 ^ 3)
  EXPECT_EQ(value("12 - 4 - 3"), "5");  // left associative
  EXPECT_EQ(value("64 / 4 / 2"), "8");
  EXPECT_EQ(value("- - 3"), "3");
  EXPECT_EQ(value("~0"), "-1");
  EXPECT_EQ(value("+5"), "5");
}

TEST(AsmExpressions, DivideAndShiftAsC) {
  EXPECT_EQ(value("-7 / 2"), "-3");  // truncates toward zero
  EXPECT_EQ(value("-7 % 2"), "-1");
  EXPECT_EQ(value("-16 >> 2"), "-4");  // arithmetic
  EXPECT_EQ(value("1 << 62"), "4611686018427387904");
  EXPECT_EQ(value("-1 << 63"), "-9223372036854775808");
}

TEST(AsmExpressions, AcceptEveryLiteralForm) {
  EXPECT_EQ(value("0x1F"), "31");
  EXPECT_EQ(value("0XfF"), "255");
  EXPECT_EQ(value("0b101"), "5");
  EXPECT_EQ(value("0"), "0");
  EXPECT_EQ(value("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(value("0x7fffffffffffffff"), "9223372036854775807");
}

TEST(AsmExpressions, ReportOverflowAndBadOperandsInsteadOfWrapping) {
  EXPECT_NE(value("9223372036854775807 + 1").find("arithmetic overflow"), std::string::npos);
  EXPECT_NE(value("-9223372036854775807 - 2").find("arithmetic overflow"), std::string::npos);
  EXPECT_NE(value("0x100000000 * 0x100000000").find("arithmetic overflow"), std::string::npos);
  EXPECT_NE(value("(-9223372036854775807 - 1) / -1").find("arithmetic overflow"), std::string::npos);
  EXPECT_NE(value("1 << 63").find("arithmetic overflow"), std::string::npos);
  EXPECT_NE(value("1 >> -1").find("shift count -1 out of range"), std::string::npos);
  EXPECT_NE(value("1 / (2 - 2)").find("division by zero"), std::string::npos);
  EXPECT_NE(value("1 2").find("unexpected '2' after the .equ value"), std::string::npos);
  EXPECT_NE(value("(1").find("expected ')'"), std::string::npos);
  EXPECT_NE(value("1 < 2").find("unexpected character '<'"), std::string::npos);
  EXPECT_NE(value("").find("expected a number, name or '('"), std::string::npos);
}

TEST(AsmNames, AreCaseSensitiveAndMayBeUsedBeforeDefinition) {
  const AssembleResult r = assemble(".equ A, B * 2\n.equ B, c + 1\n.equ c, 20\n.equ C, 5\n", "n.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.symbols.at("A"), 42);
  EXPECT_EQ(r.symbols.at("C"), 5);
  EXPECT_EQ(r.symbols.at("c"), 20);
}

TEST(AsmNames, ErrorsInUnusedDefinitionsAreStillReported) {
  const AssembleResult r = assemble(".equ UNUSED, 1 / 0\n", "n.s", small());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.formatDiagnostics().find("n.s:1:16: error: division by zero"), std::string::npos)
      << r.formatDiagnostics();
}

TEST(AsmNames, AnErrorInADefinitionIsReportedOnceNotAtEveryUse) {
  const AssembleResult r = assemble(".equ BAD, 1 / 0\n.queue VXM\n nop BAD\n nop BAD\n nop BAD\n", "n.s", small());
  ASSERT_EQ(r.diagnostics.size(), 1U) << r.formatDiagnostics();
  EXPECT_EQ(r.diagnostics[0].line, 1U);
}

TEST(AsmLabels, InAQueueCountInstructionsOfThatQueueAcrossSections) {
  const AssembleResult r = assemble(
      ".queue VXM\n"
      "v0: nop 1\n"
      "    nop 2\n"
      "v2:\n"
      ".queue MEM_W0\n"
      "m0: nop 1\n"
      ".queue VXM\n"  // continues VXM at index 2
      "    nop 3\n"
      "v3: nop v3 - v0\n"
      "end:\n",
      "l.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.symbols.at("v0"), 0);
  EXPECT_EQ(r.symbols.at("v2"), 2);
  EXPECT_EQ(r.symbols.at("m0"), 0);
  EXPECT_EQ(r.symbols.at("v3"), 3);
  EXPECT_EQ(r.symbols.at("end"), 4);
  const auto& vxm = r.program->queues[small().vxmPosition()];
  ASSERT_EQ(vxm.size(), 5U);  // 4 nops + implicit halt
  const isa::DecodeResult d = isa::decode(vxm[3]);
  EXPECT_EQ(d.insn.get(isa::Field::kCount), 3);  // v3 - v0
}

TEST(AsmLabels, InDataAreWordAddressesUsableAsReadAddressesBeforeDefinition) {
  const AssembleResult r = assemble(
      ".queue MEM_E1\n"
      "    read table + 1, E0\n"  // forward reference to a data label
      "    write out, W0\n"
      ".equ BASE, 0x40\n"
      ".data MEM_E1, BASE\n"
      "table:\n"
      "    .byte 1, 2, 3\n"
      "    .zero 16 - 3\n"
      "second:\n"
      "    .byte 9\n"
      ".data MEM_E1, second + 8\n"  // a section placed relative to a label of another section
      "out:\n"
      "    .zero WORDS * 16\n"
      ".equ WORDS, 2\n",
      "d.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.symbols.at("table"), 0x40);
  EXPECT_EQ(r.symbols.at("second"), 0x41);
  EXPECT_EQ(r.symbols.at("out"), 0x49);
  const unsigned q = static_cast<unsigned>(small().positionOf("MEM_E1"));
  const isa::DecodeResult read = isa::decode(r.program->queues[q][0]);
  EXPECT_EQ(read.insn.get(isa::Field::kAddr), 0x41);
  const isa::DecodeResult write = isa::decode(r.program->queues[q][1]);
  EXPECT_EQ(write.insn.get(isa::Field::kAddr), 0x49);

  ASSERT_EQ(r.program->data.size(), 2U);
  EXPECT_EQ(r.program->data[0].position, q);
  EXPECT_EQ(r.program->data[0].address, 0x40U);
  ASSERT_EQ(r.program->data[0].bytes.size(), 32U);  // 16 + 1 byte, padded to 2 words
  EXPECT_EQ(r.program->data[0].bytes[0], 1);
  EXPECT_EQ(r.program->data[0].bytes[16], 9);
  EXPECT_EQ(r.program->data[0].bytes[17], 0);
  EXPECT_EQ(r.program->data[1].address, 0x49U);
  EXPECT_EQ(r.program->data[1].bytes.size(), 32U);
}

TEST(AsmData, BytesAcceptSignedAndUnsignedForms) {
  const AssembleResult r = assemble(".equ M, -2\n.data MEM_W2, 0\n .byte -128, 255, -1, M, 0x7f\n", "b.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  const auto& b = r.program->data.at(0).bytes;
  EXPECT_EQ(b[0], 0x80);
  EXPECT_EQ(b[1], 0xff);
  EXPECT_EQ(b[2], 0xff);
  EXPECT_EQ(b[3], 0xfe);
  EXPECT_EQ(b[4], 0x7f);
}

TEST(AsmData, SectionsInDifferentSlicesMayShareAddressesButEmptySectionsMakeNoSegment) {
  const AssembleResult r = assemble(
      ".data MEM_W0, 0\n .byte 1\n.data MEM_E0, 0\n .byte 2\n.data MEM_E0, 1\n.data MEM_E0, "
      "0x7ff\n .zero 16\n",
      "s.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.program->data.size(), 3U);
}

TEST(AsmQueues, GetAnImplicitHaltAndUnmentionedQueuesAreJustHalt) {
  const AssembleResult r = assemble(".queue VXM\n nop 1\n.queue MEM_W0\n nop 1\n halt\n", "q.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  const std::uint32_t halt = isa::encode(isa::Instruction::make(isa::Opcode::kHalt));
  const unsigned vxm = small().vxmPosition();
  const unsigned mem = static_cast<unsigned>(small().positionOf("MEM_W0"));
  ASSERT_EQ(r.program->queues.size(), small().queues());
  for (unsigned q = 0; q < small().queues(); ++q) {
    if (q == vxm || q == mem) {
      EXPECT_EQ(r.program->queues[q].size(), 2U) << q;  // nop + halt (appended for VXM, written for MEM_W0)
    } else {
      EXPECT_EQ(r.program->queues[q], std::vector<std::uint32_t>{halt}) << q;
    }
  }
  EXPECT_EQ(r.program->config, "small");
}

TEST(AsmQueues, MayBeFilledExactlyToTheirDepth) {
  std::string src = ".queue MXM_E\n";
  for (unsigned i = 0; i + 1 < small().params().queue_depth; ++i) src += " nop 1\n";
  const AssembleResult r = assemble(src, "full.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.program->queues[static_cast<unsigned>(small().positionOf("MXM_E"))].size(), small().params().queue_depth);
}

TEST(AsmSourceMap, GivesTheLineOfEveryWord) {
  const AssembleResult r = assemble("\n.queue VXM\n  nop 1\n\n  .word 0x06000000, 0x06000000\n", "m.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  const auto& src = r.source[small().vxmPosition()];
  ASSERT_EQ(src.size(), 4U);
  EXPECT_EQ(src[0].line, 3U);
  EXPECT_EQ(src[0].column, 3U);
  EXPECT_EQ(src[1].line, 5U);
  EXPECT_EQ(src[2].column, 21U);
  EXPECT_EQ(src[3].line, 5U);  // the implicit halt points at the last statement
}

TEST(AsmSyntax, AcceptsCommentsLabelsOnInstructionLinesAndWhitespace) {
  const AssembleResult r = assemble(
      "// header\r\n"
      ".queue\tMEM_W0 ; trailing\r\n"
      "a: b:read 1,E0// no spaces\n"
      "\trepeat 3 , 1 , 1\n"
      "c: ; label only\n",
      "w.s", small());
  ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
  EXPECT_EQ(r.symbols.at("a"), 0);
  EXPECT_EQ(r.symbols.at("b"), 0);
  EXPECT_EQ(r.symbols.at("c"), 2);
}

TEST(AsmSyntax, OptionalStrideAndSingleTypeSuffixAreOptional) {
  const AssembleResult a =
      assemble(".queue VXM\n exp2 E0, W0\n rsqrt.i32 E4, W0\n add.i8 E0,E1,E2\n repeat 2, 3\n", "o.s", small());
  ASSERT_TRUE(a.ok()) << a.formatDiagnostics();
  const AssembleResult b =
      assemble(".queue VXM\n exp2.i16 E0, W0\n rsqrt E4, W0\n add.i8 E0,E1,E2\n repeat 2, 3, 0\n", "o.s", small());
  ASSERT_TRUE(b.ok()) << b.formatDiagnostics();
  EXPECT_EQ(a.program->queues, b.program->queues);
}

TEST(AsmConfig, DeclaredConfigIsTheFirstConfigLine) {
  EXPECT_EQ(declaredConfig("; a comment\n  .config ulx3s   ; FPGA\n.queue VXM\n"), "ulx3s");
  EXPECT_EQ(declaredConfig(".config large\n.config small\n"), "large");
  EXPECT_EQ(declaredConfig(".queue VXM\n  halt\n"), "");
  EXPECT_EQ(declaredConfig("; .config small in a comment\n.configx small\n"), "");
  EXPECT_EQ(declaredConfig(".config\tsmall"), "small");
}

}  // namespace
}  // namespace lpu::assembler
