// A loadable program: one instruction stream per queue plus SRAM data segments, and its binary container.
//
// Container layout (".lpb", little-endian, every field a uint32 unless noted):
//   magic "LPB1" (4 bytes) | version (=1) | config name length | config name bytes (no NUL, padded to 4)
//   | number of queues Q (must equal the configuration's queue count)
//   | Q times: number of words N, then N instruction words
//   | number of data segments S
//   | S times: slice position, word address, number of words W, then W * lanes bytes (padded to 4)
// A file with only data segments (Q = 0) is a memory image (".lpm").
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::isa {

struct DataSegment {
  unsigned position = 0;            // stream position of the MEM slice that holds the data
  std::uint32_t address = 0;        // first word address ({bank, word}) within that slice
  std::vector<std::uint8_t> bytes;  // whole vector words: bytes.size() is a multiple of the configuration's lanes
};

struct Program {
  std::string config;                              // configuration name, e.g. "small"
  std::vector<std::vector<std::uint32_t>> queues;  // queues[position] = instruction words of that slice's queue
  std::vector<DataSegment> data;
};

// Thrown for malformed containers. what() names the source, the byte offset, the field and what was expected:
//   "prog.lpb: offset 12: field 'queue count': expected 11 (queues of config 'small'), found 4"
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<std::uint8_t> serialize(const Program& program);
// Validates the container against the named configuration (queue count and depth, segment positions are MEM
// slices, addresses and sizes in range); throws FormatError.
Program deserialize(std::span<const std::uint8_t> bytes, std::string_view source_name);

Program loadProgramFile(const std::string& path);                       // throws FormatError (also for I/O errors)
void saveProgramFile(const std::string& path, const Program& program);  // throws std::runtime_error

}  // namespace lpu::isa
