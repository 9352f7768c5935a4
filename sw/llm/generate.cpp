#include "sw/llm/generate.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_set>

namespace lpu::llm {

namespace {

struct NamedShape {
  const char* name;
  Config config;
};

// Header values of llama2.c's stories260K and stories15M (all shared classifiers), and "tiny", for quick end-to-end
// checks such as a decode over the serial link: one layer of one head of 8 (ulx3s's lanes), 64 tokens (one
// classifier program), so that every program of the step is small.
const NamedShape kShapes[] = {
    {"260K", Config{64, 172, 5, 8, 4, 512, 512, true}},
    {"15M", Config{288, 768, 6, 6, 6, 32000, 256, true}},
    {"tiny", Config{8, 16, 1, 1, 1, 64, 32, true}},
};

// splitmix64: a fixed, portable integer generator.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Irwin-Hall: the sum of 12 uniforms on [0, 1) minus 6 has mean 0 and variance 1. The sum of the 32-bit integers
  // is exact, so is its conversion to double; one rounding to float at the end.
  float normal(double mean, double stddev) {
    std::uint64_t sum = 0;
    for (int i = 0; i < 6; ++i) {
      const std::uint64_t r = next();
      sum += (r >> 32) + (r & 0xFFFFFFFFull);
    }
    const double z = static_cast<double>(sum) / 4294967296.0 - 6.0;
    return static_cast<float>(mean + stddev * z);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

void fill(std::vector<float>& v, std::uint64_t n, Rng& rng, double mean, double stddev) {
  v.resize(n);
  for (auto& x : v) x = rng.normal(mean, stddev);
}

// Training text for the tokenizer's first merges (written for this project).
constexpr std::string_view kCorpus =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her "
    "friends. One day, she saw a big red ball under a tree. She wanted to play with the ball, so she ran to the "
    "tree and picked it up. Then a little boy named Tom came to the park. He was sad because he lost his ball. "
    "Lily looked at the ball and then at Tom. She knew the ball was his, so she gave it back to him. Tom smiled "
    "and said, \"Thank you, Lily! Do you want to play with me?\" Lily was happy and they played together all day. "
    "They ran and laughed in the sun until it was time to go home. When Lily got home, she told her mom about "
    "her new friend. Her mom was proud of her for being kind. The next day, Lily and Tom met at the park again. "
    "They played with the ball and had a lot of fun. The sun was warm and the sky was blue. A little bird sang "
    "a song in the tree. Lily and Tom were best friends, and they always shared their toys. The end.";

}  // namespace

std::vector<std::string> shapeNames() {
  std::vector<std::string> names;
  for (const auto& s : kShapes) names.emplace_back(s.name);
  return names;
}

Config shapeConfig(std::string_view shape) {
  for (const auto& s : kShapes) {
    if (shape == s.name) return s.config;
  }
  throw std::invalid_argument(
      fmt::format("unknown model shape '{}' (known: {})", shape, fmt::join(shapeNames(), ", ")));
}

Checkpoint randomCheckpoint(const Config& config, std::uint64_t seed) {
  validateConfig(config, "randomCheckpoint");
  const Config& c = config;
  Checkpoint ck;
  ck.config = c;
  Weights& w = ck.weights;
  Rng rng(seed);
  const auto u = [](auto v) { return static_cast<std::uint64_t>(v); };
  const std::uint64_t dim = u(c.dim), hidden = u(c.hidden_dim), layers = u(c.n_layers), vocab = u(c.vocab_size);
  const std::uint64_t kv_dim = u(c.kvDim());
  const double d = static_cast<double>(c.dim), h = static_cast<double>(c.hidden_dim);
  const double residual = std::sqrt(2.0 * static_cast<double>(c.n_layers));
  fill(w.token_embedding, vocab * dim, rng, 0.0, 2.0 / std::sqrt(d));
  fill(w.rms_att, layers * dim, rng, 1.0, 0.1);
  fill(w.wq, layers * dim * dim, rng, 0.0, 1.0 / std::sqrt(d));
  fill(w.wk, layers * kv_dim * dim, rng, 0.0, 1.0 / std::sqrt(d));
  fill(w.wv, layers * kv_dim * dim, rng, 0.0, 1.0 / std::sqrt(d));
  fill(w.wo, layers * dim * dim, rng, 0.0, 1.0 / std::sqrt(d) / residual);
  fill(w.rms_ffn, layers * dim, rng, 1.0, 0.1);
  fill(w.w1, layers * hidden * dim, rng, 0.0, 1.0 / std::sqrt(d));
  fill(w.w2, layers * dim * hidden, rng, 0.0, 1.0 / std::sqrt(h) / residual);
  fill(w.w3, layers * hidden * dim, rng, 0.0, 1.0 / std::sqrt(d));
  fill(w.rms_final, dim, rng, 1.0, 0.1);
  const int half = c.headSize() / 2;
  for (int pos = 0; pos < c.seq_len; ++pos) {
    for (int i = 0; i < half; ++i) {
      const float freq = 1.0f / std::pow(10000.0f, static_cast<float>(2 * i) / static_cast<float>(c.headSize()));
      const float val = static_cast<float>(pos) * freq;
      w.freq_cis_real.push_back(std::cos(val));
      w.freq_cis_imag.push_back(std::sin(val));
    }
  }
  if (!c.shared_classifier) fill(w.wcls, vocab * dim, rng, 0.0, 2.0 / std::sqrt(d));
  return ck;
}

Tokenizer byteLevelTokenizer(int vocab_size) {
  constexpr int kFirstChar = 259;
  if (vocab_size < 3) {
    throw std::invalid_argument(fmt::format("byteLevelTokenizer: vocab_size must be at least 3, got {}", vocab_size));
  }
  const auto target = static_cast<std::size_t>(vocab_size);
  std::vector<std::string> pieces = {"<unk>", "\n<s>\n", "\n</s>\n"};
  for (int b = 0; b < 256; ++b) pieces.push_back(fmt::format("<0x{:02X}>", b));
  for (int ch = 0x20; ch < 0x7F; ++ch) pieces.emplace_back(1, static_cast<char>(ch));
  const auto finish = [&](std::vector<std::string> pieces) {
    std::vector<float> scores(pieces.size(), 0.0f);
    std::uint32_t max_len = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (i >= kFirstChar) scores[i] = -static_cast<float>(i - kFirstChar);
      max_len = std::max<std::uint32_t>(max_len, static_cast<std::uint32_t>(pieces[i].size()));
    }
    return Tokenizer(std::move(pieces), std::move(scores), max_len);
  };
  // A vocabulary no larger than the fixed pieces is the first vocab_size of them (below 259 not every byte has a
  // piece, so only texts of the bytes it has can be encoded).
  if (target <= pieces.size()) {
    pieces.resize(target);
    return finish(std::move(pieces));
  }
  std::unordered_set<std::string> known(pieces.begin(), pieces.end());
  std::map<std::string, int> id_of;
  for (std::size_t i = kFirstChar; i < pieces.size(); ++i) id_of[pieces[i]] = static_cast<int>(i);

  // 1. BPE training on the corpus, sentencepiece style: every word carries its leading space, no merge crosses a
  //    word; merge the most frequent pair (first seen wins ties) while some pair occurs at least twice.
  std::vector<std::vector<int>> words;
  {
    std::size_t start = 0;
    while (start < kCorpus.size()) {
      std::size_t end = kCorpus.find(' ', start + 1);
      if (end == std::string_view::npos) end = kCorpus.size();
      std::vector<int> word;
      if (start == 0) word.push_back(id_of.at(" "));
      for (std::size_t i = start; i < end; ++i) word.push_back(id_of.at(std::string(1, kCorpus[i])));
      words.push_back(std::move(word));
      start = end;
    }
  }
  while (pieces.size() < target) {
    std::map<std::pair<int, int>, std::pair<int, std::size_t>> counts;  // pair -> (count, first seen)
    std::size_t seen = 0;
    for (const auto& word : words) {
      for (std::size_t i = 0; i + 1 < word.size(); ++i) {
        auto [it, fresh] = counts.try_emplace({word[i], word[i + 1]}, 0, seen++);
        ++it->second.first;
      }
    }
    std::pair<int, int> best{-1, -1};
    int best_count = 1;
    std::size_t best_seen = 0;
    for (const auto& [pair, cs] : counts) {
      const std::string merged =
          pieces[static_cast<std::size_t>(pair.first)] + pieces[static_cast<std::size_t>(pair.second)];
      if (known.count(merged) != 0) continue;
      if (cs.first > best_count || (cs.first == best_count && best.first >= 0 && cs.second < best_seen)) {
        best = pair;
        best_count = cs.first;
        best_seen = cs.second;
      }
    }
    if (best.first < 0) break;
    const int id = static_cast<int>(pieces.size());
    pieces.push_back(pieces[static_cast<std::size_t>(best.first)] + pieces[static_cast<std::size_t>(best.second)]);
    known.insert(pieces.back());
    for (auto& word : words) {
      std::vector<int> out;
      for (std::size_t i = 0; i < word.size(); ++i) {
        if (i + 1 < word.size() && word[i] == best.first && word[i + 1] == best.second) {
          out.push_back(id);
          ++i;
        } else {
          out.push_back(word[i]);
        }
      }
      word = std::move(out);
    }
  }

  // 2. Fill up with pairs of earlier pieces (ids >= 259), at most 16 bytes, chosen by a fixed-seed RNG.
  Rng rng(0x6C6C616D61ull);  // "llama"
  while (pieces.size() < target) {
    const auto n = pieces.size() - kFirstChar;
    const std::string& a = pieces[kFirstChar + rng.below(n)];
    const std::string& b = pieces[kFirstChar + rng.below(n)];
    if (a.size() + b.size() > 16) continue;
    std::string merged = a + b;
    if (!known.insert(merged).second) continue;
    pieces.push_back(std::move(merged));
  }

  return finish(std::move(pieces));
}

}  // namespace lpu::llm
