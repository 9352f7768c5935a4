#include "sw/driver/serial_device.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "sw/driver/host_port.hpp"
#include "sw/isa/regs_gen.hpp"

namespace lpu::driver {

using namespace ::lpu::regs;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::string errnoText() { return std::strerror(errno); }

speed_t baudConstant(unsigned baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 500000:
      return B500000;
    case 921600:
      return B921600;
    case 1000000:
      return B1000000;
    case 1500000:
      return B1500000;
    case 2000000:
      return B2000000;
    case 3000000:
      return B3000000;
    case 4000000:
      return B4000000;
    default:
      throw std::invalid_argument(fmt::format(
          "baud rate {}: termios has no constant for it; expected 9600, 19200, 38400, 57600, 115200, 230400, "
          "460800, 500000, 921600, 1000000, 1500000, 2000000, 3000000 (the board) or 4000000",
          baud));
  }
}

// A file descriptor of a tty, pty or other stream, owned.
class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdStream() override { ::close(fd_); }
  FdStream(const FdStream&) = delete;
  FdStream& operator=(const FdStream&) = delete;

  void write(std::span<const std::uint8_t> bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      const int n = ::poll(&p, 1, 2000);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(fmt::format("{}: poll: {}", name(), errnoText()));
      if (n == 0) throw std::runtime_error(fmt::format("{}: write blocked for 2000 ms", name()));
      if (p.revents & (POLLHUP | POLLERR)) throw std::runtime_error(fmt::format("{}: the other end hung up", name()));
      const ssize_t w = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (w < 0 && errno == EIO) {
        // A pty whose master has closed (lpu-board-sim gone), or a USB serial adapter that was unplugged.
        throw std::runtime_error(fmt::format("{}: the other end closed the line (write: {})", name(), errnoText()));
      }
      if (w < 0) throw std::runtime_error(fmt::format("{}: write: {}", name(), errnoText()));
      done += static_cast<std::size_t>(w);
    }
  }

  std::size_t read(std::span<std::uint8_t> buf, milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(fmt::format("{}: poll: {}", name(), errnoText()));
      if (n == 0) return 0;
      if (p.revents & POLLIN) {
        const ssize_t r = ::read(fd_, buf.data(), buf.size());
        if (r > 0) return static_cast<std::size_t>(r);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        // 0 (end of file) or EIO (a pty whose master has closed): the board side is gone.
        throw std::runtime_error(fmt::format("{}: the other end closed the line{}", name(),
                                             r < 0 ? fmt::format(" ({})", errnoText()) : std::string()));
      }
      if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
        throw std::runtime_error(fmt::format("{}: the other end hung up", name()));
      }
    }
  }

  std::string name() const override { return "serial " + path_; }

 private:
  int fd_;
  std::string path_;
};

std::string hexBytes(std::span<const std::uint8_t> bytes, std::size_t max = 24) {
  std::string s;
  for (std::size_t i = 0; i < std::min(bytes.size(), max); ++i) s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  if (bytes.size() > max) s += " ...";
  return s;
}

bool knownStatus(std::uint8_t s) { return s <= static_cast<std::uint8_t>(link::Status::kTimeout); }

}  // namespace

std::unique_ptr<ByteStream> openSerialPort(const std::string& path, unsigned baud) {
  const speed_t speed = baudConstant(baud);
  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("serial {}: cannot open: {}", path, errnoText()));
  auto stream = std::make_unique<FdStream>(fd, path);
  if (::isatty(fd)) {
    termios t{};
    if (::tcgetattr(fd, &t) != 0) throw std::runtime_error(fmt::format("serial {}: tcgetattr: {}", path, errnoText()));
    ::cfmakeraw(&t);  // no echo, no line editing, no CR/LF translation, 8 bits
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (::cfsetispeed(&t, speed) != 0 || ::cfsetospeed(&t, speed) != 0) {
      throw std::runtime_error(fmt::format("serial {}: baud {}: {}", path, baud, errnoText()));
    }
    if (::tcsetattr(fd, TCSANOW, &t) != 0) {
      throw std::runtime_error(fmt::format("serial {}: tcsetattr (raw, {} baud): {}", path, baud, errnoText()));
    }
    ::tcflush(fd, TCIOFLUSH);
  }
  return stream;
}

std::string describeRequest(const link::Request& request) {
  if (request.command == link::Command::kPing) return "PING";
  std::string name = link::commandName(request.command);
  std::transform(name.begin(), name.end(), name.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  return fmt::format("{} 0x{:03x} x{}", name, request.address, unsigned{request.count});
}

ReplyCheck checkReply(std::span<const std::uint8_t> bytes, const link::Request& request, unsigned max_words) {
  ReplyCheck c;
  std::size_t start = 0;
  while (start < bytes.size() && bytes[start] != link::kSyncReply) ++start;
  c.consumed = start;
  // Header first: a corrupt N would otherwise make the host wait for up to 1,022 payload bytes that never come.
  if (bytes.size() - start >= link::kReplyHeaderBytes) {
    const auto bad = [&](std::string why) {
      c.kind = ReplyCheck::Kind::kBad;
      c.consumed = start + 1;
      c.error = fmt::format("bad reply {}: {}", hexBytes(bytes.subspan(start)), why);
      return c;
    };
    const std::uint8_t status = bytes[start + 1];
    const std::uint8_t cmd = bytes[start + 2];
    const unsigned n = bytes[start + 3];
    if (n > max_words) return bad(fmt::format("N {} above the link's {} words", n, max_words));
    const std::size_t total = link::kReplyHeaderBytes + 4 * n + link::kCrcBytes;
    if (bytes.size() - start >= total) {
      const link::ParseResult p = link::parseReply(bytes.subspan(start, total));
      if (p.kind != link::ParseResult::Kind::kFrame) return bad(p.error.empty() ? "no frame" : p.error);
      if (!knownStatus(status)) return bad(fmt::format("unknown status 0x{:02x}", status));
      if (cmd != static_cast<std::uint8_t>(request.command)) {
        return bad(
            fmt::format("echoes command 0x{:02x}, expected 0x{:02x}", cmd, static_cast<unsigned>(request.command)));
      }
      const bool reads = request.command == link::Command::kRead || request.command == link::Command::kReadSeq;
      const unsigned want = static_cast<link::Status>(status) != link::Status::kOk ? 0
                            : request.command == link::Command::kPing              ? 2
                            : reads                                                ? request.count
                                                                                   : 0;
      if (n != want) {
        return bad(fmt::format("{} payload words, expected {} (status {})", n, want,
                               link::statusName(static_cast<link::Status>(status))));
      }
      c.kind = ReplyCheck::Kind::kReply;
      c.reply = p.reply;
      c.consumed = start + total;
    }
  }
  return c;
}

LinkClient::LinkClient(std::unique_ptr<ByteStream> stream, milliseconds reply_timeout)
    : stream_(std::move(stream)), timeout_(reply_timeout) {}

link::Reply LinkClient::transact(const link::Request& request) {
  const std::vector<std::uint8_t> frame = link::encodeRequest(request, max_words_);
  pending_.clear();  // one reply per request: anything older is stale
  stream_->write(frame);
  sent_ += frame.size();
  const auto deadline = Clock::now() + timeout_;
  std::uint8_t buf[512];
  for (;;) {
    const ReplyCheck c = checkReply(pending_, request, max_words_);
    if (c.kind == ReplyCheck::Kind::kReply) {
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(c.consumed));
      return *c.reply;
    }
    if (c.kind == ReplyCheck::Kind::kBad) {
      throw std::runtime_error(fmt::format("{}: {}: {}", name(), describeRequest(request), c.error));
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    const std::size_t got = left.count() > 0 ? stream_->read(buf, left) : 0;
    if (got == 0) {
      const std::string seen = pending_.empty() ? std::string("nothing arrived")
                                                : fmt::format("got {} bytes: {}", pending_.size(), hexBytes(pending_));
      const bool synced = std::find(pending_.begin(), pending_.end(), link::kSyncReply) != pending_.end();
      throw std::runtime_error(fmt::format("{}: {}: no reply within {} ms (expected {}; {})", name(),
                                           describeRequest(request), timeout_.count(),
                                           synced ? "the rest of the reply frame" : "0x5A sync", seen));
    }
    received_ += got;
    pending_.insert(pending_.end(), buf, buf + got);
  }
}

link::Reply LinkClient::expectOk(const link::Request& request) {
  link::Reply r = transact(request);
  if (r.status != link::Status::kOk) {
    throw std::runtime_error(
        fmt::format("{}: {}: the board replied {}", name(), describeRequest(request), link::statusName(r.status)));
  }
  return r;
}

std::size_t LinkClient::drain(milliseconds quiet) {
  std::size_t dropped = pending_.size();
  pending_.clear();
  std::uint8_t buf[512];
  while (std::size_t n = stream_->read(buf, quiet)) dropped += n;
  return dropped;
}

namespace {

class SerialDevice final : public Device, private HostPort {
 public:
  SerialDevice(const isa::ArchConfig& cfg, std::unique_ptr<ByteStream> stream, const SerialOptions& options)
      : cfg_(cfg), client_(std::move(stream), options.reply_timeout), run_timeout_(options.run_timeout) {
    // A previous host may have left half a frame: the bridge answers it after its timeout (10 ms on the board),
    // so wait for quiet first and retry the ping once if the first reply was for that frame.
    client_.drain(milliseconds(30));
    link::Reply r = client_.transact(link::Request::ping());
    if (r.status != link::Status::kOk) {
      client_.drain(milliseconds(30));
      r = client_.expectOk(link::Request::ping());
    }
    const link::Identity id = link::Identity::decode(r.words[0]);
    if (id.magic != link::kIdentMagic || id.version != link::kProtocolVersion || id.max_words == 0) {
      throw std::runtime_error(fmt::format(
          "{}: PING: identity 0x{:08x} (magic 0x{:04x}, version {}, max words {}); expected magic 0x{:04x} "
          "(\"LP\"), version {}",
          client_.name(), r.words[0], id.magic, id.version, id.max_words, link::kIdentMagic, link::kProtocolVersion));
    }
    client_.setMaxWords(id.max_words);
    const std::uint32_t c = r.words[1];
    const unsigned log2_wpb = kConfigLog2WordsPerBankField.get(c);
    if (kConfigLanesField.get(c) != cfg_.lanes() || kConfigStreamsPerDirField.get(c) != cfg_.streamsPerDir() ||
        kConfigMemSlicesPerHemField.get(c) != cfg_.memSlicesPerHem() || log2_wpb >= 32 ||
        (1u << log2_wpb) != cfg_.params().words_per_bank) {
      throw std::runtime_error(fmt::format(
          "{}: the board's CONFIG 0x{:08x} (lanes {}, streams/dir {}, MEM slices/hem {}, words/bank 2^{}) is not "
          "configuration '{}' (lanes {}, streams/dir {}, MEM slices/hem {}, words/bank {})",
          client_.name(), c, kConfigLanesField.get(c), kConfigStreamsPerDirField.get(c),
          kConfigMemSlicesPerHemField.get(c), log2_wpb, cfg_.name(), cfg_.lanes(), cfg_.streamsPerDir(),
          cfg_.memSlicesPerHem(), cfg_.params().words_per_bank));
    }
  }

  const isa::ArchConfig& config() const override { return cfg_; }

  void loadProgram(const isa::Program& program) override {
    // A machine left running by an earlier host would execute the queues while they are rewritten.
    writeReg(kRegCtrl, kCtrlClear);
    loadProgramOverPort(*this, program, cfg_);
  }

  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) override {
    checkWord(position, address);
    if (word.size() != cfg_.lanes()) {
      throw std::invalid_argument(fmt::format("SRAM word of {} bytes; expected {} (lanes)", word.size(), cfg_.lanes()));
    }
    writeSramOverPort(*this, position, address, word);
  }

  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) override {
    checkWord(position, address);
    return readSramOverPort(*this, position, address, cfg_.lanes());
  }

  RunResult run(std::uint64_t max_cycles, std::ostream* trace) override {
    if (trace != nullptr) {
      throw std::invalid_argument("the serial backend writes no Chrome trace; run the model backend for one");
    }
    writeReg(kRegCtrl, kCtrlStart);
    const auto deadline = Clock::now() + run_timeout_;
    // One READ_SEQ frame per poll: STATUS, ERR_CODE, ERR_CYCLE, ERR_WHERE, CYCLE_LO, CYCLE_HI. The words are read
    // one clock apart, so once STATUS says stopped, the cycle counter read after it is final.
    constexpr unsigned kPollWords = (kRegCycleHi - kRegStatus) / 4 + 1;
    for (;;) {
      const std::vector<std::uint32_t> w = readSeq(kRegStatus, kPollWords);
      const std::uint32_t status = w[0];
      const std::uint64_t cycles = std::uint64_t{w[5]} << 32 | w[4];
      RunResult out;
      out.cycles = cycles;
      if (!(status & kStatusRunning)) {
        if (status & kStatusError) {
          const std::uint32_t where = w[3];
          const unsigned pos = kErrWherePosField.get(where);
          out.error = DeviceError{static_cast<isa::ErrorCode>(w[1]), w[2], pos,
                                  fmt::format("ERR_WHERE: position {} ({}), stream {}{}, address/pc {:#x}", pos,
                                              pos < cfg_.positions() ? cfg_.sliceName(pos) : std::string("?"),
                                              (where & kErrWhereDir) ? 'W' : 'E', kErrWhereStreamField.get(where),
                                              kErrWhereAddrField.get(where))};
        }
        return out;
      }
      if (cycles >= max_cycles) {
        writeReg(kRegCtrl, kCtrlClear);
        out.cycles = max_cycles;
        out.error =
            DeviceError{isa::ErrorCode::kTimeout, max_cycles, 0,
                        fmt::format("no end after {} cycles (host TIMEOUT: CTRL.CLEAR stopped the core)", max_cycles)};
        return out;
      }
      if (Clock::now() > deadline) {
        writeReg(kRegCtrl, kCtrlClear);
        throw std::runtime_error(
            fmt::format("{}: run: still RUNNING after {} ms of wall clock (cycle {}); CTRL.CLEAR "
                        "sent",
                        client_.name(), run_timeout_.count(), cycles));
      }
    }
  }

 private:
  // ---- HostPort: one frame per call.
  unsigned maxWords() const override { return client_.maxWords(); }
  void writeSame(std::uint32_t addr, std::span<const std::uint32_t> words) override {
    client_.expectOk(link::Request::write(static_cast<std::uint16_t>(addr), {words.begin(), words.end()}));
  }
  void writeSeq(std::uint32_t addr, std::span<const std::uint32_t> words) override {
    client_.expectOk(link::Request::writeSeq(static_cast<std::uint16_t>(addr), {words.begin(), words.end()}));
  }
  std::vector<std::uint32_t> readSeq(std::uint32_t addr, unsigned count) override {
    return client_.expectOk(link::Request::readSeq(static_cast<std::uint16_t>(addr), count)).words;
  }
  void writeReg(std::uint32_t addr, std::uint32_t value) { writeSame(addr, std::span<const std::uint32_t>(&value, 1)); }

  void checkWord(unsigned position, std::uint32_t address) const {
    if (position >= cfg_.positions() || cfg_.sliceAt(position) != isa::Slice::kMEM || address >= cfg_.wordsPerSlice()) {
      throw std::out_of_range(fmt::format("SRAM word {:#x} at position {} is not in a MEM slice of config '{}'",
                                          address, position, cfg_.name()));
    }
  }

  isa::ArchConfig cfg_;
  LinkClient client_;
  milliseconds run_timeout_;
};

}  // namespace

std::unique_ptr<Device> makeSerialDevice(const isa::ArchConfig& cfg, std::unique_ptr<ByteStream> stream,
                                         const SerialOptions& options) {
  return std::make_unique<SerialDevice>(cfg, std::move(stream), options);
}

}  // namespace lpu::driver
