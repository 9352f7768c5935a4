// llama2.c's tokenizer.bin (tokenizer.py export(); read by run.c's build_tokenizer) and run.c's BPE encoder and
// decoder. The file: uint32 max_token_length, then for each of vocab_size tokens: float32 score, int32 length,
// length raw bytes. vocab_size is not in the file; it comes from the model header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::llm {

inline constexpr int kBos = 1;             // <s>: starts every sequence; sampling it ends generation (run.c)
inline constexpr int kEos = 2;             // </s>
inline constexpr int kFirstByteToken = 3;  // "<0x00>".."<0xFF>" are ids 3..258 (byte fallback: byte + 3)

class Tokenizer {
 public:
  // Throws std::invalid_argument when pieces and scores differ in length, a piece is empty or holds a NUL byte, or
  // a piece is longer than max_token_length.
  Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::uint32_t max_token_length);

  int vocabSize() const { return static_cast<int>(pieces_.size()); }
  std::uint32_t maxTokenLength() const { return max_token_length_; }
  const std::string& piece(int id) const { return pieces_.at(static_cast<std::size_t>(id)); }
  float score(int id) const { return scores_.at(static_cast<std::size_t>(id)); }

  // The id of the piece equal to `text`, or -1: run.c's bsearch over the vocabulary sorted by strcmp (pieces that
  // occur twice resolve like glibc's bsearch over a stable sort).
  int lookup(std::string_view text) const;

  // run.c's encode(): optional BOS, the dummy-prefix " " token when text is non-empty, one token per UTF-8 code
  // point found in the vocabulary (else its bytes + 3), then repeatedly merge the adjacent pair whose concatenation
  // is the piece with the highest score (leftmost on ties); optional EOS. Throws std::invalid_argument when the
  // vocabulary lacks " " or a byte-fallback id.
  std::vector<int> encode(std::string_view text, bool bos, bool eos) const;

  // run.c's decode(): the piece of `token`, without its leading space after BOS; "<0xXX>" pieces are the raw byte.
  std::string decode(int prev_token, int token) const;

 private:
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::uint32_t max_token_length_;
  std::vector<int> sorted_;  // ids sorted by piece bytes (stable)
};

// run.c's safe_printf(): a single-byte piece that is neither printable ASCII nor whitespace prints as nothing.
std::string printable(std::string_view piece);

// Reads a tokenizer of exactly vocab_size tokens; `name` is used in errors. Throws FormatError naming the token and
// field (truncated, negative or too long length, NUL byte, bytes left after the last token).
Tokenizer parseTokenizer(std::span<const std::uint8_t> bytes, const std::string& name, int vocab_size);
Tokenizer readTokenizer(const std::filesystem::path& path, int vocab_size);

std::vector<std::uint8_t> serializeTokenizer(const Tokenizer& tokenizer);
void writeTokenizer(const std::filesystem::path& path, const Tokenizer& tokenizer);

}  // namespace lpu::llm
