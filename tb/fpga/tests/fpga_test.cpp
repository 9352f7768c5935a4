// The verilated ULX3S top driven through its UART exactly as a host would drive the board: programs
// loaded, run and read back through lpu_host_bridge frames and compared with the golden model
// (sw/model) running the same assembled program; protocol robustness (garbage, timeout, bad CRC,
// unknown command, oversized length, bad address, random garbage) checked against the reference
// rules of sw/link (checkRequest) and by reading back that nothing was written.
//
// Random initial state: every model starts from +verilator+rand+reset+2 with a seed printed by each
// test; LPU_SEED=<n> reruns one.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/regs_gen.hpp"
#include "sw/link/link.hpp"
#include "sw/model/machine.hpp"
#include "tb/fpga/fpga_harness.hpp"

namespace lpu::tb {
namespace {

using link::Request;
using link::Status;

// The host register map (docs/isa.md, "Host registers"), generated from sw/isa/regs.toml.
using namespace ::lpu::regs;
// led[7:0] of lpu_fpga_top.
constexpr unsigned kLedHeartbeat = 0, kLedRunning = 1, kLedDone = 2, kLedError = 3, kLedLocked = 4;

std::uint32_t testSeed() {
  if (const char* s = std::getenv("LPU_SEED")) return static_cast<std::uint32_t>(std::strtoul(s, nullptr, 0));
  return std::random_device{}();
}

[[maybe_unused]] bool led(const FpgaHarness& b, unsigned i) { return (b.leds() >> i) & 1; }

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

isa::Program assembleFile(const std::string& rel, const isa::ArchConfig& cfg) {
  const std::string path = std::string(LPU_SOURCE_DIR) + "/" + rel;
  const assembler::AssembleResult r = assembler::assemble(readFile(path), path, cfg);
  if (!r.ok()) throw std::runtime_error(r.formatDiagnostics());
  return *r.program;
}

// Each test binary links one model (tb/fpga/CMakeLists.txt) and says which through LPU_FPGA_REAL.
std::unique_ptr<BoardModel> makeModel(std::uint32_t seed) {
#if LPU_FPGA_REAL
  return makeRealBoardModel(seed);
#else
  return makeFastBoardModel(seed);
#endif
}

class Board : public ::testing::Test {
 protected:
  Board() : seed_(testSeed()), cfg_(isa::ArchConfig::byName("ulx3s")), b_(makeModel(seed_)) {
    std::printf("[ seed     ] LPU_SEED=%u\n", seed_);
    RecordProperty("seed", std::to_string(seed_));
  }
  void TearDown() override { EXPECT_FALSE(b_.assertionFailed()) << "an RTL assertion failed"; }

  // Assembles, runs on the golden model and on the board, and compares every word of every data
  // segment (the result areas are data segments too), the status and the cycle count.
  void runAndCompare(const std::string& rel) {
    const isa::Program prog = assembleFile(rel, cfg_);
    model::Machine m(cfg_);
    m.loadProgram(prog);
    m.start();
    ASSERT_EQ(m.run(100'000), model::RunState::kDone) << rel << " on the golden model";

    b_.loadProgram(prog, cfg_);
    const std::uint32_t status = b_.runToCompletion(1000);
    EXPECT_EQ(status, kStatusDone) << rel;
    EXPECT_EQ(b_.cycleCount(), m.cycle()) << rel << ": cycle count, board vs golden model";
    unsigned changed = 0;
    for (const isa::DataSegment& seg : prog.data) {
      for (std::size_t w = 0; w * cfg_.lanes() < seg.bytes.size(); ++w) {
        const auto addr = seg.address + static_cast<std::uint32_t>(w);
        const std::vector<std::uint8_t> want = m.readSram(seg.position, addr);
        EXPECT_EQ(b_.readSram(seg.position, addr, cfg_.lanes()), want)
            << rel << ": " << cfg_.queueName(seg.position) << " word " << addr;
        const std::vector<std::uint8_t> before(seg.bytes.begin() + static_cast<std::ptrdiff_t>(w * cfg_.lanes()),
                                               seg.bytes.begin() + static_cast<std::ptrdiff_t>((w + 1) * cfg_.lanes()));
        changed += want != before;
      }
    }
    EXPECT_GT(changed, 0u) << rel << ": the program wrote none of its data words (nothing compared)";
  }

  // Staging words SRAM_DATA[0..lanes/4) set to a pattern; the robustness tests check they stay so.
  std::vector<std::uint32_t> setStaging(std::uint32_t salt) {
    std::vector<std::uint32_t> v(cfg_.lanes() / 4);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0x01020304u * static_cast<std::uint32_t>(i + 1) ^ salt;
    EXPECT_EQ(b_.transact(Request::writeSeq(kRegSramData, v)).status, Status::kOk);
    EXPECT_EQ(b_.readRegs(kRegSramData, static_cast<unsigned>(v.size())), v);
    return v;
  }
  std::vector<std::uint32_t> staging() { return b_.readRegs(kRegSramData, cfg_.lanes() / 4); }

  // Sends a rejected frame, expects the error reply `want` (also what sw/link's reference check
  // predicts), and checks nothing was written and that the next good frame works.
  void rejectAndRecover(const std::vector<std::uint8_t>& bytes, Status want, const char* what) {
    SCOPED_TRACE(what);
    const link::RequestCheck ref = link::checkRequest(bytes, b_.maxWords());
    ASSERT_TRUE(ref.found);
    ASSERT_EQ(ref.status, want) << "reference check";
    const std::vector<std::uint32_t> before = setStaging(0x5A5A0000u);
    const std::uint64_t sent_at = b_.clocks();
    const link::Reply r = b_.transactRaw(bytes);
    EXPECT_EQ(r.status, want) << link::statusName(r.status);
    EXPECT_EQ(r.command, bytes.at(1)) << "the reply names the command byte received";
    EXPECT_TRUE(r.words.empty());
    // The error reply waits until the line has been quiet for the timeout.
    EXPECT_GE(b_.clocks() - sent_at, b_.timeoutClocks());
    EXPECT_EQ(staging(), before) << "a rejected frame wrote a register";
    const std::vector<std::uint32_t> after = setStaging(0x00C0FFEEu);
    EXPECT_NE(after, before);
  }

  std::uint32_t seed_;
  isa::ArchConfig cfg_;
  FpgaHarness b_;
};

#if !LPU_FPGA_REAL
TEST_F(Board, ComesOutOfResetWithPllLockedAndIdleLeds) {
  EXPECT_TRUE(led(b_, kLedLocked));
  EXPECT_TRUE(b_.wifiGpio0());
  b_.step(4);
  EXPECT_FALSE(led(b_, kLedRunning));
  EXPECT_FALSE(led(b_, kLedDone));
  EXPECT_FALSE(led(b_, kLedError));
  // The fast variant's heartbeat (HeartbeatLog2 = 8: the top bit of an 8-bit counter) toggles every
  // 128 clocks.
  const bool h0 = led(b_, kLedHeartbeat);
  b_.step(128);
  EXPECT_NE(led(b_, kLedHeartbeat), h0);
  b_.step(128);
  EXPECT_EQ(led(b_, kLedHeartbeat), h0);
}

TEST_F(Board, PingReturnsIdentityAndConfig) {
  const link::Reply r = b_.transact(Request::ping());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.command, static_cast<std::uint8_t>(link::Command::kPing));
  ASSERT_EQ(r.words.size(), 2u);
  const link::Identity id = link::Identity::decode(r.words[0]);
  EXPECT_EQ(id.version, link::kProtocolVersion);
  EXPECT_EQ(id.max_words, b_.maxWords());
  EXPECT_EQ(id.magic, link::kIdentMagic);
  // CONFIG (docs/isa.md, "Host registers") of the ulx3s configuration.
  const std::uint32_t c = r.words[1];
  EXPECT_EQ(kConfigLanesField.get(c), cfg_.lanes());
  EXPECT_EQ(kConfigStreamsPerDirField.get(c), cfg_.streamsPerDir());
  EXPECT_EQ(kConfigMemSlicesPerHemField.get(c), cfg_.memSlicesPerHem());
  EXPECT_EQ(1u << kConfigLog2WordsPerBankField.get(c), cfg_.params().words_per_bank);
  EXPECT_EQ(b_.readReg(kRegConfig), c);
}

TEST_F(Board, HelloMatchesTheGoldenModel) {
  runAndCompare("examples/hello.s");
  // STATUS polled by the bridge while idle drives the LEDs.
  b_.step(8);
  EXPECT_TRUE(led(b_, kLedDone));
  EXPECT_FALSE(led(b_, kLedRunning));
  EXPECT_FALSE(led(b_, kLedError));
}

TEST_F(Board, PipelineMatchesTheGoldenModel) { runAndCompare("tb/demo/pipeline.s"); }

TEST_F(Board, ErrorLedFollowsStatus) {
  // hello.s with MEM_W0's queue replaced by one word that does not decode: the golden model says
  // which error and when; the board must report the same through STATUS, ERR_CODE and ERR_CYCLE,
  // and light the ERROR LED.
  isa::Program p = assembleFile("examples/hello.s", cfg_);
  p.queues[cfg_.vxmPosition() - 1] = {0xFFFFFFFFu};
  model::Machine m(cfg_);
  m.loadProgram(p);
  m.start();
  ASSERT_EQ(m.run(1000), model::RunState::kError);
  b_.loadProgram(p, cfg_);
  EXPECT_EQ(b_.runToCompletion(1000), kStatusDone | kStatusError);
  EXPECT_EQ(b_.readReg(0x08), static_cast<std::uint32_t>(m.error()->code)) << m.error()->message;
  EXPECT_EQ(b_.readReg(0x0C), m.error()->cycle);
  b_.step(8);
  EXPECT_TRUE(led(b_, kLedError));
  EXPECT_TRUE(led(b_, kLedDone));
  EXPECT_FALSE(led(b_, kLedRunning));
}

TEST_F(Board, ResetButtonResetsTheCore) {
  runAndCompare("examples/hello.s");
  b_.step(8);
  ASSERT_TRUE(led(b_, kLedDone));
  b_.pressResetButton(true);
  b_.step(5);
  b_.pressResetButton(false);
  b_.step(16);
  EXPECT_EQ(b_.readReg(kRegStatus), 0u) << "STATUS after the reset button";
  EXPECT_FALSE(led(b_, kLedDone));
  EXPECT_EQ(b_.transact(Request::ping()).status, Status::kOk);
}

TEST_F(Board, GarbageBeforeAFrameIsSkipped) {
  const std::vector<std::uint8_t> garbage{0x00, 0xFF, 0x5A, 0x13, 0x01, 0x02, 0x04, 0x7E, 0xA4};
  b_.send(garbage);
  const std::vector<std::uint32_t> v{0x11111111u, 0x22222222u};
  const link::Reply r = b_.transact(Request::writeSeq(kRegSramData, v));
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_EQ(staging(), v);
}

TEST_F(Board, TruncatedFrameTimesOut) {
  std::vector<std::uint8_t> f = link::encodeRequest(Request::writeSeq(kRegSramData, {1, 2}));
  f.resize(f.size() - 3);
  rejectAndRecover(f, Status::kTimeout, "truncated");
}

TEST_F(Board, SyncByteAloneTimesOutWithCommandZero) {
  const link::Reply r = b_.transactRaw(std::vector<std::uint8_t>{link::kSyncRequest});
  EXPECT_EQ(r.status, Status::kTimeout);
  EXPECT_EQ(r.command, 0) << "no command byte arrived";
  EXPECT_EQ(b_.transact(Request::ping()).status, Status::kOk);
}

TEST_F(Board, BadCrcIsRejected) {
  std::vector<std::uint8_t> f = link::encodeRequest(Request::writeSeq(kRegSramData, {1, 2}));
  f.back() ^= 0x40;
  rejectAndRecover(f, Status::kBadCrc, "bad crc");
  // A flipped payload bit, CRC unchanged.
  f = link::encodeRequest(Request::write(kRegSramData, {0xA5A5A5A5u}));
  f[6] ^= 0x01;
  rejectAndRecover(f, Status::kBadCrc, "flipped payload bit");
}

TEST_F(Board, UnknownCommandIsRejected) {
  // A well-formed frame (good CRC) with command 0x09, shaped like a write.
  std::vector<std::uint8_t> f{link::kSyncRequest, 0x09, 0x00, 0x01, 0x01, 0xA5, 0xA5, 0xA5, 0xA5};
  const std::uint16_t c = link::crc16(std::span<const std::uint8_t>(f).subspan(1));
  f.push_back(static_cast<std::uint8_t>(c >> 8));
  f.push_back(static_cast<std::uint8_t>(c));
  rejectAndRecover(f, Status::kBadCmd, "unknown command");
}

TEST_F(Board, OversizedLengthIsRejected) {
  // N = 17 > MaxWords with a full payload full of sync bytes and a good CRC: the drain must swallow
  // all of it.
  Request r = Request::writeSeq(kRegSramData, std::vector<std::uint32_t>(17, 0xA5A5A5A5u));
  const std::vector<std::uint8_t> f = link::encodeRequest(r, 64);
  rejectAndRecover(f, Status::kBadLen, "N = 17");
  rejectAndRecover({link::kSyncRequest, 0x04, 0x00, 0x01, 0x00, 0x12, 0x34}, Status::kBadLen, "read of N = 0");
  rejectAndRecover({link::kSyncRequest, 0x01, 0x00, 0x00, 0x02, 0x12, 0x34}, Status::kBadLen, "ping with N = 2");
}

TEST_F(Board, BadAddressIsRejected) {
  rejectAndRecover({link::kSyncRequest, 0x03, 0x02, 0x01, 0x01, 1, 2, 3, 4, 0, 0}, Status::kBadAddr, "unaligned");
  rejectAndRecover({link::kSyncRequest, 0x03, 0x00, 0x11, 0x01, 1, 2, 3, 4, 0, 0}, Status::kBadAddr, ">= 0x1000");
}

TEST_F(Board, RandomGarbageGetsAtMostOneErrorReplyAndWritesNothing) {
  // Random bytes back to back: the first sync byte starts a frame that fails (or runs out:
  // TIMEOUT); the bridge then drains everything up to the quiet line, so exactly one reply comes,
  // with the status sw/link's reference check predicts for the first frame. No sync byte at all: no
  // reply.
  std::mt19937 rng(seed_);
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(round);
    const std::vector<std::uint32_t> before = setStaging(static_cast<std::uint32_t>(round));
    std::vector<std::uint8_t> g(40 + rng() % 160);
    for (auto& x : g) x = static_cast<std::uint8_t>(rng());
    if (round == 0) std::erase(g, link::kSyncRequest);
    if (round == 1) g[g.size() / 2] = link::kSyncRequest;
    const link::RequestCheck ref = link::checkRequest(g, b_.maxWords());
    ASSERT_TRUE(!ref.found || ref.status != Status::kOk) << "the garbage holds a valid frame: pick another seed";
    b_.send(g);
    b_.drainTx();
    std::vector<link::Reply> replies;
    while (auto r = b_.waitReply(2 * b_.timeoutClocks() + 4000)) replies.push_back(*r);
    if (!ref.found) {
      EXPECT_TRUE(replies.empty());
    } else {
      ASSERT_EQ(replies.size(), 1u);
      EXPECT_EQ(replies[0].status, ref.status) << link::statusName(replies[0].status);
    }
    EXPECT_EQ(staging(), before);
  }
  EXPECT_EQ(b_.framingErrors(), 0u);
  EXPECT_EQ(b_.transact(Request::ping()).status, Status::kOk);
}

TEST_F(Board, SlowHostWithinTheTimeoutIsAccepted) {
  // Idle gaps between the bytes of a frame, each shorter than the inter-byte timeout: the frame is
  // good. The same frame with one gap longer than the timeout gets TIMEOUT and writes nothing.
  const double gap_bits = 0.7 * static_cast<double>(b_.timeoutClocks()) / b_.hostClocksPerBit();
  const std::vector<std::uint32_t> v{0xABCD0001u, 0xABCD0002u};
  b_.send(link::encodeRequest(Request::writeSeq(kRegSramData, v)), gap_bits);
  b_.drainTx();
  std::optional<link::Reply> r = b_.waitReply(4 * b_.timeoutClocks());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kOk);
  EXPECT_EQ(staging(), v);

  const std::vector<std::uint8_t> f = link::encodeRequest(Request::writeSeq(kRegSramData, {7, 8}));
  b_.send(std::span<const std::uint8_t>(f).first(6));
  b_.send(std::span<const std::uint8_t>(f).subspan(6),
          1.5 * static_cast<double>(b_.timeoutClocks()) / b_.hostClocksPerBit());
  b_.drainTx();
  std::vector<link::Reply> replies;
  while (auto x = b_.waitReply(3 * b_.timeoutClocks())) replies.push_back(*x);
  // The first six bytes time out; the rest, which holds no sync byte, is skipped.
  ASSERT_FALSE(replies.empty());
  EXPECT_EQ(replies[0].status, Status::kTimeout);
  for (const link::Reply& x : replies) EXPECT_NE(x.status, Status::kOk);
  EXPECT_EQ(staging(), v);
}

TEST_F(Board, BytesDuringAReplyAreIgnored) {
  // The ping reply (14 bytes) is still going out while these bytes arrive; the bridge drops them,
  // sync byte included, so exactly one reply comes and the next frame is good.
  const std::vector<std::uint8_t> ping = link::encodeRequest(Request::ping());
  b_.send(ping);
  b_.drainTx();
  b_.step(static_cast<std::uint64_t>(20 * b_.hostClocksPerBit()));  // the reply has started
  const std::vector<std::uint8_t> noise{link::kSyncRequest, 0x04, 0x00, 0x01, 0x02};
  b_.send(noise);
  std::vector<link::Reply> replies;
  while (auto x = b_.waitReply(3 * b_.timeoutClocks())) replies.push_back(*x);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, Status::kOk);
  EXPECT_EQ(replies[0].words.size(), 2u);
  EXPECT_EQ(b_.transact(Request::ping()).status, Status::kOk);
}

TEST_F(Board, EveryWriteCommandReachesItsRegisters) {
  // WRITE (one register, N times): IMEM_DATA auto-increments, so the IMEM_ADDR read back moves by
  // N.
  EXPECT_EQ(b_.transact(Request::write(0x20, {0x0000'0003u})).status,
            Status::kOk);  // queue 3, word 0
  EXPECT_EQ(b_.transact(Request::write(0x24, std::vector<std::uint32_t>(16, 0))).status, Status::kOk);
  EXPECT_EQ(b_.readReg(0x20), 0x0000'1003u) << "IMEM_ADDR after 16 IMEM_DATA writes";
  // READ (one register, N times) returns the same word N times.
  const link::Reply r = b_.transact(Request::read(0x20, 3));
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.words, (std::vector<std::uint32_t>(3, 0x0000'1003u)));
  // WRITE_SEQ / READ_SEQ over SRAM_ADDR..SRAM_DATA is covered by writeSram/readSram in the program
  // tests.
}

#else
TEST_F(Board, HelloAt3MbaudFrom100MHzMatchesTheGoldenModel) {
  // 33.33 host clocks per bit against the FPGA's 33: the 1 % rate error of the rounded divisor.
  EXPECT_NEAR(b_.hostClocksPerBit(), 33.333, 0.001);
  const link::Reply r = b_.transact(Request::ping());
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(link::Identity::decode(r.words[0]).magic, link::kIdentMagic);
  runAndCompare("examples/hello.s");
  EXPECT_EQ(b_.framingErrors(), 0u);
}

#endif

}  // namespace
}  // namespace lpu::tb
