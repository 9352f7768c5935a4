// Helpers for the lpu_model tests: instruction encoders (via isa::encode), a program builder that places
// instructions at given cycles, an event recorder, and a harness that delivers operand planes from MEM slices to a
// consumer slice so that they all arrive in one cycle. None of these computes expected values: the tests do, with
// their own reference arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "sw/isa/arch.hpp"
#include "sw/isa/isa.hpp"
#include "sw/isa/program.hpp"
#include "sw/model/machine.hpp"

namespace lpu::model::test {

using isa::ArchConfig;
using isa::Dir;
using isa::ElemType;
using isa::ErrorCode;
using isa::Opcode;
using isa::StreamRef;

using Bytes = std::vector<std::uint8_t>;

inline StreamRef E(unsigned i) { return StreamRef{Dir::kEast, i}; }
inline StreamRef W(unsigned i) { return StreamRef{Dir::kWest, i}; }

unsigned latency(Opcode op);  // from the generated table

// ---- Encoders (isa::encode; throw on range errors). ------------------------------------------------------------
std::uint32_t nop(std::uint32_t n);
std::uint32_t halt();
std::uint32_t sync();
std::uint32_t notify();
std::uint32_t repeat(std::uint32_t n, std::uint32_t d, std::int32_t stride = 0);
std::uint32_t read(std::uint32_t addr, StreamRef s);
std::uint32_t write(std::uint32_t addr, StreamRef s);
std::uint32_t gather(StreamRef data, StreamRef map);
std::uint32_t scatter(StreamRef data, StreamRef map);
// Any VXM instruction of the plain form op.T dst, a[, b[, c]] (operands beyond the instruction's count ignored).
std::uint32_t vxm(Opcode op, ElemType t, StreamRef dst, StreamRef a, StreamRef b = {}, StreamRef c = {});
std::uint32_t cvt(ElemType t, ElemType s, StreamRef dst, StreamRef a);
std::uint32_t req(ElemType t, StreamRef dst, StreamRef a, StreamRef m, unsigned shamt);
// lw (or lwi when install) of `rows` rows from streams a .. a+rows-1; for an MXM load queue.
std::uint32_t lw(unsigned row, StreamRef a, unsigned rows = 1, bool install = false);
std::uint32_t abce(StreamRef a, unsigned slot, StreamRef dst);
std::uint32_t iw();
std::uint32_t abc(StreamRef a, unsigned slot);
std::uint32_t abca(StreamRef a, unsigned slot);
std::uint32_t acc(StreamRef dst, unsigned slot);
std::uint32_t shift(StreamRef dst, StreamRef a, int imm);
std::uint32_t rotate(StreamRef dst, StreamRef a, int imm);
std::uint32_t permute(StreamRef dst, StreamRef a, StreamRef map);
std::uint32_t distribute(StreamRef dst, StreamRef a, StreamRef map);
std::uint32_t transpose(StreamRef dst, StreamRef a);
std::uint32_t send(StreamRef a, unsigned link);

// ---- Program builder. -------------------------------------------------------------------------------------------
// Tracks, per queue, the cycle at which its next word dispatches (assuming no Sync), so instructions can be placed
// at exact cycles: at() inserts the `nop` that fills the gap.
class ProgramBuilder {
 public:
  explicit ProgramBuilder(const ArchConfig& cfg);
  // Places `word` (not a Repeat) to dispatch at `cycle` >= next(q). Returns *this.
  ProgramBuilder& at(unsigned q, std::uint64_t cycle, std::uint32_t word);
  // Appends `word` at next(q).
  ProgramBuilder& then(unsigned q, std::uint32_t word);
  // Appends `repeat n, d, stride` after the previous instruction (which dispatched at next(q) - 1).
  ProgramBuilder& rep(unsigned q, std::uint32_t n, std::uint32_t d, std::int32_t stride = 0);
  // Appends raw words without timing bookkeeping (next(q) becomes unknown).
  ProgramBuilder& raw(unsigned q, std::initializer_list<std::uint32_t> words);
  ProgramBuilder& data(unsigned position, std::uint32_t address, const Bytes& bytes);
  std::uint64_t next(unsigned q) const { return next_[q]; }
  // Appends `halt` to every queue whose last word is not a halt, and returns the program.
  isa::Program build() const;
  isa::Program& program() { return prog_; }

 private:
  const ArchConfig& cfg_;
  isa::Program prog_;
  std::vector<std::uint64_t> next_;
};

// ---- Recorder. --------------------------------------------------------------------------------------------------
struct RecordedStreamWrite {
  std::uint64_t cycle;
  unsigned position;
  Dir dir;
  unsigned stream;
  Bytes data;
  unsigned producer;
};
struct RecordedMemWrite {
  std::uint64_t cycle;
  unsigned position;
  std::uint32_t address;
  unsigned first_lane;
  Bytes data;
};
class Recorder : public Observer {
 public:
  void onDispatch(const Dispatch& d) override;
  void onStreamWrite(const StreamWrite& w) override;
  void onMemWrite(const MemWrite& w) override;
  void onError(const ErrorInfo& e) override;
  void onCycleEnd(std::uint64_t cycle) override;

  std::vector<Dispatch> dispatches;
  std::vector<RecordedStreamWrite> streams;
  std::vector<RecordedMemWrite> mems;
  std::vector<ErrorInfo> errors;
  std::uint64_t cycle_ends = 0;
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a over every event, in order

  // Dispatch cycles of queue q (original issues and re-issues).
  std::vector<std::uint64_t> dispatchCycles(unsigned q) const;
  // The planes written by `producer` (stream -> data) and the cycle they were loaded; nullopt when none.
  const RecordedStreamWrite* find(unsigned producer, Dir dir, unsigned stream) const;

 private:
  void mix(const void* p, std::size_t n);
};

struct RunResult {
  RunState state;
  std::uint64_t cycles;
  std::optional<ErrorInfo> error;
};
// loadProgram + start + run(max_cycles) with `rec` attached (when given).
RunResult runProgram(Machine& m, const isa::Program& p, Recorder* rec = nullptr, std::uint64_t max_cycles = 1000000);

// ---- Operand delivery. ------------------------------------------------------------------------------------------
struct Plane {
  StreamRef stream;
  Bytes bytes;  // lanes bytes
};
// Places each plane in its own MEM slice (word `address`) and schedules `read`s so that every plane is in
// R[dir][index][target] during cycle `arrive` (0: the earliest possible). West-flowing planes come from MEM slices
// east of `target`, nearest first; east-flowing from the west. Returns the arrival cycle, or nullopt when the
// configuration has too few MEM slices on a side or a read would fall before next(q).
std::optional<std::uint64_t> deliver(ProgramBuilder& b, const ArchConfig& cfg, unsigned target,
                                     const std::vector<Plane>& planes, std::uint64_t arrive = 0,
                                     std::uint32_t address = 0);

// Little-endian byte planes of `bytes`-wide elements: planes[k][lane] = byte k of values[lane].
std::vector<Bytes> toPlanes(const std::vector<std::int64_t>& values, unsigned bytes);
// Sign-extended elements back from planes.
std::vector<std::int64_t> fromPlanes(const std::vector<Bytes>& planes);

}  // namespace lpu::model::test
