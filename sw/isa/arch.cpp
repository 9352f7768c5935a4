#include "sw/isa/arch.hpp"

#include <string>

namespace lpu::isa {

ArchConfig ArchConfig::byName(std::string_view name) {
  std::string known;
  for (const ArchParams& p : kConfigs) {
    if (p.name == name) return ArchConfig(p);
    known += known.empty() ? "" : ", ";
    known += p.name;
  }
  throw std::invalid_argument("unknown configuration '" + std::string(name) + "'; expected one of: " + known);
}

Slice ArchConfig::sliceAt(unsigned position) const {
  const unsigned m = p_.mem_slices_per_hem;
  const unsigned last = positions() - 1;
  if (position > last) throw std::out_of_range("position " + std::to_string(position) + " out of range");
  if (position == 0 || position == last) return Slice::kMXM;
  if (position == 1 || position == last - 1) return Slice::kSXM;
  if (position == m + 2) return Slice::kVXM;
  return Slice::kMEM;
}

std::string ArchConfig::sliceName(unsigned position) const {
  const unsigned vxm = vxmPosition();
  const bool west = position < vxm;
  switch (sliceAt(position)) {
    case Slice::kMXM:
      return west ? "MXM_W" : "MXM_E";
    case Slice::kSXM:
      return west ? "SXM_W" : "SXM_E";
    case Slice::kVXM:
      return "VXM";
    case Slice::kMEM:
      return west ? "MEM_W" + std::to_string(vxm - 1 - position) : "MEM_E" + std::to_string(position - vxm - 1);
    default:
      break;
  }
  return "?";
}

int ArchConfig::positionOf(std::string_view slice_name) const {
  for (unsigned p = 0; p < positions(); ++p) {
    if (sliceName(p) == slice_name) return static_cast<int>(p);
  }
  return -1;
}

unsigned ArchConfig::queuePosition(unsigned queue) const {
  if (queue < positions()) return queue;
  if (queue == positions()) return 0;
  if (queue == positions() + 1) return positions() - 1;
  throw std::out_of_range("queue " + std::to_string(queue) + " out of range");
}

std::string ArchConfig::queueName(unsigned queue) const {
  const std::string slice = sliceName(queuePosition(queue));
  return isLoadQueue(queue) ? slice + "_LOAD" : slice;
}

int ArchConfig::queueOf(std::string_view queue_name) const {
  for (unsigned q = 0; q < queues(); ++q) {
    if (queueName(q) == queue_name) return static_cast<int>(q);
  }
  return -1;
}

int ArchConfig::memIndex(unsigned position) const {
  if (position >= positions() || sliceAt(position) != Slice::kMEM) return -1;
  // West MEM slices are positions 2 .. m+1, east ones m+3 .. 2m+2: index them 0 .. 2m-1 west to east.
  return position < vxmPosition() ? static_cast<int>(position) - 2 : static_cast<int>(position) - 3;
}

}  // namespace lpu::isa
