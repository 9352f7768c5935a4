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
  // From kAttentionSplitPosition each head is two programs.
  EXPECT_GT(programs.step(last).size(), programs.step(0).size());
  EXPECT_GT(programs.predictedCycles(last), programs.predictedCycles(0));
}

// The heads as two programs each (scores and softmax weights, then their sum and w.V) from position 2 on: the
// same logits and the predicted cycles.
TEST(LpuDecoder, SplitAttentionEqualsIntModel) {
  DecoderOptions o = defaultDecoderOptions("ulx3s");
  o.attention_split_position = 2;
  expectLogitsEqual("ulx3s", o, 5, 11);
}

// Every position near the split and up to the last cache row compiles (every queue within its 512 words), the
// split programs from kAttentionSplitPosition on; a position past the cache is an error naming the cache.
TEST(LpuDecoder, HighPositionsCompileAndPositionPastCacheIsRefused) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 7);
  IntModel ref(ck);
  DecodePrograms dp(ref.weights(), "ulx3s", defaultDecoderOptions("ulx3s"));
  const int rows = cacheRows(ck.config);
  ASSERT_EQ(rows, 256);
  std::vector<int> positions;
  for (int pos = kAttentionSplitPosition - 4; pos < rows; pos += pos < kAttentionSplitPosition + 4 ? 1 : 3)
    positions.push_back(pos);
  positions.push_back(rows - 1);
  for (int pos : positions) {
    const auto& step = dp.step(pos);
    const std::size_t want = pos >= kAttentionSplitPosition ? 114 : 74;
    EXPECT_EQ(step.size(), want) << "position " << pos;
    for (const ChainProgram* p : step)
      for (const auto& q : p->result.program.queues) EXPECT_LE(q.size(), 512u) << p->name << " position " << pos;
  }
  EXPECT_EQ(dp.step(rows - 1)[2]->name, "l0.att0w");
  EXPECT_EQ(dp.step(rows - 1)[3]->name, "l0.att0v");
  try {
    dp.step(rows);
    FAIL() << "position 256 compiled";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("outside the KV cache"), std::string::npos) << e.what();
  }
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
