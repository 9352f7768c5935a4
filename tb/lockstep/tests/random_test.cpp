// Fixed-seed random regression: constrained-random legal programs (sw/verif) on the RTL in lockstep
// with the golden model, both configurations. Seed policy (docs/verification.md section 5): every
// suite runs a fixed, contiguous seed range, split into chunks (one test each, so ctest -j spreads
// them over the cores); seeds that ever exposed a mismatch are added to kRegressionSeeds and stay
// there. A failing seed prints the one-line command that reruns it (build/bin/lpu-lockstep --config
// ... --seed N ...) and the one that writes its waveform.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sw/verif/random_program.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace lpu::lockstep {
namespace {

// The RTL runs the MXM load queues (MXM_W_LOAD / MXM_E_LOAD, lw multi-row, lwi, abce) once this is
// true.
constexpr bool kRtlHasMxmLoadQueues = true;

struct Suite {
  const char* name;
  const char* config;
  std::uint64_t first_seed;
  unsigned seeds;
  unsigned chunk;                       // seeds per test
  verif::RandomProgramOptions options;  // seed set per program
};

// Loading through the host port costs 2 + lanes/4 clocks per SRAM word: small windows of
// initialised SRAM keep the programs quick (the window's base is random, so the addresses still
// cover the slices over the seeds).
verif::RandomProgramOptions base(unsigned data_words = 16) {
  verif::RandomProgramOptions o;
  o.use_mxm = kRtlHasMxmLoadQueues;
  o.data_words = data_words;
  return o;
}
// large: short programs and 2 initialised words per MEM slice. Its verilated model runs ~2k
// clocks/s (small ~50k), so a large program costs about half a second (docs/verification.md section 5).
verif::RandomProgramOptions largePrograms() {
  verif::RandomProgramOptions o = base(2);
  o.min_insns = 2;
  o.max_insns = 10;
  return o;
}
verif::RandomProgramOptions withGatherScatter(verif::RandomProgramOptions o) {
  o.gather_scatter_weight = 3;
  return o;
}

// Sized for about 3-4 minutes of `ctest -j2` on two shared cores (docs/verification.md has the
// measured times).
const std::vector<Suite>& suites() {
  static const std::vector<Suite> s = {
      {"ulx3s", "ulx3s", 1, 3000, 100, base()},
      {"ulx3s_data64", "ulx3s", 50001, 200, 100, base(64)},
      {"ulx3s_gs", "ulx3s", 100001, 300, 100, withGatherScatter(base())},
      {"large", "large", 1, 320, 10, largePrograms()},
      {"large_gs", "large", 100001, 80, 10, withGatherScatter(largePrograms())},
  };
  return s;
}

// Seeds that once exposed an RTL/model mismatch: (suite, seed). Always run.
const std::vector<std::pair<const char*, std::uint64_t>> kRegressionSeeds = {};

struct Chunk {
  const Suite* suite;
  std::uint64_t first;
  unsigned count;
};

std::vector<Chunk> chunks() {
  std::vector<Chunk> out;
  for (const Suite& s : suites()) {
    for (unsigned i = 0; i < s.seeds; i += s.chunk)
      out.push_back({&s, s.first_seed + i, std::min(s.chunk, s.seeds - i)});
  }
  return out;
}

void runSeeds(const Suite& s, std::uint64_t first, unsigned count) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(s.config);
  unsigned errors = 0, failures = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    verif::RandomProgramOptions o = s.options;
    o.seed = seed;
    const isa::Program p = verif::randomProgram(cfg, o);
    Options opt;
    opt.init_seed = static_cast<std::uint32_t>(seed);  // as lpu-lockstep --seed does
    opt.repro = randomRepro(s.config, o);
    opt.name = fmt::format("seed{}", seed);
    const Result r = run(cfg, p, opt);
    if (r.model_error) ++errors;
    if (!r.ok()) {
      ADD_FAILURE() << r.report();
      if (++failures >= 3) {
        ADD_FAILURE() << "stopping this chunk after 3 mismatching seeds";
        return;
      }
    }
    // Without gather/scatter a generated program is legal: it must not raise any error.
    if (s.options.gather_scatter_weight == 0 && r.model_error) {
      ADD_FAILURE() << "random program raised " << isa::errorName(r.model_error->code)
                    << " although the generator promises a legal program: " << r.model_error->message
                    << "\n  rerun: " << opt.repro;
    }
  }
  ::testing::Test::RecordProperty("programs_with_errors", static_cast<int>(errors));
}

void PrintTo(const Chunk& c, std::ostream* os) {
  *os << c.suite->name << " seeds " << c.first << ".." << c.first + c.count - 1;
}

class RandomRegression : public ::testing::TestWithParam<Chunk> {};

TEST_P(RandomRegression, MatchesTheModel) { runSeeds(*GetParam().suite, GetParam().first, GetParam().count); }

INSTANTIATE_TEST_SUITE_P(Seeds, RandomRegression, ::testing::ValuesIn(chunks()),
                         [](const ::testing::TestParamInfo<Chunk>& info) {
                           return fmt::format("{}_{}_{}", info.param.suite->name, info.param.first,
                                              info.param.first + info.param.count - 1);
                         });

TEST(RandomRegression, KnownSeeds) {
  for (const auto& [suite, seed] : kRegressionSeeds) {
    for (const Suite& s : suites()) {
      if (std::string(s.name) == suite) runSeeds(s, seed, 1);
    }
  }
}

// One harness and one model for a sequence of programs, as a host uses a device: SRAM contents
// carry over, runs that stopped on an error (gather/scatter BAD_ADDRESS, results still in flight)
// are followed by the next load and START.
TEST(RandomRegression, BackToBackProgramsOnOneDevice) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  Session session(cfg);
  unsigned errors = 0;
  for (std::uint64_t seed = 900001; seed <= 900060; ++seed) {
    verif::RandomProgramOptions o = withGatherScatter(base());
    o.gather_scatter_weight = 6;
    o.seed = seed;
    Options opt;
    opt.repro =
        "(program " + std::to_string(seed - 900000) + " of a Session: " + randomRepro("ulx3s", o) + " reruns it alone)";
    const Result r = session.run(verif::randomProgram(cfg, o), opt);
    ASSERT_TRUE(r.ok()) << r.report();
    if (r.model_error) ++errors;
  }
  EXPECT_GT(errors, 0u);  // some runs stopped on an error, and the next ones still matched
}

}  // namespace
}  // namespace lpu::lockstep
