// Host side of the openlpu board link (docs/fpga.md, "The host protocol byte by byte"): frame
// encoder and decoder and the CRC. Pure functions: no I/O, no printing. The board side is
// rtl/fpga/lpu_host_bridge.sv (constants in rtl/fpga/lpu_link_pkg.sv); tb/fpga drives the verilated
// bridge with these frames.
//
//   request  A5 | CMD | ADDR lo | ADDR hi | N | payload (4N bytes, writes only) | CRC hi | CRC lo
//   reply    5A | STATUS | CMD | N | payload (4N bytes) | CRC hi | CRC lo
//   payload words least significant byte first; CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no
//   reflection, no final xor) over CMD..payload, sent high byte first.
//
// Example:
//   auto req = link::encodeRequest(link::Request::readSeq(0x100, 2));
//   // req == {0xA5, 0x05, 0x00, 0x01, 0x02, crc_hi, crc_lo}; send it, collect what comes back:
//   link::ParseResult r = link::parseReply(rx_bytes);
//   // r.kind == kFrame, r.reply->status == Status::kOk, r.reply->words.size() == 2,
//   // r.consumed bytes used
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::link {

inline constexpr std::uint8_t kProtocolVersion = 0x01;
inline constexpr std::uint8_t kSyncRequest = 0xA5;
inline constexpr std::uint8_t kSyncReply = 0x5A;
// "LP": bits 31:16 of the ping reply's first word.
inline constexpr std::uint16_t kIdentMagic = 0x4C50;
inline constexpr unsigned kDefaultMaxWords = 16;    // lpu_fpga_top's MaxWords
inline constexpr unsigned kRequestHeaderBytes = 5;  // sync, cmd, addr lo, addr hi, N
inline constexpr unsigned kReplyHeaderBytes = 4;    // sync, status, cmd, N
inline constexpr unsigned kCrcBytes = 2;

enum class Command : std::uint8_t {
  kPing = 0x01,      // N = 0; reply: {identity word, CONFIG}
  kWrite = 0x02,     // N words to register ADDR (IMEM_DATA, SRAM_DATA[0] ...)
  kWriteSeq = 0x03,  // N words to ADDR, ADDR+4, ... (SRAM_DATA[0..N))
  kRead = 0x04,      // N reads of register ADDR
  kReadSeq = 0x05,   // N reads of ADDR, ADDR+4, ...
};

enum class Status : std::uint8_t {
  kOk = 0x00,
  kBadCrc = 0x01,   // the request's CRC did not match
  kBadCmd = 0x02,   // unknown command byte
  kBadLen = 0x03,   // N = 0 or N > max words (N != 0 for ping)
  kBadAddr = 0x04,  // address not word aligned or >= 0x1000
  kTimeout = 0x05,  // the request stopped arriving (inter-byte timeout)
};

// "ok", "bad_crc", ...; "unknown(0x..)" for a value outside the enum.
std::string statusName(Status s);
std::string commandName(Command c);

// An error of this library (bad argument to an encoder, a malformed reply); what() names the field,
// its value and the rule it broke.
class LinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CRC-16/CCITT-FALSE. crc16("123456789") == 0x29B1 (the catalogue's check value). Continue a CRC by
// passing the previous value as init.
std::uint16_t crc16(std::span<const std::uint8_t> bytes, std::uint16_t init = 0xFFFF);

// The identity word of a ping reply: bits 7:0 protocol version, 15:8 max words per frame, 31:16
// kIdentMagic.
struct Identity {
  std::uint8_t version = 0;
  std::uint8_t max_words = 0;
  std::uint16_t magic = 0;
  static Identity decode(std::uint32_t word) {
    return Identity{static_cast<std::uint8_t>(word), static_cast<std::uint8_t>(word >> 8),
                    static_cast<std::uint16_t>(word >> 16)};
  }
};

struct Request {
  Command command = Command::kPing;
  std::uint16_t address = 0;           // register byte address (word aligned, < 0x1000)
  std::uint8_t count = 0;              // N: words to read, or payload words for writes (set by the helpers)
  std::vector<std::uint32_t> payload;  // writes only

  static Request ping() { return Request{}; }
  static Request write(std::uint16_t address, std::vector<std::uint32_t> words);
  static Request writeSeq(std::uint16_t address, std::vector<std::uint32_t> words);
  static Request read(std::uint16_t address, unsigned count);
  static Request readSeq(std::uint16_t address, unsigned count);
};

// The bytes of one request frame. Throws LinkError when the request breaks a rule the board checks
// (so an encoded frame is always accepted): address unaligned or >= 0x1000, N = 0 or > max_words (N
// != 0 or a payload for ping), payload size != N for writes, a payload on a read, a command outside
// the enum.
std::vector<std::uint8_t> encodeRequest(const Request& request, unsigned max_words = kDefaultMaxWords);

struct Reply {
  Status status = Status::kOk;
  std::uint8_t command = 0;  // the request's command byte as the board received it (0 if none)
  std::vector<std::uint32_t> words;
};

// The bytes of one reply frame (what the board sends; for tests and simulated boards).
std::vector<std::uint8_t> encodeReply(const Reply& reply);

struct ParseResult {
  enum class Kind {
    // reply holds a frame with a good CRC
    kFrame,
    // no complete frame yet: feed more bytes (consumed = garbage bytes before the sync byte)
    kIncomplete,
    // a frame whose CRC did not match: error says where; consumed skips past its sync byte
    kBadFrame,
  };
  Kind kind = Kind::kIncomplete;
  std::optional<Reply> reply;
  // Bytes of the input that are done with (drop them before the next call).
  std::size_t consumed = 0;
  std::string error;  // kBadFrame only
};

// Looks for one reply at the front of bytes, skipping bytes before the reply sync byte.
ParseResult parseReply(std::span<const std::uint8_t> bytes);

// The board's view of a request, for the reference checks in tests: what the bridge does with these
// bytes if they arrive back to back. status is kOk for an accepted frame (request holds it); for a
// rejected one it is the error the bridge replies with; kTimeout when the bytes end inside a frame;
// consumed counts the bytes from the start through the frame (garbage before the sync byte
// included). found is false if there is no sync byte.
struct RequestCheck {
  bool found = false;
  Status status = Status::kOk;
  Request request;
  std::size_t consumed = 0;
};
RequestCheck checkRequest(std::span<const std::uint8_t> bytes, unsigned max_words = kDefaultMaxWords);

}  // namespace lpu::link
