// Static scheduler core: space-time reservation tables, bundle placement, and per-queue emission.
//
// The machine has no run-time arbitration, so the compiler decides the cycle of every instruction.
// This file holds the part of that which does not know about tensors:
//
//   * ReservationTable: which (resource, cycle) pairs are taken. A resource is an instruction queue
//   (one dispatch
//     per cycle) or an extra exclusive unit (e.g. an MXM's ABC port, busy for mxm_abc_interval
//     cycles), plus the stream registers R[d][s][x] in space-time: a value loaded into R[d][s][p0]
//     at the end of cycle c-1 is held in R[d][s][p0 ± k] during cycle c + k, up to its farthest
//     consumer. Two values may never claim the same register in the same cycle: that is exactly the
//     condition under which a producer would overwrite a live value (or two results would be loaded
//     into one register, STREAM_CONFLICT).
//   * Bundle: instructions whose relative timing is fixed by latencies and hops (e.g. MEM read ->
//   VXM op -> MEM
//     write), the streams they use (the index is chosen at placement), and extra exclusive
//     resources.
//   * Scheduler::place(bundle, t_min): the earliest t >= t_min at which the whole bundle fits;
//   reserves it and
//     records its instructions.
//   * Scheduler::emit(): per-queue instruction words, gaps filled with `nop n`, regular runs folded
//   into
//     `repeat n, d, stride`, each queue closed by `halt`; predictedCycles() applies the
//     end-of-program rule of docs/architecture.md §3: T = max(t_halt(q) + 1 over queues, t + L over
//     dispatched instructions).
//
// Example (a MEM read on MEM_W0 feeding a VXM relu whose result is written back on MEM_E0, small
// config):
//   Scheduler s(cfg);
//   Bundle b;
//   int g_in = b.addGroup(Dir::kEast, 1, /*producer*/ 4, /*latency*/ 2, /*producer offset*/ -2);
//   ... (see lower.cpp for real uses)
//   std::int64_t t = s.place(b, 0);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::compiler {

// A growable bitset over cycles.
class CycleBits {
 public:
  bool test(std::int64_t t) const {
    const auto i = static_cast<std::size_t>(t >> 6);
    return i < w_.size() && ((w_[i] >> (t & 63)) & 1u);
  }
  void set(std::int64_t t);
  void reset(std::int64_t t);
  // First cycle >= t whose bit is clear.
  std::int64_t nextClear(std::int64_t t) const;

 private:
  std::vector<std::uint64_t> w_;
};

// Exclusive resources: ids [0, queues) are the instruction queues; addResource() appends more.
class ReservationTable {
 public:
  explicit ReservationTable(const isa::ArchConfig& cfg);

  unsigned addResource(std::string name);
  unsigned numResources() const { return static_cast<unsigned>(res_.size()); }
  const std::string& resourceName(unsigned r) const { return res_names_[r]; }

  bool free(unsigned r, std::int64_t t, unsigned duration = 1) const;
  // First t' >= t with [t', t'+duration) free.
  std::int64_t nextFree(unsigned r, std::int64_t t, unsigned duration = 1) const;
  void take(unsigned r, std::int64_t t, unsigned duration = 1);
  void release(unsigned r, std::int64_t t, unsigned duration = 1);

  // Stream register R[dir][stream][pos] held during cycle t.
  bool streamFree(isa::Dir dir, unsigned stream, unsigned pos, std::int64_t t) const {
    return !regs_[regIndex(dir, stream, pos)].test(t);
  }
  void takeStream(isa::Dir dir, unsigned stream, unsigned pos, std::int64_t t) {
    regs_[regIndex(dir, stream, pos)].set(t);
  }
  void releaseStream(isa::Dir dir, unsigned stream, unsigned pos, std::int64_t t) {
    regs_[regIndex(dir, stream, pos)].reset(t);
  }

 private:
  std::size_t regIndex(isa::Dir dir, unsigned stream, unsigned pos) const {
    return (static_cast<std::size_t>(dir) * streams_ + stream) * positions_ + pos;
  }
  unsigned streams_, positions_;
  std::vector<CycleBits> res_;
  std::vector<std::string> res_names_;
  std::vector<CycleBits> regs_;
};

// A set of instructions with fixed relative timing. Offsets are relative to the bundle's placement
// cycle t and may be negative (the placement keeps every instruction at cycle >= 0).
struct Bundle {
  // An aligned group of `width` byte streams in one direction (width 1: a single stream). Each
  // member is loaded by some instruction of the bundle (one instruction may load several members,
  // e.g. an i32 result) and read by others. The group's base index is chosen at placement among
  // multiples of `width` (or fixed_base if set).
  struct Member {
    unsigned from_pos = 0;   // position where the value is first visible (producer ± 1)
    int visible_offset = 0;  // relative cycle in which it is visible at from_pos (producer offset + latency)
    unsigned reach = 0;      // farthest position that must still hold it
    bool produced = false;
  };
  struct Group {
    isa::Dir dir = isa::Dir::kEast;
    unsigned width = 1;
    std::vector<Member> members;
    int fixed_base = -1;
    unsigned align = 0;        // base is a multiple of this (0: of width; lw groups use 1)
    int prefer_base = -1;      // tried first (keeps repeated bundles on the same streams)
    unsigned chosen_base = 0;  // filled by place()
  };
  // Field `field` of an instruction is set to StreamRef{group.dir, chosen_base + member}.
  struct Binding {
    isa::Field field;
    int group;
    unsigned member = 0;
  };
  struct Insn {
    unsigned queue = 0;
    int offset = 0;
    isa::Instruction insn;
    std::vector<Binding> bindings;
  };
  struct Excl {
    unsigned resource;
    int offset;
    unsigned duration;
  };

  std::vector<Insn> insns;
  std::vector<Group> groups;
  std::vector<Excl> excl;
  int node = -1;     // graph node this bundle belongs to (reports, trace)
  std::string what;  // short description for the critical path ("gemm: abc row 3 k0 n1")

  // Adds instruction `insn` on `queue` at `offset`; returns its index.
  int add(unsigned queue, int offset, const isa::Instruction& insn);
  // A new stream group; returns its index.
  int group(isa::Dir dir, unsigned width);
  // Instruction `insn` (dispatched at position `pos`, result latency `latency`) loads members
  // [first, first + count) of `group` (count 0: all from `first`); its field `field` names stream
  // base + first.
  void produce(int group, int insn, isa::Field field, unsigned pos, unsigned latency, unsigned first = 0,
               unsigned count = 0);
  // Instruction `insn` at `pos` reads members [first, first + count) through `field` (naming base +
  // first). Its offset must equal their arrival at `pos` (checked).
  void consume(int insn, isa::Field field, int group, unsigned pos, unsigned first = 0, unsigned count = 1);
  // Relative cycle at which member `member` of `group` is visible at `pos`.
  int arrival(int group, unsigned member, unsigned pos) const;
  // Offset at which a producer at `pos` with latency `latency` must dispatch so that its result in
  // `dir` reaches `to` at relative cycle `when`: when - latency - |to - pos| + 1.
  static int producerOffset(int when, unsigned latency, unsigned pos, unsigned to);
};

struct ScheduledInsn {
  std::int64_t cycle;
  isa::Instruction insn;
  int bundle;
};

// Why a bundle landed where it did (for the critical path).
struct PlacementInfo {
  std::int64_t t = 0;
  std::int64_t t_min = 0;
  int pred = -1;  // bundle whose completion set t_min, or -1
  int node = -1;
  std::string what;
  std::int64_t first = 0;  // first and last dispatch cycle of its instructions
  std::int64_t last = 0;
  std::int64_t end = 0;  // max(t_i + L_i)
};

// One emitted run on a queue: an instruction and its Repeat (n = 0 when not repeated).
struct EmittedRun {
  std::int64_t cycle;
  isa::Instruction insn;
  unsigned n = 0, d = 0;
  int stride = 0;
  int bundle = -1;
};

class Scheduler {
 public:
  explicit Scheduler(const isa::ArchConfig& cfg);

  const isa::ArchConfig& config() const { return cfg_; }
  ReservationTable& table() { return table_; }

  // Earliest t >= t_min (and >= the value keeping every offset non-negative) at which `b` fits.
  // Reserves the queues, extra resources and stream registers, records the instructions, and
  // returns t. `pred` is the bundle that imposed t_min (for the critical path), or -1.
  std::int64_t place(Bundle& b, std::int64_t t_min, int pred = -1);
  // True when `b` fits at exactly t (queues, units, streams), without reserving anything.
  bool fitsAt(Bundle& b, std::int64_t t);
  // Only the queues and exclusive units of `b` at t (cheap pre-check).
  bool unitsFreeAt(const Bundle& b, std::int64_t t) const;

  const std::vector<PlacementInfo>& placements() const { return placed_; }
  const std::vector<std::vector<ScheduledInsn>>& queueInsns() const { return per_queue_; }

  // Folds each queue into runs (sorted by cycle), then encodes words: nop gaps, repeat, halt.
  std::vector<std::vector<EmittedRun>> runs() const;
  std::vector<std::vector<std::uint32_t>> emit() const;
  // End-of-program rule (docs/architecture.md §3) applied to the emitted queues.
  std::uint64_t predictedCycles() const;

 private:
  // Stream allocation of `b` at t in `table` (the scheduler's own, or an empty one for the
  // feasibility check of place()).
  static bool tryStreams(const isa::ArchConfig& cfg, ReservationTable& table, Bundle& b, std::int64_t t,
                         std::vector<std::tuple<isa::Dir, unsigned, unsigned, std::int64_t>>& taken);
  static void undoStreams(ReservationTable& table,
                          const std::vector<std::tuple<isa::Dir, unsigned, unsigned, std::int64_t>>& taken);

  isa::ArchConfig cfg_;
  ReservationTable table_;
  std::vector<std::vector<ScheduledInsn>> per_queue_;
  std::vector<PlacementInfo> placed_;
};

}  // namespace lpu::compiler
