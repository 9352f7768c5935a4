// Every error code the RTL can raise, on the RTL in lockstep with the golden model, in both
// configurations: ERR_CODE, ERR_CYCLE, ERR_WHERE (position, stream, direction, address) and the
// cycle count must be identical, and the erroring cycle must commit exactly what the model commits:
// everything but the erroring instruction's own effect (every data word is read back). Each case also asserts the
// model's error, so a test cannot silently stop exercising its code. TIMEOUT (raised by the host) is checked too.
#include "tb/lockstep/tests/lockstep_test_util.hpp"

namespace lpu::lockstep::test {
namespace {

// The RTL runs the MXM load queues (MXM_W_LOAD / MXM_E_LOAD) once this is true (see
// random_test.cpp).
constexpr bool kRtlHasMxmLoadQueues = true;

constexpr std::uint32_t kOpcodeShift = 25;
constexpr std::uint32_t kIllegal = 0x7Fu << kOpcodeShift;

class Errors : public ::testing::TestWithParam<const char*> {
 protected:
  Errors() : cfg_(ArchConfig::byName(GetParam())), l_(cfg_) {}

  Result runQueues(std::vector<std::pair<unsigned, std::vector<std::uint32_t>>> qs, const std::string& label,
                   std::vector<isa::DataSegment> data = {}) {
    isa::Program p = allHalt(cfg_);
    for (auto& [q, words] : qs) p.queues[q] = words;
    p.data = std::move(data);
    return check(cfg_, p, label);
  }

  ArchConfig cfg_;
  Layout l_;
};

TEST_P(Errors, IllegalOpcode) {
  Result r = runQueues({{l_.memW(1), {nop(2), kIllegal}}}, "0x7f");
  expectError(r, ErrorCode::kIllegalOpcode, 2, l_.memW(1));
  // Past the end of a queue's program (no halt): the all-zero word.
  r = runQueues({{l_.vxm(), {nop(3)}}}, "past-end");
  expectError(r, ErrorCode::kIllegalOpcode, 3, l_.vxm());
  // At a high pc (ERR_WHERE address bits): 300 x nop 1, then the illegal word at pc 300, cycle 300.
  std::vector<std::uint32_t> many(300, nop(1));
  many.push_back(kIllegal);
  r = runQueues({{l_.memE(0), many}}, "high-pc");
  expectError(r, ErrorCode::kIllegalOpcode, 300, l_.memE(0));
  EXPECT_EQ(r.model_error->address, 300u);
  // The last word of a full queue (small only: large's 4096-word queue costs ~25 s of its slow
  // model).
  if (cfg_.name() != "ulx3s") return;
  std::vector<std::uint32_t> full(cfg_.params().queue_depth - 1, nop(1));
  full.push_back(kIllegal);
  r = runQueues({{l_.sxmE(), full}}, "last-word");
  expectError(r, ErrorCode::kIllegalOpcode, cfg_.params().queue_depth - 1, l_.sxmE());
}

TEST_P(Errors, WrongSlice) {
  expectError(runQueues({{l_.memE(0), {vxm(Opcode::kAdd, ElemType::kI8, E(0), E(1), E(2))}}}, "add-on-mem"),
              ErrorCode::kWrongSlice, 0, l_.memE(0));
  expectError(runQueues({{l_.vxm(), {nop(1), read(0, E(0))}}}, "read-on-vxm"), ErrorCode::kWrongSlice, 1, l_.vxm());
  expectError(runQueues({{l_.sxmW(), {read(0, E(0))}}}, "read-on-sxm"), ErrorCode::kWrongSlice, 0, l_.sxmW());
  expectError(runQueues({{l_.memW(0), {nop(4), shift(E(0), E(1), 1)}}}, "shift-on-mem"), ErrorCode::kWrongSlice, 4,
              l_.memW(0));
  expectError(runQueues({{l_.mxmE(), {vxm(Opcode::kNot, ElemType::kI8, W(0), W(1))}}}, "not-on-mxm"),
              ErrorCode::kWrongSlice, 0, l_.mxmE());
  if (kRtlHasMxmLoadQueues) {
    expectError(runQueues({{l_.mxmW(), {lw(0, W(0))}}}, "lw-on-compute-queue"), ErrorCode::kWrongSlice, 0, l_.mxmW());
    expectError(runQueues({{l_.loadE(), {nop(1), abc(E(0), 0)}}}, "abc-on-load-queue"), ErrorCode::kWrongSlice, 1,
                l_.mxmE());
  }
}

TEST_P(Errors, BadOperand) {
  const unsigned v = l_.vxm();
  isa::Instruction add16 = isa::Instruction::make(Opcode::kAdd);
  add16.type = ElemType::kI16;
  add16.set(isa::Field::kDst, static_cast<std::int32_t>(E(1).encode()));
  add16.set(isa::Field::kSrca, static_cast<std::int32_t>(E(2).encode()));
  add16.set(isa::Field::kSrcb, static_cast<std::int32_t>(W(2).encode()));
  expectError(runQueues({{v, {nop(1), isa::encode(add16)}}}, "misaligned-i16"), ErrorCode::kBadOperand, 1, v);
  expectError(runQueues({{v, {vxm(Opcode::kMov, ElemType::kI32, E(2), W(0))}}}, "misaligned-i32"),
              ErrorCode::kBadOperand, 0, v);
  expectError(runQueues({{l_.memW(1), {halt() | 1u}}}, "reserved-bit"), ErrorCode::kBadOperand, 0, l_.memW(1));
  expectError(runQueues({{v, {vxm(Opcode::kAdd, ElemType::kI8, E(0), E(1), E(2)) | (3u << 23)}}}, "reserved-type"),
              ErrorCode::kBadOperand, 0, v);
  expectError(runQueues({{l_.memE(1), {nop(0)}}}, "nop-0"), ErrorCode::kBadOperand, 0, l_.memE(1));
  // Transpose group N misaligned (base stream 1).
  expectError(runQueues({{l_.sxmW(), {nop(2), transpose(E(1), W(0))}}}, "transpose-misaligned"), ErrorCode::kBadOperand,
              2, l_.sxmW());
  if (l_.streams() < 16) {  // the stream field holds 0..15: only small has streams that do not exist
    expectError(runQueues({{v, {vxm(Opcode::kNot, ElemType::kI8, E(l_.streams()), E(0))}}}, "stream-index"),
                ErrorCode::kBadOperand, 0, v);
    expectError(runQueues({{l_.memW(0), {read(0, W(15))}}}, "mem-stream-index"), ErrorCode::kBadOperand, 0, l_.memW(0));
  }
  if (cfg_.params().mxm_acc_slots <= 127) {  // the index field holds 0..127
    expectError(runQueues({{l_.mxmE(), {acc(W(0), cfg_.params().mxm_acc_slots)}}}, "acc-slot"), ErrorCode::kBadOperand,
                0, l_.mxmE());
  }
  if (kRtlHasMxmLoadQueues) {
    expectError(runQueues({{l_.loadE(), {lw(l_.lanes(), E(0))}}}, "lw-row"), ErrorCode::kBadOperand, 0, l_.mxmE());
    expectError(runQueues({{l_.loadW(), {lw(l_.lanes() - 2, W(0), 3)}}}, "lw-rows-past-lanes"), ErrorCode::kBadOperand,
                0, l_.mxmW());
  }
}

TEST_P(Errors, BadAddress) {
  const std::uint32_t words = cfg_.wordsPerSlice();
  if (words < 8192) {  // direct address beyond the slice (the addr field holds 0..8191)
    Result r = runQueues({{l_.memW(0), {nop(2), read(words, E(0))}}}, "read");
    expectError(r, ErrorCode::kBadAddress, 2, l_.memW(0));
    EXPECT_EQ(r.model_error->address, words);
    r = runQueues({{l_.memE(2), {write(8191, W(3))}}}, "write-8191");
    expectError(r, ErrorCode::kBadAddress, 0, l_.memE(2));
  }
  // Strided past the last word: read max-1, repeat 3, 1, 1 -> issue 2 at cycle 2 reads max+1.
  Result r = runQueues({{l_.memE(0), {read(l_.maxAddr() - 1, W(0)), repeat(3, 1, 1)}}}, "stride-up");
  expectError(r, ErrorCode::kBadAddress, 2, l_.memE(0));
  // Strided below 0: write 5, repeat 4, 2, -2 -> issues at 2 (3), 4 (1), 6 (-1).
  r = runQueues({{l_.memW(2), {write(5, E(1)), repeat(4, 2, -2)}}}, "stride-down");
  expectError(r, ErrorCode::kBadAddress, 6, l_.memW(2));
}

// Gather/Scatter map elements outside the slice: the map (int16 group E2/E3) arrives at MEM_E1 at
// cycle `at`.
TEST_P(Errors, BadAddressFromAMap) {
  const unsigned target = l_.memE(1);
  for (int bad : {-1, static_cast<int>(cfg_.wordsPerSlice()), 0x7FFF}) {
    for (bool is_scatter : {false, true}) {
      ProgramBuilder b(cfg_);
      std::vector<std::int64_t> map(l_.lanes(), 3);
      map[l_.lanes() - cfg_.params().superlane_lanes] = bad;  // the last superlane's address
      const auto planes = toPlanes(map, 2);
      const auto at = deliver(b, cfg_, target, {{E(2), planes[0]}, {E(3), planes[1]}}, 0, 17);
      ASSERT_TRUE(at);
      b.at(target, *at, is_scatter ? scatter(E(0), E(2)) : gather(E(0), E(2)));
      b.data(target, 3, Bytes(l_.lanes(), 0x5A));
      const Result r = check(cfg_, b.build(), fmt::format("{}-{}", is_scatter ? "scatter" : "gather", bad));
      expectError(r, ErrorCode::kBadAddress, *at, target);
      EXPECT_EQ(r.model_error->stream, 2u);
    }
  }
}

TEST_P(Errors, StreamConflict) {
  const unsigned v = l_.vxm();
  // mul (L=3) at 0 and add (L=2) at 1 load R[E][0][v+1] at the end of 2. MEM_E0's write at 2 must
  // not commit.
  isa::Program p = allHalt(cfg_);
  p.queues[v] = {vxm(Opcode::kMul, ElemType::kI8, E(0), W(1), W(1)), vxm(Opcode::kAdd, ElemType::kI8, E(0), W(1), W(1)),
                 halt()};
  p.queues[l_.memE(0)] = {nop(2), write(3, W(3)), halt()};
  p.data.push_back({l_.memE(0), 3, Bytes(l_.lanes(), 0x42)});
  Result r = check(cfg_, p, "vxm");
  expectError(r, ErrorCode::kStreamConflict, 2, v);
  EXPECT_EQ(r.model_error->stream, 0u);
  // (Read and gather have one latency, 2: one MEM slice cannot conflict with itself, see
  // Directed.MemReadAndGatherBackToBack.)
  // On an MXM: abce (L=4) at 0 and acc (L=2) at 2 both load the four streams W0..W3 at the end
  // of 3.
  if (kRtlHasMxmLoadQueues) {
    isa::Program m = allHalt(cfg_);
    m.queues[l_.mxmE()] = {abce(E(0), 0, W(0)), nop(1), acc(W(0), 1), halt()};
    r = check(cfg_, m, "mxm");
    expectError(r, ErrorCode::kStreamConflict, 3, l_.mxmE());
    EXPECT_EQ(r.model_error->stream, 0u);
  }
  // (SXM instructions all have latency 2: one SXM cannot conflict with itself.)
}

// Only the MXMs sit at the chip edges: acc W on MXM_W, acc E on MXM_E.
TEST_P(Errors, EdgeWrite) {
  Result r = runQueues({{l_.mxmW(), {nop(1), acc(W(0), 0), halt()}}}, "west");
  expectError(r, ErrorCode::kEdgeWrite, latency(Opcode::kAcc), l_.mxmW());
  EXPECT_EQ(r.model_error->dir, Dir::kWest);
  r = runQueues({{l_.mxmE(), {acc(E(0), 1), halt()}}}, "east");
  expectError(r, ErrorCode::kEdgeWrite, latency(Opcode::kAcc) - 1, l_.mxmE());
  EXPECT_EQ(r.model_error->stream, 0u);
}

TEST_P(Errors, BadRepeat) {
  const unsigned v = l_.vxm(), m = l_.memE(0);
  expectError(runQueues({{v, {repeat(1, 1)}}}, "at-start"), ErrorCode::kBadRepeat, 0, v);
  expectError(runQueues({{v, {nop(2), repeat(1, 1)}}}, "after-nop"), ErrorCode::kBadRepeat, 2, v);
  expectError(runQueues({{m, {read(0, W(0)), repeat(0, 1)}}}, "n0"), ErrorCode::kBadRepeat, 1, m);
  expectError(runQueues({{m, {read(0, W(0)), repeat(1, 0)}}}, "d0"), ErrorCode::kBadRepeat, 1, m);
  expectError(runQueues({{v, {vxm(Opcode::kNot, ElemType::kI8, E(0), E(1)), repeat(1, 1, 1)}}}, "stride-on-not"),
              ErrorCode::kBadRepeat, 1, v);
  expectError(runQueues({{m, {read(0, W(0)), repeat(1, 2), repeat(1, 1)}}}, "repeat-after-repeat"),
              ErrorCode::kBadRepeat, 3, m);
  expectError(runQueues({{l_.sxmW(), {sync(), halt()}}, {v, {notify(), repeat(2, 1)}}}, "after-notify"),
              ErrorCode::kBadRepeat, 1, v);
}

TEST_P(Errors, MxmOverrun) {
  const unsigned interval = cfg_.params().mxm_abc_interval;
  if (interval < 2) {
    // Back-to-back ABCs are legal at interval 1.
    Result r = runQueues({{l_.mxmE(), {abc(E(0), 0), abc(E(0), 1), halt()}}}, "legal");
    expectDone(r);
    return;
  }
  expectError(runQueues({{l_.mxmE(), {abc(E(0), 0), abc(E(0), 1)}}}, "abc-abc"), ErrorCode::kMxmOverrun, 1, l_.mxmE());
  expectError(runQueues({{l_.mxmE(), {abc(E(0), 0), repeat(1, 1, 1)}}}, "abc-repeat"), ErrorCode::kMxmOverrun, 1,
              l_.mxmE());
  expectError(runQueues({{l_.mxmW(), {abc(W(0), 0), nop(1), abca(W(0), 0), abca(W(0), 1)}}}, "abca-abca"),
              ErrorCode::kMxmOverrun, 3, l_.mxmW());
  expectDone(runQueues({{l_.mxmE(), {abc(E(0), 0), nop(1), abc(E(0), 1), halt()}}}, "spaced"));
}

TEST_P(Errors, SyncDeadlock) {
  expectError(runQueues({{l_.memW(1), {sync()}}}, "alone"), ErrorCode::kSyncDeadlock, 1, l_.memW(1));
  // Two parked queues, the lowest position is reported; results in flight delay the detection.
  Result r = runQueues({{l_.sxmE(), {nop(3), sync()}}, {l_.memE(0), {read(0, W(0)), sync()}}}, "two");
  expectError(r, ErrorCode::kSyncDeadlock, 4, l_.memE(0));
  // A notify releases the first barrier; the second one deadlocks.
  r = runQueues({{l_.vxm(), {sync(), sync()}}, {l_.memW(0), {nop(2), notify(), halt()}}}, "second-barrier");
  expectError(r, ErrorCode::kSyncDeadlock, 4, l_.vxm());
}

TEST_P(Errors, Unimplemented) {
  expectError(runQueues({{l_.memW(1), {nop(1), send(E(0), 0)}}}, "send"), ErrorCode::kUnimplemented, 1, l_.memW(1));
  isa::Instruction deskew = isa::Instruction::make(Opcode::kDeskew);
  expectError(runQueues({{l_.mxmE(), {isa::encode(deskew)}}}, "deskew"), ErrorCode::kUnimplemented, 0, l_.mxmE());
  isa::Instruction recv = isa::Instruction::make(Opcode::kRecv);
  expectError(runQueues({{l_.vxm(), {nop(5), isa::encode(recv)}}}, "recv"), ErrorCode::kUnimplemented, 5, l_.vxm());
}

TEST_P(Errors, PriorityLowestPositionThenLowestCode) {
  expectError(runQueues({{l_.memW(1), {kIllegal}}, {l_.sxmW(), {read(0, E(0))}}}, "two-positions"),
              ErrorCode::kWrongSlice, 0, l_.sxmW());
  const unsigned v = l_.vxm();
  expectError(runQueues({{v,
                          {vxm(Opcode::kMul, ElemType::kI8, E(0), W(1), W(1)),
                           vxm(Opcode::kAdd, ElemType::kI8, E(0), W(1), W(1)), kIllegal}}},
                        "two-codes"),
              ErrorCode::kIllegalOpcode, 2, v);
  // Every queue raises something in cycle 0: MXM_W (position 0) wins.
  isa::Program p = allHalt(cfg_);
  for (unsigned q = 0; q < cfg_.positions(); ++q) p.queues[q] = {kIllegal};
  expectError(check(cfg_, p, "all"), ErrorCode::kIllegalOpcode, 0, 0);
}

// TIMEOUT is the host's: both sides stop at the limit (the RTL with CLEAR); the longest nop loads
// the counter.
TEST_P(Errors, TimeoutOnTheLongestNop) {
  isa::Program p = allHalt(cfg_);
  p.queues[l_.vxm()] = {nop((1u << 25) - 1), halt()};
  Options opt;
  opt.max_cycles = 1500;
  const Result r = check(cfg_, p, "", opt);
  ASSERT_TRUE(r.model_error);
  EXPECT_EQ(r.model_error->code, ErrorCode::kTimeout);
  EXPECT_EQ(r.model_cycles, 1500u);
}

INSTANTIATE_TEST_SUITE_P(Configs, Errors, ::testing::Values("ulx3s", "large"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace lpu::lockstep::test
