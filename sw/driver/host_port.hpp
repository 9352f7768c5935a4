// The host register protocol over any register port (docs/architecture.md section 7): how a Program becomes
// IMEM_ADDR/IMEM_DATA and SRAM_DATA/SRAM_ADDR/SRAM_CMD writes, and how an SRAM word is read back. Backends that
// talk to the register map through frames (the serial backend) use these instead of their own copy.
//
// Example:
//   class MyPort : public HostPort { ... };   // one frame per call
//   loadProgramOverPort(port, program, cfg);  // every queue, then every data segment
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::driver {

class HostPort {
 public:
  virtual ~HostPort() = default;
  // Largest number of words one call may move (the link's MaxWords).
  virtual unsigned maxWords() const = 0;
  // words.size() writes to the one register addr (IMEM_DATA: the address auto-increments in the core).
  virtual void writeSame(std::uint32_t addr, std::span<const std::uint32_t> words) = 0;
  // words[i] to addr + 4i.
  virtual void writeSeq(std::uint32_t addr, std::span<const std::uint32_t> words) = 0;
  // count reads of addr, addr + 4, ...
  virtual std::vector<std::uint32_t> readSeq(std::uint32_t addr, unsigned count) = 0;
};

// IMEM_ADDR = {queue, 0} (empties it) and the queue's words, per queue; then each data segment word by word. Throws
// std::invalid_argument when the program is for another configuration or has the wrong number of queues.
void loadProgramOverPort(HostPort& port, const isa::Program& program, const isa::ArchConfig& cfg);
// SRAM_DATA[0..lanes/4) = word, then SRAM_ADDR and SRAM_CMD = write (neighbours: one sequential write).
void writeSramOverPort(HostPort& port, unsigned position, std::uint32_t address, std::span<const std::uint8_t> word);
// SRAM_ADDR and SRAM_CMD = read, then SRAM_DATA[0..lanes/4).
std::vector<std::uint8_t> readSramOverPort(HostPort& port, unsigned position, std::uint32_t address, unsigned lanes);

}  // namespace lpu::driver
