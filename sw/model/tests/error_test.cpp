// Every error code from a minimal program, with the reported cycle, position and place checked; the priority rule
// (lowest position, then lowest code); and "the erroring cycle commits all but the erroring instruction"
// (docs/architecture.md §8). A failed
// run's cycle count is the error cycle + 1 (TIMEOUT: the limit, see machine.hpp).
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

struct Expect {
  ErrorCode code;
  std::uint64_t cycle;
  unsigned position;
};

void expectError(const RunResult& r, Expect e, const char* what) {
  ASSERT_EQ(r.state, RunState::kError) << what;
  ASSERT_TRUE(r.error) << what;
  EXPECT_EQ(r.error->code, e.code) << what << ": " << r.error->message;
  EXPECT_EQ(r.error->cycle, e.cycle) << what << ": " << r.error->message;
  EXPECT_EQ(r.error->position, e.position) << what << ": " << r.error->message;
  EXPECT_EQ(r.cycles, e.cycle + 1) << what;
  EXPECT_FALSE(r.error->message.empty());
}

RunResult runQueues(const ArchConfig& cfg, std::vector<std::pair<unsigned, std::vector<std::uint32_t>>> qs,
                    Recorder* rec = nullptr) {
  isa::Program p = allHalt(cfg);
  for (auto& [q, words] : qs) p.queues[q] = words;
  Machine m(cfg);
  return runProgram(m, p, rec);
}

constexpr std::uint32_t kOpcodeShift = 25;

// Unassigned opcode 0x7F after `nop 2` in queue 4: cycle 2, position 4, address = pc 1.
TEST(Errors, IllegalOpcode) {
  ArchConfig cfg = ArchConfig::byName("small");
  RunResult r = runQueues(cfg, {{4, {nop(2), 0x7Fu << kOpcodeShift}}});
  expectError(r, {ErrorCode::kIllegalOpcode, 2, 4}, "opcode 0x7f");
  EXPECT_EQ(r.error->address, 1u);
}

// add.i8 from a MEM queue (6) at 0; lw from the VXM queue at 1.
TEST(Errors, WrongSlice) {
  ArchConfig cfg = ArchConfig::byName("small");
  expectError(runQueues(cfg, {{6, {vxm(Opcode::kAdd, ElemType::kI8, E(0), E(1), E(2))}}}),
              {ErrorCode::kWrongSlice, 0, 6}, "add on MEM");
  expectError(runQueues(cfg, {{5, {nop(1), lw(0, E(0))}}}), {ErrorCode::kWrongSlice, 1, 5}, "lw on VXM");
  expectError(runQueues(cfg, {{1, {read(0, E(0))}}}), {ErrorCode::kWrongSlice, 0, 1}, "read on SXM");
}

TEST(Errors, BadOperand) {
  ArchConfig cfg = ArchConfig::byName("small");
  const unsigned v = cfg.vxmPosition();
  // i16 group starting at the odd stream E1 (misaligned), dispatched at 1.
  isa::Instruction add16 = isa::Instruction::make(Opcode::kAdd);
  add16.type = ElemType::kI16;
  add16.set(isa::Field::kDst, static_cast<std::int32_t>(E(1).encode()));
  add16.set(isa::Field::kSrca, static_cast<std::int32_t>(E(2).encode()));
  add16.set(isa::Field::kSrcb, static_cast<std::int32_t>(W(4).encode()));
  expectError(runQueues(cfg, {{v, {nop(1), isa::encode(add16)}}}), {ErrorCode::kBadOperand, 1, v}, "misaligned");
  // i32 group at E4 is aligned; at E2 it is not.
  expectError(runQueues(cfg, {{v, {vxm(Opcode::kMov, ElemType::kI32, E(2), W(0))}}}), {ErrorCode::kBadOperand, 0, v},
              "misaligned i32");
  // Reserved bit 0 set in halt.
  expectError(runQueues(cfg, {{3, {halt() | 1u}}}), {ErrorCode::kBadOperand, 0, 3}, "reserved bits");
  // Reserved type 3.
  expectError(runQueues(cfg, {{v, {vxm(Opcode::kAdd, ElemType::kI8, E(0), E(1), E(2)) | (3u << 23)}}}),
              {ErrorCode::kBadOperand, 0, v}, "reserved type");
  // Stream E8 does not exist on small (8 streams per direction).
  expectError(runQueues(cfg, {{v, {vxm(Opcode::kNot, ElemType::kI8, E(8), E(0))}}}), {ErrorCode::kBadOperand, 0, v},
              "stream index");
  // nop 0 (the encoder accepts count 0; the ISA forbids it).
  expectError(runQueues(cfg, {{2, {nop(0)}}}), {ErrorCode::kBadOperand, 0, 2}, "nop 0");
  // lw row 16 >= lanes; acc slot 16 >= mxm_acc_slots.
  expectError(runQueues(cfg, {{12, {lw(16, E(0))}}}), {ErrorCode::kBadOperand, 0, 10}, "lw row");  // MXM_E_LOAD
  expectError(runQueues(cfg, {{0, {acc(E(0), 16)}}}), {ErrorCode::kBadOperand, 0, 0}, "acc slot");
}

// read 4096 on small (4096 words per slice) at cycle 2 on MEM_W0 (4).
TEST(Errors, BadAddress) {
  ArchConfig cfg = ArchConfig::byName("small");
  RunResult r = runQueues(cfg, {{4, {nop(2), read(4096, E(0))}}});
  expectError(r, {ErrorCode::kBadAddress, 2, 4}, "read 4096");
  EXPECT_EQ(r.error->address, 4096u);
}

// mul.i8 E0 at 0 (latency 3: loaded at the end of 2) and add.i8 E0 at 1 (latency 2: end of 2) hit R[E][0][v+1] in
// the same cycle: STREAM_CONFLICT at 2, at the VXM, stream E0. The erroring cycle commits everything but the
// loser: MEM_E0's `write 3, W5` (W5 is 0 there) dispatched at 2 commits, and R[E][0][v+1] loads the result
// scheduled first, the mul's (lpu_vxm: the longest-latency path wins), as the one StreamWrite of cycle 2.
TEST(Errors, StreamConflictFromTwoLatencies) {
  for (const char* name : {"small", "large"}) {
    ArchConfig cfg = ArchConfig::byName(name);
    const unsigned v = cfg.vxmPosition();
    Recorder rec;
    isa::Program p = allHalt(cfg);
    p.queues[v] = {vxm(Opcode::kMul, ElemType::kI8, E(0), W(1), W(1)),
                   vxm(Opcode::kAdd, ElemType::kI8, E(0), W(1), W(1)), halt()};
    p.queues[v + 1] = {nop(2), write(3, W(5)), halt()};
    p.data.push_back({v + 1, 3, Bytes(cfg.lanes(), 0x42)});
    Machine m(cfg);
    RunResult r = runProgram(m, p, &rec);
    expectError(r, {ErrorCode::kStreamConflict, 2, v}, name);
    EXPECT_EQ(r.error->stream, 0u);
    EXPECT_EQ(r.error->dir, Dir::kEast);
    EXPECT_EQ(m.readSram(v + 1, 3), Bytes(cfg.lanes(), 0));
    ASSERT_EQ(rec.streams.size(), 1u);
    EXPECT_EQ(rec.streams[0].cycle, 2u);
    EXPECT_EQ(rec.streams[0].position, v + 1);
    EXPECT_EQ(rec.streams[0].stream, 0u);
    EXPECT_EQ(rec.streams[0].producer, v);
    ASSERT_EQ(rec.mems.size(), 1u);
    EXPECT_EQ(rec.mems[0].address, 3u);
    ASSERT_EQ(rec.errors.size(), 1u);
  }
}

// MXM_W (position 0) `acc W0, 0` at 1: latency 2, loaded at the end of 2 -- west of position 0 is off the chip:
// EDGE_WRITE at 2, position 0, stream 0 (the group base), west. MXM_E writing east likewise.
TEST(Errors, EdgeWrite) {
  for (const char* name : {"small", "large"}) {
    ArchConfig cfg = ArchConfig::byName(name);
    RunResult r = runQueues(cfg, {{0, {nop(1), acc(W(0), 0), halt()}}});
    expectError(r, {ErrorCode::kEdgeWrite, 2, 0}, name);
    EXPECT_EQ(r.error->stream, 0u);
    EXPECT_EQ(r.error->dir, Dir::kWest);
    const unsigned last = cfg.positions() - 1;
    RunResult r2 = runQueues(cfg, {{last, {acc(E(4), 1), halt()}}});
    expectError(r2, {ErrorCode::kEdgeWrite, 1, last}, name);
    EXPECT_EQ(r2.error->stream, 4u);
    EXPECT_EQ(r2.error->dir, Dir::kEast);
  }
}

TEST(Errors, BadRepeat) {
  ArchConfig cfg = ArchConfig::byName("small");
  const unsigned v = cfg.vxmPosition();
  // at the queue's start: cycle 0
  expectError(runQueues(cfg, {{v, {repeat(1, 1)}}}), {ErrorCode::kBadRepeat, 0, v}, "at start");
  // after an ICU instruction: nop 2 at 0, repeat at 2
  expectError(runQueues(cfg, {{v, {nop(2), repeat(1, 1)}}}), {ErrorCode::kBadRepeat, 2, v}, "after nop");
  // n = 0 / d = 0 after a read at 0: the Repeat dispatches at 1
  expectError(runQueues(cfg, {{6, {read(0, W(0)), repeat(0, 1)}}}), {ErrorCode::kBadRepeat, 1, 6}, "n = 0");
  expectError(runQueues(cfg, {{6, {read(0, W(0)), repeat(1, 0)}}}), {ErrorCode::kBadRepeat, 1, 6}, "d = 0");
  // stride on add (no index field): repeat at 1
  expectError(runQueues(cfg, {{v, {vxm(Opcode::kNot, ElemType::kI8, E(0), E(1)), repeat(1, 1, 1)}}}),
              {ErrorCode::kBadRepeat, 1, v}, "stride on not");
  // repeat after repeat: read at 0, repeat 1, 2 (re-issue at 2, next at 3), repeat at 3
  expectError(runQueues(cfg, {{6, {read(0, W(0)), repeat(1, 2), repeat(1, 1)}}}), {ErrorCode::kBadRepeat, 3, 6},
              "repeat after repeat");
}

// small: ABCs must be 2 cycles apart. abc at 0 and abc at 1 on MXM_E: MXM_OVERRUN at 1, position 10. The same via
// a Repeat re-issue (abc at 0; repeat 1, 1, 1 -> re-issue at 1). large (interval 1) accepts both.
TEST(Errors, MxmOverrun) {
  ArchConfig small = ArchConfig::byName("small");
  expectError(runQueues(small, {{10, {abc(E(0), 0), abc(E(0), 1)}}}), {ErrorCode::kMxmOverrun, 1, 10}, "abc abc");
  expectError(runQueues(small, {{10, {abc(E(0), 0), repeat(1, 1, 1)}}}), {ErrorCode::kMxmOverrun, 1, 10}, "abc repeat");
  expectError(runQueues(small, {{0, {abc(W(0), 0), nop(1), abca(W(0), 0), abca(W(0), 1)}}}),
              {ErrorCode::kMxmOverrun, 3, 0}, "abca abca");
  ArchConfig large = ArchConfig::byName("large");
  RunResult ok = runQueues(large, {{20, {abc(E(0), 0), abc(E(0), 1), halt()}}});
  EXPECT_EQ(ok.state, RunState::kDone);
  RunResult ok2 = runQueues(small, {{10, {abc(E(0), 0), nop(1), abc(E(0), 1), halt()}}});
  EXPECT_EQ(ok2.state, RunState::kDone);
}

// Queue 3 syncs at 0, everyone else halts at 0: from the start of 1 all are halted or parked, nothing in flight.
TEST(Errors, SyncDeadlock) {
  ArchConfig cfg = ArchConfig::byName("small");
  expectError(runQueues(cfg, {{3, {sync()}}}), {ErrorCode::kSyncDeadlock, 1, 3}, "sync alone");
}

// send at 1 on queue 3; recv and deskew at 0 on the VXM and an MXM queue.
TEST(Errors, Unimplemented) {
  ArchConfig cfg = ArchConfig::byName("small");
  expectError(runQueues(cfg, {{3, {nop(1), send(E(0), 0)}}}), {ErrorCode::kUnimplemented, 1, 3}, "send");
  isa::Instruction deskew = isa::Instruction::make(Opcode::kDeskew);
  expectError(runQueues(cfg, {{10, {isa::encode(deskew)}}}), {ErrorCode::kUnimplemented, 0, 10}, "deskew");
}

// nop 1000 keeps the VXM busy; run(100) stops with TIMEOUT: error().cycle == cycle() == 100.
TEST(Errors, Timeout) {
  ArchConfig cfg = ArchConfig::byName("small");
  isa::Program p = allHalt(cfg);
  p.queues[5] = {nop(1000), halt()};
  Machine m(cfg);
  Recorder rec;
  RunResult r = runProgram(m, p, &rec, 100);
  ASSERT_EQ(r.state, RunState::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kTimeout);
  EXPECT_EQ(r.error->cycle, 100u);
  EXPECT_EQ(r.cycles, 100u);
  EXPECT_EQ(rec.cycle_ends, 100u);
  ASSERT_EQ(rec.errors.size(), 1u);
  // The same program finishes with a higher limit: nop at 0, halt at 1000 -> T = 1001.
  Machine m2(cfg);
  RunResult ok = runProgram(m2, p, nullptr, 1001);
  EXPECT_EQ(ok.state, RunState::kDone);
  EXPECT_EQ(ok.cycles, 1001u);
}

// Two errors in cycle 0: queue 2 illegal (code 1), queue 1 wrong slice (code 2): the lowest position wins.
TEST(Errors, LowestPositionWins) {
  ArchConfig cfg = ArchConfig::byName("small");
  expectError(runQueues(cfg, {{2, {0x7Fu << kOpcodeShift}}, {1, {read(0, E(0))}}}), {ErrorCode::kWrongSlice, 0, 1},
              "two positions");
}

// One position, two codes in one cycle: the VXM's mul/add conflict lands at the end of 2 (STREAM_CONFLICT = 5) while
// the VXM dispatches an illegal word at 2 (ILLEGAL_OPCODE = 1): the lower code wins.
TEST(Errors, LowestCodeWinsAtOnePosition) {
  ArchConfig cfg = ArchConfig::byName("small");
  const unsigned v = cfg.vxmPosition();
  RunResult r = runQueues(cfg, {{v,
                                 {vxm(Opcode::kMul, ElemType::kI8, E(0), W(1), W(1)),
                                  vxm(Opcode::kAdd, ElemType::kI8, E(0), W(1), W(1)), 0x7Fu << kOpcodeShift}}});
  expectError(r, {ErrorCode::kIllegalOpcode, 2, v}, "two codes");
}

}  // namespace
}  // namespace lpu::model::test
