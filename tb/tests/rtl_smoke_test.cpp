// Smoke tests of the verilated core through the host register port, in both named configurations.
// Programs are built with isa::encode; expected cycle counts come from the timing equation of
// docs/architecture.md section 4 (a result of latency L dispatched at t at position p is visible h hops away at
// t + L + h - 1) with latencies from the generated ISA table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include "sim/rtl_harness.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"
#include "sw/model/machine.hpp"

namespace lpu::sim {
namespace {

using isa::Dir;
using isa::ErrorCode;
using isa::Field;
using isa::Opcode;
using isa::StreamRef;

std::uint32_t enc(Opcode op, std::initializer_list<std::pair<Field, std::int32_t>> fields = {}) {
  isa::Instruction insn = isa::Instruction::make(op);
  for (const auto& [f, v] : fields) insn.set(f, v);
  return isa::encode(insn);
}
std::int32_t strm(Dir d, unsigned i) { return static_cast<std::int32_t>(StreamRef{d, i}.encode()); }
unsigned latency(Opcode op) { return isa::findInsn(static_cast<unsigned>(op))->latency; }

// A queue that dispatches each (cycle, word) at that cycle (nops in between), then halts.
std::vector<std::uint32_t> timed(std::vector<std::pair<unsigned, std::uint32_t>> events) {
  std::sort(events.begin(), events.end());
  std::vector<std::uint32_t> q;
  unsigned t = 0;
  for (const auto& [c, w] : events) {
    EXPECT_GE(c, t) << "two events of one queue in one cycle";
    if (c > t) q.push_back(enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(c - t)}}));
    q.push_back(w);
    t = c + 1;
  }
  q.push_back(enc(Opcode::kHalt));
  return q;
}

class RtlSmoke : public ::testing::TestWithParam<const char*> {
 protected:
  RtlSmoke() : cfg_(isa::ArchConfig::byName(GetParam())), h_(cfg_) {}

  // A program in which every queue halts at once; tests fill in the queues they use.
  isa::Program haltEverywhere() const {
    isa::Program p;
    p.config = std::string(cfg_.name());
    p.queues.assign(cfg_.queues(), std::vector<std::uint32_t>{enc(Opcode::kHalt)});
    return p;
  }
  std::vector<std::uint8_t> pattern(unsigned seed) const {
    std::vector<std::uint8_t> v(cfg_.lanes());
    for (unsigned i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(seed * 37 + i * 7 + 3);
    return v;
  }
  unsigned memW(unsigned k) const { return cfg_.vxmPosition() - 1 - k; }  // MEM_Wk
  unsigned memE(unsigned k) const { return cfg_.vxmPosition() + 1 + k; }  // MEM_Ek

  isa::ArchConfig cfg_;
  RtlHarness h_;
};

TEST_P(RtlSmoke, ConfigRegisterDescribesTheConfiguration) {
  const std::uint32_t c = h_.readReg(kRegConfig);
  EXPECT_EQ(kConfigLanesField.get(c), cfg_.lanes());
  EXPECT_EQ(kConfigStreamsPerDirField.get(c), cfg_.streamsPerDir());
  EXPECT_EQ(kConfigMemSlicesPerHemField.get(c), cfg_.memSlicesPerHem());
  EXPECT_EQ(1u << kConfigLog2WordsPerBankField.get(c), cfg_.params().words_per_bank);
  EXPECT_EQ(kConfigMxmAbcIntervalField.get(c), cfg_.params().mxm_abc_interval);
}

TEST_P(RtlSmoke, AllHaltTakesOneCycle) {
  h_.loadProgram(haltEverywhere());
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, 1u);  // docs/architecture.md section 3
  EXPECT_FALSE(h_.assertionFailed());
}

TEST_P(RtlSmoke, SramLoadsAndReadsBack) {
  const auto a = pattern(1), b = pattern(2);
  h_.writeSram(memW(0), 0, a);
  h_.writeSram(memE(0), cfg_.wordsPerSlice() - 1, b);
  EXPECT_EQ(h_.readSram(memW(0), 0), a);
  EXPECT_EQ(h_.readSram(memE(0), cfg_.wordsPerSlice() - 1), b);
  EXPECT_FALSE(h_.assertionFailed());
}

// MEM_W0 reads a word onto E3; it passes the VXM and MEM_E0 writes it back. Read at t = 0 is visible two hops
// east at t_w = 0 + L_read + 2 - 1; the write there, then halt at t_w + 1, so the program takes t_w + 2 cycles.
TEST_P(RtlSmoke, ReadCrossesTheVxmAndIsWrittenBack) {
  const unsigned t_w = 0 + latency(Opcode::kRead) + 2 - 1;
  isa::Program p = haltEverywhere();
  p.queues[memW(0)] = {enc(Opcode::kRead, {{Field::kAddr, 5}, {Field::kMstrm, strm(Dir::kEast, 3)}}),
                       enc(Opcode::kHalt)};
  p.queues[memE(0)] = {enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_w)}}),
                       enc(Opcode::kWrite, {{Field::kAddr, 7}, {Field::kMstrm, strm(Dir::kEast, 3)}}),
                       enc(Opcode::kHalt)};
  p.data.push_back(isa::DataSegment{memW(0), 5, pattern(5)});
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, t_w + 2);
  EXPECT_EQ(h_.readSram(memE(0), 7), pattern(5));
  // The value keeps travelling east until the machine stops at the end of cycle T (the done cycle commits too,
  // with nothing left to issue): loaded into position memW(0)+1 at the end of cycle L-1, it is at
  // memW(0) + 1 + (T + 1 - L) when the machine stops.
  const unsigned at = memW(0) + 1 + (t_w + 2 + 1 - latency(Opcode::kRead));
  EXPECT_EQ(h_.peekStream(Dir::kEast, 3, at), pattern(5));
  EXPECT_FALSE(h_.assertionFailed());
}

// read + repeat 3,1,1 on MEM_W0 and write + repeat 3,1,1 on MEM_E0 copy words 0..3 to 10..13.
TEST_P(RtlSmoke, RepeatWithStrideCopiesABlock) {
  const unsigned t_w = latency(Opcode::kRead) + 2 - 1;
  isa::Program p = haltEverywhere();
  const std::uint32_t rep = enc(Opcode::kRepeat, {{Field::kRepN, 3}, {Field::kRepD, 1}, {Field::kStride, 1}});
  p.queues[memW(0)] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 0)}}), rep,
                       enc(Opcode::kHalt)};
  p.queues[memE(0)] = {enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_w)}}),
                       enc(Opcode::kWrite, {{Field::kAddr, 10}, {Field::kMstrm, strm(Dir::kEast, 0)}}), rep,
                       enc(Opcode::kHalt)};
  for (unsigned i = 0; i < 4; ++i) p.data.push_back(isa::DataSegment{memW(0), i, pattern(10 + i)});
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  // Writes at t_w .. t_w + 3 (the Repeat's own cycle re-issues with d = 1), halt at t_w + 4.
  EXPECT_EQ(r.cycles, t_w + 5);
  for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(h_.readSram(memE(0), 10 + i), pattern(10 + i)) << "word " << i;
  EXPECT_FALSE(h_.assertionFailed());
}

// A long run: kN + 1 reads kD cycles apart (repeat kN, kD, 1) copied word by word 2 slices east. The last write
// is at t_w + kN * kD, halt one cycle later. Also the simulation-speed benchmark (clocks per second). The large
// model simulates about 100x slower than the small one, so it runs a shorter program.
TEST_P(RtlSmoke, LongRepeatedCopyKeepsExactTiming) {
  const unsigned t_w = latency(Opcode::kRead) + 2 - 1;
  const bool small = cfg_.name() == "ulx3s";
  const unsigned kN = small ? 1023 : 63, kD = small ? 64 : 4;
  isa::Program p = haltEverywhere();
  const std::uint32_t rep = enc(Opcode::kRepeat, {{Field::kRepN, kN}, {Field::kRepD, kD}, {Field::kStride, 1}});
  p.queues[memW(0)] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 3)}}), rep,
                       enc(Opcode::kHalt)};
  p.queues[memE(0)] = {enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_w)}}),
                       enc(Opcode::kWrite, {{Field::kAddr, 2048}, {Field::kMstrm, strm(Dir::kEast, 3)}}), rep,
                       enc(Opcode::kHalt)};
  p.data.push_back(isa::DataSegment{memW(0), kN, pattern(9)});
  h_.loadProgram(p);
  RunResult r = h_.run(100'000);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, t_w + kN * kD + 2);
  EXPECT_EQ(h_.readSram(memE(0), 2048 + kN), pattern(9));
  EXPECT_EQ(h_.readSram(memE(0), 2048), std::vector<std::uint8_t>(cfg_.lanes(), 0));
  EXPECT_FALSE(h_.assertionFailed());
}

// MEM_W0 parks in sync; MEM_E0 notifies at cycle 4, so MEM_W0 reads at 5; MEM_E0 writes when it arrives.
TEST_P(RtlSmoke, NotifyReleasesASyncedQueue) {
  const unsigned t_notify = 4, t_read = t_notify + 1;
  const unsigned t_w = t_read + latency(Opcode::kRead) + 2 - 1;
  isa::Program p = haltEverywhere();
  p.queues[memW(0)] = {enc(Opcode::kSync),
                       enc(Opcode::kRead, {{Field::kAddr, 1}, {Field::kMstrm, strm(Dir::kEast, 1)}}),
                       enc(Opcode::kHalt)};
  p.queues[memE(0)] = {enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_notify)}}), enc(Opcode::kNotify),
                       enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_w - t_notify - 1)}}),
                       enc(Opcode::kWrite, {{Field::kAddr, 2}, {Field::kMstrm, strm(Dir::kEast, 1)}}),
                       enc(Opcode::kHalt)};
  p.data.push_back(isa::DataSegment{memW(0), 1, pattern(7)});
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, t_w + 2);
  EXPECT_EQ(h_.readSram(memE(0), 2), pattern(7));
  EXPECT_FALSE(h_.assertionFailed());
}

// MEM_W1 reads a map word onto E0 (low bytes); MEM_W0 gathers word 3 with it onto E2; MEM_E0 writes the result.
TEST_P(RtlSmoke, GatherReadsTheMappedWord) {
  const unsigned t_g = 0 + latency(Opcode::kRead) + 1 - 1;      // map visible at MEM_W0 (1 hop)
  const unsigned t_w = t_g + latency(Opcode::kGather) + 2 - 1;  // result visible at MEM_E0 (2 hops)
  isa::Program p = haltEverywhere();
  p.queues[memW(1)] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 0)}}),
                       enc(Opcode::kHalt)};
  p.queues[memW(0)] = {
      enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_g)}}),
      enc(Opcode::kGather, {{Field::kMstrm, strm(Dir::kEast, 2)}, {Field::kMmap, strm(Dir::kEast, 0)}}),
      enc(Opcode::kHalt)};
  p.queues[memE(0)] = {enc(Opcode::kNop, {{Field::kCount, static_cast<std::int32_t>(t_w)}}),
                       enc(Opcode::kWrite, {{Field::kAddr, 9}, {Field::kMstrm, strm(Dir::kEast, 2)}}),
                       enc(Opcode::kHalt)};
  std::vector<std::uint8_t> map(cfg_.lanes(), 0);
  for (unsigned k = 0; k < cfg_.superlanes(); ++k) map[k * 16] = static_cast<std::uint8_t>(3 + k);
  p.data.push_back(isa::DataSegment{memW(1), 0, map});
  for (unsigned a = 0; a < 3 + cfg_.superlanes(); ++a) p.data.push_back(isa::DataSegment{memW(0), a, pattern(a)});
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, t_w + 2);
  std::vector<std::uint8_t> expect(cfg_.lanes());
  for (unsigned k = 0; k < cfg_.superlanes(); ++k) {
    const auto word = pattern(3 + k);
    for (unsigned i = 0; i < 16; ++i) expect[k * 16 + i] = word[k * 16 + i];
  }
  EXPECT_EQ(h_.readSram(memE(0), 9), expect);
  EXPECT_FALSE(h_.assertionFailed());
}

// An unassigned opcode after nop 4 stops the machine at cycle 4 with ILLEGAL_OPCODE at that queue, address = pc.
TEST_P(RtlSmoke, IllegalOpcodeStopsTheMachine) {
  constexpr unsigned kUnassigned = 0x7F;
  ASSERT_EQ(isa::findInsn(kUnassigned), nullptr);
  isa::Program p = haltEverywhere();
  p.queues[memW(0)] = {enc(Opcode::kNop, {{Field::kCount, 4}}), kUnassigned << 25, enc(Opcode::kHalt)};
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone | kStatusError);
  EXPECT_EQ(r.error, ErrorCode::kIllegalOpcode);
  EXPECT_EQ(h_.errorCycle(), 4u);
  EXPECT_EQ(r.cycles, 5u);  // ERR_CYCLE + 1
  const ErrWhere w = h_.errorWhere();
  EXPECT_EQ(w.position, memW(0));
  EXPECT_EQ(w.address, 1u);
  EXPECT_FALSE(h_.assertionFailed());
}

TEST_P(RtlSmoke, FetchPastTheProgramIsIllegal) {
  isa::Program p = haltEverywhere();
  p.queues[0] = {enc(Opcode::kNop, {{Field::kCount, 2}})};
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.error, ErrorCode::kIllegalOpcode);
  EXPECT_EQ(h_.errorCycle(), 2u);
  EXPECT_EQ(h_.errorWhere().position, 0u);
  EXPECT_EQ(h_.errorWhere().address, 1u);
}

TEST_P(RtlSmoke, WrongSliceAndBadAddressAreReported) {
  isa::Program p = haltEverywhere();
  p.queues[cfg_.vxmPosition()] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 0)}})};
  p.queues[memE(1)] = {enc(Opcode::kWrite, {{Field::kAddr, static_cast<std::int32_t>(cfg_.wordsPerSlice() % 8192)},
                                            {Field::kMstrm, strm(Dir::kEast, 0)}})};
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  // Both fail in cycle 0; the lower position (the VXM) wins. (large: 8192 words fit the field exactly, so the
  // write there is legal and the VXM's WRONG_SLICE is the only error.)
  EXPECT_EQ(r.error, ErrorCode::kWrongSlice);
  EXPECT_EQ(h_.errorCycle(), 0u);
  EXPECT_EQ(h_.errorWhere().position, cfg_.vxmPosition());
}

TEST_P(RtlSmoke, RepeatAtTheStartIsBadRepeat) {
  isa::Program p = haltEverywhere();
  p.queues[memE(0)] = {enc(Opcode::kRepeat, {{Field::kRepN, 1}, {Field::kRepD, 1}})};
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.error, ErrorCode::kBadRepeat);
  EXPECT_EQ(h_.errorCycle(), 0u);
}

// A map element outside the slice: the high byte comes from MEM_W2 on E1, the low byte from MEM_W1 on E0, both
// arriving at MEM_W0 in cycle 3.
TEST_P(RtlSmoke, GatherOutsideTheSliceIsBadAddress) {
  isa::Program p = haltEverywhere();
  p.queues[memW(2)] = {enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 1)}}),
                       enc(Opcode::kHalt)};
  p.queues[memW(1)] = {enc(Opcode::kNop, {{Field::kCount, 1}}),
                       enc(Opcode::kRead, {{Field::kAddr, 0}, {Field::kMstrm, strm(Dir::kEast, 0)}}),
                       enc(Opcode::kHalt)};
  p.queues[memW(0)] = {
      enc(Opcode::kNop, {{Field::kCount, 3}}),
      enc(Opcode::kGather, {{Field::kMstrm, strm(Dir::kEast, 2)}, {Field::kMmap, strm(Dir::kEast, 0)}}),
      enc(Opcode::kHalt)};
  p.data.push_back(isa::DataSegment{memW(2), 0, std::vector<std::uint8_t>(cfg_.lanes(), 0x7F)});
  p.data.push_back(isa::DataSegment{memW(1), 0, std::vector<std::uint8_t>(cfg_.lanes(), 0x03)});
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.error, ErrorCode::kBadAddress);
  EXPECT_EQ(h_.errorCycle(), 3u);
  const ErrWhere w = h_.errorWhere();
  EXPECT_EQ(w.position, memW(0));
  EXPECT_EQ(w.stream, 0u);
  EXPECT_EQ(w.address, 0x7F03u);
}

TEST_P(RtlSmoke, SyncWithoutNotifyDeadlocks) {
  isa::Program p = haltEverywhere();
  p.queues[memE(0)] = {enc(Opcode::kSync), enc(Opcode::kHalt)};
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.error, ErrorCode::kSyncDeadlock);
  EXPECT_EQ(h_.errorCycle(), 1u);
  EXPECT_EQ(h_.errorWhere().position, memE(0));
  EXPECT_EQ(h_.errorWhere().address, 0u);  // pc of the Sync
}

// A host load while running is ignored by the RTL and fires HostLoadsOnlyWhileStopped.
TEST_P(RtlSmoke, LoadWhileRunningFiresAnAssertion) {
  isa::Program p = haltEverywhere();
  p.queues[0] = {enc(Opcode::kNop, {{Field::kCount, 50}}), enc(Opcode::kHalt)};
  h_.loadProgram(p);
  h_.start();
  h_.step(3);
  EXPECT_FALSE(h_.assertionFailed());
  h_.writeReg(kRegImemData, 0);
  h_.step(1);
  EXPECT_TRUE(h_.assertionFailed());
  EXPECT_EQ(h_.firedAssertions(), std::vector<std::string>{"lpu_top.HostLoadsOnlyWhileStopped"})
      << h_.assertions().summary();
}

// The MXM load queue (MXM_W_LOAD) streams two weight matrices into MXM_W with a multi-row lw + lwi each while the
// compute queue (MXM_W) runs abce with the first one: the first abce is dispatched together with the lw that
// starts the second matrix, the second one after its lwi. The m MEM_W slices each read one weight row per cycle
// onto W0 .. W(m-1), timed so that the m rows reach position 0 together (lw/lwi row r, W0, n = m); MEM_E0 feeds
// the activations on W(S-1); the four byte planes of each i32 result are written by the four westmost MEM slices
// as they pass. Compared with the golden model (result words and cycle count) and with x . W computed here.
TEST_P(RtlSmoke, MxmLoadQueueStreamsWeightsWhileAbceComputes) {
  const unsigned P = cfg_.positions(), S = cfg_.streamsPerDir(), m = cfg_.memSlicesPerHem(), L = cfg_.lanes();
  const unsigned ldq = P;
  ASSERT_EQ(cfg_.queueName(ldq), "MXM_W_LOAD");
  ASSERT_EQ(cfg_.queues(), P + 2);
  const unsigned pe0 = memE(0);
  const unsigned T = pe0 + 1;  // first lw: every read before it is at a cycle >= 0
  std::map<unsigned, std::vector<std::pair<unsigned, std::uint32_t>>> ev;
  isa::Program p = haltEverywhere();
  auto word = [&](unsigned seed) {
    std::vector<std::uint8_t> v(L);
    for (unsigned i = 0; i < L; ++i) v[i] = static_cast<std::uint8_t>(seed * 53 + i * 29 + (i * i) % 7 + 1);
    return v;
  };
  // Weight rows: batch j (0 .. 3) of MEM_Wk is word 16 + j, at position 0 on Wk in cycle T + j.
  for (unsigned k = 0; k < m; ++k) {
    const unsigned pk = memW(k);
    for (unsigned j = 0; j < 4; ++j) {
      ev[pk].push_back({T + j - 1 - pk, enc(Opcode::kRead, {{Field::kAddr, static_cast<std::int32_t>(16 + j)},
                                                            {Field::kMstrm, strm(Dir::kWest, k)}})});
      p.data.push_back(isa::DataSegment{pk, 16 + j, word(10 * j + k)});
    }
  }
  const auto lw = [&](Opcode op, unsigned row) {
    return enc(op, {{Field::kIndex, static_cast<std::int32_t>(row)},
                    {Field::kSrca, strm(Dir::kWest, 0)},
                    {Field::kLwn, static_cast<std::int32_t>(m)}});
  };
  ev[ldq] = {
      {T, lw(Opcode::kLw, 0)}, {T + 1, lw(Opcode::kLwi, m)}, {T + 2, lw(Opcode::kLw, 0)}, {T + 3, lw(Opcode::kLwi, m)}};
  // Activations x0, x1 at position 0 on W(S-1) in cycles T+2 and T+4; abce there into slots 0 and 1.
  for (unsigned i = 0; i < 2; ++i) {
    ev[pe0].push_back({T + 2 + 2 * i - 1 - pe0, enc(Opcode::kRead, {{Field::kAddr, static_cast<std::int32_t>(i)},
                                                                    {Field::kMstrm, strm(Dir::kWest, S - 1)}})});
    p.data.push_back(isa::DataSegment{pe0, i, word(100 + i)});
    ev[0].push_back({T + 2 + 2 * i, enc(Opcode::kAbce, {{Field::kSrca, strm(Dir::kWest, S - 1)},
                                                        {Field::kIndex, static_cast<std::int32_t>(i)},
                                                        {Field::kDst, strm(Dir::kEast, 0)}})});
  }
  // Plane k of result i: visible at position q in cycle t_abce + LAT_ABCE - 1 + q; written to word 100 + i.
  std::vector<unsigned> writers;
  for (unsigned q = 0; q < P && writers.size() < 4; ++q)
    if (cfg_.memIndex(q) >= 0) writers.push_back(q);
  for (unsigned k = 0; k < 4; ++k) {
    for (unsigned i = 0; i < 2; ++i) {
      ev[writers[k]].push_back({T + 2 + 2 * i + latency(Opcode::kAbce) - 1 + writers[k],
                                enc(Opcode::kWrite, {{Field::kAddr, static_cast<std::int32_t>(100 + i)},
                                                     {Field::kMstrm, strm(Dir::kEast, k)}})});
    }
  }
  for (auto& [q, e] : ev) p.queues[q] = timed(e);

  model::Machine gold(cfg_);
  gold.loadProgram(p);
  ASSERT_EQ(gold.run(10'000), model::RunState::kDone)
      << (gold.error() ? gold.error()->message : std::string("timeout"));
  h_.loadProgram(p);
  RunResult r = h_.run(10'000);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.error, ErrorCode::kNone);
  EXPECT_EQ(r.cycles, gold.cycle());
  for (unsigned i = 0; i < 2; ++i) {
    // y = x_i . W, W rows 0 .. 2m-1 from batches 2i (rows 0 .. m-1) and 2i+1 (rows m .. 2m-1), the rest 0.
    const auto x = word(100 + i);
    std::vector<std::uint32_t> y(L, 0);
    for (unsigned row = 0; row < 2 * m; ++row) {
      const auto w = word(10 * (2 * i + row / m) + row % m);
      for (unsigned n = 0; n < L; ++n)
        y[n] += static_cast<std::uint32_t>(static_cast<std::int8_t>(x[row]) * static_cast<std::int8_t>(w[n]));
    }
    for (unsigned k = 0; k < 4; ++k) {
      std::vector<std::uint8_t> plane(L);
      for (unsigned n = 0; n < L; ++n) plane[n] = static_cast<std::uint8_t>(y[n] >> (8 * k));
      const auto got = h_.readSram(writers[k], 100 + i);
      EXPECT_EQ(got, gold.readSram(writers[k], 100 + i)) << "result " << i << " plane " << k;
      EXPECT_EQ(got, plane) << "result " << i << " plane " << k;
    }
  }
  EXPECT_FALSE(h_.assertionFailed());
}

// MXM instructions on the wrong one of an MXM's two queues are WRONG_SLICE at the MXM's position; LW rows out of
// range (also by a Repeat stride) are BAD_OPERAND. Each case against the golden model; in a tie at one position
// (same cycle and code) the lower word index wins, whichever of the two queues it is on.
TEST_P(RtlSmoke, MxmQueueRolesAndLwRowsAreChecked) {
  const unsigned P = cfg_.positions(), L = cfg_.lanes();
  const std::uint32_t nop1 = enc(Opcode::kNop, {{Field::kCount, 1}}), nop2 = enc(Opcode::kNop, {{Field::kCount, 2}}),
                      nop3 = enc(Opcode::kNop, {{Field::kCount, 3}});
  const auto lw = [&](unsigned row, unsigned n) {
    return enc(Opcode::kLw, {{Field::kIndex, static_cast<std::int32_t>(row)},
                             {Field::kSrca, strm(Dir::kWest, 0)},
                             {Field::kLwn, static_cast<std::int32_t>(n)}});
  };
  const std::uint32_t abc = enc(Opcode::kAbc, {{Field::kSrca, strm(Dir::kWest, 0)}, {Field::kIndex, 0}});
  const std::uint32_t abce =
      enc(Opcode::kAbce, {{Field::kSrca, strm(Dir::kEast, 0)}, {Field::kIndex, 0}, {Field::kDst, strm(Dir::kWest, 0)}});
  struct Case {
    const char* what;
    std::vector<std::pair<unsigned, std::vector<std::uint32_t>>> queues;
    ErrorCode code;
    unsigned cycle, position, address;
  };
  const std::vector<Case> cases = {
      {"lw on MXM_W", {{0, {nop2, lw(0, 1)}}}, ErrorCode::kWrongSlice, 2, 0, 1},
      {"tie, compute queue's pc lower",
       {{0, {nop3, lw(0, 1)}}, {P, {nop1, nop2, abc}}},
       ErrorCode::kWrongSlice,
       3,
       0,
       1},
      {"tie, load queue's pc lower", {{0, {nop1, nop2, lw(0, 1)}}, {P, {nop3, abc}}}, ErrorCode::kWrongSlice, 3, 0, 1},
      {"abce on MXM_E_LOAD", {{P + 1, {abce}}}, ErrorCode::kWrongSlice, 0, P - 1, 0},
      {"lw n = 0", {{P, {nop1, lw(0, 0)}}}, ErrorCode::kBadOperand, 1, 0, 1},
      {"lw rows past the array", {{P + 1, {lw(L - 2, 3)}}}, ErrorCode::kBadOperand, 0, P - 1, 0},
      {"lw rows strided past the array",
       {{P, {lw(L - 2, 1), enc(Opcode::kRepeat, {{Field::kRepN, 2}, {Field::kRepD, 1}, {Field::kStride, 1}})}}},
       ErrorCode::kBadOperand,
       2,
       0,
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    isa::Program p = haltEverywhere();
    for (const auto& [q, words] : c.queues) {
      p.queues[q] = words;
      p.queues[q].push_back(enc(Opcode::kHalt));
    }
    model::Machine gold(cfg_);
    gold.loadProgram(p);
    ASSERT_EQ(gold.run(100), model::RunState::kError);
    const model::ErrorInfo& e = *gold.error();
    EXPECT_EQ(e.code, c.code) << e.message;
    EXPECT_EQ(e.cycle, c.cycle) << e.message;
    EXPECT_EQ(e.position, c.position) << e.message;
    EXPECT_EQ(e.address, c.address) << e.message;
    h_.loadProgram(p);
    RunResult r = h_.run(100);
    EXPECT_EQ(r.status, kStatusDone | kStatusError);
    EXPECT_EQ(r.error, e.code);
    EXPECT_EQ(h_.errorCycle(), e.cycle);
    EXPECT_EQ(r.cycles, e.cycle + 1);
    EXPECT_EQ(h_.errorWhere().position, e.position);
    EXPECT_EQ(h_.errorWhere().address, e.address);
  }
  EXPECT_FALSE(h_.assertionFailed());
}

// A queue parked in Sync on MXM_E_LOAD is released by a Notify from MXM_W_LOAD; MXM_W_LOAD parked alone (every
// other queue halted) is a SYNC_DEADLOCK reported at position 0.
TEST_P(RtlSmoke, LoadQueuesTakePartInSyncAndDeadlock) {
  const unsigned P = cfg_.positions();
  isa::Program p = haltEverywhere();
  p.queues[P + 1] = {enc(Opcode::kSync), enc(Opcode::kHalt)};
  p.queues[P] = {enc(Opcode::kNop, {{Field::kCount, 5}}), enc(Opcode::kNotify), enc(Opcode::kHalt)};
  model::Machine gold(cfg_);
  gold.loadProgram(p);
  ASSERT_EQ(gold.run(100), model::RunState::kDone);
  h_.loadProgram(p);
  RunResult r = h_.run(100);
  EXPECT_EQ(r.status, kStatusDone);
  EXPECT_EQ(r.cycles, gold.cycle());

  p = haltEverywhere();
  p.queues[P] = {enc(Opcode::kNop, {{Field::kCount, 2}}), enc(Opcode::kSync), enc(Opcode::kHalt)};
  p.queues[P + 1] = {enc(Opcode::kSync), enc(Opcode::kHalt)};
  gold.loadProgram(p);
  gold.start();
  ASSERT_EQ(gold.run(100), model::RunState::kError);
  h_.loadProgram(p);
  r = h_.run(100);
  EXPECT_EQ(r.error, ErrorCode::kSyncDeadlock);
  EXPECT_EQ(r.error, gold.error()->code);
  EXPECT_EQ(h_.errorCycle(), gold.error()->cycle);
  EXPECT_EQ(h_.errorWhere().position, gold.error()->position);
  EXPECT_EQ(h_.errorWhere().position, 0u);
  EXPECT_EQ(h_.errorWhere().address, gold.error()->address);
  EXPECT_FALSE(h_.assertionFailed());
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlSmoke, ::testing::Values("ulx3s", "large"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace lpu::sim
