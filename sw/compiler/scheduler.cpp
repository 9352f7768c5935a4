#include "sw/compiler/scheduler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace lpu::compiler {

using isa::Dir;
using isa::Field;
using isa::Instruction;
using isa::Opcode;

// ---------------------------------------------------------------------------------------------------------------
// CycleBits

void CycleBits::set(std::int64_t t) {
  const auto i = static_cast<std::size_t>(t >> 6);
  if (i >= w_.size()) w_.resize(std::max(i + 1, w_.size() * 2), 0);
  w_[i] |= std::uint64_t{1} << (t & 63);
}

void CycleBits::reset(std::int64_t t) {
  const auto i = static_cast<std::size_t>(t >> 6);
  if (i < w_.size()) w_[i] &= ~(std::uint64_t{1} << (t & 63));
}

std::int64_t CycleBits::nextClear(std::int64_t t) const {
  auto i = static_cast<std::size_t>(t >> 6);
  if (i >= w_.size()) return t;
  std::uint64_t inv = ~w_[i] & (~std::uint64_t{0} << (t & 63));
  while (inv == 0) {
    ++i;
    if (i >= w_.size()) return static_cast<std::int64_t>(i) << 6;
    inv = ~w_[i];
  }
  return (static_cast<std::int64_t>(i) << 6) + std::countr_zero(inv);
}

// ---------------------------------------------------------------------------------------------------------------
// ReservationTable

ReservationTable::ReservationTable(const isa::ArchConfig& cfg)
    : streams_(cfg.streamsPerDir()), positions_(cfg.positions()) {
  for (unsigned q = 0; q < cfg.queues(); ++q) addResource(fmt::format("queue {} ({})", q, cfg.queueName(q)));
  regs_.resize(std::size_t{2} * streams_ * positions_);
}

unsigned ReservationTable::addResource(std::string name) {
  res_.emplace_back();
  res_names_.push_back(std::move(name));
  return static_cast<unsigned>(res_.size() - 1);
}

bool ReservationTable::free(unsigned r, std::int64_t t, unsigned duration) const {
  for (unsigned i = 0; i < duration; ++i)
    if (res_[r].test(t + i)) return false;
  return true;
}

std::int64_t ReservationTable::nextFree(unsigned r, std::int64_t t, unsigned duration) const {
  for (;;) {
    t = res_[r].nextClear(t);
    unsigned i = 1;
    while (i < duration && !res_[r].test(t + i)) ++i;
    if (i == duration) return t;
    t = t + i + 1;
  }
}

void ReservationTable::take(unsigned r, std::int64_t t, unsigned duration) {
  for (unsigned i = 0; i < duration; ++i) res_[r].set(t + i);
}

void ReservationTable::release(unsigned r, std::int64_t t, unsigned duration) {
  for (unsigned i = 0; i < duration; ++i) res_[r].reset(t + i);
}

// ---------------------------------------------------------------------------------------------------------------
// Bundle

int Bundle::add(unsigned queue, int offset, const Instruction& insn) {
  insns.push_back(Insn{queue, offset, insn, {}});
  return static_cast<int>(insns.size() - 1);
}

int Bundle::group(Dir dir, unsigned width) {
  Group g;
  g.dir = dir;
  g.width = width;
  g.members.resize(width);
  groups.push_back(g);
  return static_cast<int>(groups.size() - 1);
}

void Bundle::produce(int gi, int insn, Field field, unsigned pos, unsigned latency, unsigned first, unsigned count) {
  Group& g = groups.at(static_cast<std::size_t>(gi));
  if (count == 0) count = g.width - first;
  if (g.dir == Dir::kWest && pos == 0) throw std::logic_error("bundle: result aimed west of position 0");
  const Insn& p = insns.at(static_cast<std::size_t>(insn));
  for (unsigned k = first; k < first + count; ++k) {
    Member& m = g.members.at(k);
    if (m.produced) throw std::logic_error("bundle: stream group member produced twice");
    m.produced = true;
    m.from_pos = g.dir == Dir::kEast ? pos + 1 : pos - 1;
    m.visible_offset = p.offset + static_cast<int>(latency);
    m.reach = m.from_pos;  // at least the register the result is loaded into
  }
  insns[static_cast<std::size_t>(insn)].bindings.push_back(Binding{field, gi, first});
}

int Bundle::arrival(int gi, unsigned member, unsigned pos) const {
  const Group& g = groups.at(static_cast<std::size_t>(gi));
  const Member& m = g.members.at(member);
  const int hops = static_cast<int>(pos) - static_cast<int>(m.from_pos);
  return m.visible_offset + (g.dir == Dir::kEast ? hops : -hops);
}

int Bundle::producerOffset(int when, unsigned latency, unsigned pos, unsigned to) {
  const int hops = std::abs(static_cast<int>(to) - static_cast<int>(pos));
  return when - static_cast<int>(latency) - hops + 1;
}

void Bundle::consume(int insn, Field field, int gi, unsigned pos, unsigned first, unsigned count) {
  Group& g = groups.at(static_cast<std::size_t>(gi));
  Insn& c = insns.at(static_cast<std::size_t>(insn));
  for (unsigned k = first; k < first + count; ++k) {
    Member& m = g.members.at(k);
    if (!m.produced) throw std::logic_error("bundle: consumer of a stream nobody produces");
    const bool on_path = g.dir == Dir::kEast ? pos >= m.from_pos : pos <= m.from_pos;
    if (!on_path)
      throw std::logic_error(fmt::format("bundle '{}': consumer at {} is not downstream of {}", what, pos, m.from_pos));
    if (c.offset != arrival(gi, k, pos))
      throw std::logic_error(fmt::format("bundle '{}': consumer {} at offset {} but value arrives at {}", what,
                                         c.insn.desc->mnemonic, c.offset, arrival(gi, k, pos)));
    m.reach = g.dir == Dir::kEast ? std::max(m.reach, pos) : std::min(m.reach, pos);
  }
  c.bindings.push_back(Binding{field, gi, first});
}

// ---------------------------------------------------------------------------------------------------------------
// Scheduler

Scheduler::Scheduler(const isa::ArchConfig& cfg) : cfg_(cfg), table_(cfg), per_queue_(cfg.queues()) {}

namespace {
using Taken = std::vector<std::tuple<Dir, unsigned, unsigned, std::int64_t>>;

// Visits every (position, cycle) a group member holds: from from_pos to reach, one hop per cycle.
template <typename F>
bool forPath(const Bundle::Group& g, unsigned member, std::int64_t t, F&& f) {
  const Bundle::Member& m = g.members[member];
  const std::int64_t c0 = t + m.visible_offset;
  if (g.dir == Dir::kEast) {
    for (unsigned x = m.from_pos; x <= m.reach; ++x)
      if (!f(x, c0 + (x - m.from_pos))) return false;
  } else {
    for (unsigned x = m.from_pos + 1; x-- > m.reach;)
      if (!f(x, c0 + (m.from_pos - x))) return false;
  }
  return true;
}
}  // namespace

bool Scheduler::tryStreams(const isa::ArchConfig& cfg, ReservationTable& table, Bundle& b, std::int64_t t,
                           Taken& taken) {
  const unsigned streams = cfg.streamsPerDir();
  for (Bundle::Group& g : b.groups) {
    bool found = false;
    const unsigned step = g.align ? g.align : g.width;
    const bool prefer = g.fixed_base < 0 && g.prefer_base >= 0 &&
                        static_cast<unsigned>(g.prefer_base) + g.width <= streams &&
                        static_cast<unsigned>(g.prefer_base) % step == 0;
    for (int i = prefer ? -1 : 0; !found; ++i) {
      // i = -1: the preferred base; then every aligned base in order.
      const unsigned base = i < 0 ? static_cast<unsigned>(g.prefer_base) : static_cast<unsigned>(i) * step;
      if (base + g.width > streams) break;
      if (i >= 0 && prefer && base == static_cast<unsigned>(g.prefer_base)) continue;
      if (g.fixed_base >= 0 && base != static_cast<unsigned>(g.fixed_base)) continue;
      bool ok = true;
      for (unsigned k = 0; k < g.width && ok; ++k)
        ok = !g.members[k].produced ||
             forPath(g, k, t, [&](unsigned x, std::int64_t c) { return table.streamFree(g.dir, base + k, x, c); });
      if (!ok) continue;
      for (unsigned k = 0; k < g.width; ++k)
        if (g.members[k].produced)
          forPath(g, k, t, [&](unsigned x, std::int64_t c) {
            table.takeStream(g.dir, base + k, x, c);
            taken.emplace_back(g.dir, base + k, x, c);
            return true;
          });
      g.chosen_base = base;
      found = true;
    }
    if (!found) return false;
  }
  return true;
}

void Scheduler::undoStreams(ReservationTable& table, const Taken& taken) {
  for (const auto& [d, s, x, c] : taken) table.releaseStream(d, s, x, c);
}

bool Scheduler::unitsFreeAt(const Bundle& b, std::int64_t t) const {
  for (const auto& i : b.insns)
    if (t + i.offset < 0 || !table_.free(i.queue, t + i.offset)) return false;
  for (const auto& e : b.excl)
    if (t + e.offset < 0 || !table_.free(e.resource, t + e.offset, e.duration)) return false;
  return true;
}

bool Scheduler::fitsAt(Bundle& b, std::int64_t t) {
  if (!unitsFreeAt(b, t)) return false;
  Taken taken;
  const bool ok = tryStreams(cfg_, table_, b, t, taken);
  undoStreams(table_, taken);
  return ok;
}

std::int64_t Scheduler::place(Bundle& b, std::int64_t t_min, int pred) {
  int min_off = 0;
  for (const auto& i : b.insns) min_off = std::min(min_off, i.offset);
  for (const auto& e : b.excl) min_off = std::min(min_off, e.offset);
  std::int64_t t = std::max<std::int64_t>(t_min, -min_off);
  {
    // A bundle whose groups cannot share the stream registers even on an idle chip would be
    // retried at every later cycle forever: reject it with what it asked for.
    ReservationTable idle(cfg_);
    Taken taken;
    if (!tryStreams(cfg_, idle, b, t, taken)) {
      std::string groups;
      for (const Bundle::Group& g : b.groups)
        groups += fmt::format("{}{} x{}", groups.empty() ? "" : ", ", g.dir == Dir::kEast ? "E" : "W", g.width);
      throw std::logic_error(
          fmt::format("bundle '{}': its stream groups ({}) do not fit {} streams per direction even on an "
                      "idle chip",
                      b.what, groups, cfg_.streamsPerDir()));
    }
  }
  for (;;) {
    // 1. Queues and exclusive units: jump to the next cycle at which the first busy one is free.
    bool moved = false;
    for (const auto& i : b.insns) {
      const std::int64_t c = t + i.offset;
      if (!table_.free(i.queue, c)) {
        t = table_.nextFree(i.queue, c) - i.offset;
        moved = true;
        break;
      }
    }
    if (moved) continue;
    for (const auto& e : b.excl) {
      const std::int64_t c = t + e.offset;
      if (!table_.free(e.resource, c, e.duration)) {
        t = table_.nextFree(e.resource, c, e.duration) - e.offset;
        moved = true;
        break;
      }
    }
    if (moved) continue;
    // 2. Streams: the first free index for each group; otherwise try the next cycle.
    Taken taken;
    if (!tryStreams(cfg_, table_, b, t, taken)) {
      undoStreams(table_, taken);
      ++t;
      continue;
    }
    break;
  }

  // Commit.
  const int id = static_cast<int>(placed_.size());
  PlacementInfo info;
  info.t = t;
  info.t_min = std::max<std::int64_t>(t_min, -min_off);
  info.pred = pred;
  info.node = b.node;
  info.what = b.what;
  info.first = std::numeric_limits<std::int64_t>::max();
  info.last = std::numeric_limits<std::int64_t>::min();
  for (auto& i : b.insns) {
    const std::int64_t c = t + i.offset;
    if (!table_.free(i.queue, c))
      throw std::logic_error(fmt::format("bundle '{}' uses queue {} twice in cycle {}", b.what, i.queue, c));
    table_.take(i.queue, c);
    for (const auto& bind : i.bindings) {
      const Bundle::Group& g = b.groups[static_cast<std::size_t>(bind.group)];
      i.insn.set(bind.field, static_cast<std::int32_t>(isa::StreamRef{g.dir, g.chosen_base + bind.member}.encode()));
    }
    per_queue_[i.queue].push_back(ScheduledInsn{c, i.insn, id});
    info.first = std::min(info.first, c);
    info.last = std::max(info.last, c);
    info.end = std::max<std::int64_t>(info.end, c + i.insn.desc->latency);
  }
  for (const auto& e : b.excl) table_.take(e.resource, t + e.offset, e.duration);
  placed_.push_back(std::move(info));
  return t;
}

namespace {
bool sameExceptStrided(const Instruction& a, const Instruction& b) {
  if (a.desc != b.desc || a.type != b.type || a.stype != b.stype) return false;
  for (unsigned f = 0; f < isa::kNumFields; ++f) {
    if (a.desc->strided && static_cast<Field>(f) == a.desc->strided_field) continue;
    if (a.fields[f] != b.fields[f]) return false;
  }
  return true;
}
}  // namespace

std::vector<std::vector<EmittedRun>> Scheduler::runs() const {
  constexpr unsigned kMaxN = 1023, kMaxD = 255;
  constexpr int kMinStride = -64, kMaxStride = 63;
  std::vector<std::vector<EmittedRun>> out(per_queue_.size());
  for (std::size_t q = 0; q < per_queue_.size(); ++q) {
    std::vector<ScheduledInsn> v = per_queue_[q];
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.cycle < b.cycle; });
    std::size_t i = 0;
    while (i < v.size()) {
      EmittedRun r{v[i].cycle, v[i].insn, 0, 0, 0, v[i].bundle};
      if (i + 1 < v.size() && sameExceptStrided(v[i].insn, v[i + 1].insn)) {
        const std::int64_t d = v[i + 1].cycle - v[i].cycle;
        const Field sf = v[i].insn.desc->strided_field;
        const int stride = v[i].insn.desc->strided ? v[i + 1].insn.get(sf) - v[i].insn.get(sf) : 0;
        if (d >= 1 && d <= kMaxD && stride >= kMinStride && stride <= kMaxStride) {
          r.d = static_cast<unsigned>(d);
          r.stride = stride;
          std::size_t j = i + 1;
          while (j < v.size() && r.n < kMaxN && v[j].cycle - v[j - 1].cycle == d &&
                 sameExceptStrided(v[i].insn, v[j].insn) &&
                 (!v[i].insn.desc->strided || v[j].insn.get(sf) - v[j - 1].insn.get(sf) == stride)) {
            ++r.n;
            ++j;
          }
        }
      }
      if (r.n == 0) r.d = 0, r.stride = 0;
      out[q].push_back(r);
      i += 1 + r.n;
    }
  }
  return out;
}

std::vector<std::vector<std::uint32_t>> Scheduler::emit() const {
  constexpr std::int64_t kMaxNop = (std::int64_t{1} << 25) - 1;
  const auto all = runs();
  std::vector<std::vector<std::uint32_t>> words(all.size());
  for (std::size_t q = 0; q < all.size(); ++q) {
    std::int64_t next = 0;
    auto& w = words[q];
    for (const EmittedRun& r : all[q]) {
      std::int64_t gap = r.cycle - next;
      if (gap < 0) throw std::logic_error(fmt::format("queue {}: instructions overlap at cycle {}", q, r.cycle));
      while (gap > 0) {
        Instruction nop = Instruction::make(Opcode::kNop);
        const std::int64_t n = std::min(gap, kMaxNop);
        nop.set(Field::kCount, static_cast<std::int32_t>(n));
        w.push_back(isa::encode(nop));
        gap -= n;
      }
      w.push_back(isa::encode(r.insn));
      if (r.n > 0) {
        Instruction rep = Instruction::make(Opcode::kRepeat);
        rep.set(Field::kRepN, static_cast<std::int32_t>(r.n));
        rep.set(Field::kRepD, static_cast<std::int32_t>(r.d));
        rep.set(Field::kStride, r.stride);
        w.push_back(isa::encode(rep));
      }
      next = r.cycle + std::int64_t{r.n} * r.d + 1;
    }
    w.push_back(isa::encode(Instruction::make(Opcode::kHalt)));
    if (w.size() > cfg_.params().queue_depth)
      throw std::runtime_error(fmt::format("queue {} ({}) needs {} words, more than queue_depth {}", q,
                                           cfg_.queueName(static_cast<unsigned>(q)), w.size(),
                                           cfg_.params().queue_depth));
  }
  return words;
}

std::uint64_t Scheduler::predictedCycles() const {
  std::int64_t T = 1;  // every queue halts by cycle 0 at the latest
  for (const auto& q : per_queue_) {
    for (const ScheduledInsn& s : q) {
      T = std::max<std::int64_t>(T, s.cycle + 2);  // halt dispatched at t_last + 1; done one cycle later
      T = std::max<std::int64_t>(T, s.cycle + s.insn.desc->latency);
    }
  }
  return static_cast<std::uint64_t>(T);
}

}  // namespace lpu::compiler
