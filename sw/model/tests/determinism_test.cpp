// Determinism: the same program run twice (on fresh machines, and on one machine restarted with the same SRAM image)
// gives the identical cycle count, SRAM contents and observer event sequence (FNV hash over every event).
#include <gtest/gtest.h>

#include "sw/model/tests/test_util.hpp"
#include "sw/verif/random_program.hpp"

namespace lpu::model::test {
namespace {

struct Outcome {
  RunState state;
  std::uint64_t cycles;
  std::uint64_t hash;
  std::size_t events;
  std::uint64_t sram_hash;
};

std::uint64_t sramHash(const Machine& m) {
  const ArchConfig& cfg = m.config();
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned p = 0; p < cfg.positions(); ++p) {
    if (cfg.memIndex(p) < 0) continue;
    for (std::uint32_t a = 0; a < cfg.wordsPerSlice(); ++a)
      for (std::uint8_t b : m.sramWord(p, a)) {
        h ^= b;
        h *= 1099511628211ull;
      }
  }
  return h;
}

Outcome runOnce(Machine& m, const isa::Program& p) {
  Recorder rec;
  RunResult r = runProgram(m, p, &rec);
  return {r.state, r.cycles, rec.hash, rec.dispatches.size() + rec.streams.size() + rec.mems.size(), sramHash(m)};
}

class Determinism : public ::testing::TestWithParam<std::string> {};

TEST_P(Determinism, SameProgramSameEverything) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    verif::RandomProgramOptions opt;
    opt.seed = seed;
    opt.min_insns = 30;
    opt.max_insns = 80;
    const isa::Program p = verif::randomProgram(cfg, opt);
    Machine a(cfg), b(cfg);
    const Outcome oa = runOnce(a, p), ob = runOnce(b, p);
    ASSERT_EQ(oa.state, RunState::kDone) << "seed " << seed << ": " << (a.error() ? a.error()->message : "");
    EXPECT_EQ(oa.cycles, ob.cycles) << "seed " << seed;
    EXPECT_EQ(oa.hash, ob.hash) << "seed " << seed;
    EXPECT_EQ(oa.sram_hash, ob.sram_hash) << "seed " << seed;
    EXPECT_GT(oa.events, 0u);
    // A different seed gives a different event sequence (the hash is not constant).
    opt.seed = seed + 1000;
    Machine c(cfg);
    EXPECT_NE(runOnce(c, verif::randomProgram(cfg, opt)).hash, oa.hash);
  }
}

// Restarting one machine: start() resets everything but SRAM and queues. Fresh machine B gets A's SRAM image after
// a first run; A's second run and B's run of the same program then agree exactly.
TEST_P(Determinism, RestartIsAFreshStartWithTheSameSram) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  verif::RandomProgramOptions opt;
  opt.seed = 99;
  const isa::Program p = verif::randomProgram(cfg, opt);
  Machine a(cfg);
  runOnce(a, p);
  Machine b(cfg);
  for (unsigned q = 0; q < cfg.positions(); ++q) {
    if (cfg.memIndex(q) < 0) continue;
    for (std::uint32_t w = 0; w < cfg.wordsPerSlice(); ++w) b.writeSram(q, w, a.sramWord(q, w));
  }
  const Outcome oa = runOnce(a, p), ob = runOnce(b, p);
  EXPECT_EQ(oa.state, RunState::kDone);
  EXPECT_EQ(oa.cycles, ob.cycles);
  EXPECT_EQ(oa.hash, ob.hash);
  EXPECT_EQ(oa.sram_hash, ob.sram_hash);
}

INSTANTIATE_TEST_SUITE_P(Configs, Determinism, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace lpu::model::test
