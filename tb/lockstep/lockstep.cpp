#include "tb/lockstep/lockstep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/rtl_harness.hpp"

#if LPU_RTL_COVERAGE
// Coverage build (make coverage, tb/lockstep/coverage.sh): Verilator's coverage counters live in
// the model's VerilatedContext, which the harness owns privately. Constructing a VerilatedContext
// makes it the thread's context (Verilated::threadContextp(), verilated.cpp), so the context of the
// harness a Session has just constructed is threadContextp() right after its construction.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "verilated.h"
#include "verilated_cov.h"
#pragma GCC diagnostic pop
#include <unistd.h>
#endif

#ifndef LPU_BUILD_DIR_REL
#define LPU_BUILD_DIR_REL "build"
#endif

namespace lpu::lockstep {
namespace {

using Clock = std::chrono::steady_clock;
using isa::Dir;

char dirChar(Dir d) { return d == Dir::kEast ? 'E' : 'W'; }

// Lane markers under two hex rows: "^^" under every differing byte.
std::string diffMarks(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::string s;
  for (std::size_t i = 0; i < a.size(); ++i) s += (i ? " " : "") + std::string(a[i] != b[i] ? "^^" : "  ");
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string differingLanes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::string s;
  unsigned n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (n++ < 12) s += fmt::format("{}{}", s.empty() ? "" : ",", i);
  }
  if (n > 12) s += ",...";
  return fmt::format("{} of {} lanes differ ({})", n, a.size(), s);
}

std::string formatWord(std::uint32_t word) {
  const isa::DecodeResult d = isa::decode(word);
  if (d.error != isa::ErrorCode::kNone) return fmt::format("{:#010x} ({})", word, isa::errorName(d.error));
  return isa::format(d.insn);
}

// Records what the comparison needs from the model's events.
class Recorder final : public model::Observer {
 public:
  explicit Recorder(const isa::ArchConfig& cfg) : cfg_(cfg) {}

  void onDispatch(const model::Dispatch& d) override {
    auto& h = history_[d.queue];
    h.push_back(d);
    if (h.size() > 8) h.pop_front();
  }
  void onStreamWrite(const model::StreamWrite& w) override { loads_[key(w.dir, w.stream, w.position)] = w.producer; }
  void onMemWrite(const model::MemWrite& w) override {
    const auto k = std::make_pair(w.position, w.address);
    if (!written_.count(k)) order_.push_back(k);
    written_[k] = w.cycle;
  }
  void onCycleEnd(std::uint64_t) override {}

  void beginCycle() { loads_.clear(); }
  static std::uint64_t key(Dir d, unsigned s, unsigned p) {
    return (std::uint64_t{p} << 16) | (std::uint64_t{s} << 1) | (d == Dir::kWest ? 1u : 0u);
  }
  // Producer that loaded R[d][s][p] at the end of the current cycle, or -1 (passed on from the
  // neighbour).
  int loadedBy(Dir d, unsigned s, unsigned p) const {
    auto it = loads_.find(key(d, s, p));
    return it == loads_.end() ? -1 : static_cast<int>(it->second);
  }
  // The last few dispatches of every queue driving the slice at `position`.
  std::string recentDispatches(unsigned position) const {
    std::string s;
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (cfg_.queuePosition(q) != position) continue;
      auto it = history_.find(q);
      if (it == history_.end()) continue;
      for (const model::Dispatch& d : it->second) {
        s += fmt::format("        cycle {:>6}  {:<10} pc {:>4}  {}{}\n", d.cycle, cfg_.queueName(q), d.pc,
                         formatWord(d.word), d.repeat_issue ? "   (repeat re-issue)" : "");
      }
    }
    return s;
  }
  const std::vector<std::pair<unsigned, std::uint32_t>>& writtenWords() const { return order_; }
  std::uint64_t lastWrite(unsigned p, std::uint32_t a) const {
    auto it = written_.find({p, a});
    return it == written_.end() ? 0 : it->second;
  }

 private:
  const isa::ArchConfig& cfg_;
  std::map<unsigned, std::deque<model::Dispatch>> history_;
  std::map<std::uint64_t, unsigned> loads_;
  std::map<std::pair<unsigned, std::uint32_t>, std::uint64_t> written_;
  std::vector<std::pair<unsigned, std::uint32_t>> order_;
};

std::string stateName(model::RunState s) {
  switch (s) {
    case model::RunState::kIdle:
      return "idle";
    case model::RunState::kRunning:
      return "running";
    case model::RunState::kDone:
      return "done";
    case model::RunState::kError:
      return "error";
  }
  return "?";
}

std::string shellQuote(const std::string& s) {
  if (s.find_first_of(" \t'\"$\\") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string sanitize(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return s;
}

// Clock index (RtlHarness::clocks() before the step) at which program cycle 0 is run, for a fresh
// harness: reset, the program load, START and the start clock. Measured by loading on an untraced
// harness, so it stays right whatever the harness's load sequence is.
std::uint64_t cycle0Clock(const isa::ArchConfig& cfg, const isa::Program& program) {
  sim::RtlHarness h(cfg);
  h.loadProgram(program);
  h.start();
  h.step();
  return h.clocks();
}

}  // namespace

std::string_view kindName(Mismatch::Kind kind) {
  switch (kind) {
    case Mismatch::Kind::kStream:
      return "stream";
    case Mismatch::Kind::kSram:
      return "sram";
    case Mismatch::Kind::kCycles:
      return "cycles";
    case Mismatch::Kind::kStatus:
      return "status";
    case Mismatch::Kind::kError:
      return "error";
    case Mismatch::Kind::kAssertion:
      return "assertion";
    case Mismatch::Kind::kHarness:
      return "harness";
  }
  return "?";
}

std::string hexBytes(std::span<const std::uint8_t> bytes) {
  std::string s;
  s.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  return s;
}

std::string lockstepBinary() {
  if (const char* env = std::getenv("LPU_LOCKSTEP_BIN"); env != nullptr && *env) return env;
  return LPU_BUILD_DIR_REL "/bin/lpu-lockstep";
}

std::string randomFlags(const verif::RandomProgramOptions& opt) {
  const verif::RandomProgramOptions def;
  std::string s;
  if (opt.min_insns != def.min_insns) s += fmt::format(" --min-insns {}", opt.min_insns);
  if (opt.max_insns != def.max_insns) s += fmt::format(" --max-insns {}", opt.max_insns);
  if (opt.nop_weight != def.nop_weight) s += fmt::format(" --nop-weight {}", opt.nop_weight);
  if (opt.repeat_weight != def.repeat_weight) s += fmt::format(" --repeat-weight {}", opt.repeat_weight);
  if (opt.op_weight != def.op_weight) s += fmt::format(" --op-weight {}", opt.op_weight);
  if (opt.gather_scatter_weight != def.gather_scatter_weight) s += fmt::format(" --gs {}", opt.gather_scatter_weight);
  if (opt.use_mxm != def.use_mxm) s += opt.use_mxm ? " --mxm" : " --no-mxm";
  if (opt.use_sync != def.use_sync) s += opt.use_sync ? " --sync" : " --no-sync";
  if (opt.data_words != def.data_words) s += fmt::format(" --data-words {}", opt.data_words);
  return s;
}

std::string randomRepro(std::string_view config, const verif::RandomProgramOptions& opt) {
  return fmt::format("{} --config {} --seed {}{}", lockstepBinary(), config, opt.seed, randomFlags(opt));
}

std::string Result::summary() const {
  std::string end;
  if (model_error) {
    end = fmt::format("{} at cycle {} ({})", isa::errorName(model_error->code), model_error->cycle,
                      model_error->position);
  } else {
    end = stateName(model_state);
  }
  if (ok()) {
    return fmt::format("{} {}: MATCH, {} cycles, {}, {} stream registers and {} SRAM words compared (init seed {})",
                       config, name, model_cycles, end, registers_compared, sram_words.size(), init_seed);
  }
  return fmt::format("{} {}: MISMATCH{} ({} difference{}), model {} cycles ({}), RTL {} cycles (init seed {})", config,
                     name, first_mismatch_cycle ? fmt::format(" at cycle {}", *first_mismatch_cycle) : std::string(),
                     mismatches.size(), mismatches.size() == 1 ? "" : "s", model_cycles, end, rtl_cycles, init_seed);
}

std::string Result::report() const {
  std::string s = summary() + "\n";
  if (ok()) return s;
  for (const Mismatch& m : mismatches) s += fmt::format("  [{} @ cycle {}] {}\n", kindName(m.kind), m.cycle, m.text);
  s += fmt::format("  rerun:    {}\n", repro);
  if (!wave_command.empty()) {
    s += fmt::format("  waveform: {}\n", wave_command);
    s += fmt::format("  view:     {}\n", gtkwave_command);
    s += "            (lpu_view.cycle is the program cycle, lpu_view.E_<slice>.E<s> a stream "
         "register)\n";
  }
  return s;
}

struct Session::State {
  State(const isa::ArchConfig& c, const sim::HarnessOptions& hopt) : cfg(c), machine(c), h(c, hopt) {
#if LPU_RTL_COVERAGE
    context = Verilated::threadContextp();
#endif
  }
#if LPU_RTL_COVERAGE
  // Writes this harness's coverage counters to $LPU_COVERAGE_DIR/<config>-<pid>-<n>.dat (merged by
  // coverage.sh), once.
  ~State() { writeCoverage(); }
  void writeCoverage() {
    const char* dir = std::getenv("LPU_COVERAGE_DIR");
    if (dir == nullptr || !*dir || runs == 0 || written) return;
    written = true;
    static unsigned n = 0;
    std::filesystem::create_directories(dir);
    const std::string path = fmt::format("{}/{}-{}-{}.dat", dir, cfg.name(), ::getpid(), n++);
    context->coveragep()->write(path.c_str());
  }
  VerilatedContext* context = nullptr;
  bool written = false;
#endif
  isa::ArchConfig cfg;
  model::Machine machine;
  sim::RtlHarness h;
  unsigned runs = 0;
};

Session::Session(const isa::ArchConfig& cfg) : state_(std::make_unique<State>(cfg, sim::HarnessOptions{})) {}
Session::Session(const isa::ArchConfig& cfg, const sim::HarnessOptions& harness_options)
    : state_(std::make_unique<State>(cfg, harness_options)) {}
Session::~Session() = default;
sim::RtlHarness& Session::harness() { return state_->h; }
model::Machine& Session::machine() { return state_->machine; }

#if LPU_RTL_COVERAGE
namespace {
std::map<std::string, std::unique_ptr<Session>>& coverageSessions() {
  static std::map<std::string, std::unique_ptr<Session>> sessions;
  return sessions;
}
}  // namespace
#endif

void Session::writeCoverage() {
#if LPU_RTL_COVERAGE
  state_->writeCoverage();
#endif
}

void flushCoverage() {
#if LPU_RTL_COVERAGE
  for (auto& [name, session] : coverageSessions()) {
    if (!session) continue;
    session->writeCoverage();
    // Deliberately not destroyed: tearing down this verilated model after another harness's context
    // has come and gone aborts inside the Verilated 5.006 runtime (std::system_error). The process is
    // about to exit; the counters are written.
    static_cast<void>(session.release());
  }
#endif
}

Result run(const isa::ArchConfig& cfg, const isa::Program& program, const Options& opt) {
  // The RTL is traced when asked; the window is in harness clocks, so find where cycle 0 falls
  // first.
  sim::HarnessOptions hopt;
  hopt.init_seed = opt.init_seed;
  if (!opt.trace_path.empty()) {
    const std::uint64_t c0 = cycle0Clock(cfg, program);
    hopt.trace_path = opt.trace_path;
    // Program cycle t is committed by the rising edge of clock c0 + t (RtlHarness::clocks()
    // numbering); the edge of clock c0 + t - 1 starts it. Dump from the edge that starts trace_from
    // to the one that ends trace_to.
    hopt.trace_from = c0 + opt.trace_from > 0 ? c0 + opt.trace_from - 1 : 0;
    hopt.trace_to = opt.trace_to >= UINT64_MAX - c0 - 2 ? UINT64_MAX : c0 + opt.trace_to + 1;
    std::filesystem::path dir = std::filesystem::path(opt.trace_path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
  }
#if LPU_RTL_COVERAGE
  // One session per configuration for the whole process, so the counters of every run accumulate in
  // one model (written by flushCoverage()).
  if (opt.trace_path.empty()) {
    std::unique_ptr<Session>& s = coverageSessions()[std::string(cfg.name())];
    if (!s) s = std::make_unique<Session>(cfg);
    return s->run(program, opt);
  }
#endif
  Session session(cfg, hopt);
  return session.run(program, opt);
}

Result Session::run(const isa::Program& program, const Options& opt) {
  const isa::ArchConfig& cfg = state_->cfg;
  model::Machine& machine = state_->machine;
  sim::RtlHarness& h = state_->h;
  Result res;
  res.config = std::string(cfg.name());
  res.name = opt.name;
  res.init_seed = h.initSeed();
  const unsigned lanes = cfg.lanes();
  const unsigned positions = cfg.positions();
  const unsigned streams = cfg.streamsPerDir();

  // ---- Load both (the model first: it throws std::invalid_argument for a program that does not
  // fit).
  Recorder rec(cfg);
  machine.loadProgram(opt.model_program != nullptr ? *opt.model_program : program);
  struct Detach {
    model::Machine& m;
    Recorder* r;
    ~Detach() { m.removeObserver(r); }
  } detach{machine, &rec};
  machine.addObserver(&rec);
  // A reused session: let whatever an earlier run left in flight drain (the RTL's START would wait
  // for it).
  if (state_->runs++ > 0) h.step(8);
  const std::uint64_t clocks_before = h.clocks();
  h.loadProgram(program);

  // ---- Start both. After START and the start clock, the next RTL clock is program cycle 0.
  machine.start();
  h.start();
  h.step();
  res.clock_at_cycle0 = h.clocks();

  auto add = [&](Mismatch::Kind k, std::uint64_t cycle, std::string text) {
    res.mismatches.push_back(Mismatch{k, cycle, std::move(text)});
  };

  // Compares every stream register: the state at the end of cycle `cycle` (start of cycle + 1).
  // Returns whether all matched; details of the first max_reported_registers differences go into
  // one Mismatch.
  auto compareStreams = [&](std::uint64_t cycle, bool initial) {
    unsigned bad = 0;
    std::string details;
    for (unsigned p = 0; p < positions; ++p) {
      for (Dir d : {Dir::kEast, Dir::kWest}) {
        for (unsigned s = 0; s < streams; ++s) {
          const std::span<const std::uint8_t> mv = machine.streamReg(d, s, p);
          const std::vector<std::uint8_t> rv = h.peekStream(d, s, p);
          ++res.registers_compared;
          if (std::equal(mv.begin(), mv.end(), rv.begin())) continue;
          if (++bad > opt.max_reported_registers) continue;
          std::string why;
          if (initial) {
            why = "      model: every stream register is 0 at the start of cycle 0\n";
          } else {
            const int producer = rec.loadedBy(d, s, p);
            if (producer >= 0) {
              why = fmt::format(
                  "      model: result of {} (position {}) loaded at the end of cycle {}; its last "
                  "dispatches:\n{}",
                  cfg.sliceName(static_cast<unsigned>(producer)), producer, cycle,
                  rec.recentDispatches(static_cast<unsigned>(producer)));
            } else if ((d == Dir::kEast && p == 0) || (d == Dir::kWest && p == positions - 1)) {
              why = "      model: chip-edge entry register, always 0\n";
            } else {
              const unsigned from = d == Dir::kEast ? p - 1 : p + 1;
              why = fmt::format(
                  "      model: passed on from {} (position {}); the producer at position {} ({}) "
                  "loaded nothing here; its last dispatches:\n{}",
                  cfg.sliceName(from), from, from, cfg.sliceName(from), rec.recentDispatches(from));
            }
          }
          details += fmt::format(
              "\n    R[{}][{}] at {} (position {}), stream {}{}: {}\n      rtl  : {}\n      model: "
              "{}\n      "
              "       {}\n{}",
              dirChar(d), s, cfg.sliceName(p), p, dirChar(d), s, differingLanes(rv, mv), hexBytes(rv), hexBytes(mv),
              diffMarks(rv, mv), why);
        }
      }
    }
    if (bad == 0) return true;
    if (bad > opt.max_reported_registers) {
      details += fmt::format("    ... and {} more stream registers differ\n", bad - opt.max_reported_registers);
    }
    add(Mismatch::Kind::kStream, cycle,
        fmt::format("{} stream register{} {}:{}", bad, bad == 1 ? " differs" : "s differ",
                    initial ? "at the start of cycle 0" : fmt::format("at the end of cycle {}", cycle), details));
    return false;
  };

  bool comparing = compareStreams(0, true);
  if (!comparing) res.first_mismatch_cycle = 0;
  bool assertion_reported = false;

  // ---- Lockstep loop: model cycle t, then RTL cycle t, then compare the end-of-cycle state.
  bool model_running = true;
  while (model_running) {
    const std::uint64_t t = machine.cycle();
    if (t >= opt.max_cycles) break;
    rec.beginCycle();
    auto t0 = Clock::now();
    model_running = machine.step();
    auto t1 = Clock::now();
    h.step();
    auto t2 = Clock::now();
    res.model_seconds += std::chrono::duration<double>(t1 - t0).count();
    res.rtl_seconds += std::chrono::duration<double>(t2 - t1).count();
    // The model's last cycle includes the RTL's done-detection cycle (one hop): compared after it, below.
    if (comparing && machine.state() != model::RunState::kDone) {
      ++res.cycles_compared;
      if (!compareStreams(t, false)) {
        comparing = false;
        res.first_mismatch_cycle = t;
      }
    }
    if (!assertion_reported && h.assertionFailed()) {
      assertion_reported = true;
      add(Mismatch::Kind::kAssertion, t,
          fmt::format("an RTL assertion failed in cycle {}: {}", t, h.assertions().summary()));
      if (!res.first_mismatch_cycle) res.first_mismatch_cycle = t;
    }
  }

  // ---- Ends. The model stopped (done/error) or reached max_cycles.
  res.model_state = machine.state();
  if (res.model_state == model::RunState::kRunning) {
    machine.run(opt.max_cycles);  // raises TIMEOUT at once (cycle() == max_cycles)
    res.model_state = machine.state();
  }
  res.model_cycles = machine.cycle();
  res.model_error = machine.error();

  if (res.model_state == model::RunState::kDone) {
    // The RTL detects the end in cycle T, whose one effect is a hop (the model applied it with its last cycle).
    h.step();
    if (comparing && !compareStreams(res.model_cycles, false)) {
      comparing = false;
      res.first_mismatch_cycle = res.model_cycles;
    }
  }
  const bool timeout = res.model_error && res.model_error->code == isa::ErrorCode::kTimeout;
  res.rtl_status = h.status();
  if (timeout) {
    if (res.rtl_status & sim::kStatusRunning) {
      h.clear();
      res.rtl_status = h.status();
    } else {
      add(Mismatch::Kind::kStatus, res.model_cycles,
          fmt::format("the model ran into the cycle limit ({} cycles) but the RTL had stopped: "
                      "STATUS {:#x}",
                      opt.max_cycles, res.rtl_status));
    }
  } else if (res.rtl_status & sim::kStatusRunning) {
    // Find out where the RTL stops, for the report (bounded).
    std::uint64_t extra = 0;
    while ((res.rtl_status = h.status()) & sim::kStatusRunning && extra < 100'000) ++extra;
    add(Mismatch::Kind::kStatus, res.model_cycles,
        fmt::format("the model stopped after {} cycles ({}) but the RTL was still running; it {}", res.model_cycles,
                    res.model_error ? std::string(isa::errorName(res.model_error->code)) : "done",
                    (res.rtl_status & sim::kStatusRunning) ? "had not stopped 100000 clocks later (CLEAR issued)"
                                                           : fmt::format("stopped {} clocks later", extra)));
    if (res.rtl_status & sim::kStatusRunning) h.clear();
  }
  res.rtl_cycles = h.cycle();
  res.rtl_error = h.errorCode();
  res.rtl_err_cycle = h.errorCycle();
  res.rtl_err_where = h.readReg(sim::kRegErrWhere);
  if (!res.first_mismatch_cycle && !res.mismatches.empty()) res.first_mismatch_cycle = res.model_cycles;

  // ---- Final checks: cycle count, status, error.
  if (!timeout) {
    if (res.rtl_cycles != res.model_cycles) {
      add(Mismatch::Kind::kCycles, res.model_cycles,
          fmt::format("cycle count: rtl CYCLE = {}, model {}", res.rtl_cycles, res.model_cycles));
    }
    const bool model_err = res.model_state == model::RunState::kError;
    const std::uint32_t want_status = sim::kStatusDone | (model_err ? sim::kStatusError : 0u);
    if (res.rtl_status != want_status) {
      add(Mismatch::Kind::kStatus, res.model_cycles,
          fmt::format("STATUS: rtl {:#x}, model {:#x} ({}; bits: 0 RUNNING, 1 DONE, 2 ERROR)", res.rtl_status,
                      want_status, stateName(res.model_state)));
    }
    const isa::ErrorCode want_code = model_err ? res.model_error->code : isa::ErrorCode::kNone;
    const sim::ErrWhere w = sim::ErrWhere::decode(res.rtl_err_where);
    auto where = [&](unsigned pos, unsigned stream, Dir d, std::uint32_t addr) {
      return fmt::format("position {} ({}), stream {}{}, address {:#x}", pos,
                         pos < positions ? cfg.sliceName(pos) : std::string("?"), dirChar(d), stream, addr);
    };
    if (res.rtl_error != want_code) {
      add(Mismatch::Kind::kError, model_err ? res.model_error->cycle : res.model_cycles,
          fmt::format("ERR_CODE: rtl {} (ERR_CYCLE {}, {}), model {}{}", isa::errorName(res.rtl_error),
                      res.rtl_err_cycle, where(w.position, w.stream, w.dir, w.address), isa::errorName(want_code),
                      model_err ? fmt::format(" at cycle {}, {}: {}", res.model_error->cycle,
                                              where(res.model_error->position, res.model_error->stream,
                                                    res.model_error->dir, res.model_error->address),
                                              res.model_error->message)
                                : std::string()));
    } else if (model_err) {
      const model::ErrorInfo& e = *res.model_error;
      const std::uint32_t want_addr = e.address & 0x7FFF;
      if (res.rtl_err_cycle != static_cast<std::uint32_t>(e.cycle) || w.position != e.position ||
          w.stream != e.stream || w.dir != e.dir || w.address != want_addr) {
        add(Mismatch::Kind::kError, e.cycle,
            fmt::format("{} where: rtl ERR_CYCLE {}, {}; model cycle {}, {} (model: {})", isa::errorName(e.code),
                        res.rtl_err_cycle, where(w.position, w.stream, w.dir, w.address), e.cycle,
                        where(e.position, e.stream, e.dir, want_addr), e.message));
      }
    }
  }

  // ---- SRAM: every word the model wrote, plus the extra words asked for.
  std::vector<std::pair<unsigned, std::uint32_t>> words = rec.writtenWords();
  std::set<std::pair<unsigned, std::uint32_t>> seen(words.begin(), words.end());
  auto addWord = [&](unsigned p, std::uint32_t a) {
    if (seen.insert({p, a}).second) words.emplace_back(p, a);
  };
  for (const auto& [p, a] : opt.extra_sram_words) addWord(p, a);
  if (opt.check_data_segments) {
    for (const isa::DataSegment& seg : program.data) {
      for (std::size_t w = 0; w * lanes < seg.bytes.size(); ++w) {
        addWord(seg.position, seg.address + static_cast<std::uint32_t>(w));
      }
    }
  }
  unsigned sram_bad = 0;
  std::string sram_details;
  for (const auto& [p, a] : words) {
    const std::vector<std::uint8_t> rv = h.readSram(p, a);
    const std::span<const std::uint8_t> mv = machine.sramWord(p, a);
    res.sram_words.emplace_back(p, a);
    res.sram_values.emplace_back(mv.begin(), mv.end());
    if (std::equal(mv.begin(), mv.end(), rv.begin())) continue;
    if (++sram_bad > 8) continue;
    const std::uint64_t last = rec.lastWrite(p, a);
    sram_details += fmt::format(
        "\n    {} (position {}) word {:#06x}: {}{}\n      rtl  : {}\n      model: {}\n             "
        "{}\n",
        cfg.sliceName(p), p, a, differingLanes(rv, mv),
        seen.count({p, a}) && last ? fmt::format(" (model's last write: end of cycle {})", last) : std::string(),
        hexBytes(rv), hexBytes(mv), diffMarks(rv, mv));
  }
  if (sram_bad) {
    if (sram_bad > 8) sram_details += fmt::format("    ... and {} more words differ\n", sram_bad - 8);
    add(Mismatch::Kind::kSram, res.model_cycles,
        fmt::format("{} of {} SRAM words read back differ:{}", sram_bad, words.size(), sram_details));
  }
  if (!res.first_mismatch_cycle && !res.mismatches.empty()) res.first_mismatch_cycle = res.model_cycles;
  res.rtl_clocks = h.clocks() - clocks_before;

  // ---- Repro and wave commands (the rerun starts the RTL from the same initial state).
  res.repro = opt.repro;
  if (!res.ok() && res.repro.empty()) {
    const std::filesystem::path dir = opt.failure_dir;
    std::filesystem::create_directories(dir);
    const std::string path = (dir / (sanitize(res.config + "-" + opt.name) + ".lpb")).string();
    isa::saveProgramFile(path, program);
    res.repro = fmt::format("{} --config {} --program {}", lockstepBinary(), res.config, shellQuote(path));
  }
  if (!res.repro.empty()) res.repro += fmt::format(" --init-seed {}", res.init_seed);
  if (!res.ok()) {
    const std::uint64_t c = res.first_mismatch_cycle.value_or(res.model_cycles);
    const std::string wave = fmt::format("{}/waves/{}.fst", LPU_BUILD_DIR_REL, sanitize(res.config + "-" + opt.name));
    res.wave_command = fmt::format("{} --wave {} --from {} --to {}", res.repro, wave,
                                   c > opt.wave_before ? c - opt.wave_before : 0, c + opt.wave_after);
    res.gtkwave_command = fmt::format("gtkwave {} --save tb/waves/lpu.gtkw", wave);
  }
  return res;
}

}  // namespace lpu::lockstep
