#include "sw/isa/program.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "sw/isa/arch.hpp"

namespace lpu::isa {
namespace {

constexpr char kMagic[4] = {'L', 'P', 'B', '1'};
constexpr std::uint32_t kVersion = 1;

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void pad4(std::vector<std::uint8_t>& out) {
  while (out.size() % 4) out.push_back(0);
}

// Bounds-checked little-endian reader; every failure names the source, the offset and the field.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, std::string_view source) : bytes_(bytes), source_(source) {}

  [[noreturn]] void fail(std::size_t offset, std::string_view field, const std::string& what) const {
    throw FormatError(fmt::format("{}: offset {}: field '{}': {}", source_, offset, field, what));
  }
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }

  std::uint32_t u32(std::string_view field) {
    if (remaining() < 4) fail(pos_, field, fmt::format("expected 4 bytes, file ends after {}", remaining()));
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{bytes_[pos_ + i]} << (8 * i);
    pos_ += 4;
    return v;
  }
  std::span<const std::uint8_t> take(std::size_t n, std::string_view field) {
    if (remaining() < n) fail(pos_, field, fmt::format("expected {} bytes, file ends after {}", n, remaining()));
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  void skipPad(std::string_view field) {
    std::size_t pad = (4 - pos_ % 4) % 4;
    take(pad, field);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<std::uint8_t> serialize(const Program& program) {
  std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
  putU32(out, kVersion);
  putU32(out, static_cast<std::uint32_t>(program.config.size()));
  out.insert(out.end(), program.config.begin(), program.config.end());
  pad4(out);
  putU32(out, static_cast<std::uint32_t>(program.queues.size()));
  for (const auto& q : program.queues) {
    putU32(out, static_cast<std::uint32_t>(q.size()));
    for (std::uint32_t w : q) putU32(out, w);
  }
  putU32(out, static_cast<std::uint32_t>(program.data.size()));
  const ArchConfig cfg = ArchConfig::byName(program.config);
  for (const DataSegment& s : program.data) {
    putU32(out, s.position);
    putU32(out, s.address);
    putU32(out, static_cast<std::uint32_t>(s.bytes.size() / cfg.lanes()));
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    pad4(out);
  }
  return out;
}

Program deserialize(std::span<const std::uint8_t> bytes, std::string_view source_name) {
  Reader r(bytes, source_name);
  Program p;
  auto magic = r.take(4, "magic");
  if (!std::equal(magic.begin(), magic.end(), std::begin(kMagic))) {
    r.fail(0, "magic", "expected \"LPB1\" (an openlpu program or memory image)");
  }
  const std::size_t version_at = r.offset();
  if (std::uint32_t v = r.u32("version"); v != kVersion) {
    r.fail(version_at, "version", fmt::format("expected {}, found {}", kVersion, v));
  }
  const std::size_t name_at = r.offset();
  const std::uint32_t name_len = r.u32("config name length");
  if (name_len == 0 || name_len > 64)
    r.fail(name_at, "config name length", fmt::format("expected 1..64, found {}", name_len));
  auto name = r.take(name_len, "config name");
  p.config.assign(name.begin(), name.end());
  r.skipPad("config name padding");
  ArchConfig cfg = [&] {
    try {
      return ArchConfig::byName(p.config);
    } catch (const std::invalid_argument& e) {
      r.fail(name_at + 4, "config name", e.what());
    }
  }();

  const std::size_t nq_at = r.offset();
  const std::uint32_t nq = r.u32("queue count");
  if (nq != 0 && nq != cfg.queues()) {
    r.fail(
        nq_at, "queue count",
        fmt::format("expected {} (queues of config '{}') or 0 (memory image), found {}", cfg.queues(), p.config, nq));
  }
  p.queues.resize(nq);
  for (std::uint32_t q = 0; q < nq; ++q) {
    const std::size_t at = r.offset();
    const std::uint32_t n = r.u32("queue length");
    if (n > cfg.params().queue_depth) {
      r.fail(at, "queue length",
             fmt::format("queue {} ({}): expected at most {} words (queue_depth), found {}", q, cfg.sliceName(q),
                         cfg.params().queue_depth, n));
    }
    p.queues[q].reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) p.queues[q].push_back(r.u32("instruction word"));
  }

  const std::size_t ns_at = r.offset();
  const std::uint32_t ns = r.u32("segment count");
  if (ns > 1u << 20) r.fail(ns_at, "segment count", fmt::format("expected at most {}, found {}", 1u << 20, ns));
  for (std::uint32_t i = 0; i < ns; ++i) {
    DataSegment s;
    const std::size_t pos_at = r.offset();
    s.position = r.u32("segment position");
    if (s.position >= cfg.positions() || cfg.sliceAt(s.position) != Slice::kMEM) {
      r.fail(pos_at, "segment position",
             fmt::format("segment {}: expected the position of a MEM slice, found {}", i, s.position));
    }
    const std::size_t addr_at = r.offset();
    s.address = r.u32("segment address");
    const std::uint32_t words = r.u32("segment words");
    if (s.address >= cfg.wordsPerSlice() || words > cfg.wordsPerSlice() - s.address) {
      r.fail(addr_at, "segment address",
             fmt::format("segment {}: words {:#x}..{:#x} exceed the slice (0 .. {:#x})", i, s.address,
                         std::uint64_t{s.address} + words - 1, cfg.wordsPerSlice() - 1));
    }
    auto data = r.take(std::size_t{words} * cfg.lanes(), "segment data");
    s.bytes.assign(data.begin(), data.end());
    r.skipPad("segment padding");
    p.data.push_back(std::move(s));
  }
  if (r.remaining() != 0) {
    r.fail(r.offset(), "end of file", fmt::format("expected end of file, found {} more bytes", r.remaining()));
  }
  return p;
}

Program loadProgramFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError(fmt::format("{}: cannot open for reading", path));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return deserialize(bytes, path);
}

void saveProgramFile(const std::string& path, const Program& program) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", path));
  const auto bytes = serialize(program);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", path));
}

}  // namespace lpu::isa
