#include "sw/asm/disassembler.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sw/asm/rules.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::assembler {
namespace {

// Assembly text for word `i` of queue `q`: the instruction, or `.word` with the reason it cannot be
// text.
std::string wordText(const std::vector<std::uint32_t>& queue, std::size_t i, unsigned position,
                     const isa::ArchConfig& cfg) {
  const std::uint32_t word = queue[i];
  const isa::DecodeResult d = isa::decode(word);
  std::string why;
  if (d.error != isa::ErrorCode::kNone) {
    why = fmt::format("{}: {}", isa::errorName(d.error), d.message);
  } else {
    const Predecessor prev = i == 0 ? Predecessor::start() : Predecessor::of(queue[i - 1]);
    const std::vector<Problem> problems = checkInstruction(d.insn, position, prev, cfg);
    if (!problems.empty()) {
      why = fmt::format("{}: {}", d.insn.desc->mnemonic, problems.front().message);
    } else {
      std::uint32_t again = 0;
      try {
        again = isa::encode(d.insn);
      } catch (const isa::EncodeError& e) {
        why = fmt::format("does not re-encode: {}", e.what());
      }
      if (why.empty() && again != word) why = fmt::format("re-encodes as 0x{:08x}", again);
    }
  }
  if (why.empty()) return isa::format(d.insn);
  // Keep the comment on one line.
  for (char& c : why) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return fmt::format(".word 0x{:08x}  ; {}", word, why);
}

}  // namespace

std::string disassemble(const isa::Program& program, const isa::ArchConfig& cfg) {
  if (program.queues.size() != cfg.queues()) {
    throw std::invalid_argument(fmt::format("program has {} queues; expected {} for config '{}'", program.queues.size(),
                                            cfg.queues(), cfg.name()));
  }
  const std::uint32_t halt = isa::encode(isa::Instruction::make(isa::Opcode::kHalt));
  std::string out = fmt::format(".config {}\n", cfg.name());
  for (unsigned q = 0; q < cfg.queues(); ++q) {
    const std::vector<std::uint32_t>& words = program.queues[q];
    if (words.size() == 1 && words[0] == halt) continue;
    out += fmt::format("\n.queue {}\n", cfg.queueName(q));
    if (words.empty()) out += "    ; empty queue: the assembler gives it a halt\n";
    for (std::size_t i = 0; i < words.size(); ++i) {
      out += "    ";
      out += wordText(words, i, q, cfg);
      out += '\n';
    }
    if (!words.empty() && words.back() != halt)
      out += "    ; the queue does not end in halt: the assembler appends one\n";
  }
  for (const isa::DataSegment& seg : program.data) {
    if (seg.position >= cfg.positions() || cfg.sliceAt(seg.position) != isa::Slice::kMEM) {
      throw std::invalid_argument(
          fmt::format("data segment at position {} is not a MEM slice of config '{}'", seg.position, cfg.name()));
    }
    out += fmt::format("\n.data {}, 0x{:03x}\n", cfg.sliceName(seg.position), seg.address);
    if (seg.bytes.empty()) out += "    ; empty segment: the assembler makes none\n";
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < seg.bytes.size(); i += 16) {
      out += "    .byte ";
      for (std::size_t k = i; k < std::min(i + 16, seg.bytes.size()); ++k) {
        if (k > i) out += ", ";
        const std::uint8_t b = seg.bytes[k];
        out += {'0', 'x', kHex[b >> 4], kHex[b & 0xF]};
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace lpu::assembler
