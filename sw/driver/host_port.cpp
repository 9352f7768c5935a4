#include "sw/driver/host_port.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sw/isa/regs_gen.hpp"

namespace lpu::driver {

using namespace ::lpu::regs;

void loadProgramOverPort(HostPort& port, const isa::Program& program, const isa::ArchConfig& cfg) {
  if (program.config != cfg.name()) {
    throw std::invalid_argument(
        fmt::format("program is for configuration '{}', the device is '{}'", program.config, cfg.name()));
  }
  if (program.queues.size() != cfg.queues()) {
    throw std::invalid_argument(fmt::format("program has {} queues, configuration '{}' has {}", program.queues.size(),
                                            cfg.name(), cfg.queues()));
  }
  const unsigned max = port.maxWords();
  for (unsigned q = 0; q < program.queues.size(); ++q) {
    const std::uint32_t imem_addr = kImemAddrQueueField.put(q);
    port.writeSame(kRegImemAddr, std::span<const std::uint32_t>(&imem_addr, 1));
    const std::vector<std::uint32_t>& words = program.queues[q];
    for (std::size_t i = 0; i < words.size(); i += max) {
      const std::size_t n = std::min<std::size_t>(max, words.size() - i);
      port.writeSame(kRegImemData, std::span<const std::uint32_t>(words).subspan(i, n));
    }
  }
  const unsigned lanes = cfg.lanes();
  for (const isa::DataSegment& seg : program.data) {
    for (std::size_t w = 0; w * lanes < seg.bytes.size(); ++w) {
      writeSramOverPort(port, seg.position, seg.address + static_cast<std::uint32_t>(w),
                        std::span<const std::uint8_t>(seg.bytes).subspan(w * lanes, lanes));
    }
  }
}

void writeSramOverPort(HostPort& port, unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) {
  std::vector<std::uint32_t> staging(word.size() / 4);
  for (std::size_t i = 0; i < staging.size(); ++i) {
    for (unsigned k = 0; k < 4; ++k) staging[i] |= std::uint32_t{word[4 * i + k]} << (8 * k);
  }
  for (std::size_t i = 0; i < staging.size(); i += port.maxWords()) {
    const std::size_t n = std::min<std::size_t>(port.maxWords(), staging.size() - i);
    port.writeSeq(kRegSramData + static_cast<std::uint32_t>(4 * i),
                  std::span<const std::uint32_t>(staging).subspan(i, n));
  }
  const std::uint32_t cmd[2] = {kSramAddrPosField.put(position) | kSramAddrAddrField.put(address), kSramCmdWrite};
  port.writeSeq(kRegSramAddr, cmd);
}

std::vector<std::uint8_t> readSramOverPort(HostPort& port, unsigned position, std::uint32_t address, unsigned lanes) {
  const std::uint32_t cmd[2] = {kSramAddrPosField.put(position) | kSramAddrAddrField.put(address), kSramCmdRead};
  port.writeSeq(kRegSramAddr, cmd);
  std::vector<std::uint8_t> out(lanes);
  const unsigned n_words = lanes / 4;
  for (unsigned i = 0; i < n_words; i += port.maxWords()) {
    const unsigned n = std::min(port.maxWords(), n_words - i);
    const std::vector<std::uint32_t> words = port.readSeq(kRegSramData + 4 * i, n);
    if (words.size() != n) {
      throw std::runtime_error(fmt::format("SRAM_DATA read: {} words, asked {}", words.size(), n));
    }
    for (unsigned j = 0; j < 4 * n; ++j) out[4 * i + j] = static_cast<std::uint8_t>(words[j / 4] >> (8 * (j % 4)));
  }
  return out;
}

}  // namespace lpu::driver
