// Checkpoint reader and writer: round trips through the generator, the file layout of the real shapes, the
// generator's distributions and determinism, and one test per class of malformed file.
#include "sw/llm/checkpoint.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "sw/llm/error.hpp"
#include "sw/llm/generate.hpp"

namespace lpu::llm {
namespace {

std::vector<std::uint8_t> image260K(std::uint64_t seed = 7) {
  return serializeCheckpoint(randomCheckpoint(shapeConfig("260K"), seed));
}

void setField(std::vector<std::uint8_t>& bytes, int index, std::int32_t value) {
  std::memcpy(bytes.data() + 4 * index, &value, 4);
}

// Parses `bytes` and returns the FormatError's field, failing the test when no FormatError is thrown.
FormatError parseError(const std::vector<std::uint8_t>& bytes) {
  try {
    parseCheckpoint(bytes, "bad.bin");
  } catch (const FormatError& e) {
    EXPECT_EQ(e.file(), "bad.bin");
    EXPECT_NE(std::string(e.what()).find("bad.bin: " + e.field() + ": "), std::string::npos) << e.what();
    return e;
  }
  ADD_FAILURE() << "no FormatError";
  return FormatError("", "", "");
}

TEST(Checkpoint, ShapesHaveTheLlama2cHeadersAndFileSizes) {
  const Config s = shapeConfig("260K");
  EXPECT_EQ(s, (Config{64, 172, 5, 8, 4, 512, 512, true}));
  EXPECT_EQ(s.headSize(), 8);
  EXPECT_EQ(s.kvDim(), 32);
  EXPECT_EQ(s.kvMul(), 2);
  EXPECT_EQ(checkpointBytes(s), 1056540u);  // stories260K.bin (docs/llm.md)
  const Config m = shapeConfig("15M");
  EXPECT_EQ(m, (Config{288, 768, 6, 6, 6, 32000, 256, true}));
  EXPECT_EQ(checkpointBytes(m), 60816028u);  // stories15M.bin
  const Config t = shapeConfig("tiny");
  EXPECT_EQ(t, (Config{8, 16, 1, 1, 1, 64, 32, true}));
  EXPECT_EQ(t.headSize(), 8);  // ulx3s's lanes
  // 28 header bytes + 4 * (64*8 + 8 + 4*64 + 8 + 3*16*8 + 8 + 2*32*4) floats.
  EXPECT_EQ(checkpointBytes(t), 5756u);
  EXPECT_THROW(shapeConfig("7B"), std::invalid_argument);
}

TEST(Checkpoint, RoundTripsThroughTheGenerator) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 3);
  const auto bytes = serializeCheckpoint(ck);
  ASSERT_EQ(bytes.size(), checkpointBytes(ck.config));
  std::int32_t header[7];
  std::memcpy(header, bytes.data(), sizeof header);
  EXPECT_EQ(header[0], 64);
  EXPECT_EQ(header[5], 512);
  const Checkpoint back = parseCheckpoint(bytes, "x.bin");
  EXPECT_EQ(back.config, ck.config);
  EXPECT_TRUE(back.weights == ck.weights);
  EXPECT_EQ(back.classifier().data(), back.weights.token_embedding.data());
  // The tensors sit in run.c's order: the first float after the header is the embedding, the last rms_final
  // float comes right before freq_cis_real.
  float first = 0;
  std::memcpy(&first, bytes.data() + 28, 4);
  EXPECT_EQ(first, ck.weights.token_embedding[0]);
  // And through a file.
  const auto path = std::filesystem::temp_directory_path() / "lpu_llm_roundtrip.bin";
  writeCheckpoint(path, ck);
  EXPECT_TRUE(readCheckpoint(path).weights == ck.weights);
  EXPECT_EQ(readCheckpointConfig(path), ck.config);
}

TEST(Checkpoint, UnsharedClassifierHasNegativeVocabSizeAndWclsAtTheEnd) {
  Config c{32, 48, 2, 4, 2, 300, 16, false};
  const Checkpoint ck = randomCheckpoint(c, 5);
  ASSERT_EQ(ck.weights.wcls.size(), 300u * 32u);
  const auto bytes = serializeCheckpoint(ck);
  std::int32_t vocab = 0;
  std::memcpy(&vocab, bytes.data() + 20, 4);
  EXPECT_EQ(vocab, -300);
  float last = 0;
  std::memcpy(&last, bytes.data() + bytes.size() - 4, 4);
  EXPECT_EQ(last, ck.weights.wcls.back());
  const Checkpoint back = parseCheckpoint(bytes, "u.bin");
  EXPECT_FALSE(back.config.shared_classifier);
  EXPECT_EQ(back.config.vocab_size, 300);
  EXPECT_EQ(back.classifier().data(), back.weights.wcls.data());
  EXPECT_TRUE(back.weights == ck.weights);
}

TEST(Checkpoint, SameSeedSameBytesOtherSeedOtherBytes) {
  EXPECT_EQ(image260K(11), image260K(11));
  const auto a = image260K(11), b = image260K(12);
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::equal(a.begin(), a.begin() + 28, b.begin()));  // same header
}

TEST(Checkpoint, GeneratorDrawsTheDocumentedDistributions) {
  const Config c = shapeConfig("15M");
  const Checkpoint ck = randomCheckpoint(c, 1);
  auto stats = [](const std::vector<float>& v) {
    double s = 0, s2 = 0, mx = 0;
    for (float x : v) {
      s += x;
      s2 += static_cast<double>(x) * x;
      mx = std::max(mx, static_cast<double>(std::fabs(x)));
    }
    const double mean = s / static_cast<double>(v.size());
    return std::array<double, 3>{mean, std::sqrt(s2 / static_cast<double>(v.size()) - mean * mean), mx};
  };
  const auto emb = stats(ck.weights.token_embedding);
  EXPECT_NEAR(emb[0], 0.0, 1e-3);
  EXPECT_NEAR(emb[1], 2.0 / std::sqrt(288.0), 2e-3);
  const auto wq = stats(ck.weights.wq);
  EXPECT_NEAR(wq[1], 1.0 / std::sqrt(288.0), 1e-3);
  EXPECT_LE(wq[2], 6.0 / std::sqrt(288.0));  // Irwin-Hall is bounded at 6 sigma
  const auto w2 = stats(ck.weights.w2);
  EXPECT_NEAR(w2[1], 1.0 / std::sqrt(768.0) / std::sqrt(12.0), 1e-3);
  const auto rms = stats(ck.weights.rms_att);
  EXPECT_NEAR(rms[0], 1.0, 0.02);
  EXPECT_NEAR(rms[1], 0.1, 0.02);
  EXPECT_NEAR(ck.weights.freq_cis_real[24 * 3 + 1], std::cos(3.0 * std::pow(10000.0, -2.0 / 48.0)), 1e-6);
}

TEST(CheckpointErrors, TruncatedHeader) {
  auto bytes = image260K();
  bytes.resize(10);
  const auto e = parseError(bytes);
  EXPECT_EQ(e.field(), "header");
  EXPECT_NE(e.problem().find("expected 28 bytes"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("has 10"), std::string::npos) << e.what();
}

TEST(CheckpointErrors, TruncatedTensorsNameTheTensor) {
  const auto full = image260K();
  // Cut inside wq: header 28 + embedding 512*64*4 + rms_att 5*64*4 + 100 bytes.
  auto bytes = full;
  bytes.resize(28 + 512 * 64 * 4 + 5 * 64 * 4 + 100);
  auto e = parseError(bytes);
  EXPECT_EQ(e.field(), "tensor wq");
  EXPECT_NE(e.problem().find("1056540 bytes"), std::string::npos) << e.what();
  bytes = full;
  bytes.pop_back();
  EXPECT_EQ(parseError(bytes).field(), "tensor freq_cis_imag");
  bytes.resize(28);
  EXPECT_EQ(parseError(bytes).field(), "tensor token_embedding_table");
}

TEST(CheckpointErrors, ExtraBytesAreALengthMismatch) {
  auto bytes = image260K();
  bytes.resize(bytes.size() + 8);
  const auto e = parseError(bytes);
  EXPECT_EQ(e.field(), "file length");
  EXPECT_NE(e.problem().find("8 extra bytes after freq_cis_imag"), std::string::npos) << e.what();
  // A shared-classifier file with a trailing wcls: the header says shared, so the classifier is extra.
  auto unshared = serializeCheckpoint(randomCheckpoint(Config{32, 48, 2, 4, 2, 300, 16, false}, 1));
  setField(unshared, 5, 300);
  EXPECT_EQ(parseError(unshared).field(), "file length");
}

TEST(CheckpointErrors, NonPositiveAndNegativeFields) {
  const char* names[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i) {
    for (std::int32_t bad : {0, -4}) {
      if (i == 5 && bad < 0) continue;  // a negative vocab_size is the unshared flag
      auto bytes = image260K();
      setField(bytes, i, bad);
      EXPECT_EQ(parseError(bytes).field(), names[i]) << "field " << i << " = " << bad;
    }
  }
  auto bytes = image260K();
  setField(bytes, 5, INT32_MIN);
  EXPECT_EQ(parseError(bytes).field(), "vocab_size");
}

TEST(CheckpointErrors, InconsistentFields) {
  auto bytes = image260K();
  setField(bytes, 3, 7);  // dim 64 % 7 != 0
  auto e = parseError(bytes);
  EXPECT_EQ(e.field(), "n_heads");
  EXPECT_NE(e.problem().find("dim (64) must be a multiple of n_heads (7)"), std::string::npos) << e.what();
  bytes = image260K();
  setField(bytes, 4, 3);  // n_heads 8 % 3 != 0
  e = parseError(bytes);
  EXPECT_EQ(e.field(), "n_kv_heads");
  EXPECT_NE(e.problem().find("n_heads (8) must be a multiple of n_kv_heads (3)"), std::string::npos) << e.what();
  bytes = image260K();
  setField(bytes, 4, 16);  // more KV heads than heads
  EXPECT_EQ(parseError(bytes).field(), "n_kv_heads");
  bytes = image260K();
  setField(bytes, 3, 64);  // head_size 1: odd
  EXPECT_NE(parseError(bytes).problem().find("must be even"), std::string::npos);
  bytes = image260K();
  setField(bytes, 5, 1 << 30);  // vocab_size * dim overflows run.c's int indexing
  EXPECT_EQ(parseError(bytes).field(), "vocab_size");
  // A different but consistent header no longer matches the file length.
  bytes = image260K();
  setField(bytes, 1, 173);
  EXPECT_EQ(parseError(bytes).field(), "tensor freq_cis_imag");
}

TEST(CheckpointErrors, MissingFileNamesThePath) {
  try {
    readCheckpoint("/nonexistent/model.bin");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.bin: cannot open"), std::string::npos) << e.what();
  }
}

TEST(CheckpointErrors, SerializeRejectsTensorsOfTheWrongSize) {
  Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 1);
  ck.weights.w3.pop_back();
  EXPECT_THROW(serializeCheckpoint(ck), std::invalid_argument);
}

}  // namespace
}  // namespace lpu::llm
