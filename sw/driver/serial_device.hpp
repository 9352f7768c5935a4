// The board behind the Device interface, over its UART link (docs/fpga.md section 4): `lpu run --backend serial
// --port /dev/ttyUSB0`. Every register, IMEM and SRAM access is one sw/link request frame; every reply is checked
// (sync, CRC, command echo, status, word count) and a missing reply names the request and what did arrive, so a
// dead board or a closed pty gives an error after the reply timeout, never a hang.
//
// Example:
//   auto dev = makeDevice("serial", cfg, SerialOptions{.port = "/dev/ttyUSB0", .baud = 3000000});
//   dev->loadProgram(program);
//   RunResult r = dev->run(1'000'000, nullptr);  // START, poll STATUS..CYCLE_HI, CLEAR on TIMEOUT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "sw/driver/device.hpp"
#include "sw/link/link.hpp"

namespace lpu::driver {

// A byte pipe to the board.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Writes every byte (blocking, bounded by the stream's own timeout). Throws std::runtime_error on an I/O error.
  virtual void write(std::span<const std::uint8_t> bytes) = 0;
  // Reads what is available into buf, waiting at most `timeout` for the first byte; returns the count (0: nothing
  // arrived). Throws std::runtime_error when the other end has gone (hang-up) or on an I/O error.
  virtual std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) = 0;
  // For messages: "serial /dev/ttyUSB0".
  virtual std::string name() const = 0;
};

// A serial port or pseudo-terminal in raw mode (8N1, no flow control, no echo). On a tty the baud rate is set
// (a pty accepts it and ignores it); a path that is not a tty (a FIFO, a socket) is used as it is. Throws
// std::runtime_error naming the path when it cannot be opened or configured, and std::invalid_argument for a baud
// rate termios has no constant for.
std::unique_ptr<ByteStream> openSerialPort(const std::string& path, unsigned baud);

// What the host makes of the bytes received so far while it waits for the reply to `request`. Pure (the fuzz
// target sw/driver/fuzz_reply.cpp feeds it arbitrary bytes):
//   kReply       a frame with a good CRC that echoes the request's command (status may be an error code)
//   kIncomplete  no complete frame yet: wait for more (consumed: garbage before a sync byte, to drop)
//   kBad         a frame that cannot be the reply: bad CRC, another command echoed, N above max_words or not what
//                the request asked for, an unknown status; `error` says which and what was expected
struct ReplyCheck {
  enum class Kind { kReply, kIncomplete, kBad };
  Kind kind = Kind::kIncomplete;
  std::optional<link::Reply> reply;
  std::size_t consumed = 0;
  std::string error;
};
ReplyCheck checkReply(std::span<const std::uint8_t> bytes, const link::Request& request, unsigned max_words);

// "read 0x004" / "ping": how messages name a request.
std::string describeRequest(const link::Request& request);

// A link transaction layer over a ByteStream: one request, one checked reply.
class LinkClient {
 public:
  LinkClient(std::unique_ptr<ByteStream> stream, std::chrono::milliseconds reply_timeout);
  // Sends the request and waits for its reply: throws std::runtime_error when no complete reply arrives within the
  // reply timeout (naming the stream, the request, what was expected and the bytes that did arrive) or when the
  // reply is bad (ReplyCheck::kBad). Error replies (status != ok) are returned, not thrown.
  link::Reply transact(const link::Request& request);
  // transact, then throws std::runtime_error unless the status is ok.
  link::Reply expectOk(const link::Request& request);
  // Drops whatever arrives until the line has been quiet for `quiet` (resynchronising after an abandoned frame);
  // returns the bytes dropped.
  std::size_t drain(std::chrono::milliseconds quiet);
  void setMaxWords(unsigned n) { max_words_ = n; }
  unsigned maxWords() const { return max_words_; }
  std::uint64_t bytesSent() const { return sent_; }
  std::uint64_t bytesReceived() const { return received_; }
  std::string name() const { return stream_->name(); }

 private:
  std::unique_ptr<ByteStream> stream_;
  std::chrono::milliseconds timeout_;
  unsigned max_words_ = link::kDefaultMaxWords;
  std::vector<std::uint8_t> pending_;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
};

// The serial Device on an already open stream (tests use a pty or a socket pair). Drains stale bytes, pings the
// board and checks the identity magic, the protocol version and that CONFIG matches cfg (throws
// std::runtime_error otherwise).
std::unique_ptr<Device> makeSerialDevice(const isa::ArchConfig& cfg, std::unique_ptr<ByteStream> stream,
                                         const SerialOptions& options);

}  // namespace lpu::driver
