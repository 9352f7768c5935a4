#include "sw/model/machine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include "sw/model/units.hpp"

namespace lpu::model {

using isa::Dir;
using isa::ErrorCode;
using isa::Field;
using isa::Opcode;
using isa::Slice;

namespace {

// Largest functional latency in the generated table: sizes the timing wheel.
constexpr unsigned maxLatency() {
  unsigned m = 1;
  for (const auto& d : isa::kInsns) m = std::max(m, d.latency);
  return m;
}

}  // namespace

// =================================================================================================================
// Internal state
// =================================================================================================================

struct Machine::Impl {
  // ---- Pending work, kept in a timing wheel indexed by the cycle whose end commits it. ------------------------
  struct StreamLoad {
    std::uint32_t offset;  // into Slot::bytes, lanes bytes
    std::uint16_t stream;
    Dir dir;
    std::int32_t target;  // producer ± 1; may be -1 or positions (EDGE_WRITE)
    std::uint32_t producer;
    bool dropped = false;  // EDGE_WRITE, or the loser of a STREAM_CONFLICT: not stored
  };
  struct SramCommit {
    std::uint32_t offset;  // into Slot::bytes
    std::uint32_t address;
    std::uint16_t position;
    std::uint16_t first_lane;
    std::uint16_t nbytes;
  };
  // kLoadRow then kInstall for LWI (rows land in staging first, then staging becomes active); kEmit is ABCE:
  // accumulate, schedule the sum onto the stream group for the next cycle, clear the slot.
  enum class MxmKind : std::uint8_t { kLoadRow, kInstall, kWrite, kAccumulate, kEmit };
  struct MxmUpdate {
    MxmKind kind;
    std::uint8_t side;  // 0 west, 1 east
    std::uint16_t index;
    std::uint32_t offset;  // kLoadRow: into bytes (lanes); kWrite/kAccumulate/kEmit: into words (lanes)
    isa::StreamRef dst{};  // kEmit: i32 group the sum is emitted onto
  };
  // Bump allocator that keeps its storage between cycles (no zero-fill, no per-cycle allocation once warm).
  template <typename T>
  struct Arena {
    std::vector<T> buf;
    std::uint32_t used = 0;
    std::uint32_t alloc(std::size_t n) {  // returns the offset of n fresh elements
      if (used + n > buf.size()) buf.resize(std::max(buf.size() * 2, used + n));
      const std::uint32_t at = used;
      used += static_cast<std::uint32_t>(n);
      return at;
    }
    T* at(std::uint32_t offset) { return buf.data() + offset; }
    const T* at(std::uint32_t offset) const { return buf.data() + offset; }
  };
  struct Slot {
    std::vector<StreamLoad> loads;
    std::vector<SramCommit> sram;
    std::vector<MxmUpdate> mxm;
    Arena<std::uint8_t> bytes;
    Arena<std::int32_t> words;
    std::size_t count() const { return loads.size() + sram.size() + mxm.size(); }
    void clear() {
      loads.clear();
      sram.clear();
      mxm.clear();
      bytes.used = 0;
      words.used = 0;
    }
  };

  // ---- Instruction queues. -------------------------------------------------------------------------------------
  enum class Mode : std::uint8_t { kRun, kParked, kHalted };
  struct Cached {  // decode + validate of one queue word at this queue's position, done once
    bool valid = false;
    ErrorCode error = ErrorCode::kNone;
    isa::Instruction insn;
  };
  struct Queue {
    std::vector<std::uint32_t> words;  // queue_depth
    std::vector<Cached> cache;         // grows on demand; cleared when the words change
    std::uint32_t pc = 0;
    std::uint64_t next = 0;  // cycle of the next fetch (Mode::kRun)
    Mode mode = Mode::kRun;
    // The previous dispatched instruction (what a Repeat re-issues).
    enum class Prev : std::uint8_t { kNone, kIcu, kUnit } prev = Prev::kNone;
    std::uint32_t prev_pc = 0;
    std::uint64_t prev_cycle = 0;
    // Repeat in progress.
    bool repeating = false;
    std::uint32_t rep_i = 0, rep_n = 0, rep_d = 0;
    std::int32_t rep_stride = 0;
    std::uint64_t rep_next = 0;
  };

  struct Mxm {
    std::vector<std::int8_t> staging;  // lanes x lanes, row k = input index k
    std::vector<std::int8_t> active;
    std::vector<std::int32_t> acc;  // slots x lanes
    bool abc_seen = false;
    std::uint64_t last_abc = 0;
  };

  const isa::ArchConfig& cfg;
  const unsigned lanes, streams, positions, sl_lanes, words_per_slice, depth;

  std::uint64_t cycle = 0;
  RunState state = RunState::kIdle;
  std::optional<ErrorInfo> error;
  std::size_t in_flight = 0;

  // Stream registers in a frame that moves with the data: R[E][s][p] lives in physical slot (p - t) mod P and
  // R[W][s][p] in (p + t) mod P, so the end-of-cycle hop is free and only the two entry registers are zeroed.
  // Layout [dir][slot][stream][lane].
  std::vector<std::uint8_t> regs;
  unsigned phase = 0;                    // t mod P
  std::vector<std::uint64_t> loaded_at;  // [dir][stream][position]: cycle+1 of the last load (conflict check)

  std::vector<std::vector<std::uint8_t>> sram;  // [mem index] words_per_slice x lanes
  std::vector<Queue> queues;
  std::vector<unsigned> live;  // queues not halted, ascending
  unsigned parked = 0;
  bool notify = false;
  Mxm mxm[2];

  std::vector<Slot> wheel;
  std::uint64_t wheel_mask;

  std::vector<Observer*> observers;

  std::vector<std::uint32_t> scratch_addr;          // Gather/Scatter: one address per superlane
  std::vector<const std::uint8_t*> scratch_planes;  // Transpose: source planes

  // Best error candidate of the current cycle.
  std::optional<ErrorInfo> cycle_error;

  explicit Impl(const isa::ArchConfig& c)
      : cfg(c),
        lanes(c.lanes()),
        streams(c.streamsPerDir()),
        positions(c.positions()),
        sl_lanes(c.params().superlane_lanes),
        words_per_slice(c.wordsPerSlice()),
        depth(c.params().queue_depth) {
    scratch_addr.resize(cfg.superlanes());
    scratch_planes.resize(cfg.params().transpose_n);
    regs.assign(std::size_t{2} * positions * streams * lanes, 0);
    loaded_at.assign(std::size_t{2} * streams * positions, 0);
    sram.assign(cfg.memSlices(), std::vector<std::uint8_t>(std::size_t{words_per_slice} * lanes, 0));
    queues.resize(c.queues());
    for (auto& q : queues) q.words.assign(depth, 0);
    for (auto& x : mxm) {
      x.staging.assign(std::size_t{lanes} * lanes, 0);
      x.active.assign(std::size_t{lanes} * lanes, 0);
      x.acc.assign(std::size_t{cfg.params().mxm_acc_slots} * lanes, 0);
    }
    std::size_t n = std::bit_ceil(std::size_t{maxLatency()});
    wheel.resize(n);
    wheel_mask = n - 1;
    // Reserve enough that a steady-state cycle never allocates: every queue may put a transpose-wide (or i32)
    // result into one slot.
    std::size_t group = std::max<std::size_t>(4, cfg.params().transpose_n);
    for (auto& s : wheel) {
      s.loads.reserve(positions * group);
      s.sram.reserve(positions * cfg.superlanes());
      s.mxm.reserve(4);
      s.bytes.buf.resize(positions * group * lanes);
      s.words.buf.resize(2 * lanes);
    }
  }

  // ---- Stream registers. -------------------------------------------------------------------------------------
  std::size_t regIndex(Dir d, unsigned s, unsigned p) const {
    unsigned slot;
    if (d == Dir::kEast) {
      slot = p >= phase ? p - phase : p + positions - phase;
    } else {
      slot = p + phase;
      if (slot >= positions) slot -= positions;
    }
    return ((std::size_t{static_cast<unsigned>(d)} * positions + slot) * streams + s) * lanes;
  }
  const std::uint8_t* reg(Dir d, unsigned s, unsigned p) const { return regs.data() + regIndex(d, s, p); }
  std::uint8_t* reg(Dir d, unsigned s, unsigned p) { return regs.data() + regIndex(d, s, p); }

  detail::Planes planes(isa::StreamRef r, unsigned bytes, unsigned p) const {
    detail::Planes g;
    g.bytes = bytes;
    for (unsigned k = 0; k < bytes; ++k) g.plane[k] = reg(r.dir, r.index + k, p);
    return g;
  }

  // ---- Errors. -------------------------------------------------------------------------------------------------
  static auto key(const ErrorInfo& e) {
    return std::make_tuple(e.position, static_cast<unsigned>(e.code), static_cast<unsigned>(e.dir), e.stream,
                           e.address);
  }
  void raise(ErrorInfo e) {
    if (!cycle_error || key(e) < key(*cycle_error)) cycle_error = std::move(e);
  }
  std::string where(unsigned q, std::uint32_t pc) const {
    return fmt::format("cycle {}, {} (queue {}) pc {}", cycle, cfg.queueName(q), q, pc);
  }
  ErrorInfo makeError(ErrorCode code, unsigned q, std::uint32_t pc, const std::string& what) const {
    ErrorInfo e;
    e.code = code;
    e.cycle = cycle;
    e.position = cfg.queuePosition(q);  // an MXM load queue reports its MXM's position
    e.address = pc;
    e.message = fmt::format("{}: {}: {}", where(q, pc), isa::errorName(code), what);
    return e;
  }
  void raiseAt(ErrorCode code, unsigned q, std::uint32_t pc, const std::string& what) {
    raise(makeError(code, q, pc, what));
  }

  // ---- Observers. ----------------------------------------------------------------------------------------------
  void emitDispatch(unsigned q, std::uint32_t pc, std::uint32_t word, bool repeat) {
    if (observers.empty()) return;
    Dispatch d{cycle, q, pc, word, repeat};
    for (auto* o : observers) o->onDispatch(d);
  }

  // ---- Scheduling. ---------------------------------------------------------------------------------------------
  Slot& slotFor(unsigned latency) { return wheel[(cycle + latency - 1) & wheel_mask]; }

  // Reserves a result of `n` streams starting at `dst` produced by the slice at p; returns where to write its n
  // planes (plane k at +k*lanes). Valid until the next schedule call.
  std::uint8_t* scheduleStreams(unsigned latency, isa::StreamRef dst, unsigned n, unsigned p) {
    Slot& slot = slotFor(latency);
    const std::uint32_t base = slot.bytes.alloc(std::size_t{n} * lanes);
    std::int32_t target = static_cast<std::int32_t>(p) + (dst.dir == Dir::kEast ? 1 : -1);
    for (unsigned k = 0; k < n; ++k)
      slot.loads.push_back(StreamLoad{base + k * lanes, static_cast<std::uint16_t>(dst.index + k), dst.dir, target, p});
    in_flight += n;
    return slot.bytes.at(base);
  }
  void scheduleSram(unsigned p, std::uint32_t address, unsigned first_lane, const std::uint8_t* data, unsigned nbytes) {
    Slot& slot = slotFor(1);  // Write/Scatter: latency from the table is checked at the call site
    const std::uint32_t base = slot.bytes.alloc(nbytes);
    std::memcpy(slot.bytes.at(base), data, nbytes);
    slot.sram.push_back(SramCommit{base, address, static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(first_lane),
                                   static_cast<std::uint16_t>(nbytes)});
    ++in_flight;
  }

  // ---- Queue fetch and decode. ---------------------------------------------------------------------------------
  const Cached& decoded(unsigned q, std::uint32_t pc) {
    Queue& Q = queues[q];
    if (pc >= Q.cache.size()) Q.cache.resize(std::max<std::size_t>(pc + 1, Q.cache.size() * 2));
    Cached& c = Q.cache[pc];
    if (!c.valid) {
      std::uint32_t word = pc < depth ? Q.words[pc] : 0;
      isa::DecodeResult d = isa::decode(word);
      c.error = d.error;
      c.insn = d.insn;
      if (c.error == ErrorCode::kNone) {
        if (d.insn.desc->slice == Slice::kC2C) {
          c.error = ErrorCode::kUnimplemented;
        } else if (d.insn.opcode() != Opcode::kRepeat) {  // Repeat's checks need the queue history
          c.error = isa::validate(d.insn, cfg, q).error;
        }
      }
      c.valid = true;
    }
    return c;
  }

  // Why an instruction failed its dispatch checks (recomputed only on error, to keep the cache small).
  std::string whyRejected(unsigned q, std::uint32_t word, ErrorCode code) {
    isa::DecodeResult d = isa::decode(word);
    if (d.error != ErrorCode::kNone) return fmt::format("word {:#010x}: {}", word, d.message);
    std::string text = isa::format(d.insn);
    if (code == ErrorCode::kUnimplemented) return fmt::format("'{}': C2C instructions are not implemented", text);
    isa::ValidateResult v = isa::validate(d.insn, cfg, q);
    return fmt::format("'{}': {}", text, v.message);
  }

  // ---- One cycle. ----------------------------------------------------------------------------------------------
  void dispatchAll() {
    for (unsigned q : live) dispatchQueue(q);
  }

  void dispatchQueue(unsigned q) {
    Queue& Q = queues[q];
    if (Q.repeating) {
      if (cycle == Q.rep_next) reissue(q);
      return;
    }
    if (Q.mode != Mode::kRun || cycle < Q.next) return;

    const std::uint32_t pc = Q.pc;
    const std::uint32_t word = pc < depth ? Q.words[pc] : 0;
    const Cached& c = decoded(q, pc);
    emitDispatch(q, pc, word, false);
    if (c.error != ErrorCode::kNone) {
      ErrorInfo e = makeError(c.error, q, pc, whyRejected(q, word, c.error));
      if (c.error == ErrorCode::kBadAddress) e.address = static_cast<std::uint32_t>(c.insn.get(Field::kAddr));
      raise(std::move(e));
      return;
    }
    const isa::Instruction& insn = c.insn;
    Q.pc = pc + 1;
    switch (insn.opcode()) {
      case Opcode::kNop:
        Q.next = cycle + static_cast<std::uint32_t>(insn.get(Field::kCount));
        Q.prev = Queue::Prev::kIcu;
        return;
      case Opcode::kRepeat:
        startRepeat(q, pc, insn);
        return;
      case Opcode::kSync:
        Q.mode = Mode::kParked;
        ++parked;
        Q.prev = Queue::Prev::kIcu;
        return;
      case Opcode::kNotify:
        notify = true;
        Q.next = cycle + 1;
        Q.prev = Queue::Prev::kIcu;
        return;
      case Opcode::kHalt:
        Q.mode = Mode::kHalted;
        Q.prev = Queue::Prev::kIcu;
        return;  // removed from `live` after the dispatch loop
      default:
        break;
    }
    Q.next = cycle + 1;
    Q.prev = Queue::Prev::kUnit;
    Q.prev_pc = pc;
    Q.prev_cycle = cycle;
    execute(cfg.queuePosition(q), pc, insn);
  }

  void startRepeat(unsigned q, std::uint32_t pc, const isa::Instruction& insn) {
    Queue& Q = queues[q];
    const auto n = static_cast<std::uint32_t>(insn.get(Field::kRepN));
    const auto d = static_cast<std::uint32_t>(insn.get(Field::kRepD));
    const std::int32_t stride = insn.get(Field::kStride);
    std::string why;
    if (n == 0 || d == 0) {
      why = fmt::format("'{}': n and d must be >= 1", isa::format(insn));
    } else if (Q.prev != Queue::Prev::kUnit) {
      why = fmt::format("'{}': {}", isa::format(insn),
                        Q.prev == Queue::Prev::kNone ? "nothing to repeat at the queue's start"
                                                     : "the previous instruction is an ICU instruction");
    } else if (stride != 0 && !queues[q].cache[Q.prev_pc].insn.desc->strided) {
      why = fmt::format("'{}': stride on '{}', which has no index field", isa::format(insn),
                        isa::format(queues[q].cache[Q.prev_pc].insn));
    }
    if (!why.empty()) {
      raiseAt(ErrorCode::kBadRepeat, q, pc, why);
      return;
    }
    // The Repeat dispatches at prev_cycle + 1; re-issue i at prev_cycle + i*d; the next instruction at
    // prev_cycle + n*d + 1.
    Q.prev = Queue::Prev::kIcu;
    Q.repeating = true;
    Q.rep_i = 1;
    Q.rep_n = n;
    Q.rep_d = d;
    Q.rep_stride = stride;
    Q.rep_next = Q.prev_cycle + d;
    if (Q.rep_next == cycle) reissue(q);
  }

  // Range of an instruction's strided field (Repeat), for the fast path of re-issue checks.
  std::int64_t stridedLimit(const isa::Instruction& insn) const {
    switch (insn.opcode()) {
      case Opcode::kRead:
      case Opcode::kWrite:
        return words_per_slice;
      case Opcode::kLw:
      case Opcode::kLwi:  // rows index .. index+n-1 must stay inside the array
        return std::int64_t{lanes} - insn.get(Field::kLwn) + 1;
      default:
        return cfg.params().mxm_acc_slots;  // abc, abca, acc
    }
  }

  void reissue(unsigned q) {
    Queue& Q = queues[q];
    const std::uint32_t i = Q.rep_i;
    const std::uint32_t pc = Q.prev_pc;
    const isa::Instruction& orig = Q.cache[pc].insn;
    if (i == Q.rep_n) {
      Q.repeating = false;
      Q.next = cycle + 1;
    } else {
      ++Q.rep_i;
      Q.rep_next = cycle + Q.rep_d;
    }
    if (Q.rep_stride == 0) {  // the same instruction again: it passed its checks at its first dispatch
      emitDispatch(q, pc, Q.words[pc], true);
      execute(cfg.queuePosition(q), pc, orig);
      return;
    }
    // Issue i: index field + i*stride; re-checked like a fresh dispatch (isa::validate decides on a range miss).
    const Field sf = orig.desc->strided_field;
    const isa::FieldDesc& f = isa::fieldDesc(sf);
    const std::int64_t eff = std::int64_t{orig.get(sf)} + std::int64_t{i} * Q.rep_stride;
    const auto fmask = static_cast<std::uint32_t>((std::uint64_t{1} << (f.msb - f.lsb + 1)) - 1);
    const std::uint32_t word = (Q.words[pc] & ~(fmask << f.lsb)) | ((static_cast<std::uint32_t>(eff) & fmask) << f.lsb);
    emitDispatch(q, pc, word, true);
    isa::Instruction insn = orig;
    const bool mem = orig.desc->slice == Slice::kMEM;
    if (eff < 0 || eff > 0xFFFF) {
      ErrorInfo e = makeError(mem ? ErrorCode::kBadAddress : ErrorCode::kBadOperand, q, pc,
                              fmt::format("repeat issue {}: {} = {} out of range", i, f.name, eff));
      if (mem) e.address = static_cast<std::uint32_t>(eff);
      raise(std::move(e));
      return;
    }
    insn.set(sf, static_cast<std::int32_t>(eff));
    if (eff >= stridedLimit(orig)) {
      isa::ValidateResult v = isa::validate(insn, cfg, q);
      if (v.error != ErrorCode::kNone) {
        ErrorInfo e =
            makeError(v.error, q, pc, fmt::format("repeat issue {}: '{}': {}", i, isa::format(insn), v.message));
        if (v.error == ErrorCode::kBadAddress) e.address = static_cast<std::uint32_t>(eff);
        raise(std::move(e));
        return;
      }
    }
    execute(cfg.queuePosition(q), pc, insn);
  }

  // ---- Functional slices. --------------------------------------------------------------------------------------
  void execute(unsigned q, std::uint32_t pc, const isa::Instruction& insn) {
    switch (insn.desc->slice) {
      case Slice::kMEM:
        executeMem(q, pc, insn);
        break;
      case Slice::kVXM:
        executeVxm(q, insn);
        break;
      case Slice::kSXM:
        executeSxm(q, insn);
        break;
      case Slice::kMXM:
        executeMxm(q, pc, insn);
        break;
      default:
        break;  // ICU handled by the sequencer, C2C rejected at decode
    }
  }

  void executeMem(unsigned p, std::uint32_t pc, const isa::Instruction& insn) {
    const unsigned L = insn.desc->latency;
    auto& mem = sram[static_cast<unsigned>(cfg.memIndex(p))];
    const isa::StreamRef data = insn.stream(Field::kMstrm);
    switch (insn.opcode()) {
      case Opcode::kRead: {
        const auto a = static_cast<std::uint32_t>(insn.get(Field::kAddr));
        std::uint8_t* out = scheduleStreams(L, data, 1, p);
        std::memcpy(out, mem.data() + std::size_t{a} * lanes, lanes);
        break;
      }
      case Opcode::kWrite: {
        const auto a = static_cast<std::uint32_t>(insn.get(Field::kAddr));
        scheduleSramChecked(L, p, a, 0, reg(data.dir, data.index, p), lanes);
        break;
      }
      case Opcode::kGather:
      case Opcode::kScatter: {
        // One address per superlane: the int16 element in lane k*superlane_lanes of the map group.
        const isa::StreamRef map = insn.stream(Field::kMmap);
        const std::uint8_t* lo = reg(map.dir, map.index, p);
        const std::uint8_t* hi = reg(map.dir, map.index + 1, p);
        std::uint32_t* addr = scratch_addr.data();
        const unsigned sls = cfg.superlanes();
        for (unsigned k = 0; k < sls; ++k) {
          unsigned lane = k * sl_lanes;
          auto a = static_cast<std::int16_t>(lo[lane] | (hi[lane] << 8));
          if (a < 0 || static_cast<unsigned>(a) >= words_per_slice) {
            ErrorInfo e;
            e.code = ErrorCode::kBadAddress;
            e.cycle = cycle;
            e.position = p;
            e.stream = map.index;
            e.dir = map.dir;
            e.address = static_cast<std::uint16_t>(a);
            e.message = fmt::format("{}: BAD_ADDRESS: '{}': superlane {} address {} outside 0 .. {}", where(p, pc),
                                    isa::format(insn), k, a, words_per_slice - 1);
            raise(std::move(e));
            return;
          }
          addr[k] = static_cast<std::uint32_t>(a);
        }
        if (insn.opcode() == Opcode::kGather) {
          std::uint8_t* out = scheduleStreams(L, data, 1, p);
          for (unsigned k = 0; k < sls; ++k)
            std::memcpy(out + k * sl_lanes, mem.data() + std::size_t{addr[k]} * lanes + k * sl_lanes, sl_lanes);
        } else {
          const std::uint8_t* src = reg(data.dir, data.index, p);
          for (unsigned k = 0; k < sls; ++k)
            scheduleSramChecked(L, p, addr[k], k * sl_lanes, src + k * sl_lanes, sl_lanes);
        }
        break;
      }
      default:
        break;
    }
  }
  void scheduleSramChecked(unsigned latency, unsigned p, std::uint32_t address, unsigned first_lane,
                           const std::uint8_t* data, unsigned nbytes) {
    if (latency != 1) throw std::logic_error("lpu_model: SRAM writes assume latency 1 (isa.toml changed?)");
    scheduleSram(p, address, first_lane, data, nbytes);
  }

  void executeVxm(unsigned p, const isa::Instruction& insn) {
    const Opcode op = insn.opcode();
    const unsigned tb = isa::typeBytes(insn.type);
    detail::Planes a, b, c;
    switch (op) {
      case Opcode::kCvt:
        a = planes(insn.stream(Field::kSrca), isa::typeBytes(insn.stype), p);
        break;
      case Opcode::kReq:
        a = planes(insn.stream(Field::kSrca), 4, p);
        b = planes(insn.stream(Field::kSrcb), 2, p);
        break;
      default: {
        a = planes(insn.stream(Field::kSrca), tb, p);
        const unsigned nops = insn.desc->num_operands;
        if (nops >= 3) b = planes(insn.stream(Field::kSrcb), tb, p);
        if (nops >= 4) c = planes(insn.stream(Field::kSrcc), tb, p);
        break;
      }
    }
    std::uint8_t* out = scheduleStreams(insn.desc->latency, insn.stream(Field::kDst), tb, p);
    detail::vxmExecute(insn, lanes, a, b, c, out);
  }

  void executeSxm(unsigned p, const isa::Instruction& insn) {
    const unsigned L = insn.desc->latency;
    const isa::StreamRef src = insn.stream(Field::kSrca);
    if (insn.opcode() == Opcode::kTranspose) {
      const unsigned n = cfg.params().transpose_n;
      const std::uint8_t** in = scratch_planes.data();
      for (unsigned j = 0; j < n; ++j) in[j] = reg(src.dir, src.index + j, p);
      std::uint8_t* out = scheduleStreams(L, insn.stream(Field::kDst), n, p);
      detail::sxmTranspose(lanes, n, in, out);
      return;
    }
    const std::uint8_t* map = nullptr;
    if (insn.opcode() == Opcode::kPermute || insn.opcode() == Opcode::kDistribute) {
      const isa::StreamRef mref = insn.stream(Field::kSrcb);
      map = reg(mref.dir, mref.index, p);
    }
    const std::uint8_t* a = reg(src.dir, src.index, p);
    std::uint8_t* out = scheduleStreams(L, insn.stream(Field::kDst), 1, p);
    detail::sxmExecute(insn, lanes, sl_lanes, a, map, out);
  }

  void executeMxm(unsigned p, std::uint32_t pc, const isa::Instruction& insn) {
    const unsigned L = insn.desc->latency;
    const std::uint8_t side = p == 0 ? 0 : 1;
    Mxm& x = mxm[side];
    const auto index = static_cast<std::uint16_t>(insn.get(Field::kIndex));
    Slot& slot = slotFor(L);
    switch (insn.opcode()) {
      case Opcode::kLw:
      case Opcode::kLwi: {
        // Rows index .. index+n-1 from streams srca .. srca+n-1, read in the dispatch cycle.
        const isa::StreamRef a = insn.stream(Field::kSrca);
        const auto n = static_cast<unsigned>(insn.get(Field::kLwn));
        for (unsigned r = 0; r < n; ++r) {
          const std::uint32_t base = slot.bytes.alloc(lanes);
          std::memcpy(slot.bytes.at(base), reg(a.dir, a.index + r, p), lanes);
          slot.mxm.push_back(MxmUpdate{MxmKind::kLoadRow, side, static_cast<std::uint16_t>(index + r), base});
          ++in_flight;
        }
        if (insn.opcode() == Opcode::kLwi) {
          slot.mxm.push_back(MxmUpdate{MxmKind::kInstall, side, 0, 0});
          ++in_flight;
        }
        break;
      }
      case Opcode::kIw:
        slot.mxm.push_back(MxmUpdate{MxmKind::kInstall, side, 0, 0});
        ++in_flight;
        break;
      case Opcode::kAbc:
      case Opcode::kAbca:
      case Opcode::kAbce: {
        const unsigned interval = cfg.params().mxm_abc_interval;
        if (x.abc_seen && cycle - x.last_abc < interval) {
          raiseAt(ErrorCode::kMxmOverrun, p, pc,
                  fmt::format("'{}': {} cycle(s) after the previous ABC, minimum {}", isa::format(insn),
                              cycle - x.last_abc, interval));
          return;
        }
        x.abc_seen = true;
        x.last_abc = cycle;
        const isa::StreamRef a = insn.stream(Field::kSrca);
        const std::uint32_t base = slot.words.alloc(lanes);
        detail::mxmProduct(lanes, reinterpret_cast<const std::int8_t*>(reg(a.dir, a.index, p)), x.active.data(),
                           slot.words.at(base));
        if (insn.opcode() == Opcode::kAbce) {
          // The product commits like ABCA (end of t+L-2); the sum is then loaded onto dst at the end of t+L-1.
          Slot& commit = slotFor(L - 1);
          const std::uint32_t cbase = commit.words.alloc(lanes);
          std::memcpy(commit.words.at(cbase), slot.words.at(base), lanes * sizeof(std::int32_t));
          commit.mxm.push_back(MxmUpdate{MxmKind::kEmit, side, index, cbase, insn.stream(Field::kDst)});
          in_flight += 1 + 4;  // the update and the four stream loads it will schedule
          break;
        }
        slot.mxm.push_back(
            MxmUpdate{insn.opcode() == Opcode::kAbc ? MxmKind::kWrite : MxmKind::kAccumulate, side, index, base});
        ++in_flight;
        break;
      }
      case Opcode::kAcc: {
        // acc[index] as of the dispatch cycle, as an i32 group: byte k of lane n on stream dst+k.
        const std::int32_t* v = x.acc.data() + std::size_t{index} * lanes;
        std::uint8_t* out = scheduleStreams(L, insn.stream(Field::kDst), 4, p);
        for (unsigned n = 0; n < lanes; ++n) {
          auto u = static_cast<std::uint32_t>(v[n]);
          for (unsigned k = 0; k < 4; ++k) out[k * lanes + n] = static_cast<std::uint8_t>(u >> (8 * k));
        }
        break;
      }
      default:
        break;
    }
  }

  // ---- End of cycle. -------------------------------------------------------------------------------------------
  // Checks the results due at the end of this cycle (EDGE_WRITE, STREAM_CONFLICT) without committing them.
  void checkLoads() {
    Slot& slot = wheel[cycle & wheel_mask];
    for (StreamLoad& l : slot.loads) {
      const char dname = l.dir == Dir::kEast ? 'E' : 'W';
      if (l.target < 0 || l.target >= static_cast<std::int32_t>(positions)) {
        ErrorInfo e;
        e.code = ErrorCode::kEdgeWrite;
        e.cycle = cycle;
        e.position = l.producer;
        e.stream = l.stream;
        e.dir = l.dir;
        e.message = fmt::format("cycle {}: EDGE_WRITE: {} writes {}{} {}, off the chip edge", cycle,
                                cfg.sliceName(l.producer), dname, l.stream, l.dir == Dir::kEast ? "east" : "west");
        raise(std::move(e));
        l.dropped = true;  // leaves the chip
        continue;
      }
      const auto t = static_cast<unsigned>(l.target);
      std::uint64_t& stamp = loaded_at[(static_cast<unsigned>(l.dir) * streams + l.stream) * positions + t];
      if (stamp == cycle + 1) {
        ErrorInfo e;
        e.code = ErrorCode::kStreamConflict;
        e.cycle = cycle;
        e.position = l.producer;
        e.stream = l.stream;
        e.dir = l.dir;
        e.message = fmt::format("cycle {}: STREAM_CONFLICT: two results of {} load {}{} at position {} ({})", cycle,
                                cfg.sliceName(l.producer), dname, l.stream, t, cfg.sliceName(t));
        raise(std::move(e));
        // The result scheduled first wins (lpu_vxm: the longest-latency path; lpu_mxm_core: ACC over the ABCE
        // sum, whose loads are scheduled one cycle before they land).
        l.dropped = true;
      }
      stamp = cycle + 1;
    }
  }

  // Hop: advance the frame; the registers that now map to the entry positions held the values that left the
  // chip, and load 0.
  void hop() {
    phase = phase + 1 == positions ? 0 : phase + 1;
    const std::size_t plane = std::size_t{streams} * lanes;
    std::memset(reg(Dir::kEast, 0, 0), 0, plane);
    std::memset(reg(Dir::kWest, 0, positions - 1), 0, plane);
  }

  // Commits the end of every cycle, an erroring one too (its erroring instruction scheduled nothing; its dropped
  // loads are skipped).
  void endOfCycle() {
    // 1. Hop.
    hop();

    Slot& slot = wheel[cycle & wheel_mask];
    // 2. Stream results (checked by checkLoads()).
    for (const StreamLoad& l : slot.loads) {
      if (l.dropped) continue;
      const auto t = static_cast<unsigned>(l.target);
      std::uint8_t* dst = reg(l.dir, l.stream, t);
      std::memcpy(dst, slot.bytes.at(l.offset), lanes);
      if (!observers.empty()) {
        StreamWrite w{cycle, t, l.dir, l.stream, std::span<const std::uint8_t>(dst, lanes), l.producer};
        for (auto* o : observers) o->onStreamWrite(w);
      }
    }
    // 3. SRAM commits.
    for (const SramCommit& c : slot.sram) {
      auto& mem = sram[static_cast<unsigned>(cfg.memIndex(c.position))];
      std::uint8_t* dst = mem.data() + std::size_t{c.address} * lanes + c.first_lane;
      std::memcpy(dst, slot.bytes.at(c.offset), c.nbytes);
      if (!observers.empty()) {
        MemWrite w{cycle, c.position, c.address, c.first_lane, std::span<const std::uint8_t>(dst, c.nbytes)};
        for (auto* o : observers) o->onMemWrite(w);
      }
    }
    // 4. MXM state.
    for (const MxmUpdate& u : slot.mxm) {
      Mxm& x = mxm[u.side];
      switch (u.kind) {
        case MxmKind::kLoadRow:
          std::memcpy(x.staging.data() + std::size_t{u.index} * lanes, slot.bytes.at(u.offset), lanes);
          break;
        case MxmKind::kInstall:
          x.active = x.staging;
          break;
        case MxmKind::kWrite:
          std::memcpy(x.acc.data() + std::size_t{u.index} * lanes, slot.words.at(u.offset),
                      lanes * sizeof(std::int32_t));
          break;
        case MxmKind::kAccumulate: {
          std::int32_t* acc = x.acc.data() + std::size_t{u.index} * lanes;
          const std::int32_t* y = slot.words.at(u.offset);
          for (unsigned n = 0; n < lanes; ++n)  // wrapping int32
            acc[n] = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc[n]) + static_cast<std::uint32_t>(y[n]));
          break;
        }
        case MxmKind::kEmit: {
          // ABCE: r = acc + y, emitted next cycle as an i32 group (byte k of lane n on stream dst+k); acc := 0.
          std::int32_t* acc = x.acc.data() + std::size_t{u.index} * lanes;
          const std::int32_t* y = slot.words.at(u.offset);
          Slot& next = wheel[(cycle + 1) & wheel_mask];
          const std::uint32_t base = next.bytes.alloc(std::size_t{4} * lanes);
          std::uint8_t* out = next.bytes.at(base);
          const unsigned producer = u.side == 0 ? 0 : positions - 1;
          const std::int32_t target = static_cast<std::int32_t>(producer) + (u.dst.dir == Dir::kEast ? 1 : -1);
          for (unsigned k = 0; k < 4; ++k)
            next.loads.push_back(
                StreamLoad{base + k * lanes, static_cast<std::uint16_t>(u.dst.index + k), u.dst.dir, target, producer});
          for (unsigned n = 0; n < lanes; ++n) {
            const auto r = static_cast<std::uint32_t>(acc[n]) + static_cast<std::uint32_t>(y[n]);
            for (unsigned k = 0; k < 4; ++k) out[k * lanes + n] = static_cast<std::uint8_t>(r >> (8 * k));
            acc[n] = 0;
          }
          break;
        }
      }
    }
    in_flight -= slot.count();
    slot.clear();

    // 5. Notify releases every queue parked so far (Syncs dispatched at or before this cycle).
    if (notify) {
      notify = false;
      for (unsigned q : live) {
        Queue& Q = queues[q];
        if (Q.mode == Mode::kParked) {
          Q.mode = Mode::kRun;
          Q.next = cycle + 1;
          --parked;
        }
      }
    }
  }

  void reset() {
    cycle = 0;
    state = RunState::kRunning;
    error.reset();
    cycle_error.reset();
    in_flight = 0;
    std::fill(regs.begin(), regs.end(), 0);
    std::fill(loaded_at.begin(), loaded_at.end(), 0);
    phase = 0;
    live.clear();
    for (unsigned q = 0; q < cfg.queues(); ++q) {
      Queue& Q = queues[q];
      Q.pc = 0;
      Q.next = 0;
      Q.mode = Mode::kRun;
      Q.prev = Queue::Prev::kNone;
      Q.repeating = false;
      live.push_back(q);
    }
    parked = 0;
    notify = false;
    for (auto& x : mxm) {
      std::fill(x.staging.begin(), x.staging.end(), 0);
      std::fill(x.active.begin(), x.active.end(), 0);
      std::fill(x.acc.begin(), x.acc.end(), 0);
      x.abc_seen = false;
      x.last_abc = 0;
    }
    for (auto& s : wheel) s.clear();
  }

  bool step() {
    if (state != RunState::kRunning) return false;
    // Deadlock: every live queue parked, nothing in flight (halted queues are not in `live`).
    if (in_flight == 0 && !live.empty() && parked == live.size()) {
      unsigned q = live.front();
      raiseAt(ErrorCode::kSyncDeadlock, q, queues[q].pc - 1,
              fmt::format("every queue is halted or parked in sync and nothing is in flight; {} parked", parked));
    } else {
      dispatchAll();
      std::erase_if(live, [&](unsigned q) { return queues[q].mode == Mode::kHalted; });
      checkLoads();
    }
    // Every cycle commits, the erroring one too (docs/architecture.md §8): the erroring instruction's own effect
    // was suppressed where it was raised, and the machine stops after this cycle.
    endOfCycle();
    const std::uint64_t t = cycle;
    cycle = t + 1;
    if (cycle_error) {
      error = std::move(cycle_error);
      cycle_error.reset();
      state = RunState::kError;
      for (auto* o : observers) o->onError(*error);
    } else if (live.empty() && in_flight == 0) {
      // The RTL detects the end in the next cycle (CYCLE keeps the count) and commits that cycle as well: with
      // nothing dispatched or in flight its one effect is a hop, applied here.
      state = RunState::kDone;
      hop();
    }
    for (auto* o : observers) o->onCycleEnd(t);
    return state == RunState::kRunning;
  }
};

// =================================================================================================================
// Public interface
// =================================================================================================================

Machine::Machine(const isa::ArchConfig& cfg) : cfg_(cfg), impl_(std::make_unique<Impl>(cfg_)) {}
Machine::~Machine() = default;

std::uint64_t Machine::cycle() const { return impl_->cycle; }
RunState Machine::state() const { return impl_->state; }
const std::optional<ErrorInfo>& Machine::error() const { return impl_->error; }
std::size_t Machine::inFlight() const { return impl_->in_flight; }

namespace {
void requireStopped(RunState s, const char* what) {
  if (s == RunState::kRunning) throw std::logic_error(fmt::format("Machine::{}: not allowed while running", what));
}
}  // namespace

void Machine::loadProgram(const isa::Program& program) {
  requireStopped(impl_->state, "loadProgram");
  if (program.config != cfg_.name())
    throw std::invalid_argument(
        fmt::format("loadProgram: program is for configuration '{}', machine is '{}'", program.config, cfg_.name()));
  if (program.queues.size() != cfg_.queues())
    throw std::invalid_argument(fmt::format("loadProgram: program has {} queues, configuration '{}' has {}",
                                            program.queues.size(), cfg_.name(), cfg_.queues()));
  for (std::size_t q = 0; q < program.queues.size(); ++q)
    if (program.queues[q].size() > impl_->depth)
      throw std::invalid_argument(fmt::format("loadProgram: queue {} ({}) has {} words, queue_depth is {}", q,
                                              cfg_.queueName(static_cast<unsigned>(q)), program.queues[q].size(),
                                              impl_->depth));
  for (std::size_t i = 0; i < program.data.size(); ++i) {
    const isa::DataSegment& d = program.data[i];
    if (d.position >= cfg_.positions() || cfg_.memIndex(d.position) < 0)
      throw std::invalid_argument(
          fmt::format("loadProgram: data segment {}: position {} is not a MEM slice", i, d.position));
    if (d.bytes.size() % cfg_.lanes() != 0)
      throw std::invalid_argument(
          fmt::format("loadProgram: data segment {}: {} bytes is not a whole number of "
                      "{}-byte words",
                      i, d.bytes.size(), cfg_.lanes()));
    const std::uint64_t words = d.bytes.size() / cfg_.lanes();
    if (std::uint64_t{d.address} + words > cfg_.wordsPerSlice())
      throw std::invalid_argument(
          fmt::format("loadProgram: data segment {}: words {} .. {} outside the slice's "
                      "0 .. {}",
                      i, d.address, d.address + words - 1, cfg_.wordsPerSlice() - 1));
  }
  for (unsigned q = 0; q < cfg_.queues(); ++q) {
    auto& Q = impl_->queues[q];
    std::fill(Q.words.begin(), Q.words.end(), 0);
    std::copy(program.queues[q].begin(), program.queues[q].end(), Q.words.begin());
    Q.cache.clear();
  }
  for (const isa::DataSegment& d : program.data) {
    auto& mem = impl_->sram[static_cast<unsigned>(cfg_.memIndex(d.position))];
    std::copy(d.bytes.begin(), d.bytes.end(), mem.begin() + static_cast<std::ptrdiff_t>(d.address) * cfg_.lanes());
  }
}

void Machine::writeQueue(unsigned queue, std::span<const std::uint32_t> words, unsigned first) {
  requireStopped(impl_->state, "writeQueue");
  if (queue >= cfg_.queues()) throw std::out_of_range(fmt::format("writeQueue: queue {} >= {}", queue, cfg_.queues()));
  if (std::uint64_t{first} + words.size() > impl_->depth)
    throw std::out_of_range(fmt::format("writeQueue: words {} .. {} exceed queue_depth {}", first,
                                        std::uint64_t{first} + words.size(), impl_->depth));
  auto& Q = impl_->queues[queue];
  std::copy(words.begin(), words.end(), Q.words.begin() + first);
  Q.cache.clear();
}

std::uint32_t Machine::queueWord(unsigned queue, unsigned index) const {
  if (queue >= cfg_.queues() || index >= impl_->depth)
    throw std::out_of_range(fmt::format("queueWord: queue {} index {} out of range", queue, index));
  return impl_->queues[queue].words[index];
}

namespace {
std::size_t sramOffset(const isa::ArchConfig& cfg, unsigned position, std::uint32_t address, const char* what) {
  if (position >= cfg.positions() || cfg.memIndex(position) < 0)
    throw std::out_of_range(fmt::format("{}: position {} is not a MEM slice", what, position));
  if (address >= cfg.wordsPerSlice())
    throw std::out_of_range(fmt::format("{}: address {} >= {} words per slice", what, address, cfg.wordsPerSlice()));
  return std::size_t{address} * cfg.lanes();
}
}  // namespace

void Machine::writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) {
  requireStopped(impl_->state, "writeSram");
  std::size_t off = sramOffset(cfg_, position, address, "writeSram");
  if (word.size() != cfg_.lanes())
    throw std::out_of_range(fmt::format("writeSram: word has {} bytes, lanes is {}", word.size(), cfg_.lanes()));
  std::copy(word.begin(), word.end(),
            impl_->sram[static_cast<unsigned>(cfg_.memIndex(position))].begin() + static_cast<std::ptrdiff_t>(off));
}

std::span<const std::uint8_t> Machine::sramWord(unsigned position, std::uint32_t address) const {
  std::size_t off = sramOffset(cfg_, position, address, "readSram");
  return {impl_->sram[static_cast<unsigned>(cfg_.memIndex(position))].data() + off, cfg_.lanes()};
}

std::vector<std::uint8_t> Machine::readSram(unsigned position, std::uint32_t address) const {
  auto s = sramWord(position, address);
  return {s.begin(), s.end()};
}

void Machine::start() { impl_->reset(); }

bool Machine::step() { return impl_->step(); }

RunState Machine::run(std::uint64_t max_cycles) {
  if (impl_->state == RunState::kIdle) start();
  while (impl_->state == RunState::kRunning) {
    if (impl_->cycle >= max_cycles) {
      ErrorInfo e;
      e.code = ErrorCode::kTimeout;
      e.cycle = impl_->cycle;
      e.message = fmt::format("TIMEOUT: not done after {} cycles", impl_->cycle);
      impl_->error = e;
      impl_->state = RunState::kError;
      for (auto* o : impl_->observers) o->onError(e);
      break;
    }
    impl_->step();
  }
  return impl_->state;
}

void Machine::addObserver(Observer* observer) { impl_->observers.push_back(observer); }
void Machine::removeObserver(Observer* observer) { std::erase(impl_->observers, observer); }

std::span<const std::uint8_t> Machine::streamReg(isa::Dir dir, unsigned stream, unsigned position) const {
  if (stream >= cfg_.streamsPerDir() || position >= cfg_.positions())
    throw std::out_of_range(fmt::format("streamReg: stream {} position {} out of range", stream, position));
  return {impl_->reg(dir, stream, position), cfg_.lanes()};
}

std::span<const std::int32_t> Machine::mxmAccumulator(unsigned position, unsigned slot) const {
  if ((position != 0 && position != cfg_.positions() - 1) || slot >= cfg_.params().mxm_acc_slots)
    throw std::out_of_range(fmt::format("mxmAccumulator: position {} slot {} out of range", position, slot));
  const auto& x = impl_->mxm[position == 0 ? 0 : 1];
  return {x.acc.data() + std::size_t{slot} * cfg_.lanes(), cfg_.lanes()};
}

std::span<const std::int8_t> Machine::mxmWeights(unsigned position) const {
  if (position != 0 && position != cfg_.positions() - 1)
    throw std::out_of_range(fmt::format("mxmWeights: position {} is not an MXM", position));
  const auto& x = impl_->mxm[position == 0 ? 0 : 1];
  return {x.active.data(), x.active.size()};
}

}  // namespace lpu::model
