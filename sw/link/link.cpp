#include "sw/link/link.hpp"

#include <fmt/format.h>

namespace lpu::link {

namespace {

bool knownCommand(std::uint8_t c) {
  return c >= static_cast<std::uint8_t>(Command::kPing) && c <= static_cast<std::uint8_t>(Command::kReadSeq);
}
bool isWrite(Command c) { return c == Command::kWrite || c == Command::kWriteSeq; }

void putWord(std::vector<std::uint8_t>& out, std::uint32_t w) {
  for (unsigned k = 0; k < 4; ++k) out.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
}
std::uint32_t getWord(std::span<const std::uint8_t> b) {
  return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
}
// Appends the CRC of out[from..] big-endian.
void putCrc(std::vector<std::uint8_t>& out, std::size_t from) {
  const std::uint16_t c = crc16(std::span<const std::uint8_t>(out).subspan(from));
  out.push_back(static_cast<std::uint8_t>(c >> 8));
  out.push_back(static_cast<std::uint8_t>(c));
}

}  // namespace

std::string statusName(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kBadCrc:
      return "bad_crc";
    case Status::kBadCmd:
      return "bad_cmd";
    case Status::kBadLen:
      return "bad_len";
    case Status::kBadAddr:
      return "bad_addr";
    case Status::kTimeout:
      return "timeout";
  }
  return fmt::format("unknown(0x{:02x})", static_cast<unsigned>(s));
}

std::string commandName(Command c) {
  switch (c) {
    case Command::kPing:
      return "ping";
    case Command::kWrite:
      return "write";
    case Command::kWriteSeq:
      return "write_seq";
    case Command::kRead:
      return "read";
    case Command::kReadSeq:
      return "read_seq";
  }
  return fmt::format("unknown(0x{:02x})", static_cast<unsigned>(c));
}

std::uint16_t crc16(std::span<const std::uint8_t> bytes, std::uint16_t init) {
  std::uint16_t c = init;
  for (std::uint8_t b : bytes) {
    c ^= static_cast<std::uint16_t>(b << 8);
    for (int i = 0; i < 8; ++i) c = static_cast<std::uint16_t>((c & 0x8000) ? (c << 1) ^ 0x1021 : c << 1);
  }
  return c;
}

namespace {
Request withWords(Command c, std::uint16_t address, std::vector<std::uint32_t> words) {
  if (words.size() > 255)
    throw LinkError(fmt::format("{}: {} words, N is one byte (max 255)", commandName(c), words.size()));
  Request r{c, address, static_cast<std::uint8_t>(words.size()), std::move(words)};
  return r;
}
Request withCount(Command c, std::uint16_t address, unsigned count) {
  if (count > 255) throw LinkError(fmt::format("{}: {} words, N is one byte (max 255)", commandName(c), count));
  return Request{c, address, static_cast<std::uint8_t>(count), {}};
}
}  // namespace

Request Request::write(std::uint16_t address, std::vector<std::uint32_t> words) {
  return withWords(Command::kWrite, address, std::move(words));
}
Request Request::writeSeq(std::uint16_t address, std::vector<std::uint32_t> words) {
  return withWords(Command::kWriteSeq, address, std::move(words));
}
Request Request::read(std::uint16_t address, unsigned count) { return withCount(Command::kRead, address, count); }
Request Request::readSeq(std::uint16_t address, unsigned count) { return withCount(Command::kReadSeq, address, count); }

std::vector<std::uint8_t> encodeRequest(const Request& r, unsigned max_words) {
  const auto cmd = static_cast<std::uint8_t>(r.command);
  if (!knownCommand(cmd)) throw LinkError(fmt::format("encodeRequest: command 0x{:02x} is not a command", cmd));
  const std::string what = commandName(r.command);
  if (r.address % 4 != 0 || r.address >= 0x1000) {
    throw LinkError(
        fmt::format("encodeRequest: {} address 0x{:x}: must be word aligned and below 0x1000", what, r.address));
  }
  if (r.command == Command::kPing) {
    if (r.count != 0 || !r.payload.empty()) throw LinkError("encodeRequest: ping takes no words (N must be 0)");
  } else if (r.count == 0 || r.count > max_words) {
    throw LinkError(fmt::format("encodeRequest: {} of {} words: N must be 1..{}", what, r.count, max_words));
  }
  if (isWrite(r.command) && r.payload.size() != r.count) {
    throw LinkError(fmt::format("encodeRequest: {} with N = {} but {} payload words", what, r.count, r.payload.size()));
  }
  if (!isWrite(r.command) && !r.payload.empty()) {
    throw LinkError(fmt::format("encodeRequest: {} carries no payload ({} words given)", what, r.payload.size()));
  }
  std::vector<std::uint8_t> out{kSyncRequest, cmd, static_cast<std::uint8_t>(r.address),
                                static_cast<std::uint8_t>(r.address >> 8), r.count};
  for (std::uint32_t w : r.payload) putWord(out, w);
  putCrc(out, 1);
  return out;
}

std::vector<std::uint8_t> encodeReply(const Reply& reply) {
  if (reply.words.size() > 255) throw LinkError(fmt::format("encodeReply: {} words (max 255)", reply.words.size()));
  std::vector<std::uint8_t> out{kSyncReply, static_cast<std::uint8_t>(reply.status), reply.command,
                                static_cast<std::uint8_t>(reply.words.size())};
  for (std::uint32_t w : reply.words) putWord(out, w);
  putCrc(out, 1);
  return out;
}

ParseResult parseReply(std::span<const std::uint8_t> bytes) {
  ParseResult r;
  std::size_t start = 0;
  while (start < bytes.size() && bytes[start] != kSyncReply) ++start;
  r.consumed = start;
  if (bytes.size() - start < kReplyHeaderBytes) return r;
  const std::size_t n = bytes[start + 3];
  const std::size_t total = kReplyHeaderBytes + 4 * n + kCrcBytes;
  if (bytes.size() - start < total) return r;
  const auto frame = bytes.subspan(start, total);
  const std::uint16_t want = crc16(frame.subspan(1, total - 1 - kCrcBytes));
  const std::uint16_t got = static_cast<std::uint16_t>(frame[total - 2] << 8 | frame[total - 1]);
  if (want != got) {
    r.kind = ParseResult::Kind::kBadFrame;
    r.consumed = start + 1;
    r.error = fmt::format("reply at byte {}: CRC 0x{:04x}, computed 0x{:04x} over {} bytes (status 0x{:02x}, N {})",
                          start, got, want, total - 1 - kCrcBytes, frame[1], n);
    return r;
  }
  Reply reply{static_cast<Status>(frame[1]), frame[2], {}};
  for (std::size_t i = 0; i < n; ++i) reply.words.push_back(getWord(frame.subspan(kReplyHeaderBytes + 4 * i, 4)));
  r.kind = ParseResult::Kind::kFrame;
  r.reply = std::move(reply);
  r.consumed = start + total;
  return r;
}

RequestCheck checkRequest(std::span<const std::uint8_t> bytes, unsigned max_words) {
  RequestCheck r;
  std::size_t i = 0;
  while (i < bytes.size() && bytes[i] != kSyncRequest) ++i;
  if (i == bytes.size()) {
    r.consumed = i;
    return r;
  }
  r.found = true;
  const std::size_t start = i++;
  auto fail = [&](Status s, std::size_t end) {
    r.status = s;
    r.consumed = end;
    return r;
  };
  // Checks in the bridge's order, each at its byte.
  if (i >= bytes.size()) return fail(Status::kTimeout, bytes.size());
  const std::uint8_t cmd = bytes[i++];
  if (!knownCommand(cmd)) return fail(Status::kBadCmd, i);
  if (i + 1 >= bytes.size()) return fail(Status::kTimeout, bytes.size());
  const std::uint16_t addr = static_cast<std::uint16_t>(bytes[i] | bytes[i + 1] << 8);
  i += 2;
  if (addr % 4 != 0 || addr >= 0x1000) return fail(Status::kBadAddr, i);
  if (i >= bytes.size()) return fail(Status::kTimeout, bytes.size());
  const std::uint8_t n = bytes[i++];
  const auto command = static_cast<Command>(cmd);
  if (command == Command::kPing ? n != 0 : (n == 0 || n > max_words)) return fail(Status::kBadLen, i);
  const std::size_t payload = isWrite(command) ? 4u * n : 0u;
  if (bytes.size() - i < payload + kCrcBytes) return fail(Status::kTimeout, bytes.size());
  const auto body = bytes.subspan(start + 1, i - start - 1 + payload);
  const std::uint16_t got = static_cast<std::uint16_t>(bytes[i + payload] << 8 | bytes[i + payload + 1]);
  if (crc16(body) != got) return fail(Status::kBadCrc, i + payload + kCrcBytes);
  r.request = Request{command, addr, n, {}};
  for (std::size_t w = 0; w < payload / 4; ++w) r.request.payload.push_back(getWord(bytes.subspan(i + 4 * w, 4)));
  return fail(Status::kOk, i + payload + kCrcBytes);
}

}  // namespace lpu::link
