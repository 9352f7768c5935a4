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

// A driver::Device that counts the SRAM bytes the host writes (program data segments and writeSram).
class CountingDevice final : public driver::Device {
 public:
  explicit CountingDevice(driver::Device& inner) : inner_(inner) {}
  const isa::ArchConfig& config() const override { return inner_.config(); }
  void loadProgram(const isa::Program& program) override {
    for (const isa::DataSegment& seg : program.data) bytes += seg.bytes.size();
    inner_.loadProgram(program);
  }
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) override {
    bytes += word.size();
    inner_.writeSram(position, address, word);
  }
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) override {
    return inner_.readSram(position, address);
  }
  driver::RunResult run(std::uint64_t max_cycles, std::ostream* trace) override {
    return inner_.run(max_cycles, trace);
  }
  std::uint64_t bytes = 0;

 private:
  driver::Device& inner_;
};

// Per step the host writes only what the token needs: its row of x (dim int32) and each layer's RoPE rows (cos and
// sin for q and k, i16), as SRAM words of `lanes` bytes; the weights, the requants' multipliers and the programs'
// constants are resident (the setup image and the chain's constant pool). A position compiled for the first time may
// add a few constants to the pool (e.g. the attention's mask of its last, partly filled, block of positions), written
// once and counted apart.
TEST(LpuDecoder, StepWritesOnlyTokenInputs) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 7);
  IntModel ref(ck);
  const isa::ArchConfig& cfg = isa::ArchConfig::byName("ulx3s");
  auto inner = driver::makeDevice("model", cfg);
  CountingDevice device(*inner);
  LpuDecoder lpu(ref.weights(), "ulx3s", device, defaultDecoderOptions("ulx3s"));
  const Config& c = ck.config;
  const std::uint64_t lanes = cfg.params().lanes;
  auto words = [&](int cols, unsigned bytes) { return std::uint64_t(cols + int(lanes) - 1) / lanes * bytes * lanes; };
  const std::uint64_t want =
      words(c.dim, 4) + std::uint64_t(c.n_layers) * (2 * words(c.dim, 2) + 2 * words(c.kvDim(), 2));
  ASSERT_EQ(want, 2176u);  // stories260K on ulx3s: x 256 bytes, RoPE 384 bytes per layer
  const std::size_t setup_constants = lpu.programs().chain().pool().segments().size();
  EXPECT_GT(setup_constants, 0u);
  for (int pos = 0; pos < 12; ++pos) {
    const int token = 1 + 37 * pos;
    device.bytes = 0;
    ref.forward(token, pos);
    lpu.forward(token, pos);
    ASSERT_EQ(std::vector<std::int16_t>(lpu.logitsInt().begin(), lpu.logitsInt().end()),
              std::vector<std::int16_t>(ref.logitsInt().begin(), ref.logitsInt().end()))
        << "position " << pos;
    EXPECT_EQ(lpu.lastStep().data_bytes, want) << "position " << pos;
    EXPECT_EQ(device.bytes, want + lpu.lastStep().constant_bytes) << "position " << pos;
    // At most 16 constant words, once per position; none at position 0 (the setup image has them).
    EXPECT_LE(lpu.lastStep().constant_bytes, 16 * lanes) << "position " << pos;
    if (pos == 0) {
      EXPECT_EQ(lpu.lastStep().constant_bytes, 0u);
    }
  }
  // A position run again: its programs and constants are all there, only the inputs are written.
  device.bytes = 0;
  lpu.forward(5, 3);
  EXPECT_EQ(device.bytes, want);
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
