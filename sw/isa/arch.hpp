// Architecture configuration: the named configurations of sw/isa/arch.toml plus the sizes derived from them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sw/isa/arch_gen.hpp"
#include "sw/isa/isa_gen.hpp"

namespace lpu::isa {

// The configuration the tools use when none is named (assembler, lpu run/compile, lpu-lockstep, make sim): the
// FPGA configuration, which lpu_top's parameter defaults also describe (rtl/lpu_top.sv: lpu_arch_pkg::CFG_ULX3S_*).
inline constexpr std::string_view kDefaultConfig = "ulx3s";

// Which functional slice sits at a stream position. Positions run west (0) to east (positions()-1):
//   MXM_W | SXM_W | MEM_W{m-1} .. MEM_W0 | VXM | MEM_E0 .. MEM_E{m-1} | SXM_E | MXM_E
// Queues: queue q < positions() drives the slice at position q (for an MXM: its compute queue, named like the
// slice); queue positions() is MXM_W_LOAD and positions()+1 is MXM_E_LOAD, the MXMs' weight-load queues.
class ArchConfig {
 public:
  explicit ArchConfig(const ArchParams& params) : p_(params) {}

  // Looks a configuration up by name ("ulx3s", "small", "large"); throws std::invalid_argument listing the valid names.
  static ArchConfig byName(std::string_view name);

  const ArchParams& params() const { return p_; }
  std::string_view name() const { return p_.name; }
  unsigned lanes() const { return p_.lanes; }
  unsigned superlanes() const { return p_.lanes / p_.superlane_lanes; }
  unsigned streamsPerDir() const { return p_.streams_per_dir; }
  unsigned memSlicesPerHem() const { return p_.mem_slices_per_hem; }
  unsigned memSlices() const { return 2 * p_.mem_slices_per_hem; }
  unsigned wordsPerSlice() const { return p_.banks_per_slice * p_.words_per_bank; }
  std::uint64_t sramBytes() const { return std::uint64_t{memSlices()} * wordsPerSlice() * p_.lanes; }
  unsigned positions() const { return 2 * (p_.mem_slices_per_hem + 2) + 1; }
  unsigned queues() const { return positions() + 2; }
  // Position of the slice a queue drives; throws std::out_of_range for a bad queue.
  unsigned queuePosition(unsigned queue) const;
  // True for the two MXM load queues.
  bool isLoadQueue(unsigned queue) const { return queue >= positions() && queue < queues(); }
  // "MEM_E0", "MXM_W", "MXM_W_LOAD", ...; throws std::out_of_range.
  std::string queueName(unsigned queue) const;
  // Inverse of queueName; -1 when the name is not a queue of this configuration.
  int queueOf(std::string_view queue_name) const;
  unsigned vxmPosition() const { return p_.mem_slices_per_hem + 2; }
  unsigned mxmPeakMacsPerCycle() const { return p_.lanes * p_.lanes / p_.mxm_abc_interval; }

  Slice sliceAt(unsigned position) const;
  // "MXM_W", "MEM_W0", "VXM", ... ; throws std::out_of_range for a bad position.
  std::string sliceName(unsigned position) const;
  // Inverse of sliceName; returns -1 when the name is not a slice of this configuration.
  int positionOf(std::string_view slice_name) const;
  // For a MEM position: which MEM slice (0 .. memSlices()-1, west to east). -1 otherwise.
  int memIndex(unsigned position) const;

 private:
  ArchParams p_;
};

}  // namespace lpu::isa
