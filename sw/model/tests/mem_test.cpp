// MEM: read, write, gather, scatter (one address per superlane), the largest address, and BAD_ADDRESS from a direct
// address, a Repeat stride and a Gather/Scatter map. Cycle numbers follow docs/architecture.md §4:
// a result of latency L dispatched at t is loaded at the end of t+L-1; a Write at t commits at the end of t.
#include <gtest/gtest.h>

#include <random>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

Bytes pattern(unsigned lanes, unsigned seed) {
  Bytes b(lanes);
  for (unsigned i = 0; i < lanes; ++i) b[i] = static_cast<std::uint8_t>(seed * 37 + i * 11 + 1);
  return b;
}

class MemOps : public ::testing::TestWithParam<std::string> {};

// MEM at position 2 reads its last word onto E1 at cycle 0 -> loaded into R[E][1][3] at the end of 0+2-1 = 1,
// visible at position 3 in cycle 2, where `write 7, E1` stores it (commit end of 2). `read 7, E2` at 3 returns it
// (loaded at the end of 4 at position 4). Queue 3 halts at 4; its read is in flight until the end of 4, so the
// program ends at T = 5.
TEST_P(MemOps, ReadWriteRoundTripAtTheLargestAddress) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  ASSERT_EQ(cfg.memIndex(2) >= 0 && cfg.memIndex(3) >= 0, true);
  const std::uint32_t top = cfg.wordsPerSlice() - 1;
  const Bytes d = pattern(cfg.lanes(), 5);
  ProgramBuilder b(cfg);
  b.data(2, top, d);
  b.at(2, 0, read(top, E(1)));
  b.at(3, 2, write(7, E(1)));
  b.at(3, 3, read(7, E(2)));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 5u);
  EXPECT_EQ(m.readSram(3, 7), d);
  ASSERT_EQ(rec.mems.size(), 1u);
  EXPECT_EQ(rec.mems[0].cycle, 2u);
  EXPECT_EQ(rec.mems[0].position, 3u);
  EXPECT_EQ(rec.mems[0].address, 7u);
  const RecordedStreamWrite* first = rec.find(2, Dir::kEast, 1);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->cycle, 1u);
  EXPECT_EQ(first->data, d);
  const RecordedStreamWrite* back = rec.find(3, Dir::kEast, 2);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->cycle, 4u);
  EXPECT_EQ(back->position, 4u);
  EXPECT_EQ(back->data, d);
}

// Gather at position 2: the map (int16 group W0/W1) arrives from the MEM slices east of it; superlane k's address
// is the element in lane 16k. Result superlane k = superlane k of word addr[k]; loaded at the end of C + 2 - 1.
TEST_P(MemOps, GatherTakesOneAddressPerSuperlane) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned lanes = cfg.lanes(), sl = cfg.params().superlane_lanes, sls = cfg.superlanes();
  const unsigned g = 2;
  ProgramBuilder b(cfg);
  // Words 100.. hold distinct patterns; superlane k reads word 100 + 3k + 1 (and the top word for k = 0 on large).
  std::vector<std::uint32_t> addr(sls);
  for (unsigned k = 0; k < sls; ++k) addr[k] = 100 + 3 * k + 1;
  addr[0] = cfg.wordsPerSlice() - 1;
  for (unsigned k = 0; k < sls; ++k) b.data(g, addr[k], pattern(lanes, addr[k]));
  std::vector<std::int64_t> map(lanes, 0x7777);  // lanes other than 16k are ignored
  for (unsigned k = 0; k < sls; ++k) map[k * sl] = addr[k];
  auto mp = toPlanes(map, 2);
  auto c = deliver(b, cfg, g, {{W(0), mp[0]}, {W(1), mp[1]}}, 0, 0);
  ASSERT_TRUE(c);
  b.at(g, *c, gather(E(3), W(0)));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  const RecordedStreamWrite* w = rec.find(g, Dir::kEast, 3);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->cycle, *c + 1);  // gather latency 2, like read
  for (unsigned k = 0; k < sls; ++k) {
    Bytes want = pattern(lanes, addr[k]);
    for (unsigned i = 0; i < sl; ++i) ASSERT_EQ(w->data[k * sl + i], want[k * sl + i]) << "superlane " << k;
  }
}

// Scatter at position 2: superlane k of the data stream goes to superlane k of word addr[k]; the rest of each word
// is unchanged. Commits at the end of the dispatch cycle C, one MemWrite per superlane.
TEST_P(MemOps, ScatterWritesOneSuperlanePerAddress) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned lanes = cfg.lanes(), sl = cfg.params().superlane_lanes, sls = cfg.superlanes();
  const unsigned g = 2;
  ProgramBuilder b(cfg);
  std::vector<std::uint32_t> addr(sls);
  for (unsigned k = 0; k < sls; ++k) addr[k] = 200 + 2 * k;
  addr[sls - 1] = cfg.wordsPerSlice() - 1;
  for (unsigned k = 0; k < sls; ++k) b.data(g, addr[k], Bytes(lanes, 0xEE));
  std::vector<std::int64_t> map(lanes, 0);
  for (unsigned k = 0; k < sls; ++k) map[k * sl] = addr[k];
  auto mp = toPlanes(map, 2);
  const Bytes data = pattern(lanes, 9);
  auto c = deliver(b, cfg, g, {{W(0), mp[0]}, {W(1), mp[1]}, {W(2), data}}, 0, 0);
  ASSERT_TRUE(c);
  b.at(g, *c, scatter(W(2), W(0)));
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  ASSERT_EQ(rec.mems.size(), sls);
  for (unsigned k = 0; k < sls; ++k) {
    EXPECT_EQ(rec.mems[k].cycle, *c);
    EXPECT_EQ(rec.mems[k].first_lane, k * sl);
    Bytes word = m.readSram(g, addr[k]);
    for (unsigned i = 0; i < lanes; ++i) {
      const bool mine = i / sl == k;
      ASSERT_EQ(word[i], mine ? data[i] : 0xEE) << "word " << addr[k] << " lane " << i;
    }
  }
}

// Gather with a map address past the slice: BAD_ADDRESS at the dispatch cycle, at the gathering slice, naming the
// map stream and the address.
TEST_P(MemOps, GatherMapOutOfRangeIsBadAddress) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  for (std::int64_t bad : {std::int64_t{cfg.wordsPerSlice()}, std::int64_t{-1}}) {
    Machine m(cfg);
    const unsigned lanes = cfg.lanes();
    ProgramBuilder b(cfg);
    std::vector<std::int64_t> map(lanes, 0);
    map[0] = bad;
    auto mp = toPlanes(map, 2);
    auto c = deliver(b, cfg, 2, {{W(2), mp[0]}, {W(3), mp[1]}});
    ASSERT_TRUE(c);
    b.at(2, *c, gather(E(0), W(2)));
    RunResult r = runProgram(m, b.build());
    ASSERT_EQ(r.state, RunState::kError);
    EXPECT_EQ(r.error->code, ErrorCode::kBadAddress);
    EXPECT_EQ(r.error->cycle, *c);
    EXPECT_EQ(r.error->position, 2u);
    EXPECT_EQ(r.error->stream, 2u);
    EXPECT_EQ(r.error->dir, Dir::kWest);
    EXPECT_EQ(r.error->address, static_cast<std::uint16_t>(bad));
    EXPECT_EQ(r.cycles, *c + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, MemOps, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// small has 2 x 2048 = 4096 words per slice: `read 4096` (encodable in the 13-bit field) is BAD_ADDRESS at its
// dispatch cycle 3 (after nop 3), position 6.
TEST(Mem, DirectAddressPastTheSliceIsBadAddress) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  ProgramBuilder b(cfg);
  b.at(6, 3, read(4096, E(0)));
  RunResult r = runProgram(m, b.build());
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kBadAddress);
  EXPECT_EQ(r.error->cycle, 3u);
  EXPECT_EQ(r.error->position, 6u);
  EXPECT_EQ(r.cycles, 4u);
}

// `read 4094, E0; repeat 3, 2, 1` at cycle 0 issues addresses 4094 (t=0), 4095 (t=2), 4096 (t=4): the third
// issue is BAD_ADDRESS at cycle 4 with address 4096. The second read (4095) lands at the end of 3 as usual.
TEST(Mem, RepeatStridePastTheSliceIsBadAddress) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  ProgramBuilder b(cfg);
  b.data(6, 4094, pattern(16, 1)).data(6, 4095, pattern(16, 2));
  b.at(6, 0, read(4094, E(0))).rep(6, 3, 2, 1);
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kBadAddress);
  EXPECT_EQ(r.error->cycle, 4u);
  EXPECT_EQ(r.error->position, 6u);
  EXPECT_EQ(r.error->address, 4096u);
  ASSERT_EQ(rec.streams.size(), 2u);
  EXPECT_EQ(rec.streams[0].cycle, 1u);
  EXPECT_EQ(rec.streams[0].data, pattern(16, 1));
  EXPECT_EQ(rec.streams[1].cycle, 3u);
  EXPECT_EQ(rec.streams[1].data, pattern(16, 2));
}

}  // namespace
}  // namespace lpu::model::test
