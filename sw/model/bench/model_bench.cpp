// lpu_model_bench: rough cycles/second of the golden model on a busy program (every queue issues an
// instruction every cycle: MEM reads, VXM mul.i32, SXM rotates, MXM abca at the configuration's ABC
// rate on the compute queues, lwi every cycle on the MXM load queues), per configuration, with and
// without an observer attached. Not a test; prints one line per measurement and writes them as
// JSON.
//
//   lpu_model_bench [FILE.json] [--config NAME]... [--quick]
//     FILE.json   where the JSON goes (default: none)
//     --config    one configuration (repeatable; default: every configuration in sw/isa/arch.toml)
//     --quick     2 blocks of 1,024 cycles per queue instead of up to 64 (a smoke run of a few ms)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sw/isa/isa.hpp"
#include "sw/model/machine.hpp"

namespace {

using namespace lpu;
using isa::Dir;
using isa::Field;
using isa::Instruction;
using isa::Opcode;
using isa::StreamRef;

std::int32_t sref(Dir d, unsigned i) { return static_cast<std::int32_t>(StreamRef{d, i}.encode()); }

std::uint32_t repeatWord(std::uint32_t n, std::uint32_t d, std::int32_t stride) {
  Instruction r = Instruction::make(Opcode::kRepeat);
  r.set(Field::kRepN, static_cast<std::int32_t>(n));
  r.set(Field::kRepD, static_cast<std::int32_t>(d));
  r.set(Field::kStride, stride);
  return isa::encode(r);
}

isa::Program busyProgram(const isa::ArchConfig& cfg, unsigned blocks) {
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.resize(cfg.queues());
  const unsigned v = cfg.vxmPosition(), last = cfg.positions() - 1, ival = cfg.params().mxm_abc_interval;
  for (unsigned q = 0; q < cfg.queues(); ++q) {
    Instruction i;
    std::uint32_t d = 1;
    std::int32_t stride = 0;
    if (cfg.memIndex(q) >= 0) {
      const unsigned hops = q < v ? v - q : q - v;
      i = Instruction::make(Opcode::kRead);
      i.set(Field::kAddr, 0);
      i.set(Field::kMstrm, sref(q < v ? Dir::kEast : Dir::kWest, (hops - 1) % cfg.streamsPerDir()));
      stride = 1;
    } else if (q == v) {
      i = Instruction::make(Opcode::kMul);
      i.type = isa::ElemType::kI32;
      // The product goes to the second east group when there is one; with a single group of
      // four it replaces the east operand at the VXM's position (its one producer there).
      i.set(Field::kDst, sref(Dir::kEast, cfg.streamsPerDir() >= 8 ? 4 : 0));
      i.set(Field::kSrca, sref(Dir::kWest, 0));
      i.set(Field::kSrcb, sref(Dir::kEast, 0));
    } else if (q == 1 || q == last - 1) {
      i = Instruction::make(Opcode::kRotate);
      i.set(Field::kDst, sref(q == 1 ? Dir::kEast : Dir::kWest, 1));
      i.set(Field::kSrca, sref(q == 1 ? Dir::kWest : Dir::kEast, 1));
      i.set(Field::kImm8, 3);
    } else if (cfg.isLoadQueue(q)) {
      // Stage and install as many weight rows per cycle as there are streams (the matrix-vector
      // pattern).
      const bool west = cfg.queuePosition(q) == 0;
      i = Instruction::make(Opcode::kLwi);
      i.set(Field::kIndex, 0);
      i.set(Field::kSrca, sref(west ? Dir::kWest : Dir::kEast, 0));
      i.set(Field::kLwn, static_cast<std::int32_t>(std::min(cfg.lanes(), cfg.streamsPerDir())));
    } else {  // an MXM's compute queue
      i = Instruction::make(Opcode::kAbca);
      i.set(Field::kSrca, sref(q == 0 ? Dir::kWest : Dir::kEast, 0));
      i.set(Field::kIndex, 0);
      d = ival;
    }
    for (unsigned b = 0; b < blocks; ++b) {
      p.queues[q].push_back(isa::encode(i));
      p.queues[q].push_back(repeatWord(1023, d, stride));
      if (d > 1) {  // the next instruction follows the last re-issue by 1 cycle: keep ABCs d apart
        Instruction nop = Instruction::make(Opcode::kNop);
        nop.set(Field::kCount, static_cast<std::int32_t>(d - 1));
        p.queues[q].push_back(isa::encode(nop));
      }
    }
    p.queues[q].push_back(isa::encode(Instruction::make(Opcode::kHalt)));
    if (cfg.memIndex(q) >= 0) {  // non-zero data, so the VXM and MXM do real work
      isa::DataSegment d{q, 0, std::vector<std::uint8_t>(std::size_t{1024} * cfg.lanes())};
      std::uint32_t x = 12345 + q;
      for (auto& b : d.bytes) b = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 16);
      p.data.push_back(std::move(d));
    }
  }
  return p;
}

class Counter : public model::Observer {
 public:
  void onDispatch(const model::Dispatch&) override { ++events; }
  void onStreamWrite(const model::StreamWrite&) override { ++events; }
  std::uint64_t events = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names;
  std::string out_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--config" && i + 1 < argc) {
      names.emplace_back(argv[++i]);
    } else if (!a.empty() && a[0] != '-') {
      out_path = a;
    } else {
      std::fprintf(stderr, "usage: lpu_model_bench [FILE.json] [--config NAME]... [--quick]\n");
      return 2;
    }
  }
  if (names.empty())
    for (const isa::ArchParams& p : isa::kConfigs) names.emplace_back(p.name);
  nlohmann::json results = nlohmann::json::array();
  std::printf("%-6s %-13s %10s %9s %10s %10s\n", "config", "observer", "cycles", "seconds", "Mcycles/s", "events");
  for (const std::string& name : names) {
    const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
    const unsigned blocks = quick ? 2u : std::min(64u, cfg.params().queue_depth / 3 - 1);
    const isa::Program prog = busyProgram(cfg, blocks);
    for (bool observe : {false, true}) {
      model::Machine m(cfg);
      Counter counter;
      if (observe) m.addObserver(&counter);
      m.loadProgram(prog);
      m.start();
      const auto t0 = std::chrono::steady_clock::now();
      const model::RunState s = m.run(100000000);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s != model::RunState::kDone) {
        std::fprintf(stderr, "%s: run failed: %s\n", name.c_str(), m.error() ? m.error()->message.c_str() : "?");
        return 1;
      }
      const double rate = static_cast<double>(m.cycle()) / secs;
      std::printf("%-6s %-13s %10llu %9.3f %10.2f %10llu\n", name.c_str(), observe ? "yes" : "no",
                  static_cast<unsigned long long>(m.cycle()), secs, rate / 1e6,
                  static_cast<unsigned long long>(counter.events));
      results.push_back({{"config", name},
                         {"observer", observe},
                         {"cycles", m.cycle()},
                         {"seconds", secs},
                         {"cycles_per_s", rate},
                         {"observer_events", counter.events}});
    }
  }
  if (!out_path.empty()) {
    std::ofstream f(out_path);
    f << nlohmann::json{{"unit", "golden-model program cycles per second (wall time)"},
                        {"workload",
                         "busy: every queue issues every cycle (MEM read, VXM mul.i32, SXM rotate, "
                         "MXM abca and lwi)"},
                        {"benchmarks", results}}
             .dump(1)
      << "\n";
    if (!f) {
      std::fprintf(stderr, "lpu_model_bench: cannot write %s\n", out_path.c_str());
      return 1;
    }
  }
  return 0;
}
