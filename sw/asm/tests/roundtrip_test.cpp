// Round trips of single instructions: for every instruction of isa::kInsns, every allowed type and
// both named configurations, random legal operands are written as text (by this test, not by
// isa::format), assembled in a queue of the right slice, compared with isa::encode of the same
// instruction, disassembled and reassembled.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"
#include "sw/asm/rules.hpp"
#include "sw/asm/tests/test_util.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler {
namespace {

using isa::ElemType;
using isa::Field;
using isa::FieldKind;

constexpr int kTrialsPerCase = 12;
constexpr unsigned kSeed = 20240601;

std::int64_t pick(std::mt19937& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// Random legal operands for `insn` (type and stype already set), and the text for them. Integer
// operands are written in varying notations to exercise the parser.
std::string randomOperands(isa::Instruction& insn, const isa::ArchConfig& cfg, std::mt19937& rng) {
  std::string text;
  const isa::InsnDesc& d = *insn.desc;
  for (unsigned i = 0; i < d.num_operands; ++i) {
    const isa::OperandDesc& op = d.operands[i];
    const isa::FieldDesc& fd = isa::fieldDesc(op.field);
    text += i == 0 ? " " : ", ";
    if (fd.kind == FieldKind::kStream) {
      const unsigned g = insn.groupBytes(i, cfg);
      const auto index = static_cast<unsigned>(pick(rng, 0, (cfg.streamsPerDir() - g) / g) * g);
      const isa::StreamRef s{pick(rng, 0, 1) ? isa::Dir::kWest : isa::Dir::kEast, index};
      insn.set(op.field, static_cast<std::int32_t>(s.encode()));
      text += s.toString();
    } else {
      const ValueRange r = operandRange(d, op.field, cfg);
      const std::int64_t v = pick(rng, r.lo, r.hi);
      insn.set(op.field, static_cast<std::int32_t>(v));
      switch (pick(rng, 0, 3)) {
        case 0:
          text += fmt::format("{}", v);
          break;
        case 1:
          text += v >= 0 ? fmt::format("0x{:x}", v) : fmt::format("-0x{:x}", -v);
          break;
        case 2:
          text += fmt::format("({} + 1) - 1", v);
          break;
        default:
          text += v >= 0 ? fmt::format("0b{:b}", v) : fmt::format("-({})", -v);
          break;
      }
    }
  }
  return text;
}

std::string mnemonicText(const isa::Instruction& insn, std::mt19937& rng) {
  const isa::InsnDesc& d = *insn.desc;
  std::string m(d.mnemonic);
  const auto tn = [](ElemType t) { return isa::kTypeNames[static_cast<unsigned>(t)]; };
  if (d.stype_mask != 0) return fmt::format("{}.{}.{}", m, tn(insn.type), tn(insn.stype));
  const bool single = __builtin_popcount(d.type_mask) == 1;
  if (d.type_mask != 0 && (!single || pick(rng, 0, 1) == 1)) m += fmt::format(".{}", tn(insn.type));
  return m;
}

// Queues that may run an instruction: its slice's queues, and for MXM instructions the right one of
// the MXM's two queues (load or compute).
std::vector<unsigned> queuesFor(const isa::InsnDesc& d, const isa::ArchConfig& cfg) {
  std::vector<unsigned> out;
  for (unsigned q = 0; q < cfg.queues(); ++q) {
    if (d.slice == isa::Slice::kICU) {
      out.push_back(q);
    } else if (cfg.sliceAt(cfg.queuePosition(q)) == d.slice &&
               (d.slice != isa::Slice::kMXM || d.load_queue == cfg.isLoadQueue(q))) {
      out.push_back(q);
    }
  }
  return out;
}

std::vector<ElemType> typesOf(std::uint8_t mask) {
  std::vector<ElemType> out;
  for (unsigned t = 0; t < 3; ++t) {
    if ((mask >> t) & 1U) out.push_back(static_cast<ElemType>(t));
  }
  if (out.empty()) out.push_back(ElemType::kI8);
  return out;
}

// One case: instruction `insn` (operands to be chosen) in a random matching queue, preceded by a
// strided MEM read when it is a repeat.
void checkOne(isa::Instruction insn, const isa::ArchConfig& cfg, std::mt19937& rng) {
  const isa::InsnDesc& d = *insn.desc;
  // Operands are drawn field by field; lw/lwi also need row + n <= lanes and stream + n <= streams:
  // redraw.
  std::string ops = randomOperands(insn, cfg, rng);
  for (int i = 0; i < 1000 && isa::validateOperands(insn, cfg).error != isa::ErrorCode::kNone; ++i) {
    ops = randomOperands(insn, cfg, rng);
  }
  std::vector<unsigned> queues = queuesFor(d, cfg);
  std::vector<std::uint32_t> expected;
  std::string prefix;
  if (d.opcode == isa::Opcode::kRepeat) {
    // Repeat a read whose address keeps every issue in range.
    queues = queuesFor(*isa::findInsn("read"), cfg);
    const std::int64_t n = insn.get(Field::kRepN);
    const std::int64_t stride = insn.get(Field::kStride);
    const std::int64_t words = cfg.wordsPerSlice();
    const std::int64_t lo = std::max<std::int64_t>(0, -n * stride);
    const std::int64_t hi = std::min<std::int64_t>(words - 1, words - 1 - n * stride);
    if (lo > hi) {
      insn.set(Field::kStride, 0);
      return checkOne(insn, cfg, rng);  // redraw operands
    }
    isa::Instruction read = isa::Instruction::make(isa::Opcode::kRead);
    read.set(Field::kAddr, static_cast<std::int32_t>(pick(rng, lo, hi)));
    read.set(Field::kMstrm, 0);
    prefix = fmt::format("    read {}, E0\n", read.get(Field::kAddr));
    expected.push_back(isa::encode(read));
  }
  const unsigned q = queues[static_cast<std::size_t>(pick(rng, 0, static_cast<std::int64_t>(queues.size()) - 1))];
  const std::string line = mnemonicText(insn, rng) + ops;
  const std::string source = fmt::format(".queue {}\n{}    {}\n", cfg.queueName(q), prefix, line);
  const AssembleResult r = assemble(source, "one.s", cfg);
  ASSERT_TRUE(r.ok()) << cfg.name() << ": " << line << "\n" << r.formatDiagnostics();

  expected.push_back(isa::encode(insn));
  if (d.opcode != isa::Opcode::kHalt) expected.push_back(isa::encode(isa::Instruction::make(isa::Opcode::kHalt)));
  EXPECT_EQ(r.program->queues[q], expected) << cfg.name() << ": " << line;
  testing::expectRoundTrip(*r.program, cfg, fmt::format("{}: {}", cfg.name(), line));
}

class EveryInstruction : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryInstruction, RoundTripsWithRandomLegalOperands) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(GetParam());
  std::mt19937 rng(kSeed);
  for (const isa::InsnDesc& d : isa::kInsns) {
    if (d.slice == isa::Slice::kC2C) continue;  // no queue runs C2C: see C2cInstructions below
    for (ElemType t : typesOf(d.type_mask)) {
      for (ElemType st : typesOf(d.stype_mask)) {
        for (int trial = 0; trial < kTrialsPerCase; ++trial) {
          isa::Instruction insn = isa::Instruction::make(d.opcode);
          insn.type = t;
          insn.stype = st;
          SCOPED_TRACE(fmt::format("{} type {} stype {} trial {}", d.mnemonic, static_cast<int>(t),
                                   static_cast<int>(st), trial));
          checkOne(insn, cfg, rng);
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, EveryInstruction, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(C2cInstructions, EncodeDecodeFormatButAreRejectedInEveryQueue) {
  for (const char* name : {"small", "large"}) {
    const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
    std::mt19937 rng(kSeed);
    for (const isa::InsnDesc& d : isa::kInsns) {
      if (d.slice != isa::Slice::kC2C) continue;
      isa::Instruction insn = isa::Instruction::make(d.opcode);
      const std::string ops = randomOperands(insn, cfg, rng);
      const std::uint32_t word = isa::encode(insn);
      const isa::DecodeResult back = isa::decode(word);
      ASSERT_EQ(back.error, isa::ErrorCode::kNone) << back.message;
      EXPECT_EQ(back.insn, insn);
      EXPECT_EQ(isa::format(back.insn), isa::format(insn)) << ops;
      EXPECT_EQ(isa::format(back.insn).rfind(d.mnemonic, 0), 0U);
      for (unsigned q = 0; q < cfg.queues(); ++q) {
        const AssembleResult r =
            assemble(fmt::format(".queue {}\n{}\n", cfg.queueName(q), isa::format(insn)), "c2c.s", cfg);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.formatDiagnostics().find("C2C instruction"), std::string::npos) << r.formatDiagnostics();
      }
      // As a raw word it assembles, and the disassembler keeps it raw.
      const AssembleResult raw = assemble(fmt::format(".queue VXM\n.word {}\n", word), "c2c.s", cfg);
      ASSERT_TRUE(raw.ok()) << raw.formatDiagnostics();
      const std::string text = disassemble(*raw.program, cfg);
      EXPECT_NE(text.find(fmt::format(".word 0x{:08x}", word)), std::string::npos) << text;
      testing::expectRoundTrip(*raw.program, cfg, d.mnemonic.data());
    }
  }
}

TEST(Disassembler, PrintsWordsTheAssemblerWouldRejectAsRawWords) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  isa::Program p;
  p.config = "small";
  p.queues.assign(cfg.queues(), {isa::encode(isa::Instruction::make(isa::Opcode::kHalt))});
  isa::Instruction add = isa::Instruction::make(isa::Opcode::kAdd);  // add.i8 E0, E0, E0: a VXM instruction
  isa::Instruction rep = isa::Instruction::make(isa::Opcode::kRepeat);
  rep.set(Field::kRepN, 2);
  rep.set(Field::kRepD, 1);
  const unsigned mem = static_cast<unsigned>(cfg.positionOf("MEM_W0"));
  p.queues[mem] = {
      0x00000000,        // opcode 0: illegal
      0x10004000,        // read with reserved bit 14 set
      isa::encode(add),  // wrong slice
      isa::encode(rep),  // repeat after the raw `add`
      isa::encode(isa::Instruction::make(isa::Opcode::kHalt)),
  };
  const std::string text = disassemble(p, cfg);
  EXPECT_NE(text.find(".word 0x00000000  ; ILLEGAL_OPCODE"), std::string::npos) << text;
  EXPECT_NE(text.find(".word 0x10004000  ; BAD_OPERAND"), std::string::npos) << text;
  EXPECT_NE(text.find(fmt::format(".word 0x{:08x}  ; add: VXM instruction 'add' in queue MEM_W0", isa::encode(add))),
            std::string::npos)
      << text;
  // The repeat follows a (raw) non-ICU instruction, so it is legal text.
  EXPECT_NE(text.find("    repeat 2, 1\n"), std::string::npos) << text;
  testing::expectRoundTrip(p, cfg, "raw words");

  // A repeat at the start of a queue is raw too.
  p.queues[mem] = {isa::encode(rep), isa::encode(isa::Instruction::make(isa::Opcode::kHalt))};
  EXPECT_NE(disassemble(p, cfg).find("; repeat: repeat at the start of queue MEM_W0"), std::string::npos);
  testing::expectRoundTrip(p, cfg, "repeat at start");
}

TEST(Disassembler, LeavesOutHaltOnlyQueuesAndRejectsForeignShapes) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  const AssembleResult r = assemble("", "empty.s", cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(disassemble(*r.program, cfg), ".config small\n");
  isa::Program bad = *r.program;
  bad.queues.pop_back();
  EXPECT_THROW(disassemble(bad, cfg), std::invalid_argument);
  bad = *r.program;
  bad.data.push_back({static_cast<unsigned>(cfg.vxmPosition()), 0, std::vector<std::uint8_t>(16, 1)});
  EXPECT_THROW(disassemble(bad, cfg), std::invalid_argument);
}

// Random binaries: encodings of random instructions (legal or not for their queue and
// configuration), repeats and arbitrary words, every queue ending in halt. The disassembly is
// total: it must assemble back to the same binary.
TEST(Disassembler, RandomBinaryProgramsRoundTrip) {
  for (const char* name : {"small", "large"}) {
    const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
    std::mt19937 rng(kSeed);
    const std::uint32_t halt = isa::encode(isa::Instruction::make(isa::Opcode::kHalt));
    for (int program = 0; program < 40; ++program) {
      isa::Program p;
      p.config = name;
      p.queues.resize(cfg.queues());
      for (auto& q : p.queues) {
        const auto n = pick(rng, 0, 30);
        for (std::int64_t i = 0; i < n; ++i) {
          const auto kind = pick(rng, 0, 3);
          if (kind == 0) {  // any word
            q.push_back(static_cast<std::uint32_t>(pick(rng, 0, 0xFFFFFFFFLL)));
          } else {  // an instruction with random in-field operand values
            const isa::InsnDesc& d = kind == 1
                                         ? isa::kInsns[1]  // repeat
                                         : isa::kInsns[static_cast<std::size_t>(pick(rng, 0, isa::kInsns.size() - 1))];
            isa::Instruction insn = isa::Instruction::make(d.opcode);
            const auto types = typesOf(d.type_mask);
            insn.type = types[static_cast<std::size_t>(pick(rng, 0, types.size() - 1))];
            for (unsigned k = 0; k < d.num_operands; ++k) {
              const isa::FieldDesc& fd = isa::fieldDesc(d.operands[k].field);
              const unsigned w = fd.msb - fd.lsb + 1;
              const std::int64_t lo = fd.kind == FieldKind::kSint ? -(std::int64_t{1} << (w - 1)) : 0;
              const std::int64_t hi =
                  fd.kind == FieldKind::kSint ? (std::int64_t{1} << (w - 1)) - 1 : (std::int64_t{1} << w) - 1;
              insn.set(d.operands[k].field, static_cast<std::int32_t>(pick(rng, lo, std::min(hi, lo + 40))));
            }
            q.push_back(isa::encode(insn));
          }
        }
        q.push_back(halt);
      }
      testing::expectRoundTrip(p, cfg, fmt::format("{} program {}", name, program));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace lpu::assembler
