// Where the compiler puts tensors in SRAM, and how a host moves tensors in and out
// (docs/compiler.md, "Memory").
//
// A tensor of R rows and C columns is cut into column tiles of `lanes` elements (the last one
// padded with zeros); one SRAM word holds one row of one column tile. An i32 tensor is stored as 4
// byte planes (little-endian), each plane laid out like an i8 tensor, because an i32 vector travels
// as 4 byte streams. A fragment holds some column tiles of one plane of one copy:
//   tile ct (ct_begin <= ct < ct_end) lives in MEM slice slices[(ct - ct_begin) % slices.size()],
//   row r of it at word address base + ((ct - ct_begin) / slices.size()) * rows + r.
// Rows of a tile are consecutive words, so streaming a tile is `read a, s` + `repeat n, 1, 1`.
// A row-interleaved fragment (weights) instead spreads each tile's rows over its n slices, row r in
// slices[r % n] at base + (ct - ct_begin) * ceil(rows / n) + r / n: n consecutive rows come from n
// slices in one cycle (multi-row LW).
// A tensor read by both MXMs may have one copy per hemisphere; copy 0 always covers the whole
// tensor.
//
// Example:
//   std::vector<isa::DataSegment> segs = packTensor(layout, "A", a_values);     // host -> SRAM
//   image program.data.insert(program.data.end(), segs.begin(), segs.end());
//   ... run ...
//   std::vector<std::int32_t> c = unpackTensor(layout, "C", [&](unsigned pos, std::uint32_t addr) {
//     return machine.readSram(pos, addr); });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sw/compiler/ir.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::compiler {

struct Fragment {
  unsigned copy = 0;
  unsigned plane = 0;
  unsigned ct_begin = 0, ct_end = 0;
  std::vector<unsigned> slices;  // MEM slice positions
  std::uint32_t base = 0;
  unsigned rows = 0;  // rows of the tensor (words per column tile, over all its slices)
  // Row-interleaved (weights read by multi-row LW): the rows of every column tile are cut into
  // blocks of tile_rows (0: one block of all rows) and block b's row r goes to virtual row
  // u = r + row_offset, i.e. slices[u % n] at base + (ct - ct_begin) * wordsPerTile() +
  // b * wordsPerBlock() + u / n. Any n consecutive rows of a block sit in n different slices and
  // can stream in the same cycle; row_offset picks the slice of each block's first row.
  bool interleaved = false;
  unsigned tile_rows = 0;
  unsigned row_offset = 0;
  // Words between consecutive column tiles of one slice (not interleaved): 0 = rows. A pin may set
  // more, e.g. one row of a KV cache: row `pos` of a T-row cache is a 1-row tensor at base
  // cache_base + pos with tile_stride T.
  unsigned tile_stride = 0;
  unsigned tileStride() const { return tile_stride ? tile_stride : rows; }
  unsigned blockRows() const { return tile_rows ? tile_rows : rows; }
  unsigned wordsPerBlock() const {
    const auto n = static_cast<unsigned>(slices.size());
    return (blockRows() + row_offset + n - 1) / n;
  }
  unsigned wordsPerTile() const {
    return interleaved ? (rows + blockRows() - 1) / blockRows() * wordsPerBlock() : rows;
  }
};

struct WordLoc {
  unsigned position = 0;
  std::uint32_t address = 0;
};

struct TensorLayout {
  std::string name;
  DType dtype = DType::kI8;
  TensorKind kind = TensorKind::kTemp;
  unsigned rows = 0, cols = 0;
  unsigned col_tiles = 0;
  // Columns per tile: lanes, or fewer for the activations of a load-bound matmul whose K tiles are
  // that high (each word then holds tile_cols values and zeros in the remaining lanes). 0 = lanes.
  unsigned tile_cols = 0;
  unsigned planes = 1;
  std::vector<Fragment> fragments;
  bool pinned = false;    // placed where the graph's pin said
  bool resident = false;  // already in SRAM when the program starts: neither the program nor the host writes it

  // Word holding row r of column tile ct (byte plane `plane`) in copy `copy`; throws
  // std::out_of_range.
  WordLoc locate(unsigned r, unsigned ct, unsigned plane = 0, unsigned copy = 0) const;
  bool hasCopy(unsigned copy, unsigned ct) const;
  const Fragment& fragmentOf(unsigned ct, unsigned plane, unsigned copy) const;
};

struct MemoryLayout {
  std::string config;
  unsigned lanes = 0;
  std::map<std::string, TensorLayout> tensors;
  std::map<unsigned, std::uint32_t> words_used;  // per MEM slice position: words allocated

  const TensorLayout& tensor(const std::string& name) const;
  // {"config": .., "lanes": .., "tensors": {name: {dtype, kind, shape, col_tiles, planes,
  // fragments: [...]}}}
  std::string toJson() const;
};

// One tensor's entry of MemoryLayout::toJson, which is also the format of a pin
// (docs/compiler.md, "Pinned tensors").
std::string tensorLayoutJson(const TensorLayout& t, unsigned lanes);

// The SRAM image of tensor `name` from row-major values (rows*cols), every copy and plane, padding
// zero.
std::vector<isa::DataSegment> packTensor(const MemoryLayout& layout, const std::string& name,
                                         std::span<const std::int32_t> values);
// Reads tensor `name` (copy 0) back through `read(position, address)` -> one word of `lanes` bytes.
using WordReader = std::function<std::vector<std::uint8_t>(unsigned position, std::uint32_t address)>;
std::vector<std::int32_t> unpackTensor(const MemoryLayout& layout, const std::string& name, const WordReader& read);

// Bump allocator over the MEM slices of a configuration.
class SramAllocator {
 public:
  explicit SramAllocator(const isa::ArchConfig& cfg);
  std::uint32_t freeWords(unsigned position) const;
  // Reserves `words` in every slice of `slices` at one common base address; throws
  // std::runtime_error when full.
  std::uint32_t allocate(const std::vector<unsigned>& slices, std::uint32_t words);
  // MEM positions ordered by free space (most first), optionally only one hemisphere (0 west, 1
  // east, -1 both).
  std::vector<unsigned> bySpace(int side) const;
  const std::map<unsigned, std::uint32_t>& used() const { return used_; }
  // Keeps words [lo, hi) of slice `position` out of every later allocate() (pinned tensors, words
  // another program keeps).
  void reserve(unsigned position, std::uint32_t lo, std::uint32_t hi);

 private:
  const isa::ArchConfig& cfg_;
  std::map<unsigned, std::uint32_t> used_;
  // Per slice: disjoint reserved ranges lo -> hi ([lo, hi)), merged as they are added, so a pin inside a kept
  // region counts once.
  std::map<unsigned, std::map<std::uint32_t, std::uint32_t>> reserved_;
};

}  // namespace lpu::compiler
