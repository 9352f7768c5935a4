// libFuzzer target: arbitrary bytes as what a board sent back, read by the host's reply check
// (sw/driver/serial_device.hpp, checkReply) against each kind of request. Whatever the bytes, the check must return
// (no crash, hang or sanitizer report) and its answer must be consistent: consumed within the input; a kReply is a
// frame sw/link parses, echoes the request's command and has the word count the request implies (encoding it
// again gives the bytes it consumed); kBad names a reason; kIncomplete consumes only bytes before the first sync.
// Built only with -DLPU_FUZZ=ON and clang (sw/tools/fuzz.sh reply).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "sw/driver/serial_device.hpp"
#include "sw/isa/regs_gen.hpp"
#include "sw/link/link.hpp"

namespace {

using lpu::driver::ReplyCheck;
namespace link = lpu::link;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_reply: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void check(std::span<const std::uint8_t> bytes, const link::Request& req) {
  const ReplyCheck c = lpu::driver::checkReply(bytes, req, link::kDefaultMaxWords);
  if (c.consumed > bytes.size()) fail("consumed past the input", lpu::driver::describeRequest(req));
  switch (c.kind) {
    case ReplyCheck::Kind::kReply: {
      if (!c.reply) fail("kReply without a reply", "");
      if (c.reply->command != static_cast<std::uint8_t>(req.command)) fail("reply echoes another command", "");
      const std::vector<std::uint8_t> again = link::encodeReply(*c.reply);
      if (again.size() > c.consumed ||
          !std::equal(again.begin(), again.end(),
                      bytes.begin() + static_cast<std::ptrdiff_t>(c.consumed - again.size()))) {
        fail("the accepted reply does not re-encode to the bytes consumed", lpu::driver::describeRequest(req));
      }
      const bool ok = c.reply->status == link::Status::kOk;
      const bool reads = req.command == link::Command::kRead || req.command == link::Command::kReadSeq;
      const std::size_t want = !ok ? 0 : req.command == link::Command::kPing ? 2 : reads ? req.count : 0;
      if (c.reply->words.size() != want) fail("accepted a reply with the wrong word count", "");
      break;
    }
    case ReplyCheck::Kind::kBad:
      if (c.error.empty()) fail("kBad without a reason", "");
      if (c.consumed == 0) fail("kBad that consumes nothing (the host would loop)", "");
      break;
    case ReplyCheck::Kind::kIncomplete:
      for (std::size_t i = 0; i < c.consumed; ++i) {
        if (bytes[i] == link::kSyncReply) fail("kIncomplete dropped a sync byte", "");
      }
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  using namespace lpu::regs;
  check(bytes, link::Request::ping());
  check(bytes, link::Request::write(kRegCtrl, {kCtrlStart}));
  check(bytes, link::Request::writeSeq(kRegSramAddr, {0, kSramCmdRead}));
  check(bytes, link::Request::read(kRegStatus, 1));
  check(bytes, link::Request::readSeq(kRegSramData, 2));
  check(bytes, link::Request::readSeq(kRegStatus, 6));
  check(bytes, link::Request::readSeq(kRegSramData, 16));
  return 0;
}
