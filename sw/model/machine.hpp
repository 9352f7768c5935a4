// Cycle-accurate golden model of the whole openlpu machine (docs/architecture.md, docs/isa.md).
//
// One Machine models one chip of any isa::ArchConfig: the instruction queues (ICU), the stream registers, the MEM
// slices' SRAM, the VXM, both SXMs and both MXMs. It has no global state; several machines may run side by side.
//
// Example (all queues halt at cycle 0, so the program takes 1 cycle):
//   isa::ArchConfig cfg = isa::ArchConfig::byName("small");
//   isa::Program prog{.config = "small", .queues = std::vector(cfg.queues(), std::vector<std::uint32_t>{halt})};
//   model::Machine m(cfg);
//   m.loadProgram(prog);
//   m.start();
//   model::RunState s = m.run(1000);   // s == RunState::kDone, m.cycle() == 1
//
// Timing model, in one place (docs/architecture.md §3-§4). In cycle t:
//   1. every queue that is ready dispatches at most one instruction (repeat re-issues count as dispatches);
//      instruction checks (decode, validate, Repeat legality, MXM spacing, Gather/Scatter addresses) happen here;
//      operands are read from R[.][s][p] as they are during cycle t, SRAM and MXM state as committed by the end of
//      t-1; the result of an instruction with latency L is computed now and scheduled for the end of t+L-1;
//   2. end of cycle: every stream register passes its value one hop (edge entry registers load 0), then the results
//      scheduled for this cycle are loaded (STREAM_CONFLICT / EDGE_WRITE are checked here), SRAM writes and MXM
//      state updates scheduled for this cycle commit, and a Notify dispatched in this cycle releases the parked
//      queues (they dispatch again at t+1).
//   3. the machine is done at the first cycle T at which every queue has halted and nothing is in flight; cycle()
//      then reads T. On an error the machine stops at the end of the erroring cycle e and cycle() reads e+1.
//
// Choices made where the specification is silent (each is repeated at the place it matters):
//   - The erroring cycle commits everything except the erroring instruction's own effect (docs/architecture.md
//     §8): a rejected instruction schedules nothing, EDGE_WRITE results and the later-scheduled load of a
//     STREAM_CONFLICT are dropped; observers see that cycle's Dispatch events (the failing one included), its
//     writes, then onError and onCycleEnd.
//   - STREAM_CONFLICT and EDGE_WRITE are detected in the cycle the result would be loaded (t+L-1) and reported at
//     the producing slice's position with the stream index and direction of the register; ErrorInfo::address 0.
//   - For errors raised at dispatch ErrorInfo::address is the instruction's queue index (pc), except BAD_ADDRESS,
//     whose address is the offending SRAM word address (for Gather/Scatter the int16 map element as unsigned 16
//     bits). stream/dir are 0/east except for Gather/Scatter BAD_ADDRESS (the map stream).
//   - Several errors in one cycle: lowest position, then lowest code, then east before west, then lowest stream,
//     then lowest address.
//   - Gather reads the SRAM as it is in its dispatch cycle (like Read).
//   - ABC/ABCA compute y = x·W from the operand and the active weights of their dispatch cycle. ABCA adds y to the
//     accumulator when it commits (end of t+2), so back-to-back ABCAs into one slot accumulate every product.
//   - SYNC_DEADLOCK is raised in the first cycle T at whose start the deadlock condition holds (so nothing happens
//     in T); position = the lowest parked queue, address = the pc of its Sync.
//   - TIMEOUT is raised by run() between cycles, not in a cycle: error().cycle == cycle() == the limit (the first
//     cycle that was not run); position 0.
//   - A queue's pc past its last written word (or past queue_depth) fetches 0, which is ILLEGAL_OPCODE.
//   - Repeat: the Repeat word itself is dispatched (and checked) in the cycle after the repeated instruction,
//     t0+1; re-issue i happens at t0+i·d, so with d = 1 the Repeat and the first re-issue share cycle t0+1 (two
//     Dispatch events, one cycle).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"

namespace lpu::model {

// ---------------------------------------------------------------------------------------------------------------
// Observer events. Every span points into the machine's internal buffers and is valid only during the callback.

// A result loaded into R[dir][stream][position] at the END of `cycle` (readable there from cycle+1). A result on a
// group of G streams arrives as G events, one per stream, in stream order. producer = position of the slice that
// computed it (position = producer ± 1).
struct StreamWrite {
  std::uint64_t cycle;
  unsigned position;
  isa::Dir dir;
  unsigned stream;
  std::span<const std::uint8_t> data;  // lanes bytes
  unsigned producer;
};

// An SRAM write committed at the end of `cycle` into word `address` of the MEM slice at `position`. Write commits a
// whole word (first_lane 0, lanes bytes); Scatter commits one event per superlane (first_lane = k·superlane_lanes,
// superlane_lanes bytes).
struct MemWrite {
  std::uint64_t cycle;
  unsigned position;
  std::uint32_t address;
  unsigned first_lane;
  std::span<const std::uint8_t> data;
};

// Every instruction issue, ICU instructions and Repeat re-issues included, in the cycle it happens. For a re-issue
// pc is that of the repeated instruction and word is the effective word (index field + i·stride, truncated to the
// field width). An instruction that raises an error at dispatch is reported here first.
struct Dispatch {
  std::uint64_t cycle;
  unsigned queue;
  std::uint32_t pc;
  std::uint32_t word;
  bool repeat_issue;
};

// A sticky error. See the header comment for how position/stream/dir/address are filled per code.
struct ErrorInfo {
  isa::ErrorCode code = isa::ErrorCode::kNone;
  std::uint64_t cycle = 0;
  unsigned position = 0;
  unsigned stream = 0;
  isa::Dir dir = isa::Dir::kEast;
  std::uint32_t address = 0;
  std::string message;  // human-readable context: slice, pc, instruction text, why
};

// Receives machine events. Callbacks of one cycle come in this order: onDispatch (queue order; a queue's Repeat
// before its re-issue), onStreamWrite, onMemWrite, onError (at most once per run), onCycleEnd(t). Observers must not
// call back into the machine's mutating methods.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void onDispatch(const Dispatch&) {}
  virtual void onStreamWrite(const StreamWrite&) {}
  virtual void onMemWrite(const MemWrite&) {}
  virtual void onError(const ErrorInfo&) {}
  virtual void onCycleEnd(std::uint64_t /*cycle*/) {}
};

enum class RunState { kIdle, kRunning, kDone, kError };

class Machine {
 public:
  // Allocates SRAM, queues and stream registers for `cfg`, all zero. State kIdle.
  explicit Machine(const isa::ArchConfig& cfg);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  const isa::ArchConfig& config() const { return cfg_; }

  // ---- Host interface (docs/architecture.md §7). Only while not running: each throws std::logic_error when
  // state() == kRunning.

  // Replaces every queue's contents with the program's words (the rest of each queue reads 0) and writes its data
  // segments into SRAM; other SRAM words keep their contents. Throws std::invalid_argument naming the problem when
  // program.config != config().name(), the queue count differs, a queue exceeds queue_depth, or a data segment is
  // not on a MEM slice, is out of range or is not a whole number of words. Nothing is changed when it throws.
  //   loadProgram({.config = "small", .queues = {...11 queues...}, .data = {{.position = 6, .address = 0, ...}}});
  void loadProgram(const isa::Program& program);

  // IMEM_ADDR/IMEM_DATA: writes words[i] to queue `queue` at index first + i; other words are unchanged.
  // Throws std::out_of_range when queue >= queues() or the words do not fit in queue_depth.
  void writeQueue(unsigned queue, std::span<const std::uint32_t> words, unsigned first = 0);
  // Word `index` of a queue (0 past anything written). Throws std::out_of_range.
  std::uint32_t queueWord(unsigned queue, unsigned index) const;

  // SRAM_ADDR/SRAM_CMD/SRAM_DATA: one whole word (lanes bytes) of the MEM slice at `position`. Throws
  // std::out_of_range when position is not a MEM slice, address >= words per slice, or word.size() != lanes.
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word);
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) const;
  // Same as readSram without copying: a span valid until the next mutating call.
  std::span<const std::uint8_t> sramWord(unsigned position, std::uint32_t address) const;

  // CTRL.START: cycle := 0, clears the error, resets every queue to pc 0, the stream registers to 0, the MXMs'
  // staging/active weights and accumulators to 0 and drops anything in flight. SRAM and queue contents persist.
  // State becomes kRunning. Allowed in any state.
  void start();

  // Runs exactly one cycle (cycle() before the call). Returns true while the machine is still running afterwards,
  // false when it is done or stopped on an error (or was not running: then nothing happens).
  //   m.start(); while (m.step()) {}   // m.cycle() == cycle count
  bool step();

  // Steps until done, error, or cycle() == max_cycles; in the last case raises TIMEOUT (error().cycle ==
  // cycle() == max_cycles). Starts the machine first when it is kIdle. Returns the final state.
  RunState run(std::uint64_t max_cycles);

  // Observers are called in the order added; the machine does not own them.
  void addObserver(Observer* observer);
  void removeObserver(Observer* observer);

  // The cycle about to run (= cycles run since start()); the cycle count once done.
  std::uint64_t cycle() const;
  RunState state() const;
  // The sticky error, set once state() == kError; cleared by start().
  const std::optional<ErrorInfo>& error() const;

  // ---- Inspection (for tests and RTL lockstep): the state as it is at the start of cycle().

  // R[dir][stream][position], lanes bytes.
  std::span<const std::uint8_t> streamReg(isa::Dir dir, unsigned stream, unsigned position) const;
  // Accumulator `slot` of the MXM at `position` (0 or positions()-1): lanes int32 values.
  std::span<const std::int32_t> mxmAccumulator(unsigned position, unsigned slot) const;
  // Active (installed) weights of the MXM at `position`, row-major W[k][n]: lanes*lanes int8 values.
  std::span<const std::int8_t> mxmWeights(unsigned position) const;
  // Number of scheduled stream results, SRAM writes and MXM updates not yet committed.
  std::size_t inFlight() const;

 private:
  struct Impl;
  isa::ArchConfig cfg_;
  std::unique_ptr<Impl> impl_;  // pimpl keeps the header free of the slice internals
};

}  // namespace lpu::model
