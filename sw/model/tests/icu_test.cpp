// ICU: nop timing, repeat (re-issue cycles, stride on addresses, the Repeat's own dispatch), sync/notify release
// timing, halt and the exact cycle count, SYNC_DEADLOCK, ILLEGAL_OPCODE past a queue's end. Cycle counts are derived
// by hand in each comment from docs/architecture.md §3-§4.
#include <gtest/gtest.h>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

isa::Program allHalt(const ArchConfig& cfg) {
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.assign(cfg.queues(), std::vector<std::uint32_t>{halt()});
  return p;
}

class Icu : public ::testing::TestWithParam<std::string> {};

// Every queue dispatches `halt` at cycle 0; at the start of cycle 1 all have halted and nothing is in flight: T = 1.
TEST_P(Icu, AllHaltAtCycleZeroTakesOneCycle) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  Recorder rec;
  RunResult r = runProgram(m, allHalt(cfg), &rec);
  EXPECT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 1u);
  EXPECT_EQ(rec.dispatches.size(), cfg.queues());
  EXPECT_EQ(rec.cycle_ends, 1u);
}

// VXM queue: nop 1 (t=0), nop 1 (t=1), nop 3 (t=2), halt (t=5). Everyone else halts at 0. T = 6.
TEST_P(Icu, NopHoldsTheQueue) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[cfg.vxmPosition()] = {nop(1), nop(1), nop(3), halt()};
  Recorder rec;
  RunResult r = runProgram(m, p, &rec);
  EXPECT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 6u);
  EXPECT_EQ(rec.dispatchCycles(cfg.vxmPosition()), (std::vector<std::uint64_t>{0, 1, 2, 5}));
}

// MEM_E0: read 10, W0 at t0 = 0; repeat 3, 2, 5: the Repeat itself dispatches at t0+1 = 1, re-issues at 2, 4, 6
// reading 15, 20, 25; the next instruction (halt) at t0 + 3*2 + 1 = 7. Each read is loaded at the end of t+1 into
// R[W][0][VXM]: at 1, 3, 5, 7. The last one is in flight until the end of 7, so T = 8.
TEST_P(Icu, RepeatStrideOnAddresses) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned q = cfg.vxmPosition() + 1;
  ProgramBuilder b(cfg);
  for (std::uint32_t a : {10u, 15u, 20u, 25u}) b.data(q, a, Bytes(cfg.lanes(), static_cast<std::uint8_t>(a)));
  b.at(q, 0, read(10, W(0))).rep(q, 3, 2, 5);
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 8u);
  std::vector<Dispatch> mine;
  for (const auto& d : rec.dispatches)
    if (d.queue == q) mine.push_back(d);
  ASSERT_EQ(mine.size(), 6u);
  const std::uint64_t cyc[] = {0, 1, 2, 4, 6, 7};
  const std::uint32_t pcs[] = {0, 1, 0, 0, 0, 2};
  const std::uint32_t words[] = {read(10, W(0)), repeat(3, 2, 5), read(15, W(0)),
                                 read(20, W(0)), read(25, W(0)),  halt()};
  const bool reissue[] = {false, false, true, true, true, false};
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_EQ(mine[i].cycle, cyc[i]) << i;
    EXPECT_EQ(mine[i].pc, pcs[i]) << i;
    EXPECT_EQ(mine[i].word, words[i]) << i;
    EXPECT_EQ(mine[i].repeat_issue, reissue[i]) << i;
  }
  ASSERT_EQ(rec.streams.size(), 4u);
  const std::uint64_t load[] = {1, 3, 5, 7};
  const std::uint8_t val[] = {10, 15, 20, 25};
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(rec.streams[i].cycle, load[i]);
    EXPECT_EQ(rec.streams[i].data, Bytes(cfg.lanes(), val[i]));
  }
}

// repeat n, 1: re-issue 1 shares cycle t0+1 with the Repeat's own dispatch. read at 0, repeat 2, 1 -> re-issues at
// 1, 2; halt at 0 + 2*1 + 1 = 3; last read lands at the end of 3: T = 4.
TEST_P(Icu, RepeatWithUnitSpacing) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned q = cfg.vxmPosition() + 1;
  ProgramBuilder b(cfg);
  b.at(q, 0, read(0, W(0))).rep(q, 2, 1, 0);
  Recorder rec;
  RunResult r = runProgram(m, b.build(), &rec);
  ASSERT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 4u);
  EXPECT_EQ(rec.dispatchCycles(q), (std::vector<std::uint64_t>{0, 1, 1, 2, 3}));
}

// Queue A (MEM_E0): sync at 0 (parked), then read. Queue B (MEM_E1): nop 9 at 0, notify at 9, halt at 10.
// Queue C (MEM_E2): nop 9 at 0, sync at 9 -- dispatched in the notify's cycle, so released too -- then halt.
// Released queues dispatch at 9 + 1 = 10: A's read at 10 (lands at the end of 11), A halts at 11, C halts at 10.
// T = 12.
TEST_P(Icu, SyncNotifyReleaseTiming) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned v = cfg.vxmPosition(), a = v + 1, bq = v + 2, c = v + 3;
  isa::Program p = allHalt(cfg);
  p.queues[a] = {sync(), read(0, W(0)), halt()};
  p.queues[bq] = {nop(9), notify(), halt()};
  p.queues[c] = {nop(9), sync(), halt()};
  Recorder rec;
  RunResult r = runProgram(m, p, &rec);
  ASSERT_EQ(r.state, RunState::kDone) << (r.error ? r.error->message : "");
  EXPECT_EQ(r.cycles, 12u);
  EXPECT_EQ(rec.dispatchCycles(a), (std::vector<std::uint64_t>{0, 10, 11}));
  EXPECT_EQ(rec.dispatchCycles(bq), (std::vector<std::uint64_t>{0, 9, 10}));
  EXPECT_EQ(rec.dispatchCycles(c), (std::vector<std::uint64_t>{0, 9, 10}));
  ASSERT_EQ(rec.streams.size(), 1u);
  EXPECT_EQ(rec.streams[0].cycle, 11u);
}

// A Sync dispatched after the only Notify stays parked: queue A nop 2 (0), sync (2); queue B notify at 0, halt at 1.
// From the start of cycle 3 every queue is halted or parked and nothing is in flight: SYNC_DEADLOCK at 3, at A's
// position, pc of the Sync (1); cycle count 3 + 1 = 4.
TEST_P(Icu, SyncAfterTheNotifyDeadlocks) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  const unsigned a = cfg.vxmPosition() + 1, bq = 1;
  isa::Program p = allHalt(cfg);
  p.queues[a] = {nop(2), sync(), halt()};
  p.queues[bq] = {notify(), halt()};
  RunResult r = runProgram(m, p);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kSyncDeadlock);
  EXPECT_EQ(r.error->cycle, 3u);
  EXPECT_EQ(r.error->position, a);
  EXPECT_EQ(r.error->address, 1u);
  EXPECT_EQ(r.cycles, 4u);
}

// Deadlock waits for in-flight work: queue A syncs at 0; MEM_E0 reads at 0 (lands at the end of 1) and halts at 1.
// The condition first holds at the start of 2: SYNC_DEADLOCK at 2, count 3.
TEST_P(Icu, DeadlockWaitsForInFlightResults) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[2] = {sync(), halt()};
  p.queues[cfg.vxmPosition() + 1] = {read(0, W(0)), halt()};
  RunResult r = runProgram(m, p);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kSyncDeadlock);
  EXPECT_EQ(r.error->cycle, 2u);
  EXPECT_EQ(r.error->position, 2u);
  EXPECT_EQ(r.cycles, 3u);
}

// VXM queue holds only `nop 3`: at cycle 3 it fetches word 1, which is 0 (opcode 0): ILLEGAL_OPCODE at 3, VXM
// position, address = pc 1; count 4.
TEST_P(Icu, ReadingPastTheEndIsIllegalOpcode) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[cfg.vxmPosition()] = {nop(3)};
  Recorder rec;
  RunResult r = runProgram(m, p, &rec);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kIllegalOpcode);
  EXPECT_EQ(r.error->cycle, 3u);
  EXPECT_EQ(r.error->position, cfg.vxmPosition());
  EXPECT_EQ(r.error->address, 1u);
  EXPECT_EQ(r.cycles, 4u);
  ASSERT_EQ(rec.errors.size(), 1u);
  ASSERT_FALSE(rec.dispatches.empty());
  EXPECT_EQ(rec.dispatches.back().word, 0u);  // the failing fetch is reported as a dispatch of word 0
}

// The machine keeps running after the last halt while a result is in flight: VXM exp2.i16 at 0 (latency 4: lands
// at the end of 3) and halt at 1. T = 4.
TEST_P(Icu, HaltWaitsForInFlightResults) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  Machine m(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[cfg.vxmPosition()] = {vxm(Opcode::kExp2, ElemType::kI16, E(0), W(0)), halt()};
  RunResult r = runProgram(m, p);
  ASSERT_EQ(r.state, RunState::kDone);
  EXPECT_EQ(r.cycles, 4u);
}

INSTANTIATE_TEST_SUITE_P(Configs, Icu, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// step() runs exactly one cycle and reports whether the machine still runs; start() resets everything but SRAM.
TEST(Icu, StepAndRestart) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[5] = {nop(2), halt()};  // halt at 2 -> T = 3
  m.loadProgram(p);
  EXPECT_EQ(m.state(), RunState::kIdle);
  EXPECT_FALSE(m.step());  // not started: nothing happens
  m.start();
  EXPECT_TRUE(m.step());
  EXPECT_EQ(m.cycle(), 1u);
  EXPECT_TRUE(m.step());
  EXPECT_FALSE(m.step());
  EXPECT_EQ(m.cycle(), 3u);
  EXPECT_EQ(m.state(), RunState::kDone);
  m.start();
  EXPECT_EQ(m.cycle(), 0u);
  EXPECT_EQ(m.run(100), RunState::kDone);
  EXPECT_EQ(m.cycle(), 3u);
  EXPECT_THROW(m.writeSram(6, 4096, Bytes(16)), std::out_of_range);
  EXPECT_THROW(m.writeSram(5, 0, Bytes(16)), std::out_of_range);  // VXM is not a MEM slice
  p.config = "large";
  EXPECT_THROW(m.loadProgram(p), std::invalid_argument);
}

}  // namespace
}  // namespace lpu::model::test
