// The fp32 forward pass against an independent, straightforward double-precision implementation written here
// (different loop structure: per-head matrices, RoPE as complex rotation, softmax by exp/sum in double), the
// building blocks against hand-computed values, determinism, and the greedy decode loop's run.c semantics.
#include "sw/llm/float_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "sw/llm/decode_loop.hpp"
#include "sw/llm/generate.hpp"

namespace lpu::llm {
namespace {

using Vec = std::vector<double>;

// y = W x for W (rows, cols) stored row-major in `w` starting at `offset`.
Vec matvec(const std::vector<float>& w, std::size_t offset, std::size_t rows, std::size_t cols, const Vec& x) {
  Vec y(rows, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) y[r] += static_cast<double>(w[offset + r * cols + c]) * x[c];
  }
  return y;
}

Vec rmsnormRef(const Vec& x, const std::vector<float>& w, std::size_t offset) {
  double ms = 0;
  for (double v : x) ms += v * v;
  ms = ms / static_cast<double>(x.size()) + 1e-5;
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] / std::sqrt(ms) * static_cast<double>(w[offset + i]);
  return y;
}

// The whole model over a token sequence, position by position, keeping per-layer K/V lists.
class ReferenceModel {
 public:
  explicit ReferenceModel(const Checkpoint& ck) : ck_(ck), keys_(ck.config.n_layers), values_(ck.config.n_layers) {}

  Vec forward(int token, int pos) {
    const Config& c = ck_.config;
    const Weights& w = ck_.weights;
    const std::size_t dim = static_cast<std::size_t>(c.dim), hs = static_cast<std::size_t>(c.headSize());
    const std::size_t kvd = static_cast<std::size_t>(c.kvDim()), hid = static_cast<std::size_t>(c.hidden_dim);
    Vec x(dim);
    for (std::size_t i = 0; i < dim; ++i) x[i] = w.token_embedding[static_cast<std::size_t>(token) * dim + i];
    for (std::size_t l = 0; l < static_cast<std::size_t>(c.n_layers); ++l) {
      const Vec h = rmsnormRef(x, w.rms_att, l * dim);
      Vec q = matvec(w.wq, l * dim * dim, dim, dim, h);
      Vec k = matvec(w.wk, l * kvd * dim, kvd, dim, h);
      Vec v = matvec(w.wv, l * kvd * dim, kvd, dim, h);
      // RoPE: pair j of every head is a complex number rotated by pos * theta_j.
      auto rotate = [&](Vec& vec) {
        for (std::size_t head = 0; head < vec.size() / hs; ++head) {
          for (std::size_t j = 0; j < hs / 2; ++j) {
            const double theta = std::pow(10000.0, -2.0 * static_cast<double>(j) / static_cast<double>(hs));
            const std::complex<double> z(vec[head * hs + 2 * j], vec[head * hs + 2 * j + 1]);
            const std::complex<double> r = z * std::polar(1.0, static_cast<double>(pos) * theta);
            vec[head * hs + 2 * j] = r.real();
            vec[head * hs + 2 * j + 1] = r.imag();
          }
        }
      };
      rotate(q);
      rotate(k);
      keys_[l].push_back(k);
      values_[l].push_back(v);
      Vec attn(dim, 0.0);
      const std::size_t group = static_cast<std::size_t>(c.n_heads / c.n_kv_heads);
      for (std::size_t head = 0; head < static_cast<std::size_t>(c.n_heads); ++head) {
        const std::size_t kvh = head / group;
        Vec scores;
        for (const Vec& kt : keys_[l]) {
          double s = 0;
          for (std::size_t i = 0; i < hs; ++i) s += q[head * hs + i] * kt[kvh * hs + i];
          scores.push_back(s / std::sqrt(static_cast<double>(hs)));
        }
        const double mx = *std::max_element(scores.begin(), scores.end());
        double sum = 0;
        for (double& s : scores) sum += (s = std::exp(s - mx));
        for (std::size_t t = 0; t < scores.size(); ++t) {
          for (std::size_t i = 0; i < hs; ++i) attn[head * hs + i] += scores[t] / sum * values_[l][t][kvh * hs + i];
        }
      }
      const Vec o = matvec(w.wo, l * dim * dim, dim, dim, attn);
      for (std::size_t i = 0; i < dim; ++i) x[i] += o[i];
      const Vec h2 = rmsnormRef(x, w.rms_ffn, l * dim);
      const Vec a = matvec(w.w1, l * hid * dim, hid, dim, h2);
      const Vec b = matvec(w.w3, l * hid * dim, hid, dim, h2);
      Vec g(hid);
      for (std::size_t i = 0; i < hid; ++i) g[i] = a[i] / (1.0 + std::exp(-a[i])) * b[i];
      const Vec f = matvec(w.w2, l * dim * hid, dim, hid, g);
      for (std::size_t i = 0; i < dim; ++i) x[i] += f[i];
    }
    const Vec xf = rmsnormRef(x, w.rms_final, 0);
    const auto cls = ck_.classifier();
    Vec logits(static_cast<std::size_t>(c.vocab_size), 0.0);
    for (std::size_t t = 0; t < logits.size(); ++t) {
      for (std::size_t i = 0; i < dim; ++i) logits[t] += static_cast<double>(cls[t * dim + i]) * xf[i];
    }
    return logits;
  }

 private:
  const Checkpoint& ck_;
  std::vector<std::vector<Vec>> keys_, values_;
};

// Feeds the same tokens to both models and compares every position's logits.
void compareWithReference(const Checkpoint& ck, int positions) {
  FloatModel model(ck);
  ReferenceModel ref(ck);
  int token = kBos;
  for (int pos = 0; pos < positions; ++pos) {
    const auto got = model.forward(token, pos);
    const Vec want = ref.forward(token, pos);
    double scale = 0, err = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      scale = std::max(scale, std::fabs(want[i]));
      err = std::max(err, std::fabs(static_cast<double>(got[i]) - want[i]));
    }
    ASSERT_GT(scale, 0.1) << "degenerate logits at pos " << pos;
    ASSERT_LT(err, 1e-4 * (1.0 + scale)) << "pos " << pos << " token " << token;
    // The next input: the reference's argmax when it is clear, else a fixed token, so the run is the same for both.
    const auto top = std::max_element(want.begin(), want.end()) - want.begin();
    token = static_cast<int>((top + 7 * pos) % static_cast<long>(want.size()));
  }
}

TEST(FloatModel, MatchesTheReferenceOn260K) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 21);
  compareWithReference(ck, 40);
}

TEST(FloatModel, MatchesTheReferenceWithGqaAndAnUnsharedClassifier) {
  const Checkpoint ck = randomCheckpoint(Config{48, 80, 3, 6, 2, 400, 24, false}, 4);  // kv_mul 3
  compareWithReference(ck, 24);
  const Checkpoint mha = randomCheckpoint(Config{32, 64, 2, 4, 4, 300, 16, true}, 9);  // kv_mul 1
  compareWithReference(mha, 16);
}

TEST(FloatModel, IsDeterministicAndChecksItsArguments) {
  const Checkpoint ck = randomCheckpoint(shapeConfig("260K"), 2);
  FloatModel a(ck), b(ck);
  for (int pos = 0; pos < 8; ++pos) {
    const auto la = a.forward(pos + 3, pos);
    const std::vector<float> copy(la.begin(), la.end());
    const auto lb = b.forward(pos + 3, pos);
    ASSERT_TRUE(std::equal(copy.begin(), copy.end(), lb.begin()));
  }
  EXPECT_THROW(a.forward(512, 8), std::out_of_range);
  EXPECT_THROW(a.forward(-1, 8), std::out_of_range);
  EXPECT_THROW(a.forward(3, 512), std::out_of_range);
}

TEST(FloatModel, BuildingBlocksMatchHandValues) {
  const float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 2, 0.5f};
  float o[4];
  rmsnorm(o, x, w, 4);
  const double inv = 1.0 / std::sqrt(30.0 / 4.0 + 1e-5);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(o[i], w[i] * x[i] * inv, 1e-6);
  float s[3] = {1, 2, 3};
  softmax(s, 3);
  const double z = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  EXPECT_NEAR(s[0], std::exp(-2.0) / z, 1e-7);
  EXPECT_NEAR(s[2], 1.0 / z, 1e-7);
  const float m[6] = {1, 2, 3, 4, 5, 6}, v[3] = {1, 0, -1};
  float y[2];
  matmul(y, v, m, 3, 2);
  EXPECT_EQ(y[0], -2.0f);
  EXPECT_EQ(y[1], -2.0f);
  const float vals[5] = {0, 3, 1, 3, 2};
  EXPECT_EQ(argmax(vals), 1);  // first maximum wins
}

// A scripted backend: logits with a 1 at the scripted token, recording the (token, pos) calls.
class Scripted final : public Transformer {
 public:
  Scripted(Config c, std::vector<int> script) : config_(c), script_(std::move(script)) {}
  const Config& config() const override { return config_; }
  std::span<const float> forward(int token, int pos) override {
    calls.emplace_back(token, pos);
    logits_.assign(static_cast<std::size_t>(config_.vocab_size), 0.0f);
    logits_[static_cast<std::size_t>(script_.at(static_cast<std::size_t>(pos)))] = 1.0f;
    return logits_;
  }
  std::vector<std::pair<int, int>> calls;

 private:
  Config config_;
  std::vector<int> script_;
  std::vector<float> logits_;
};

TEST(DecodeGreedy, ForcesThePromptThenTakesTheArgmax) {
  const Tokenizer tok = byteLevelTokenizer(512);
  Config c = shapeConfig("260K");
  c.seq_len = 16;
  const std::vector<int> prompt = tok.encode("Hi", true, false);  // BOS, then the merged " Hi" tokens
  std::vector<int> script(16, 300);
  script[prompt.size() - 1] = 301;
  Scripted model(c, script);
  std::string text;
  const auto seq = decodeGreedy(model, tok, {"Hi", 6}, [&](int, const std::string& t) { text += t; });
  std::vector<int> want = prompt;
  want.push_back(301);
  while (want.size() < 7) want.push_back(300);
  EXPECT_EQ(seq, want);
  ASSERT_EQ(model.calls.size(), 6u);
  for (int pos = 0; pos < 6; ++pos) EXPECT_EQ(model.calls[static_cast<std::size_t>(pos)].second, pos);
  EXPECT_EQ(model.calls[0].first, kBos);
  // The first piece after BOS loses its leading space.
  EXPECT_EQ(text.substr(0, 2), "Hi");
}

TEST(DecodeGreedy, StopsWhenBosIsSampledAndClampsSteps) {
  const Tokenizer tok = byteLevelTokenizer(512);
  Config c = shapeConfig("260K");
  c.seq_len = 8;
  Scripted stop(c, {300, 301, kBos, 302, 303, 304, 305, 306});
  EXPECT_EQ(decodeGreedy(stop, tok, {"", 100}, nullptr), (std::vector<int>{kBos, 300, 301}));
  EXPECT_EQ(stop.calls.size(), 3u);
  Scripted all(c, std::vector<int>(8, 300));
  EXPECT_EQ(decodeGreedy(all, tok, {"", 0}, nullptr).size(), 9u);  // 0 steps = seq_len
  EXPECT_EQ(effectiveSteps(-3, 8), 8);
  EXPECT_EQ(effectiveSteps(5, 8), 5);
  EXPECT_EQ(effectiveSteps(9, 8), 8);
  const Tokenizer small = byteLevelTokenizer(400);
  EXPECT_THROW(decodeGreedy(all, small, {}, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace lpu::llm
