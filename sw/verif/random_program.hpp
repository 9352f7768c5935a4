// Constrained-random generator of *legal* openlpu programs, for differential testing (model vs RTL).
//
// Legal means: every word decodes and validates for its queue; no slice has two results landing on one stream
// register in one cycle (STREAM_CONFLICT); no result is written past the chip edge (EDGE_WRITE); Repeat follows a
// non-ICU instruction and keeps strided addresses/rows/slots in range; ABCs respect mxm_abc_interval; Sync/Notify
// never deadlock. The only errors a generated program can raise are data-dependent ones the generator cannot see
// (BAD_ADDRESS from a Gather/Scatter map that came off a stream), and only when `gather_scatter_weight` > 0.
//
// Example:
//   RandomProgramOptions opt;  opt.seed = 42;
//   isa::Program p = randomProgram(isa::ArchConfig::byName("small"), opt);
#pragma once

#include <cstdint>

#include "sw/isa/arch.hpp"
#include "sw/isa/program.hpp"

namespace lpu::verif {

struct RandomProgramOptions {
  std::uint64_t seed = 1;
  unsigned min_insns = 8;  // instructions per queue (before the final halt), drawn uniformly
  unsigned max_insns = 40;
  unsigned nop_weight = 3;  // relative weights of instruction kinds in a queue
  unsigned repeat_weight = 2;
  unsigned op_weight = 10;
  unsigned gather_scatter_weight = 0;  // > 0 allows Gather/Scatter (may raise BAD_ADDRESS)
  bool use_mxm = true;
  bool use_sync = true;      // sometimes start with a Sync barrier released by one queue's Notify
  unsigned data_words = 64;  // random SRAM words per MEM slice (at random addresses)
};

isa::Program randomProgram(const isa::ArchConfig& cfg, const RandomProgramOptions& options);

}  // namespace lpu::verif
