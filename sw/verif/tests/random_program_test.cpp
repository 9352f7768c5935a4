// The random program generator produces programs that are legal word by word and reproducible from a seed.
#include "sw/verif/random_program.hpp"

#include <gtest/gtest.h>

#include "sw/isa/isa.hpp"

namespace lpu::verif {
namespace {

class RandomProgramTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RandomProgramTest, EveryWordDecodesAndValidatesForItsQueue) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(GetParam());
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    RandomProgramOptions opt;
    opt.seed = seed;
    const isa::Program p = randomProgram(cfg, opt);
    ASSERT_EQ(p.queues.size(), cfg.queues());
    for (unsigned q = 0; q < p.queues.size(); ++q) {
      ASSERT_FALSE(p.queues[q].empty());
      ASSERT_LE(p.queues[q].size(), cfg.params().queue_depth);
      EXPECT_EQ(p.queues[q].back(), isa::encode(isa::Instruction::make(isa::Opcode::kHalt)));
      for (std::uint32_t w : p.queues[q]) {
        const isa::DecodeResult d = isa::decode(w);
        ASSERT_EQ(d.error, isa::ErrorCode::kNone) << "seed " << seed << " queue " << q << ": " << d.message;
        const isa::ValidateResult v = isa::validate(d.insn, cfg, q);
        ASSERT_EQ(v.error, isa::ErrorCode::kNone) << "seed " << seed << " queue " << q << ": " << v.message;
      }
    }
    // The container round-trips, so the generated program is loadable by every tool.
    EXPECT_NO_THROW(isa::deserialize(isa::serialize(p), "random"));
  }
}

TEST_P(RandomProgramTest, SameSeedGivesTheSameProgram) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(GetParam());
  RandomProgramOptions opt;
  opt.seed = 77;
  EXPECT_EQ(isa::serialize(randomProgram(cfg, opt)), isa::serialize(randomProgram(cfg, opt)));
  RandomProgramOptions other = opt;
  other.seed = 78;
  EXPECT_NE(isa::serialize(randomProgram(cfg, opt)), isa::serialize(randomProgram(cfg, other)));
}

INSTANTIATE_TEST_SUITE_P(Configs, RandomProgramTest, ::testing::Values("small", "large"));

}  // namespace
}  // namespace lpu::verif

#include "sw/model/machine.hpp"

namespace lpu::verif {
namespace {

// The generator's static reasoning (no result collisions, no edge writes, legal repeats and ABC spacing, no
// deadlock) is checked against the golden model: a legal program must finish without an error status.
TEST_P(RandomProgramTest, LegalProgramsFinishWithoutErrorOnTheModel) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(GetParam());
  model::Machine m(cfg);
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    RandomProgramOptions opt;
    opt.seed = seed;
    m.loadProgram(randomProgram(cfg, opt));
    m.start();
    const model::RunState s = m.run(100000);
    ASSERT_EQ(s, model::RunState::kDone) << "seed " << seed << ": "
                                         << (m.error() ? m.error()->message : std::string("no error info"));
    EXPECT_GT(m.cycle(), 1u);
  }
}

}  // namespace
}  // namespace lpu::verif
