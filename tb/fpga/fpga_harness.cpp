#include "tb/fpga/fpga_harness.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sw/isa/regs_gen.hpp"

namespace lpu::tb {

namespace {
// The host register map (docs/isa.md, "Host registers"), generated from sw/isa/regs.toml.
using namespace ::lpu::regs;
}  // namespace

FpgaHarness::FpgaHarness(std::unique_ptr<BoardModel> model) : model_(std::move(model)) {
  // PLL stand-in lock (8 clocks) + reset synchroniser (3) + margin.
  step(32);
}

FpgaHarness::~FpgaHarness() = default;

double FpgaHarness::hostClocksPerBit() const { return model_->clocksPerBit(); }
std::uint64_t FpgaHarness::timeoutClocks() const { return model_->timeout(); }

void FpgaHarness::send(std::span<const std::uint8_t> bytes, double gap_bits) {
  for (std::uint8_t b : bytes) tx_queue_.push_back(TxByte{b, gap_bits});
}

void FpgaHarness::clockOnce() {
  const double cpb = model_->clocksPerBit();
  const auto now = static_cast<double>(model_->clocks());
  // Host transmitter: the line level during this clock, [now, now + 1).
  if (!tx_busy_ && tx_next_ < tx_queue_.size()) {
    if (tx_head_start_ < 0) tx_head_start_ = std::max(tx_free_at_, now) + tx_queue_[tx_next_].gap_bits * cpb;
    if (now + 1e-9 >= tx_head_start_) {
      tx_busy_ = true;
      tx_start_ = tx_head_start_;
      tx_head_start_ = -1;
      tx_byte_ = tx_queue_[tx_next_].value;
      ++tx_next_;
    }
  }
  bool line = true;
  if (tx_busy_) {
    const auto bit = static_cast<long>(std::floor((now - tx_start_) / cpb + 1e-9));
    if (bit >= 10) {
      tx_busy_ = false;
      tx_free_at_ = tx_start_ + 10 * cpb;
    } else if (bit >= 0) {
      line = bit == 0 ? false : bit == 9 ? true : ((tx_byte_ >> (bit - 1)) & 1) != 0;
    }
  }
  if (tx_next_ == tx_queue_.size() && !tx_busy_) {
    tx_queue_.clear();
    tx_next_ = 0;
  }
  model_->cycle(line, !reset_pressed_);
  // Host receiver: sample the line after the edge, in the middle of each bit.
  const bool rx = model_->rxd();
  const auto t = static_cast<double>(model_->clocks());
  if (!rx_busy_) {
    if (!rx) {
      rx_busy_ = true;
      rx_start_ = t;  // the line fell at the edge just made (edge number t)
      rx_bit_ = 1;
      rx_shift_ = 0;
    }
  } else if (t >= rx_start_ + (rx_bit_ + 0.5) * cpb) {
    if (rx_bit_ <= 8) {
      rx_shift_ = static_cast<std::uint8_t>(rx_shift_ | (rx ? 1 : 0) << (rx_bit_ - 1));
      ++rx_bit_;
    } else {
      if (rx) {
        rx_bytes_.push_back(rx_shift_);
        rx_pending_.push_back(rx_shift_);
      } else {
        ++framing_errors_;
      }
      rx_busy_ = false;
    }
  }
}

void FpgaHarness::step(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) clockOnce();
}

void FpgaHarness::drainTx() {
  while (!tx_queue_.empty() || tx_busy_) clockOnce();
}

std::vector<std::uint8_t> FpgaHarness::takeReceived() {
  std::vector<std::uint8_t> out;
  out.swap(rx_bytes_);
  rx_pending_.clear();
  return out;
}

unsigned FpgaHarness::framingErrors() const { return framing_errors_; }

std::optional<link::Reply> FpgaHarness::waitReply(std::uint64_t max_clocks) {
  const std::uint64_t end = model_->clocks() + max_clocks;
  while (model_->clocks() < end) {
    clockOnce();
    if (rx_pending_.empty() || rx_busy_) continue;
    const link::ParseResult r = link::parseReply(rx_pending_);
    if (r.kind == link::ParseResult::Kind::kBadFrame) throw link::LinkError(r.error);
    if (r.kind == link::ParseResult::Kind::kFrame) {
      rx_pending_.erase(rx_pending_.begin(), rx_pending_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      rx_bytes_.clear();
      return r.reply;
    }
  }
  return std::nullopt;
}

link::Reply FpgaHarness::transactRaw(std::span<const std::uint8_t> bytes) {
  send(bytes);
  drainTx();
  // A reply comes within the timeout (error replies wait for it) plus its own bytes.
  const auto reply_clocks =
      static_cast<std::uint64_t>((link::kReplyHeaderBytes + 4 * 255 + 2) * 10 * model_->clocksPerBit());
  std::optional<link::Reply> r = waitReply(2 * model_->timeout() + reply_clocks + 1000);
  if (!r) throw std::runtime_error(fmt::format("no reply after {} clocks", 2 * model_->timeout() + reply_clocks));
  return *r;
}

link::Reply FpgaHarness::transact(const link::Request& request) {
  return transactRaw(link::encodeRequest(request, maxWords()));
}

namespace {
void expectOk(const link::Reply& r, const link::Request& req) {
  if (r.status != link::Status::kOk) {
    throw std::runtime_error(fmt::format("{} at 0x{:03x}: reply {}", link::commandName(req.command), req.address,
                                         link::statusName(r.status)));
  }
}
}  // namespace

void FpgaHarness::writeReg(std::uint32_t addr, std::uint32_t value) {
  const auto req = link::Request::write(static_cast<std::uint16_t>(addr), {value});
  expectOk(transact(req), req);
}

std::uint32_t FpgaHarness::readReg(std::uint32_t addr) { return readRegs(addr, 1).at(0); }

std::vector<std::uint32_t> FpgaHarness::readRegs(std::uint32_t addr, unsigned count) {
  const auto req = link::Request::readSeq(static_cast<std::uint16_t>(addr), count);
  const link::Reply r = transact(req);
  expectOk(r, req);
  if (r.words.size() != count) {
    throw std::runtime_error(fmt::format("read_seq 0x{:03x}: {} words, asked {}", addr, r.words.size(), count));
  }
  return r.words;
}

void FpgaHarness::loadProgram(const isa::Program& program, const isa::ArchConfig& cfg) {
  if (program.config != cfg.name()) throw std::invalid_argument("loadProgram: program is for " + program.config);
  for (unsigned q = 0; q < program.queues.size(); ++q) {
    writeReg(kRegImemAddr, kImemAddrQueueField.put(q));  // {queue, word 0}: empties the queue
    const auto& words = program.queues[q];
    for (std::size_t i = 0; i < words.size(); i += maxWords()) {
      const std::size_t n = std::min<std::size_t>(maxWords(), words.size() - i);
      const auto req = link::Request::write(kRegImemData, {words.begin() + static_cast<std::ptrdiff_t>(i),
                                                           words.begin() + static_cast<std::ptrdiff_t>(i + n)});
      expectOk(transact(req), req);
    }
  }
  for (const isa::DataSegment& seg : program.data) {
    for (std::size_t w = 0; w * cfg.lanes() < seg.bytes.size(); ++w) {
      writeSram(seg.position, seg.address + static_cast<std::uint32_t>(w),
                std::span<const std::uint8_t>(seg.bytes).subspan(w * cfg.lanes(), cfg.lanes()));
    }
  }
}

void FpgaHarness::writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) {
  std::vector<std::uint32_t> staging(word.size() / 4);
  for (std::size_t i = 0; i < staging.size(); ++i) {
    for (unsigned k = 0; k < 4; ++k) staging[i] |= std::uint32_t{word[4 * i + k]} << (8 * k);
  }
  const auto data = link::Request::writeSeq(kRegSramData, staging);
  expectOk(transact(data), data);
  // SRAM_ADDR and SRAM_CMD are neighbours: one WRITE_SEQ frame sets the address and runs the
  // command.
  const auto cmd = link::Request::writeSeq(
      kRegSramAddr, {kSramAddrPosField.put(position) | kSramAddrAddrField.put(address), kSramCmdWrite});
  expectOk(transact(cmd), cmd);
}

std::vector<std::uint8_t> FpgaHarness::readSram(unsigned position, std::uint32_t address, unsigned lanes) {
  const auto cmd = link::Request::writeSeq(
      kRegSramAddr, {kSramAddrPosField.put(position) | kSramAddrAddrField.put(address), kSramCmdRead});
  expectOk(transact(cmd), cmd);
  const std::vector<std::uint32_t> words = readRegs(kRegSramData, lanes / 4);
  std::vector<std::uint8_t> out(lanes);
  for (unsigned i = 0; i < lanes; ++i) out[i] = static_cast<std::uint8_t>(words[i / 4] >> (8 * (i % 4)));
  return out;
}

std::uint32_t FpgaHarness::runToCompletion(unsigned max_polls) {
  writeReg(kRegCtrl, kCtrlStart);
  for (unsigned i = 0; i < max_polls; ++i) {
    const std::uint32_t s = readReg(kRegStatus);
    if (!(s & kStatusRunning)) return s;
  }
  throw std::runtime_error(fmt::format("still RUNNING after {} STATUS polls", max_polls));
}

std::uint64_t FpgaHarness::cycleCount() {
  const std::vector<std::uint32_t> w = readRegs(kRegCycleLo, 2);
  return std::uint64_t{w[1]} << 32 | w[0];
}

std::uint8_t FpgaHarness::leds() const { return model_->led(); }
bool FpgaHarness::wifiGpio0() const { return model_->gpio0(); }
void FpgaHarness::pressResetButton(bool pressed) { reset_pressed_ = pressed; }
std::uint64_t FpgaHarness::clocks() const { return model_->clocks(); }
bool FpgaHarness::assertionFailed() const { return model_->gotError(); }
const sim::AssertLog& FpgaHarness::assertions() const { return model_->assertLog(); }
std::vector<std::string> FpgaHarness::firedAssertions() const { return model_->assertLog().firedKeys(); }
bool FpgaHarness::fired(std::string_view name) const { return model_->assertLog().fired(name); }

}  // namespace lpu::tb
