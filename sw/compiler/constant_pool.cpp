// ConstantPool (constant_pool.hpp): the words of vector constants shared by the programs compiled with it.
#include "sw/compiler/constant_pool.hpp"

#include <fmt/format.h>

#include "sw/compiler/compiler.hpp"  // CompileError

namespace lpu::compiler {

void ConstantPool::addRegion(unsigned position, std::uint32_t lo, std::uint32_t hi) {
  if (hi < lo)
    throw CompileError(fmt::format("constant pool: region [{}, {}) of position {} is empty", lo, hi, position));
  if (regions_.count(position))
    throw CompileError(fmt::format("constant pool: position {} already has a region", position));
  regions_[position] = {lo, hi};
  next_[position] = lo;
}

std::uint32_t ConstantPool::used(unsigned position) const {
  auto it = regions_.find(position);
  return it == regions_.end() ? 0 : next_.at(position) - it->second.first;
}

std::uint32_t ConstantPool::freeWords(unsigned position) const {
  auto it = regions_.find(position);
  return it == regions_.end() ? 0 : it->second.second - next_.at(position);
}

const ConstantPool::Entry& ConstantPool::add(unsigned width, std::vector<std::uint8_t> bytes,
                                             const std::vector<unsigned>& positions, unsigned lanes) {
  if (positions.size() != width || bytes.size() != std::size_t{width} * lanes)
    throw CompileError(fmt::format("constant pool: a {}-plane constant needs {} positions and {} bytes, has {} and {}",
                                   width, width, width * lanes, positions.size(), bytes.size()));
  std::map<unsigned, unsigned> need;
  for (unsigned p : positions) ++need[p];
  for (const auto& [p, n] : need)
    if (freeWords(p) < n)
      throw CompileError(fmt::format("constant pool full: position {} has {} of its {} words free, a constant needs {}",
                                     p, freeWords(p),
                                     regions_.count(p) ? regions_.at(p).second - regions_.at(p).first : 0, n));
  Entry e;
  e.width = width;
  e.bytes = std::move(bytes);
  for (unsigned k = 0; k < width; ++k) {
    const unsigned p = positions[k];
    e.loc.push_back(WordLoc{p, next_[p]++});
    isa::DataSegment seg;
    seg.position = p;
    seg.address = e.loc.back().address;
    seg.bytes.assign(e.bytes.begin() + std::ptrdiff_t{k} * lanes, e.bytes.begin() + std::ptrdiff_t{k + 1} * lanes);
    segments_.push_back(std::move(seg));
  }
  entries_.push_back(std::move(e));
  return entries_.back();
}

}  // namespace lpu::compiler
