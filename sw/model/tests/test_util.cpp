#include "sw/model/tests/test_util.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace lpu::model::test {

using isa::Field;
using isa::Instruction;

unsigned latency(Opcode op) { return isa::findInsn(static_cast<unsigned>(op))->latency; }

namespace {
std::int32_t sref(StreamRef s) { return static_cast<std::int32_t>(s.encode()); }
std::uint32_t plain(Opcode op) { return isa::encode(Instruction::make(op)); }
}  // namespace

std::uint32_t nop(std::uint32_t n) {
  Instruction i = Instruction::make(Opcode::kNop);
  i.set(Field::kCount, static_cast<std::int32_t>(n));
  return isa::encode(i);
}
std::uint32_t halt() { return plain(Opcode::kHalt); }
std::uint32_t sync() { return plain(Opcode::kSync); }
std::uint32_t notify() { return plain(Opcode::kNotify); }
std::uint32_t iw() { return plain(Opcode::kIw); }

std::uint32_t repeat(std::uint32_t n, std::uint32_t d, std::int32_t stride) {
  Instruction i = Instruction::make(Opcode::kRepeat);
  i.set(Field::kRepN, static_cast<std::int32_t>(n));
  i.set(Field::kRepD, static_cast<std::int32_t>(d));
  i.set(Field::kStride, stride);
  return isa::encode(i);
}

namespace {
std::uint32_t mem(Opcode op, std::uint32_t addr, StreamRef s) {
  Instruction i = Instruction::make(op);
  i.set(Field::kAddr, static_cast<std::int32_t>(addr));
  i.set(Field::kMstrm, sref(s));
  return isa::encode(i);
}
std::uint32_t memIndirect(Opcode op, StreamRef data, StreamRef map) {
  Instruction i = Instruction::make(op);
  i.set(Field::kMstrm, sref(data));
  i.set(Field::kMmap, sref(map));
  return isa::encode(i);
}
std::uint32_t indexed(Opcode op, StreamRef s, Field sf, unsigned index) {
  Instruction i = Instruction::make(op);
  i.set(sf, sref(s));
  i.set(Field::kIndex, static_cast<std::int32_t>(index));
  return isa::encode(i);
}
std::uint32_t sxm3(Opcode op, StreamRef dst, StreamRef a, StreamRef map) {
  Instruction i = Instruction::make(op);
  i.set(Field::kDst, sref(dst));
  i.set(Field::kSrca, sref(a));
  i.set(Field::kSrcb, sref(map));
  return isa::encode(i);
}
std::uint32_t sxmImm(Opcode op, StreamRef dst, StreamRef a, int imm) {
  Instruction i = Instruction::make(op);
  i.set(Field::kDst, sref(dst));
  i.set(Field::kSrca, sref(a));
  i.set(Field::kImm8, imm);
  return isa::encode(i);
}
}  // namespace

std::uint32_t read(std::uint32_t addr, StreamRef s) { return mem(Opcode::kRead, addr, s); }
std::uint32_t write(std::uint32_t addr, StreamRef s) { return mem(Opcode::kWrite, addr, s); }
std::uint32_t gather(StreamRef data, StreamRef map) { return memIndirect(Opcode::kGather, data, map); }
std::uint32_t scatter(StreamRef data, StreamRef map) { return memIndirect(Opcode::kScatter, data, map); }

std::uint32_t vxm(Opcode op, ElemType t, StreamRef dst, StreamRef a, StreamRef b, StreamRef c) {
  Instruction i = Instruction::make(op);
  i.type = t;
  const Field fields[4] = {Field::kDst, Field::kSrca, Field::kSrcb, Field::kSrcc};
  const StreamRef refs[4] = {dst, a, b, c};
  for (unsigned k = 0; k < i.desc->num_operands; ++k) i.set(fields[k], sref(refs[k]));
  return isa::encode(i);
}
std::uint32_t cvt(ElemType t, ElemType s, StreamRef dst, StreamRef a) {
  Instruction i = Instruction::make(Opcode::kCvt);
  i.type = t;
  i.stype = s;
  i.set(Field::kDst, sref(dst));
  i.set(Field::kSrca, sref(a));
  return isa::encode(i);
}
std::uint32_t req(ElemType t, StreamRef dst, StreamRef a, StreamRef m, unsigned shamt) {
  Instruction i = Instruction::make(Opcode::kReq);
  i.type = t;
  i.set(Field::kDst, sref(dst));
  i.set(Field::kSrca, sref(a));
  i.set(Field::kSrcb, sref(m));
  i.set(Field::kShamt, static_cast<std::int32_t>(shamt));
  return isa::encode(i);
}
std::uint32_t lw(unsigned row, StreamRef a, unsigned rows, bool install) {
  Instruction i = Instruction::make(install ? Opcode::kLwi : Opcode::kLw);
  i.set(Field::kSrca, sref(a));
  i.set(Field::kIndex, static_cast<std::int32_t>(row));
  i.set(Field::kLwn, static_cast<std::int32_t>(rows));
  return isa::encode(i);
}
std::uint32_t abce(StreamRef a, unsigned slot, StreamRef dst) {
  Instruction i = Instruction::make(Opcode::kAbce);
  i.set(Field::kSrca, sref(a));
  i.set(Field::kIndex, static_cast<std::int32_t>(slot));
  i.set(Field::kDst, sref(dst));
  return isa::encode(i);
}
std::uint32_t abc(StreamRef a, unsigned slot) { return indexed(Opcode::kAbc, a, Field::kSrca, slot); }
std::uint32_t abca(StreamRef a, unsigned slot) { return indexed(Opcode::kAbca, a, Field::kSrca, slot); }
std::uint32_t acc(StreamRef dst, unsigned slot) { return indexed(Opcode::kAcc, dst, Field::kDst, slot); }
std::uint32_t send(StreamRef a, unsigned link) { return indexed(Opcode::kSend, a, Field::kSrca, link); }
std::uint32_t shift(StreamRef dst, StreamRef a, int imm) { return sxmImm(Opcode::kShift, dst, a, imm); }
std::uint32_t rotate(StreamRef dst, StreamRef a, int imm) { return sxmImm(Opcode::kRotate, dst, a, imm); }
std::uint32_t permute(StreamRef dst, StreamRef a, StreamRef map) { return sxm3(Opcode::kPermute, dst, a, map); }
std::uint32_t distribute(StreamRef dst, StreamRef a, StreamRef map) { return sxm3(Opcode::kDistribute, dst, a, map); }
std::uint32_t transpose(StreamRef dst, StreamRef a) {
  Instruction i = Instruction::make(Opcode::kTranspose);
  i.set(Field::kDst, sref(dst));
  i.set(Field::kSrca, sref(a));
  return isa::encode(i);
}

// ---- ProgramBuilder ---------------------------------------------------------------------------------------------

ProgramBuilder::ProgramBuilder(const ArchConfig& cfg) : cfg_(cfg), next_(cfg.queues(), 0) {
  prog_.config = std::string(cfg.name());
  prog_.queues.resize(cfg.queues());
}

ProgramBuilder& ProgramBuilder::at(unsigned q, std::uint64_t cycle, std::uint32_t word) {
  if (cycle < next_[q])
    throw std::logic_error("ProgramBuilder::at: queue " + std::to_string(q) + " cycle " + std::to_string(cycle) +
                           " < next " + std::to_string(next_[q]));
  if (cycle > next_[q]) then(q, nop(static_cast<std::uint32_t>(cycle - next_[q])));
  return then(q, word);
}

ProgramBuilder& ProgramBuilder::then(unsigned q, std::uint32_t word) {
  prog_.queues[q].push_back(word);
  isa::DecodeResult d = isa::decode(word);
  if (d.error == ErrorCode::kNone && d.insn.opcode() == Opcode::kNop)
    next_[q] += static_cast<std::uint32_t>(d.insn.get(Field::kCount));
  else
    next_[q] += 1;
  return *this;
}

ProgramBuilder& ProgramBuilder::rep(unsigned q, std::uint32_t n, std::uint32_t d, std::int32_t stride) {
  prog_.queues[q].push_back(repeat(n, d, stride));
  const std::uint64_t t0 = next_[q] - 1;
  next_[q] = t0 + std::uint64_t{n} * d + 1;
  return *this;
}

ProgramBuilder& ProgramBuilder::raw(unsigned q, std::initializer_list<std::uint32_t> words) {
  prog_.queues[q].insert(prog_.queues[q].end(), words.begin(), words.end());
  next_[q] = ~std::uint64_t{0} / 2;
  return *this;
}

ProgramBuilder& ProgramBuilder::data(unsigned position, std::uint32_t address, const Bytes& bytes) {
  prog_.data.push_back(isa::DataSegment{position, address, bytes});
  return *this;
}

isa::Program ProgramBuilder::build() const {
  isa::Program p = prog_;
  for (auto& q : p.queues)
    if (q.empty() || q.back() != halt()) q.push_back(halt());
  return p;
}

// ---- Recorder ---------------------------------------------------------------------------------------------------

void Recorder::mix(const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    hash ^= b[i];
    hash *= 1099511628211ull;
  }
}

void Recorder::onDispatch(const Dispatch& d) {
  dispatches.push_back(d);
  const std::uint64_t v[5] = {0, d.cycle, d.queue, (std::uint64_t{d.pc} << 32) | d.word, d.repeat_issue};
  mix(v, sizeof v);
}
void Recorder::onStreamWrite(const StreamWrite& w) {
  streams.push_back({w.cycle, w.position, w.dir, w.stream, Bytes(w.data.begin(), w.data.end()), w.producer});
  const std::uint64_t v[5] = {1, w.cycle, w.position, (static_cast<std::uint64_t>(w.dir) << 32) | w.stream, w.producer};
  mix(v, sizeof v);
  mix(w.data.data(), w.data.size());
}
void Recorder::onMemWrite(const MemWrite& w) {
  mems.push_back({w.cycle, w.position, w.address, w.first_lane, Bytes(w.data.begin(), w.data.end())});
  const std::uint64_t v[5] = {2, w.cycle, w.position, w.address, w.first_lane};
  mix(v, sizeof v);
  mix(w.data.data(), w.data.size());
}
void Recorder::onError(const ErrorInfo& e) {
  errors.push_back(e);
  const std::uint64_t v[4] = {3, static_cast<std::uint64_t>(e.code), e.cycle, e.position};
  mix(v, sizeof v);
}
void Recorder::onCycleEnd(std::uint64_t cycle) {
  ++cycle_ends;
  const std::uint64_t v[2] = {4, cycle};
  mix(v, sizeof v);
}

std::vector<std::uint64_t> Recorder::dispatchCycles(unsigned q) const {
  std::vector<std::uint64_t> out;
  for (const auto& d : dispatches)
    if (d.queue == q) out.push_back(d.cycle);
  return out;
}

const RecordedStreamWrite* Recorder::find(unsigned producer, Dir dir, unsigned stream) const {
  for (const auto& w : streams)
    if (w.producer == producer && w.dir == dir && w.stream == stream) return &w;
  return nullptr;
}

RunResult runProgram(Machine& m, const isa::Program& p, Recorder* rec, std::uint64_t max_cycles) {
  m.loadProgram(p);
  if (rec) m.addObserver(rec);
  m.start();
  RunState s = m.run(max_cycles);
  if (rec) m.removeObserver(rec);
  return {s, m.cycle(), m.error()};
}

// ---- Delivery ---------------------------------------------------------------------------------------------------

std::optional<std::uint64_t> deliver(ProgramBuilder& b, const ArchConfig& cfg, unsigned target,
                                     const std::vector<Plane>& planes, std::uint64_t arrive, std::uint32_t address) {
  // MEM positions on each side of target, nearest first.
  std::vector<unsigned> east, west;
  for (unsigned p = target + 1; p < cfg.positions(); ++p)
    if (cfg.memIndex(p) >= 0) east.push_back(p);
  for (unsigned p = target; p-- > 0;)
    if (cfg.memIndex(p) >= 0) west.push_back(p);
  struct Read {
    unsigned pos;
    std::uint64_t hops;
    const Plane* plane;
  };
  std::vector<Read> reads;
  std::size_t ne = 0, nw = 0;
  for (const Plane& pl : planes) {
    // A west-flowing plane must start east of the target.
    std::vector<unsigned>& side = pl.stream.dir == Dir::kWest ? east : west;
    std::size_t& n = pl.stream.dir == Dir::kWest ? ne : nw;
    if (n >= side.size()) return std::nullopt;
    unsigned pos = side[n++];
    reads.push_back({pos, pos > target ? pos - target : target - pos, &pl});
  }
  const std::uint64_t L = latency(Opcode::kRead);
  std::uint64_t hmax = 0;
  for (const auto& r : reads) hmax = std::max(hmax, r.hops);
  if (arrive == 0) {
    arrive = L + hmax - 1;
    for (const auto& r : reads) arrive = std::max(arrive, b.next(r.pos) + L + r.hops - 1);
  }
  for (const auto& r : reads) {
    // arrival at `hops` hops: t + L + hops - 1
    if (arrive + 1 < L + r.hops) return std::nullopt;
    const std::uint64_t t = arrive + 1 - L - r.hops;
    if (t < b.next(r.pos)) return std::nullopt;
    b.data(r.pos, address, r.plane->bytes);
    b.at(r.pos, t, read(address, r.plane->stream));
  }
  return arrive;
}

std::vector<Bytes> toPlanes(const std::vector<std::int64_t>& values, unsigned bytes) {
  std::vector<Bytes> planes(bytes, Bytes(values.size()));
  for (std::size_t lane = 0; lane < values.size(); ++lane)
    for (unsigned k = 0; k < bytes; ++k)
      planes[k][lane] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(values[lane]) >> (8 * k));
  return planes;
}

std::vector<std::int64_t> fromPlanes(const std::vector<Bytes>& planes) {
  const unsigned bytes = static_cast<unsigned>(planes.size());
  std::vector<std::int64_t> out(planes[0].size());
  for (std::size_t lane = 0; lane < out.size(); ++lane) {
    std::uint64_t u = 0;
    for (unsigned k = 0; k < bytes; ++k) u |= std::uint64_t{planes[k][lane]} << (8 * k);
    const unsigned sh = 64 - 8 * bytes;
    out[lane] = static_cast<std::int64_t>(u << sh) >> sh;
  }
  return out;
}

}  // namespace lpu::model::test
