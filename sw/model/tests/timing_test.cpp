// Timing equation (docs/architecture.md §4): a result of latency L dispatched at t by the slice at p is loaded into
// R[d][s][p±1] at the end of t+L-1 and is visible h hops away in cycle t + L + h - 1, in both directions, on both
// configurations. The neighbour arrival is checked with the StreamWrite event, every further hop by reading the
// stream registers at each cycle end.
#include <gtest/gtest.h>

#include <map>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

// Records, for one stream, the cycles in which `value` is visible at each position.
class Watcher : public Observer {
 public:
  Watcher(const Machine& m, Dir d, unsigned s, Bytes value) : m_(m), d_(d), s_(s), value_(std::move(value)) {}
  void onCycleEnd(std::uint64_t cycle) override {
    // The registers now hold what the slices read in cycle + 1.
    for (unsigned q = 0; q < m_.config().positions(); ++q) {
      auto r = m_.streamReg(d_, s_, q);
      if (Bytes(r.begin(), r.end()) == value_) seen[q].push_back(cycle + 1);
    }
  }
  std::map<unsigned, std::vector<std::uint64_t>> seen;

 private:
  const Machine& m_;
  Dir d_;
  unsigned s_;
  Bytes value_;
};

struct Producer {
  const char* what;
  unsigned position;  // relative code: resolved per config in the test
  std::function<std::uint32_t(StreamRef)> word;
  unsigned latency;
};

class Timing : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

// For each producer and direction: dispatch at t = 3 and check the value's visibility at every position it passes.
TEST_P(Timing, ArrivalAtHHopsIsTPlusLPlusHMinusOne) {
  const auto [name, west] = GetParam();
  ArchConfig cfg = ArchConfig::byName(name);
  const Dir d = west ? Dir::kWest : Dir::kEast;
  const unsigned v = cfg.vxmPosition(), lanes = cfg.lanes();
  const std::uint64_t t = 3;
  struct Case {
    const char* what;
    unsigned p;
    std::uint32_t word;
    Bytes value;  // what appears on stream 1 (plane 1 for the i16 exp2)
    unsigned L;
  };
  const Bytes data(lanes, 0x5A);
  std::vector<Case> cases = {
      // read of word 0 (= data) from the MEM slice west/east of the VXM
      {"read", west ? v + 1 : v - 1, read(0, StreamRef{d, 1}), data, latency(Opcode::kRead)},
      // gather with an all-zero map (streams 6/7 are never written) reads superlane k of word 0
      {"gather", west ? v + 1 : v - 1, gather(StreamRef{d, 1}, E(6)), data, latency(Opcode::kGather)},
      // not.i8 of the all-zero stream 3 = 0xFF
      {"not", v, vxm(Opcode::kNot, ElemType::kI8, StreamRef{d, 1}, E(3)), Bytes(lanes, 0xFF), latency(Opcode::kNot)},
      // cmpeq.i8 0 == 0 = -1
      {"cmpeq", v, vxm(Opcode::kCmpeq, ElemType::kI8, StreamRef{d, 1}, E(3), W(3)), Bytes(lanes, 0xFF),
       latency(Opcode::kCmpeq)},
      // exp2.i16 of 0 = 16384 = 0x4000: plane 1 (stream 1) holds 0x40
      {"exp2", v, vxm(Opcode::kExp2, ElemType::kI16, StreamRef{d, 0}, E(4)), Bytes(lanes, 0x40),
       latency(Opcode::kExp2)},
  };
  for (const Case& c : cases) {
    Machine m(cfg);
    ProgramBuilder b(cfg);
    if (cfg.memIndex(c.p) >= 0) b.data(c.p, 0, data);
    b.at(c.p, t, c.word);
    b.at(c.p, t + 40, halt());  // values in flight on streams do not keep the machine running: stay for them
    m.loadProgram(b.build());
    Watcher watch(m, d, 1, c.value);
    Recorder rec;
    m.addObserver(&watch);
    m.addObserver(&rec);
    m.start();
    ASSERT_EQ(m.run(1000), RunState::kDone) << c.what;
    // Neighbour: the StreamWrite at the end of t+L-1.
    const RecordedStreamWrite* w = rec.find(c.p, d, 1);
    ASSERT_NE(w, nullptr) << c.what;
    EXPECT_EQ(w->cycle, t + c.L - 1) << c.what;
    EXPECT_EQ(w->position, west ? c.p - 1 : c.p + 1) << c.what;
    // Every position h hops away in the direction of travel sees it in exactly one cycle, t + L + h - 1.
    for (unsigned q = 0; q < cfg.positions(); ++q) {
      const bool downstream = west ? q < c.p : q > c.p;
      if (!downstream) {
        EXPECT_TRUE(watch.seen[q].empty()) << c.what << " at " << q;
        continue;
      }
      const std::uint64_t h = west ? c.p - q : q - c.p;
      EXPECT_EQ(watch.seen[q], (std::vector<std::uint64_t>{t + c.L + h - 1})) << c.what << " at " << q;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, Timing, ::testing::Combine(::testing::Values("small", "large"), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, bool>>& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "West" : "East");
                         });

// The worked example of docs/architecture.md §4, on small, with hand-written cycles: `read` on MEM_E0 (6) at 10
// onto W1 is visible to the VXM (5) at 12; `add.i8 E2, W1, W1` there at 12 is visible at MEM_E0 at 14 and at
// MEM_E2 (8) at 16, where `write 5, E2` at 16 stores it (commit at the end of 16). MEM_E2 halts at 17: T = 18.
// Data 0x31 per lane -> 0x62.
TEST(Timing, ArchitectureWorkedExample) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  ProgramBuilder b(cfg);
  b.data(6, 0, Bytes(16, 0x31));
  b.at(6, 10, read(0, W(1)));
  b.at(5, 12, vxm(Opcode::kAdd, ElemType::kI8, E(2), W(1), W(1)));
  b.at(8, 16, write(5, E(2)));
  Recorder rec;
  m.loadProgram(b.build());
  Watcher at_e2(m, Dir::kEast, 2, Bytes(16, 0x62));
  Watcher at_w1(m, Dir::kWest, 1, Bytes(16, 0x31));
  m.addObserver(&rec);
  m.addObserver(&at_e2);
  m.addObserver(&at_w1);
  m.start();
  ASSERT_EQ(m.run(1000), RunState::kDone);
  EXPECT_EQ(m.cycle(), 18u);
  EXPECT_EQ(at_w1.seen[5], (std::vector<std::uint64_t>{12}));
  EXPECT_EQ(at_e2.seen[6], (std::vector<std::uint64_t>{14}));
  EXPECT_EQ(at_e2.seen[8], (std::vector<std::uint64_t>{16}));
  EXPECT_EQ(m.readSram(8, 5), Bytes(16, 0x62));
  ASSERT_EQ(rec.mems.size(), 1u);
  EXPECT_EQ(rec.mems[0].cycle, 16u);
}

// Entry registers load 0 and values leave the chip: after the run every stream register is 0 again once enough
// cycles passed. A read at MEM_W0 onto E0 at 0 on small travels 4 -> 10 (visible at 5..10 in 2..7) and is gone.
TEST(Timing, ValuesLeaveTheChip) {
  ArchConfig cfg = ArchConfig::byName("small");
  Machine m(cfg);
  ProgramBuilder b(cfg);
  b.data(4, 0, Bytes(16, 9));
  b.at(4, 0, read(0, E(0)));
  b.at(5, 20, halt());  // keep running until cycle 20
  m.loadProgram(b.build());
  Watcher w(m, Dir::kEast, 0, Bytes(16, 9));
  m.addObserver(&w);
  m.start();
  ASSERT_EQ(m.run(1000), RunState::kDone);
  EXPECT_EQ(m.cycle(), 21u);
  EXPECT_EQ(w.seen[10], (std::vector<std::uint64_t>{7}));
  for (unsigned q = 0; q < 11; ++q)
    for (unsigned s = 0; s < 8; ++s) {
      auto r = m.streamReg(Dir::kEast, s, q);
      ASSERT_EQ(Bytes(r.begin(), r.end()), Bytes(16, 0));
    }
}

}  // namespace
}  // namespace lpu::model::test
