// The .lpb container: round trip, and a clear FormatError (never a crash) for every malformed input.
#include "sw/isa/program.hpp"

#include <gtest/gtest.h>

#include "sw/isa/arch.hpp"

namespace lpu::isa {
namespace {

Program sampleProgram() {
  const ArchConfig cfg = ArchConfig::byName("small");
  Program p;
  p.config = "small";
  p.queues.assign(cfg.queues(), std::vector<std::uint32_t>{0x05u << 25});
  p.queues[cfg.vxmPosition()] = {0x01u << 25 | 3, 0x05u << 25};
  DataSegment seg;
  seg.position = static_cast<unsigned>(cfg.positionOf("MEM_E1"));
  seg.address = 0x40;
  for (unsigned i = 0; i < 2 * cfg.lanes(); ++i) seg.bytes.push_back(static_cast<std::uint8_t>(i * 7));
  p.data.push_back(seg);
  return p;
}

std::string errorOf(std::span<const std::uint8_t> bytes) {
  try {
    deserialize(bytes, "t.lpb");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

TEST(ProgramContainer, SerializeDeserializeRoundTrips) {
  const Program p = sampleProgram();
  const auto bytes = serialize(p);
  const Program q = deserialize(bytes, "t.lpb");
  EXPECT_EQ(q.config, p.config);
  EXPECT_EQ(q.queues, p.queues);
  ASSERT_EQ(q.data.size(), 1u);
  EXPECT_EQ(q.data[0].position, p.data[0].position);
  EXPECT_EQ(q.data[0].address, p.data[0].address);
  EXPECT_EQ(q.data[0].bytes, p.data[0].bytes);
  EXPECT_EQ(serialize(q), bytes);
}

TEST(ProgramContainer, EveryTruncationIsAFormatErrorNamingAField) {
  const auto bytes = serialize(sampleProgram());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::string err = errorOf(std::span(bytes).first(n));
    EXPECT_NE(err.find("t.lpb: offset"), std::string::npos) << n << ": " << err;
    EXPECT_NE(err.find("field '"), std::string::npos) << n << ": " << err;
  }
}

TEST(ProgramContainer, CorruptHeadersAreRejectedWithWhatWasExpected) {
  auto bytes = serialize(sampleProgram());
  auto bad = bytes;
  bad[0] = 'X';
  EXPECT_NE(errorOf(bad).find("expected \"LPB1\""), std::string::npos);
  bad = bytes;
  bad[4] = 9;
  EXPECT_NE(errorOf(bad).find("field 'version': expected 1, found 9"), std::string::npos) << errorOf(bad);
  bad = bytes;
  bad[12] = 'X';  // "small" -> "Xmall"
  EXPECT_NE(errorOf(bad).find("unknown configuration 'Xmall'"), std::string::npos) << errorOf(bad);
  bad = bytes;
  bad[20] = 4;  // queue count
  EXPECT_NE(errorOf(bad).find("field 'queue count': expected 13"), std::string::npos) << errorOf(bad);
  bad = bytes;
  bad.push_back(0);
  EXPECT_NE(errorOf(bad).find("expected end of file"), std::string::npos) << errorOf(bad);
}

TEST(ProgramContainer, SegmentsOutsideAMemSliceAreRejected) {
  Program p = sampleProgram();
  p.data[0].position = ArchConfig::byName("small").vxmPosition();
  EXPECT_NE(errorOf(serialize(p)).find("expected the position of a MEM slice"), std::string::npos);
  p = sampleProgram();
  p.data[0].address = ArchConfig::byName("small").wordsPerSlice() - 1;  // two words from the last one
  EXPECT_NE(errorOf(serialize(p)).find("exceed the slice"), std::string::npos);
}

TEST(ProgramContainer, OverlongQueueIsRejected) {
  Program p = sampleProgram();
  p.queues[0].assign(ArchConfig::byName("small").params().queue_depth + 1, 0x05u << 25);
  EXPECT_NE(errorOf(serialize(p)).find("queue_depth"), std::string::npos);
}

TEST(ProgramContainer, MissingFileIsAFormatError) { EXPECT_THROW(loadProgramFile("/nonexistent/x.lpb"), FormatError); }

}  // namespace
}  // namespace lpu::isa
