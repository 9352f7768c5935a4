// Unit tests of the link library: CRC against the catalogue check value, frame layout byte by byte
// (docs/fpga.md), encoder/decoder round trips, the board-side reference checks, and argument
// errors.
#include "sw/link/link.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lpu::link {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(LinkCrc, MatchesTheCatalogueCheckValue) {
  // CRC-16/CCITT-FALSE check value (CRC of the ASCII string "123456789") from the CRC catalogue:
  // 0x29B1.
  const std::string s = "123456789";
  const Bytes b(s.begin(), s.end());
  EXPECT_EQ(crc16(b), 0x29B1);
  EXPECT_EQ(crc16({}), 0xFFFF);  // init, no final xor
}

TEST(LinkCrc, MessageFollowedByItsCrcHasResidueZero) {
  // The bridge checks a request by running the CRC over its two CRC bytes too and testing for 0.
  Bytes b{0x02, 0x24, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF};
  const std::uint16_t c = crc16(b);
  b.push_back(static_cast<std::uint8_t>(c >> 8));
  b.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(crc16(b), 0);
  EXPECT_EQ(crc16(std::span<const std::uint8_t>(b).subspan(4), crc16(std::span<const std::uint8_t>(b).first(4))), 0);
}

TEST(LinkEncode, RequestLayoutByteByByte) {
  const Bytes f = encodeRequest(Request::write(0x024, {0x11223344u, 0xAABBCCDDu}));
  ASSERT_EQ(f.size(), kRequestHeaderBytes + 8 + kCrcBytes);
  EXPECT_EQ(f[0], kSyncRequest);
  EXPECT_EQ(f[1], 0x02);  // write
  EXPECT_EQ(f[2], 0x24);  // address low byte
  EXPECT_EQ(f[3], 0x00);  // address high byte
  EXPECT_EQ(f[4], 2);     // N
  EXPECT_EQ((Bytes{f.begin() + 5, f.begin() + 13}), (Bytes{0x44, 0x33, 0x22, 0x11, 0xDD, 0xCC, 0xBB, 0xAA}));
  const std::uint16_t c = crc16(std::span<const std::uint8_t>(f).subspan(1, 12));
  EXPECT_EQ(f[13], c >> 8);
  EXPECT_EQ(f[14], c & 0xFF);

  const Bytes p = encodeRequest(Request::ping());
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ((Bytes{p.begin(), p.begin() + 5}), (Bytes{0xA5, 0x01, 0x00, 0x00, 0x00}));
  const Bytes r = encodeRequest(Request::readSeq(0x104, 3));
  EXPECT_EQ((Bytes{r.begin(), r.begin() + 5}), (Bytes{0xA5, 0x05, 0x04, 0x01, 0x03}));
  EXPECT_EQ(r.size(), 7u);  // no payload on a read
}

TEST(LinkEncode, DocumentedExampleFrame) {
  // docs/fpga.md section 4: "read CYCLE_LO and CYCLE_HI: A5 05 14 00 02 87 64" (CRC computed there
  // with an independent bit-serial implementation).
  EXPECT_EQ(encodeRequest(Request::readSeq(0x14, 2)), (Bytes{0xA5, 0x05, 0x14, 0x00, 0x02, 0x87, 0x64}));
}

TEST(LinkEncode, RejectsWhatTheBoardWouldRejectWithContext) {
  auto message = [](const Request& r, unsigned max = kDefaultMaxWords) {
    try {
      encodeRequest(r, max);
    } catch (const LinkError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(Request::read(0x102, 1)).find("0x102"), std::string::npos);
  EXPECT_NE(message(Request::read(0x1000, 1)).find("below 0x1000"), std::string::npos);
  EXPECT_NE(message(Request::read(0x4, 0)).find("1..16"), std::string::npos);
  EXPECT_NE(message(Request::write(0x24, std::vector<std::uint32_t>(17))).find("17 words"), std::string::npos);
  EXPECT_EQ(message(Request::write(0x24, std::vector<std::uint32_t>(17)), 32), "");
  Request bad = Request::write(0x24, {1, 2});
  bad.count = 3;
  EXPECT_NE(message(bad).find("2 payload words"), std::string::npos);
  Request ping = Request::ping();
  ping.count = 1;
  EXPECT_NE(message(ping).find("ping"), std::string::npos);
  Request unknown{static_cast<Command>(0x7F), 0, 1, {}};
  EXPECT_NE(message(unknown).find("0x7f"), std::string::npos);
  EXPECT_THROW(Request::read(0, 256), LinkError);
}

TEST(LinkReply, RoundTripSkippingGarbage) {
  const Reply rep{Status::kOk, 0x05, {0x01020304u, 0xFFFFFFFFu, 0u}};
  const Bytes f = encodeReply(rep);
  ASSERT_EQ(f.size(), kReplyHeaderBytes + 12 + kCrcBytes);
  EXPECT_EQ((Bytes{f.begin(), f.begin() + 4}), (Bytes{0x5A, 0x00, 0x05, 0x03}));
  Bytes stream{0x00, 0xA5, 0x13};  // garbage (no reply sync byte)
  stream.insert(stream.end(), f.begin(), f.end());
  stream.push_back(0x5A);  // the start of another reply
  const ParseResult r = parseReply(stream);
  ASSERT_EQ(r.kind, ParseResult::Kind::kFrame) << r.error;
  EXPECT_EQ(r.consumed, 3 + f.size());
  EXPECT_EQ(r.reply->status, Status::kOk);
  EXPECT_EQ(r.reply->command, 0x05);
  EXPECT_EQ(r.reply->words, rep.words);
}

TEST(LinkReply, IncompleteUntilTheLastByte) {
  const Bytes f = encodeReply(Reply{Status::kBadLen, 0x03, {}});
  for (std::size_t n = 0; n < f.size(); ++n) {
    const ParseResult r = parseReply(std::span<const std::uint8_t>(f).first(n));
    EXPECT_EQ(r.kind, ParseResult::Kind::kIncomplete) << n << " bytes";
    EXPECT_EQ(r.consumed, 0u);
  }
  const ParseResult r = parseReply(f);
  ASSERT_EQ(r.kind, ParseResult::Kind::kFrame);
  EXPECT_EQ(r.reply->status, Status::kBadLen);
  EXPECT_TRUE(r.reply->words.empty());
}

TEST(LinkReply, EverySingleBitFlipIsCaught) {
  // CRC-16 detects every 1-bit error; flips in the N byte change the frame length, so those frames
  // are incomplete or fail their CRC -- never a good frame.
  const Bytes f = encodeReply(Reply{Status::kOk, 0x04, {0xCAFEF00Du, 0x12345678u}});
  for (std::size_t i = 1; i < f.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      Bytes g = f;
      g[i] ^= static_cast<std::uint8_t>(1 << b);
      g.resize(g.size() + 1100, 0x00);  // enough bytes for any N
      const ParseResult r = parseReply(g);
      EXPECT_NE(r.kind, ParseResult::Kind::kFrame) << "byte " << i << " bit " << b;
      if (r.kind == ParseResult::Kind::kBadFrame) {
        EXPECT_EQ(r.consumed, 1u);
        EXPECT_NE(r.error.find("CRC"), std::string::npos);
      }
    }
  }
}

TEST(LinkCheck, ReferenceChecksInTheBridgesOrder) {
  const Bytes good = encodeRequest(Request::writeSeq(0x100, {7, 8}));
  RequestCheck c = checkRequest(good);
  ASSERT_TRUE(c.found);
  EXPECT_EQ(c.status, Status::kOk);
  EXPECT_EQ(c.request.command, Command::kWriteSeq);
  EXPECT_EQ(c.request.address, 0x100);
  EXPECT_EQ(c.request.payload, (std::vector<std::uint32_t>{7, 8}));
  EXPECT_EQ(c.consumed, good.size());

  Bytes bad_crc = good;
  bad_crc.back() ^= 1;
  EXPECT_EQ(checkRequest(bad_crc).status, Status::kBadCrc);
  EXPECT_EQ(checkRequest(Bytes{0x00, 0xA5, 0x09}).status, Status::kBadCmd);
  EXPECT_EQ(checkRequest(Bytes{0xA5, 0x04, 0x01, 0x00}).status, Status::kBadAddr);
  EXPECT_EQ(checkRequest(Bytes{0xA5, 0x04, 0x00, 0x10}).status, Status::kBadAddr);
  EXPECT_EQ(checkRequest(Bytes{0xA5, 0x04, 0x00, 0x00, 17}).status, Status::kBadLen);
  EXPECT_EQ(checkRequest(Bytes{0xA5, 0x01, 0x00, 0x00, 1}).status, Status::kBadLen);
  EXPECT_EQ(checkRequest(std::span<const std::uint8_t>(good).first(good.size() - 1)).status, Status::kTimeout);
  EXPECT_FALSE(checkRequest(Bytes{0x00, 0x5A, 0xFF}).found);
}

TEST(LinkCheck, EncodedRequestsAreAccepted) {
  std::mt19937 rng(1234);
  for (int t = 0; t < 200; ++t) {
    const unsigned n = 1 + rng() % kDefaultMaxWords;
    const std::uint16_t addr = static_cast<std::uint16_t>((rng() % 0x400) * 4);
    std::vector<std::uint32_t> words(n);
    for (auto& w : words) w = rng();
    Request r;
    switch (rng() % 5) {
      case 0:
        r = Request::ping();
        break;
      case 1:
        r = Request::write(addr, words);
        break;
      case 2:
        r = Request::writeSeq(addr, words);
        break;
      case 3:
        r = Request::read(addr, n);
        break;
      default:
        r = Request::readSeq(addr, n);
        break;
    }
    const RequestCheck c = checkRequest(encodeRequest(r));
    ASSERT_EQ(c.status, Status::kOk) << commandName(r.command);
    EXPECT_EQ(c.request.command, r.command);
    EXPECT_EQ(c.request.address, r.address);
    EXPECT_EQ(c.request.count, r.count);
    EXPECT_EQ(c.request.payload, r.payload);
  }
}

TEST(LinkNames, StatusAndCommandNames) {
  EXPECT_EQ(statusName(Status::kTimeout), "timeout");
  EXPECT_EQ(statusName(static_cast<Status>(0x42)), "unknown(0x42)");
  EXPECT_EQ(commandName(Command::kWriteSeq), "write_seq");
}

}  // namespace
}  // namespace lpu::link
