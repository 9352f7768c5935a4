// Encoding, decoding and validation of every instruction in the generated table.
#include "sw/isa/isa.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace lpu::isa {
namespace {

// Random legal value for a field, independent of any configuration (full field range).
std::int32_t randomFieldValue(const FieldDesc& f, std::mt19937& rng) {
  const unsigned bits = f.msb - f.lsb + 1;
  if (f.kind == FieldKind::kSint) {
    std::uniform_int_distribution<std::int32_t> d(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
    return d(rng);
  }
  std::uniform_int_distribution<std::uint32_t> d(0, bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1);
  return static_cast<std::int32_t>(d(rng));
}

Instruction randomInstruction(const InsnDesc& d, std::mt19937& rng) {
  Instruction insn = Instruction::make(d.opcode);
  for (unsigned i = 0; i < d.num_operands; ++i) {
    insn.set(d.operands[i].field, randomFieldValue(fieldDesc(d.operands[i].field), rng));
  }
  std::vector<ElemType> types, stypes;
  for (unsigned t = 0; t < 3; ++t) {
    if (d.type_mask >> t & 1u) types.push_back(static_cast<ElemType>(t));
    if (d.stype_mask >> t & 1u) stypes.push_back(static_cast<ElemType>(t));
  }
  if (!types.empty()) insn.type = types[rng() % types.size()];
  if (!stypes.empty()) insn.stype = stypes[rng() % stypes.size()];
  return insn;
}

TEST(IsaTable, OpcodesAreUniqueAndNonZero) {
  std::set<unsigned> seen;
  for (const InsnDesc& d : kInsns) {
    const unsigned op = static_cast<unsigned>(d.opcode);
    EXPECT_NE(op, 0u) << d.mnemonic;
    EXPECT_TRUE(seen.insert(op).second) << d.mnemonic << " reuses opcode " << op;
    EXPECT_LT(op, 1u << (kOpcodeMsb - kOpcodeLsb + 1));
  }
}

TEST(IsaTable, OperandFieldsOfOneInstructionDoNotOverlap) {
  for (const InsnDesc& d : kInsns) {
    std::uint32_t used = 0;
    auto claim = [&](Field f) {
      const FieldDesc& fd = fieldDesc(f);
      const std::uint32_t bits = ((fd.msb - fd.lsb + 1 >= 32) ? 0xFFFFFFFFu : ((1u << (fd.msb - fd.lsb + 1)) - 1))
                                 << fd.lsb;
      EXPECT_EQ(used & bits, 0u) << d.mnemonic << " field " << fd.name;
      EXPECT_LT(fd.msb, kOpcodeLsb) << d.mnemonic << " field " << fd.name << " overlaps the opcode";
      used |= bits;
    };
    for (unsigned i = 0; i < d.num_operands; ++i) claim(d.operands[i].field);
    if (d.type_mask) claim(Field::kType);
    if (d.stype_mask) claim(Field::kStype);
  }
}

TEST(IsaEncoding, EveryInstructionRoundTripsThroughEncodeAndDecode) {
  std::mt19937 rng(1234);
  for (const InsnDesc& d : kInsns) {
    for (int trial = 0; trial < 200; ++trial) {
      const Instruction insn = randomInstruction(d, rng);
      const std::uint32_t word = encode(insn);
      const DecodeResult back = decode(word);
      ASSERT_EQ(back.error, ErrorCode::kNone) << d.mnemonic << ": " << back.message;
      ASSERT_TRUE(back.insn == insn) << d.mnemonic << " word " << std::hex << word;
      EXPECT_EQ(encode(back.insn), word);
      EXPECT_EQ(static_cast<unsigned>(word >> kOpcodeLsb), static_cast<unsigned>(d.opcode));
    }
  }
}

TEST(IsaEncoding, EveryReservedBitIsRejectedByDecode) {
  std::mt19937 rng(99);
  for (const InsnDesc& d : kInsns) {
    const std::uint32_t word = encode(randomInstruction(d, rng));
    for (unsigned bit = 0; bit < kOpcodeLsb; ++bit) {
      const std::uint32_t flipped = word ^ (1u << bit);
      const DecodeResult r = decode(flipped);
      if (r.error == ErrorCode::kNone) {
        // The bit belongs to a field: decoding must give a different instruction that re-encodes exactly.
        EXPECT_EQ(encode(r.insn), flipped) << d.mnemonic << " bit " << bit;
      } else {
        EXPECT_EQ(r.error, ErrorCode::kBadOperand) << d.mnemonic << " bit " << bit;
        EXPECT_FALSE(r.message.empty());
      }
    }
  }
}

TEST(IsaEncoding, UnassignedOpcodesAndTheZeroWordAreIllegal) {
  EXPECT_EQ(decode(0).error, ErrorCode::kIllegalOpcode);
  unsigned illegal = 0;
  for (unsigned op = 0; op < (1u << (kOpcodeMsb - kOpcodeLsb + 1)); ++op) {
    if (findInsn(op) == nullptr) {
      EXPECT_EQ(decode(op << kOpcodeLsb).error, ErrorCode::kIllegalOpcode) << op;
      ++illegal;
    }
  }
  EXPECT_EQ(illegal, (1u << (kOpcodeMsb - kOpcodeLsb + 1)) - kInsns.size());
}

TEST(IsaEncoding, OutOfRangeFieldNamesTheField) {
  Instruction read = Instruction::make(Opcode::kRead);
  read.set(Field::kAddr, 1 << 13);
  try {
    encode(read);
    FAIL() << "expected EncodeError";
  } catch (const EncodeError& e) {
    EXPECT_NE(std::string(e.what()).find("'addr'"), std::string::npos) << e.what();
  }
  Instruction shift = Instruction::make(Opcode::kShift);
  shift.set(Field::kImm8, -129);
  EXPECT_THROW(encode(shift), EncodeError);
  Instruction req = Instruction::make(Opcode::kReq);
  req.type = ElemType::kI32;  // req produces i8 or i16 only
  EXPECT_THROW(encode(req), EncodeError);
}

TEST(IsaEncoding, KnownWordsMatchTheDocumentedLayout) {
  // read 0x010, W3: opcode 0x08 << 25 | mstrm {1,0011} << 20 | addr 0x010
  Instruction read = Instruction::make(Opcode::kRead);
  read.set(Field::kAddr, 0x10);
  read.set(Field::kMstrm, StreamRef{Dir::kWest, 3}.encode());
  EXPECT_EQ(encode(read), (0x08u << 25) | (0x13u << 20) | 0x10u);
  // add.i16 E2, W0, W4: opcode 0x10, type 1 at [24:23], dst 2 at [22:18], srca 16 at [17:13], srcb 20 at [12:8]
  Instruction add = Instruction::make(Opcode::kAdd);
  add.type = ElemType::kI16;
  add.set(Field::kDst, 2);
  add.set(Field::kSrca, 16);
  add.set(Field::kSrcb, 20);
  EXPECT_EQ(encode(add), (0x10u << 25) | (1u << 23) | (2u << 18) | (16u << 13) | (20u << 8));
  EXPECT_EQ(format(add), "add.i16 E2, W0, W4");
  // repeat 15, 1, -1
  Instruction rep = Instruction::make(Opcode::kRepeat);
  rep.set(Field::kRepN, 15);
  rep.set(Field::kRepD, 1);
  rep.set(Field::kStride, -1);
  EXPECT_EQ(encode(rep), (0x02u << 25) | (15u << 15) | (1u << 7) | 0x7Fu);
  EXPECT_EQ(format(rep), "repeat 15, 1, -1");
  rep.set(Field::kStride, 0);
  EXPECT_EQ(format(rep), "repeat 15, 1");
}

TEST(IsaValidate, StreamGroupsMustBeInRangeAndAligned) {
  const ArchConfig small = ArchConfig::byName("small");
  Instruction add = Instruction::make(Opcode::kAdd);
  add.type = ElemType::kI32;
  add.set(Field::kDst, StreamRef{Dir::kEast, 4}.encode());
  add.set(Field::kSrca, StreamRef{Dir::kWest, 0}.encode());
  add.set(Field::kSrcb, StreamRef{Dir::kWest, 4}.encode());
  EXPECT_EQ(validate(add, small, small.vxmPosition()).error, ErrorCode::kNone);
  add.set(Field::kSrcb, StreamRef{Dir::kWest, 2}.encode());  // misaligned i32 group
  EXPECT_EQ(validate(add, small, small.vxmPosition()).error, ErrorCode::kBadOperand);
  add.set(Field::kSrcb, StreamRef{Dir::kWest, 8}.encode());  // beyond 8 streams of small
  EXPECT_EQ(validate(add, small, small.vxmPosition()).error, ErrorCode::kBadOperand);
  EXPECT_EQ(validate(add, ArchConfig::byName("large"), ArchConfig::byName("large").vxmPosition()).error,
            ErrorCode::kNone);
}

TEST(IsaValidate, InstructionsRunOnlyOnTheirSliceAndIcuEverywhere) {
  const ArchConfig cfg = ArchConfig::byName("small");
  const Instruction add = Instruction::make(Opcode::kAdd);
  const Instruction nop = [] {
    Instruction n = Instruction::make(Opcode::kNop);
    n.set(Field::kCount, 1);
    return n;
  }();
  for (unsigned p = 0; p < cfg.positions(); ++p) {
    EXPECT_EQ(validate(add, cfg, p).error, p == cfg.vxmPosition() ? ErrorCode::kNone : ErrorCode::kWrongSlice) << p;
    EXPECT_EQ(validate(nop, cfg, p).error, ErrorCode::kNone) << p;
  }
}

TEST(IsaValidate, AddressesRowsAndSlotsAreCheckedAgainstTheConfiguration) {
  const ArchConfig cfg = ArchConfig::byName("small");
  Instruction read = Instruction::make(Opcode::kRead);
  read.set(Field::kAddr, static_cast<std::int32_t>(cfg.wordsPerSlice() - 1));
  EXPECT_EQ(validateOperands(read, cfg).error, ErrorCode::kNone);
  read.set(Field::kAddr, static_cast<std::int32_t>(cfg.wordsPerSlice()));
  EXPECT_EQ(validateOperands(read, cfg).error, ErrorCode::kBadAddress);
  Instruction acc = Instruction::make(Opcode::kAcc);
  acc.set(Field::kIndex, static_cast<std::int32_t>(cfg.params().mxm_acc_slots));
  EXPECT_EQ(validateOperands(acc, cfg).error, ErrorCode::kBadOperand);
  Instruction nop = Instruction::make(Opcode::kNop);
  EXPECT_EQ(validateOperands(nop, cfg).error, ErrorCode::kBadOperand);  // NOP 0
}

TEST(ArchConfig, SmallSliceOrderIsMirroredAboutTheVxm) {
  const ArchConfig cfg = ArchConfig::byName("small");
  const std::vector<std::string> expected = {"MXM_W",  "SXM_W",  "MEM_W2", "MEM_W1", "MEM_W0", "VXM",
                                             "MEM_E0", "MEM_E1", "MEM_E2", "SXM_E",  "MXM_E"};
  ASSERT_EQ(cfg.positions(), expected.size());
  for (unsigned p = 0; p < cfg.positions(); ++p) {
    EXPECT_EQ(cfg.sliceName(p), expected[p]);
    EXPECT_EQ(cfg.positionOf(expected[p]), static_cast<int>(p));
  }
  EXPECT_EQ(cfg.positionOf("MEM_W3"), -1);
  EXPECT_EQ(cfg.memIndex(2), 0);
  EXPECT_EQ(cfg.memIndex(8), 5);
  EXPECT_EQ(cfg.memIndex(5), -1);
  EXPECT_EQ(cfg.sramBytes(), 384u * 1024u);
  EXPECT_EQ(cfg.mxmPeakMacsPerCycle(), 128u);
  EXPECT_THROW(ArchConfig::byName("medium"), std::invalid_argument);
}

TEST(ArchConfig, SmallHoldsStories260KInInt8WithA256TokenKvCache) {
  // stories260K: dim 64, hidden 172 (padded to 176 = 11 vectors of 16), 5 layers, 8 heads, 4 kv heads, vocab 512.
  const unsigned dim = 64, hidden = 176, layers = 5, kv_dim = 32, vocab = 512, ctx = 256;
  const std::uint64_t weights =
      std::uint64_t{vocab} * dim + layers * (dim * dim + 2 * dim * kv_dim + dim * dim + 3 * dim * hidden);
  const std::uint64_t kv = 2ull * layers * ctx * kv_dim;
  EXPECT_LT(weights + kv, ArchConfig::byName("small").sramBytes());
}

}  // namespace
}  // namespace lpu::isa

namespace lpu::isa {
namespace {

TEST(ArchConfig, EachMxmHasAComputeAndALoadQueue) {
  const ArchConfig cfg = ArchConfig::byName("small");
  ASSERT_EQ(cfg.queues(), cfg.positions() + 2);
  EXPECT_EQ(cfg.queueName(0), "MXM_W");
  EXPECT_EQ(cfg.queueName(cfg.positions()), "MXM_W_LOAD");
  EXPECT_EQ(cfg.queueName(cfg.positions() + 1), "MXM_E_LOAD");
  EXPECT_EQ(cfg.queuePosition(cfg.positions()), 0u);
  EXPECT_EQ(cfg.queuePosition(cfg.positions() + 1), cfg.positions() - 1);
  EXPECT_EQ(cfg.queueOf("MXM_E_LOAD"), static_cast<int>(cfg.positions() + 1));
  EXPECT_EQ(cfg.queueOf("VXM"), static_cast<int>(cfg.vxmPosition()));
  EXPECT_THROW(cfg.queuePosition(cfg.queues()), std::out_of_range);
}

TEST(IsaValidate, MxmInstructionsRunOnlyOnTheirMxmQueue) {
  const ArchConfig cfg = ArchConfig::byName("small");
  Instruction lw = Instruction::make(Opcode::kLw);
  lw.set(Field::kLwn, 2);
  Instruction abc = Instruction::make(Opcode::kAbc);
  const unsigned load = cfg.positions(), compute = 0;
  EXPECT_EQ(validate(lw, cfg, load).error, ErrorCode::kNone);
  EXPECT_EQ(validate(lw, cfg, compute).error, ErrorCode::kWrongSlice);
  EXPECT_EQ(validate(abc, cfg, compute).error, ErrorCode::kNone);
  EXPECT_EQ(validate(abc, cfg, load).error, ErrorCode::kWrongSlice);
  EXPECT_EQ(validate(Instruction::make(Opcode::kIw), cfg, load).error, ErrorCode::kNone);
}

TEST(IsaValidate, MultiRowLoadsStayInsideTheArrayAndTheStreams) {
  const ArchConfig cfg = ArchConfig::byName("small");  // 16 lanes, 8 streams per direction
  Instruction lw = Instruction::make(Opcode::kLwi);
  lw.set(Field::kIndex, 8);
  lw.set(Field::kLwn, 8);
  lw.set(Field::kSrca, StreamRef{Dir::kWest, 0}.encode());
  EXPECT_EQ(validateOperands(lw, cfg).error, ErrorCode::kNone);
  lw.set(Field::kIndex, 9);  // rows 9..16
  EXPECT_EQ(validateOperands(lw, cfg).error, ErrorCode::kBadOperand);
  lw.set(Field::kIndex, 0);
  lw.set(Field::kSrca, StreamRef{Dir::kWest, 1}.encode());  // streams 1..8
  EXPECT_EQ(validateOperands(lw, cfg).error, ErrorCode::kBadOperand);
  lw.set(Field::kSrca, StreamRef{Dir::kWest, 0}.encode());
  lw.set(Field::kLwn, 0);
  EXPECT_EQ(validateOperands(lw, cfg).error, ErrorCode::kBadOperand);
}

}  // namespace
}  // namespace lpu::isa
