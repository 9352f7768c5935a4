#include "sw/llm/tokenizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sw/llm/checkpoint.hpp"
#include "sw/llm/error.hpp"

namespace lpu::llm {

namespace {

// strcmp order: bytes compared as unsigned char (std::string's comparison does the same).
int compareBytes(std::string_view a, std::string_view b) { return a.compare(b); }

}  // namespace

Tokenizer::Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::uint32_t max_token_length)
    : pieces_(std::move(pieces)), scores_(std::move(scores)), max_token_length_(max_token_length) {
  if (pieces_.size() != scores_.size()) {
    throw std::invalid_argument(fmt::format("Tokenizer: {} pieces but {} scores", pieces_.size(), scores_.size()));
  }
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const auto& p = pieces_[i];
    if (p.empty()) throw std::invalid_argument(fmt::format("Tokenizer: token {} is empty", i));
    if (p.find('\0') != std::string::npos) {
      throw std::invalid_argument(fmt::format("Tokenizer: token {} contains a NUL byte", i));
    }
    if (p.size() > max_token_length_) {
      throw std::invalid_argument(fmt::format("Tokenizer: token {} has {} bytes, more than max_token_length {}", i,
                                              p.size(), max_token_length_));
    }
  }
  sorted_.resize(pieces_.size());
  for (std::size_t i = 0; i < sorted_.size(); ++i) sorted_[i] = static_cast<int>(i);
  std::stable_sort(sorted_.begin(), sorted_.end(), [&](int a, int b) {
    return compareBytes(pieces_[static_cast<std::size_t>(a)], pieces_[static_cast<std::size_t>(b)]) < 0;
  });
}

int Tokenizer::lookup(std::string_view text) const {
  // glibc's bsearch: probe the middle of [l, u), return the first equal element probed.
  std::size_t l = 0, u = sorted_.size();
  while (l < u) {
    const std::size_t idx = (l + u) / 2;
    const int id = sorted_[idx];
    const int cmp = compareBytes(text, pieces_[static_cast<std::size_t>(id)]);
    if (cmp < 0) {
      u = idx;
    } else if (cmp > 0) {
      l = idx + 1;
    } else {
      return id;
    }
  }
  return -1;
}

std::vector<int> Tokenizer::encode(std::string_view text, bool bos, bool eos) const {
  text = text.substr(0, text.find('\0'));  // run.c reads a C string
  std::vector<int> tokens;
  if (bos) tokens.push_back(kBos);
  if (!text.empty()) {
    const int dummy_prefix = lookup(" ");
    if (dummy_prefix < 0) {
      throw std::invalid_argument("encode: the vocabulary has no \" \" token (run.c's dummy prefix)");
    }
    tokens.push_back(dummy_prefix);
  }
  // Code points: a byte that is not a UTF-8 continuation byte starts one; at most 4 bytes each.
  std::string buffer;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) buffer.clear();
    buffer.push_back(static_cast<char>(c));
    const unsigned char next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if ((next & 0xC0) == 0x80 && buffer.size() < 4) continue;
    const int id = lookup(buffer);
    if (id != -1) {
      tokens.push_back(id);
    } else {
      for (const char b : buffer) {
        const int byte_id = static_cast<unsigned char>(b) + kFirstByteToken;
        if (byte_id >= vocabSize()) {
          throw std::invalid_argument(
              fmt::format("encode: byte 0x{:02X} needs the byte-fallback token {}, but the vocabulary has {} tokens",
                          static_cast<unsigned char>(b), byte_id, vocabSize()));
        }
        tokens.push_back(byte_id);
      }
    }
    buffer.clear();
  }
  // Greedy BPE: merge the best-scoring adjacent pair until no concatenation is a piece.
  std::string merged;
  while (true) {
    float best_score = -1e10f;
    int best_id = -1;
    std::size_t best_idx = 0;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      merged = pieces_[static_cast<std::size_t>(tokens[i])];
      merged += pieces_[static_cast<std::size_t>(tokens[i + 1])];
      const int id = lookup(merged);
      if (id != -1 && scores_[static_cast<std::size_t>(id)] > best_score) {
        best_score = scores_[static_cast<std::size_t>(id)];
        best_id = id;
        best_idx = i;
      }
    }
    if (best_id == -1) break;
    tokens[best_idx] = best_id;
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(best_idx) + 1);
  }
  if (eos) tokens.push_back(kEos);
  return tokens;
}

std::string Tokenizer::decode(int prev_token, int token) const {
  if (token < 0 || token >= vocabSize()) {
    throw std::out_of_range(fmt::format("decode: token {} is outside the vocabulary (0..{})", token, vocabSize() - 1));
  }
  const char* piece = pieces_[static_cast<std::size_t>(token)].c_str();
  if (prev_token == kBos && piece[0] == ' ') ++piece;
  // Same pattern as run.c, so the same pieces count as raw bytes.
  unsigned char byte_val = 0;
  if (std::sscanf(piece, "<0x%02hhX>", &byte_val) == 1) return std::string(1, static_cast<char>(byte_val));
  return piece;
}

std::string printable(std::string_view piece) {
  if (piece.size() == 1) {
    const auto b = static_cast<unsigned char>(piece[0]);
    const bool print = b >= 0x20 && b <= 0x7E;                // isprint, "C" locale
    const bool space = b == ' ' || (b >= 0x09 && b <= 0x0D);  // isspace, "C" locale
    if (!print && !space) return {};
  }
  // run.c prints a C string: a raw 0x00 byte piece prints nothing.
  const auto nul = piece.find('\0');
  return std::string(piece.substr(0, nul));
}

Tokenizer parseTokenizer(std::span<const std::uint8_t> bytes, const std::string& name, int vocab_size) {
  if (vocab_size <= 0) {
    throw FormatError(name, "vocab_size", fmt::format("expected a positive vocabulary size, got {}", vocab_size));
  }
  std::size_t offset = 0;
  auto take = [&](std::size_t n, const std::string& field) {
    if (bytes.size() - offset < n) {
      throw FormatError(name, field,
                        fmt::format("truncated: needs {} bytes at offset {}, the file has {} left (the model's "
                                    "vocab_size is {})",
                                    n, offset, bytes.size() - offset, vocab_size));
    }
    const std::uint8_t* p = bytes.data() + offset;
    offset += n;
    return p;
  };
  std::uint32_t max_len = 0;
  std::memcpy(&max_len, take(4, "max_token_length"), 4);
  std::vector<std::string> pieces;
  std::vector<float> scores;
  pieces.reserve(static_cast<std::size_t>(vocab_size));
  scores.reserve(static_cast<std::size_t>(vocab_size));
  for (int i = 0; i < vocab_size; ++i) {
    float score = 0;
    std::memcpy(&score, take(4, fmt::format("token {} score", i)), 4);
    std::int32_t len = 0;
    std::memcpy(&len, take(4, fmt::format("token {} length", i)), 4);
    if (len <= 0) {
      throw FormatError(name, fmt::format("token {} length", i),
                        fmt::format("expected a length of at least 1 (run.c cannot read empty tokens), got {}", len));
    }
    if (static_cast<std::uint32_t>(len) > max_len) {
      throw FormatError(name, fmt::format("token {} length", i),
                        fmt::format("expected at most max_token_length ({}), got {}", max_len, len));
    }
    const std::uint8_t* p = take(static_cast<std::size_t>(len), fmt::format("token {} bytes", i));
    std::string piece(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
    if (piece.find('\0') != std::string::npos) {
      throw FormatError(
          name, fmt::format("token {} bytes", i),
          fmt::format("unsupported: a NUL byte at byte {} (run.c would cut the token there)", piece.find('\0')));
    }
    pieces.push_back(std::move(piece));
    scores.push_back(score);
  }
  if (offset != bytes.size()) {
    throw FormatError(name, "file length",
                      fmt::format("{} bytes left after token {}: the file holds more tokens than the model's "
                                  "vocab_size ({}) or is not a tokenizer.bin",
                                  bytes.size() - offset, vocab_size - 1, vocab_size));
  }
  return Tokenizer(std::move(pieces), std::move(scores), max_len);
}

Tokenizer readTokenizer(const std::filesystem::path& path, int vocab_size) {
  const auto bytes = readFileBytes(path);
  return parseTokenizer(bytes, path.string(), vocab_size);
}

std::vector<std::uint8_t> serializeTokenizer(const Tokenizer& t) {
  std::vector<std::uint8_t> out;
  auto put = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  };
  const std::uint32_t max_len = t.maxTokenLength();
  put(&max_len, 4);
  for (int i = 0; i < t.vocabSize(); ++i) {
    const float score = t.score(i);
    const auto len = static_cast<std::int32_t>(t.piece(i).size());
    put(&score, 4);
    put(&len, 4);
    put(t.piece(i).data(), t.piece(i).size());
  }
  return out;
}

void writeTokenizer(const std::filesystem::path& path, const Tokenizer& tokenizer) {
  writeFileBytes(path, serializeTokenizer(tokenizer));
}

}  // namespace lpu::llm
