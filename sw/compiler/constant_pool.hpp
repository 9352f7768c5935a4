// ConstantPool: vector constants shared by the programs compiled with it (CompileOptions::constants).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sw/compiler/layout.hpp"
#include "sw/isa/program.hpp"

namespace lpu::compiler {

// Vector constants (lane indices, masks, splats, ...) shared by the programs that are compiled with it (a
// ProgramChain's): each distinct constant a lowering asks for is placed once in the pool's words and written once
// (segments()); a program compiled with the pool reads it there instead of carrying its own copy. The pool's words
// (its regions) are kept out of every compile that uses it. A constant is reused where it satisfies the lowering's
// request (the same bytes, in the hemisphere asked for, none of its planes in a slice the lowering avoids), else
// placed anew (nearest the VXM first, as a program's own constant would be).
//
// Example:
//   ConstantPool pool;
//   for (unsigned p : mem_slices) pool.addRegion(p, 128, 160);
//   CompileOptions o;
//   o.constants = &pool;
//   CompileResult a = compile(g1, o), b = compile(g2, o);   // a and b share their constants
//   device.loadProgram(poolImage);                            // pool.segments(), once
class ConstantPool {
 public:
  // Words [lo, hi) of MEM slice `position` belong to the pool (one region per slice).
  void addRegion(unsigned position, std::uint32_t lo, std::uint32_t hi);
  struct Entry {
    unsigned width = 1;               // byte planes
    std::vector<std::uint8_t> bytes;  // plane-major: plane k's lanes at [k * lanes, (k + 1) * lanes)
    std::vector<WordLoc> loc;         // per plane (two planes may share a slice)
  };
  const std::vector<Entry>& entries() const { return entries_; }
  // The SRAM image of every entry, in the order they were added (segments()[i..] are the ones added since i).
  const std::vector<isa::DataSegment>& segments() const { return segments_; }
  const std::map<unsigned, std::pair<std::uint32_t, std::uint32_t>>& regions() const { return regions_; }
  // Words in use per slice (from the region's low end).
  std::uint32_t used(unsigned position) const;

  // For the compiler: the first entry with `bytes` (width planes) that `fits`, or nullptr.
  template <typename Fits>
  const Entry* find(unsigned width, const std::vector<std::uint8_t>& bytes, Fits fits) const {
    for (const Entry& e : entries_)
      if (e.width == width && e.bytes == bytes && fits(e)) return &e;
    return nullptr;
  }
  // Free words left in `position`'s region (0 without one).
  std::uint32_t freeWords(unsigned position) const;
  // Adds an entry on the given slices (one per plane), allocating its words; throws CompileError when a region is
  // full.
  const Entry& add(unsigned width, std::vector<std::uint8_t> bytes, const std::vector<unsigned>& positions,
                   unsigned lanes);

 private:
  std::map<unsigned, std::pair<std::uint32_t, std::uint32_t>> regions_;
  std::map<unsigned, std::uint32_t> next_;
  std::vector<Entry> entries_;
  std::vector<isa::DataSegment> segments_;
};

}  // namespace lpu::compiler
