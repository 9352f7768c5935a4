// LpuDecoder on the golden model against IntModel: the i16 logits of every position equal, bit for bit, and every
// step takes exactly the predicted cycles (LpuDecoder checks each program's count and throws otherwise).
#include "sw/llm/lpu_decoder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "sw/llm/generate.hpp"
#include "sw/llm/int_model.hpp"

namespace lpu::llm {
namespace {

void expectLogitsEqual(const std::string& config, const DecoderOptions& options, int positions, std::uint64_t seed,
                       const std::string& shape = "260K") {
  const Checkpoint ck = randomCheckpoint(shapeConfig(shape), seed);
  IntModel ref(ck);
  auto device = driver::makeDevice("model", isa::ArchConfig::byName(config));
  LpuDecoder lpu(ref.weights(), config, *device, options);
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::uniform_int_distribution<int> tok(0, ck.config.vocab_size - 1);
  for (int pos = 0; pos < positions; ++pos) {
    const int token = pos == 0 ? 1 : tok(rng);
    ref.forward(token, pos);
    lpu.forward(token, pos);
    const std::vector<std::int16_t> want(ref.logitsInt().begin(), ref.logitsInt().end());
    const std::vector<std::int16_t> got(lpu.logitsInt().begin(), lpu.logitsInt().end());
    ASSERT_EQ(got, want) << config << " position " << pos << " token " << token;
    EXPECT_EQ(lpu.lastStep().next, ref.argmax()) << "position " << pos;
    EXPECT_EQ(lpu.lastStep().cycles, lpu.programs().predictedCycles(pos));
  }
}

TEST(LpuDecoder, LogitsEqualIntModelOnUlx3s) { expectLogitsEqual("ulx3s", defaultDecoderOptions("ulx3s"), 6, 7); }

// stories15M's shape (dim 288, 6 layers of 6 heads of 48, hidden 768, vocabulary 32,000) on xl: 104 programs a
// token, about 53,000 cycles (about 1.4 s of golden model per token).
TEST(LpuDecoder, Stories15MLogitsEqualIntModelOnXl) {
  expectLogitsEqual("xl", defaultDecoderOptions("xl"), 4, 11, "15M");
}

// Every program of the last cache row's step compiles (the attention over all 256 rows is the largest program).
TEST(LpuDecoder, Stories15MCompilesTheLastPositionOnXl) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("15M"), 12);
  DecodePrograms programs(quantizeModel(ck), "xl", defaultDecoderOptions("xl"));
  const int last = cacheRows(ck.config) - 1;
  EXPECT_EQ(programs.step(last).size(), programs.step(0).size());
  EXPECT_GT(programs.predictedCycles(last), programs.predictedCycles(0));
}

// The embedding on the device (the table resident, the host writes the token id) instead of the host's row.
TEST(LpuDecoder, DeviceEmbeddingOnUlx3sLayers) {
  // (ulx3s has no room for stories260K's table next to all five layers: a two-layer model, 128 tokens.)
  Config c = shapeConfig("260K");
  c.n_layers = 2;
  c.vocab_size = 128;
  const Checkpoint ck = randomCheckpoint(c, 9);
  IntModel ref(ck);
  auto device = driver::makeDevice("model", isa::ArchConfig::byName("ulx3s"));
  DecoderOptions o = defaultDecoderOptions("ulx3s");
  o.device_embedding = true;
  LpuDecoder lpu(ref.weights(), "ulx3s", *device, o);
  for (int pos = 0; pos < 3; ++pos) {
    const int token = 1 + 57 * pos;
    ref.forward(token, pos);
    lpu.forward(token, pos);
    ASSERT_EQ(std::vector<std::int16_t>(lpu.logitsInt().begin(), lpu.logitsInt().end()),
              std::vector<std::int16_t>(ref.logitsInt().begin(), ref.logitsInt().end()))
        << "position " << pos;
  }
  EXPECT_EQ(lpu.programs().step(0).front()->name, "embed");
}

}  // namespace
}  // namespace lpu::llm
