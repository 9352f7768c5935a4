// lpu_queue's assertions (a MEM queue, 16 words deep), fired through its ports where the host or lpu_top could
// break the contract, by fault injection for the internal invariants.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "sw/isa/isa.hpp"
#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

// Reset, stopped, nothing asked. The program length is not reset (the host sets it with IMEM_ADDR before a run).
void stopped(Model& m) {
  VTOP& t = m.top();
  t.imem_we_i = 0;
  t.imem_waddr_i = 0;
  t.imem_wdata_i = 0;
  t.imem_len_we_i = 0;
  t.imem_len_i = 0;
  t.start_req_i = 0;
  t.start_i = 0;
  t.running_i = 0;
  t.commit_i = 0;
  t.notify_any_i = 0;
  m.reset();
  m.clock(2);
}

// A one-word program, Halt, loaded as the host does (IMEM_ADDR = {queue, 0}, IMEM_DATA), then START: the queue
// halts in cycle 0 and dispatches nothing. lpu_top keeps running_i and commit_i high while other queues run.
void runningHalted(Model& m) {
  stopped(m);
  m.top().imem_len_we_i = 1;
  m.top().imem_len_i = 0;
  m.clock();
  m.top().imem_len_we_i = 0;
  m.top().imem_we_i = 1;
  m.top().imem_waddr_i = 0;
  m.top().imem_wdata_i = lpu::isa::encode(lpu::isa::Instruction::make(lpu::isa::Opcode::kHalt));
  m.clock();
  m.top().imem_we_i = 0;
  m.clock();
  m.top().start_req_i = 1;
  m.clock();
  m.top().start_req_i = 0;
  m.top().start_i = 1;
  m.clock();
  m.top().start_i = 0;
  m.top().running_i = 1;
  m.top().commit_i = 1;
  m.clock(2);
}

TEST(QueueFire, ARunOfAHaltFiresNothing) {
  Model m;
  runningHalted(m);
  m.clock(4);
  EXPECT_TRUE(m.top().halted_o);
  EXPECT_FALSE(m.top().err_o);
  EXPECT_NONE_FIRED(m);
  EXPECT_FALSE(m.assertionFailed());
}

TEST(QueueFire, ImemWrittenOnlyWhileStopped) {
  Model m;
  runningHalted(m);
  m.top().imem_we_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.ImemWrittenOnlyWhileStopped");
}

TEST(QueueFire, CommitOnlyWhileRunning) {
  Model m;
  stopped(m);
  m.top().commit_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.CommitOnlyWhileRunning");
}

TEST(QueueFire, NoImemWriteBeforeStart) {
  Model m;
  stopped(m);
  m.top().imem_we_i = 1;
  m.top().imem_wdata_i = 0;
  m.clock();
  m.top().imem_we_i = 0;
  m.top().start_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.NoImemWriteBeforeStart");
}

TEST(QueueFire, StartOnlyWhileStopped) {
  Model m;
  runningHalted(m);
  m.top().start_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.StartOnlyWhileStopped");
}

TEST(QueueFire, HaltedAndParkedAreExclusive) {
  Model m;
  stopped(m);
  m.root().lpu_queue__DOT__halted_q = 1;
  m.root().lpu_queue__DOT__parked_q = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.HaltedAndParkedAreExclusive");
}

TEST(QueueFire, RepeatIntervalRunsWhileActive) {
  Model m;
  stopped(m);
  m.root().lpu_queue__DOT__rep_active_q = 1;
  m.root().lpu_queue__DOT__wait_q = 0;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.RepeatIntervalRunsWhileActive");
}

TEST(QueueFire, PcNeverPassesTheProgramEnd) {
  Model m;
  runningHalted(m);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_queue__DOT__pc_q = 3;  // len_q is 1; halted, nothing dispatches from the corrupted pc
  m.clock();
  EXPECT_TRUE(m.fired("lpu_queue.PcNeverPassesTheProgramEnd")) << m.assertions().summary();
  EXPECT_ONLY_FIRED(m, "lpu_queue.PcNeverPassesTheProgramEnd");
}

// A one-word program (a Nop) while running: parking on a word that is not a Sync is caught.
TEST(QueueFire, ParkedQueueWaitsOnASync) {
  Model m;
  stopped(m);
  m.top().imem_len_we_i = 1;
  m.top().imem_len_i = 0;
  m.clock();
  m.top().imem_len_we_i = 0;
  m.top().imem_we_i = 1;
  m.top().imem_waddr_i = 0;
  m.top().imem_wdata_i = 0x0000'0000;
  m.clock();
  m.top().imem_we_i = 0;
  m.clock();
  m.root().lpu_queue__DOT__len_q = 1;
  m.root().lpu_queue__DOT__parked_q = 1;
  m.top().running_i = 1;
  m.top().commit_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_queue.ParkedQueueWaitsOnASync");
}

// The repeat engine re-issues with no head word involved; a queue that is also halted (or parked) must not.
void repeatingWhile(Model& m, bool halted) {
  runningHalted(m);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_queue__DOT__rep_active_q = 1;
  m.root().lpu_queue__DOT__wait_q = 1;
  m.root().lpu_queue__DOT__rep_left_q = 2;
  m.root().lpu_queue__DOT__rep_d_q = 1;
  m.root().lpu_queue__DOT__rep_stride_q = 0;
  // The word re-issued: a legal Read of address 0 (a bad one would be reported as an error, not dispatched).
  m.root().lpu_queue__DOT__last_q = lpu::isa::encode(lpu::isa::Instruction::make(lpu::isa::Opcode::kRead));
  if (!halted) {
    m.root().lpu_queue__DOT__halted_q = 0;
    m.root().lpu_queue__DOT__parked_q = 1;
    m.root().lpu_queue__DOT__pc_q = 1;  // at the end, where a parked queue has no word to wait on
  }
  m.clock();
}

TEST(QueueFire, NoDispatchWhileHalted) {
  Model m;
  repeatingWhile(m, true);
  EXPECT_TRUE(m.fired("lpu_queue.NoDispatchWhileHalted")) << m.assertions().summary();
  EXPECT_ONLY_FIRED(m, "lpu_queue.NoDispatchWhileHalted");
}

TEST(QueueFire, NoDispatchWhileParked) {
  Model m;
  repeatingWhile(m, false);
  EXPECT_ONLY_FIRED(m, "lpu_queue.NoDispatchWhileParked");
}

}  // namespace
