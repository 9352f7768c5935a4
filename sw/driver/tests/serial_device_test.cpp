// The serial backend's host side without a simulated board: checkReply on hand-made byte strings, and the
// LinkClient / serial Device over a pty whose other end is a scripted board in a thread (the frames it gets are
// read with sw/link's reference check). tb/fpga/tests/serial_test.cpp runs the same backend against the verilated
// board top.
#include "sw/driver/serial_device.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/regs_gen.hpp"
#include "sw/link/link.hpp"

namespace lpu::driver {
namespace {

using namespace std::chrono_literals;
using link::Request;
using link::Status;
using Kind = ReplyCheck::Kind;

std::vector<std::uint8_t> reply(Status s, link::Command c, std::vector<std::uint32_t> words = {}) {
  return link::encodeReply(link::Reply{s, static_cast<std::uint8_t>(c), std::move(words)});
}

TEST(CheckReply, AcceptsTheReplyAfterGarbage) {
  std::vector<std::uint8_t> bytes = {0x00, 0x13};
  const auto r = reply(Status::kOk, link::Command::kReadSeq, {1, 2});
  bytes.insert(bytes.end(), r.begin(), r.end());
  const ReplyCheck c = checkReply(bytes, Request::readSeq(0x100, 2), 16);
  ASSERT_EQ(c.kind, Kind::kReply) << c.error;
  EXPECT_EQ(c.reply->words, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(c.consumed, bytes.size());
}

TEST(CheckReply, WaitsForTheRestAndDropsOnlyGarbage) {
  const auto r = reply(Status::kOk, link::Command::kReadSeq, {1, 2});
  std::vector<std::uint8_t> bytes = {0x77};
  bytes.insert(bytes.end(), r.begin(), r.end() - 1);
  const ReplyCheck c = checkReply(bytes, Request::readSeq(0x100, 2), 16);
  EXPECT_EQ(c.kind, Kind::kIncomplete);
  EXPECT_EQ(c.consumed, 1u);
}

TEST(CheckReply, RejectsWhatCannotBeTheReply) {
  const Request read2 = Request::readSeq(0x100, 2);
  auto bad = [&](std::vector<std::uint8_t> bytes, const Request& req, const std::string& why) {
    const ReplyCheck c = checkReply(bytes, req, 16);
    EXPECT_EQ(c.kind, Kind::kBad) << why;
    EXPECT_NE(c.error.find(why), std::string::npos) << c.error;
    EXPECT_GE(c.consumed, 1u);
  };
  bad(reply(Status::kOk, link::Command::kRead, {1, 2}), read2, "echoes command 0x04, expected 0x05");
  bad(reply(Status::kOk, link::Command::kReadSeq, {1}), read2, "1 payload words, expected 2");
  bad(reply(Status::kOk, link::Command::kWrite, {7}), Request::write(0, {1}), "1 payload words, expected 0");
  auto crc = reply(Status::kOk, link::Command::kReadSeq, {1, 2});
  crc[5] ^= 0x10;
  bad(crc, read2, "CRC");
  const auto status = link::encodeReply(link::Reply{static_cast<Status>(0x33), 0x02, {}});
  bad(status, Request::write(0, {1}), "unknown status 0x33");
  // A corrupt N is rejected at the header, not after waiting for 4N bytes that never come.
  bad({0x5A, 0x00, 0x05, 0xF0}, read2, "N 240 above the link's 16 words");
}

TEST(CheckReply, AnErrorStatusHasNoPayload) {
  const ReplyCheck c = checkReply(reply(Status::kBadCrc, link::Command::kReadSeq), Request::readSeq(0x100, 2), 16);
  ASSERT_EQ(c.kind, Kind::kReply) << c.error;
  EXPECT_EQ(c.reply->status, Status::kBadCrc);
}

// A pty whose master end is a scripted board: each complete request frame goes to `answer`, whose bytes are sent
// back.
class FakeBoard {
 public:
  using Answer = std::function<std::vector<std::uint8_t>(const Request&)>;
  explicit FakeBoard(Answer answer) : answer_(std::move(answer)) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) throw std::runtime_error("pty");
    char name[128];
    if (::ptsname_r(master_, name, sizeof name) != 0) throw std::runtime_error("ptsname_r");
    path_ = name;
    termios t{};
    ::tcgetattr(master_, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(master_, TCSANOW, &t);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeBoard() {
    stop_ = true;
    thread_.join();
    ::close(master_);
  }
  FakeBoard(const FakeBoard&) = delete;
  FakeBoard& operator=(const FakeBoard&) = delete;
  const std::string& path() const { return path_; }
  std::vector<Request> requests() const {
    std::vector<Request> r;
    {
      std::lock_guard<std::mutex> l(mu_);
      r = seen_;
    }
    return r;
  }

 private:
  void loop() {
    std::vector<std::uint8_t> in;
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0 || !(p.revents & POLLIN)) continue;
      std::uint8_t buf[512];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) continue;
      in.insert(in.end(), buf, buf + n);
      for (;;) {
        const link::RequestCheck c = link::checkRequest(in);
        if (!c.found || c.status == Status::kTimeout) break;
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(c.consumed));
        {
          std::lock_guard<std::mutex> l(mu_);
          seen_.push_back(c.request);
        }
        const std::vector<std::uint8_t> out = answer_(c.request);
        if (!out.empty() && ::write(master_, out.data(), out.size()) < 0) return;
      }
    }
  }

  Answer answer_;
  int master_ = -1;
  std::string path_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Request> seen_;
};

std::uint32_t configWord(const isa::ArchConfig& cfg) {
  unsigned log2 = 0;
  while ((1u << log2) < cfg.params().words_per_bank) ++log2;
  return regs::kConfigLanesField.put(cfg.lanes()) | regs::kConfigStreamsPerDirField.put(cfg.streamsPerDir()) |
         regs::kConfigMemSlicesPerHemField.put(cfg.memSlicesPerHem()) | regs::kConfigLog2WordsPerBankField.put(log2);
}

constexpr std::uint32_t kIdentity = 0x4C501001;  // "LP", 16 words, version 1

SerialOptions options(const FakeBoard& b) {
  SerialOptions o;
  o.port = b.path();
  o.reply_timeout = 300ms;
  return o;
}

template <class F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SerialDevice, PingChecksIdentityAndConfig) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  FakeBoard good([&](const Request& r) { return reply(Status::kOk, r.command, {kIdentity, configWord(cfg)}); });
  EXPECT_NO_THROW(makeDevice("serial", cfg, options(good)));

  FakeBoard magic([&](const Request& r) { return reply(Status::kOk, r.command, {0x12341001, configWord(cfg)}); });
  EXPECT_NE(errorOf([&] { makeDevice("serial", cfg, options(magic)); }).find("expected magic 0x4c50"),
            std::string::npos);

  const isa::ArchConfig large = isa::ArchConfig::byName("large");
  FakeBoard other([&](const Request& r) { return reply(Status::kOk, r.command, {kIdentity, configWord(large)}); });
  EXPECT_NE(errorOf([&] { makeDevice("serial", cfg, options(other)); }).find("is not configuration 'ulx3s'"),
            std::string::npos);
}

TEST(SerialDevice, NoReplyNamesPortRequestAndExpectation) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  FakeBoard mute([](const Request&) { return std::vector<std::uint8_t>{}; });
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = errorOf([&] { makeDevice("serial", cfg, options(mute)); });
  EXPECT_NE(e.find("serial " + mute.path() + ": PING: no reply within 300 ms (expected 0x5A sync; nothing arrived)"),
            std::string::npos)
      << e;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(SerialDevice, ErrorRepliesAreErrorsNamingTheStatus) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  FakeBoard b([&](const Request& r) {
    if (r.command == link::Command::kPing) return reply(Status::kOk, r.command, {kIdentity, configWord(cfg)});
    return reply(Status::kBadCrc, r.command);
  });
  auto dev = makeDevice("serial", cfg, options(b));
  const std::vector<std::uint8_t> word(cfg.lanes(), 1);
  const std::string e = errorOf([&] { dev->writeSram(static_cast<unsigned>(cfg.positionOf("MEM_E0")), 0, word); });
  EXPECT_NE(e.find("WRITE_SEQ 0x100 x2: the board replied bad_crc"), std::string::npos) << e;
}

TEST(SerialDevice, SramWordIsTwoWriteSeqFramesAndRunPollsStatus) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  std::atomic<unsigned> polls{0};
  FakeBoard b([&](const Request& r) {
    using link::Command;
    if (r.command == Command::kPing) return reply(Status::kOk, r.command, {kIdentity, configWord(cfg)});
    if (r.command == Command::kReadSeq && r.address == regs::kRegStatus) {
      // RUNNING twice, then DONE after 42 cycles.
      const bool running = ++polls < 3;
      return reply(Status::kOk, r.command,
                   {running ? regs::kStatusRunning : regs::kStatusDone, 0, 0, 0, running ? 5u : 42u, 0});
    }
    return reply(Status::kOk, r.command);
  });
  auto dev = makeDevice("serial", cfg, options(b));
  const unsigned pos = static_cast<unsigned>(cfg.positionOf("MEM_E0"));
  std::vector<std::uint8_t> word(cfg.lanes());
  for (unsigned i = 0; i < word.size(); ++i) word[i] = static_cast<std::uint8_t>(i + 1);
  dev->writeSram(pos, 0x12, word);
  const RunResult r = dev->run(1000, nullptr);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.cycles, 42u);
  const std::vector<Request> seen = b.requests();
  ASSERT_GE(seen.size(), 7u);  // ping, 2 for the word, START, 3 polls
  EXPECT_EQ(seen[1].command, link::Command::kWriteSeq);
  EXPECT_EQ(seen[1].address, regs::kRegSramData);
  EXPECT_EQ(seen[1].payload, (std::vector<std::uint32_t>{0x04030201, 0x08070605}));
  EXPECT_EQ(seen[2].address, regs::kRegSramAddr);
  EXPECT_EQ(seen[2].payload,
            (std::vector<std::uint32_t>{regs::kSramAddrPosField.put(pos) | regs::kSramAddrAddrField.put(0x12),
                                        regs::kSramCmdWrite}));
  EXPECT_EQ(seen[3].command, link::Command::kWrite);
  EXPECT_EQ(seen[3].address, regs::kRegCtrl);
  EXPECT_EQ(seen[3].payload, (std::vector<std::uint32_t>{regs::kCtrlStart}));
  EXPECT_EQ(polls.load(), 3u);
}

TEST(SerialDevice, UnknownBaudAndMissingPortAreArgumentErrors) {
  EXPECT_THROW(openSerialPort("/dev/null", 1234), std::invalid_argument);
  EXPECT_THROW(makeDevice("serial", isa::ArchConfig::byName("ulx3s")), std::invalid_argument);
  EXPECT_NE(errorOf([] { openSerialPort("/nonexistent/tty", 3'000'000); }).find("serial /nonexistent/tty: cannot open"),
            std::string::npos);
}

}  // namespace
}  // namespace lpu::driver
