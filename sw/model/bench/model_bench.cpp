// lpu_model_bench: rough cycles/second of the golden model on a busy program (every queue issues an instruction
// every cycle: MEM reads, VXM mul.i32, SXM rotates, MXM abca at the configuration's ABC rate), per configuration,
// with and without an observer attached. Not a test; prints one line per measurement.
//
//   lpu_model_bench [small|large ...]
#include <chrono>
#include <cstdio>
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
      i.set(Field::kDst, sref(Dir::kEast, 4));
      i.set(Field::kSrca, sref(Dir::kWest, 0));
      i.set(Field::kSrcb, sref(Dir::kEast, 0));
    } else if (q == 1 || q == last - 1) {
      i = Instruction::make(Opcode::kRotate);
      i.set(Field::kDst, sref(q == 1 ? Dir::kEast : Dir::kWest, 1));
      i.set(Field::kSrca, sref(q == 1 ? Dir::kWest : Dir::kEast, 1));
      i.set(Field::kImm8, 3);
    } else {
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
  for (int i = 1; i < argc; ++i) names.emplace_back(argv[i]);
  if (names.empty()) names = {"small", "large"};
  for (const std::string& name : names) {
    const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
    const unsigned blocks = std::min(64u, cfg.params().queue_depth / 3 - 1);
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
      std::printf("%-6s %-13s %10llu cycles in %.3f s = %.2f Mcycles/s (%llu events)\n", name.c_str(),
                  observe ? "with observer" : "no observer", static_cast<unsigned long long>(m.cycle()), secs,
                  static_cast<double>(m.cycle()) / secs / 1e6, static_cast<unsigned long long>(counter.events));
    }
  }
  return 0;
}
