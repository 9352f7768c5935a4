#include "sw/llm/checkpoint.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "sw/llm/error.hpp"

static_assert(std::endian::native == std::endian::little, "llama2.c files are little-endian; so is this reader");

namespace lpu::llm {

namespace {

constexpr std::size_t kHeaderBytes = 7 * sizeof(std::int32_t);
constexpr std::array<const char*, 7> kFieldNames = {"dim",        "hidden_dim", "n_layers", "n_heads",
                                                    "n_kv_heads", "vocab_size", "seq_len"};

using u128 = unsigned __int128;

// Tensor sizes in 128 bits so that validation can reject headers whose sizes overflow 64 bits.
struct WideTensor {
  const char* name;
  std::vector<float> Weights::*member;
  u128 floats;
};

std::vector<WideTensor> wideLayout(const Config& c) {
  const u128 dim = static_cast<u128>(c.dim), hidden = static_cast<u128>(c.hidden_dim),
             layers = static_cast<u128>(c.n_layers), vocab = static_cast<u128>(c.vocab_size),
             seq = static_cast<u128>(c.seq_len);
  const u128 head_size = static_cast<u128>(c.headSize());
  const u128 q_dim = static_cast<u128>(c.n_heads) * head_size;
  const u128 kv_dim = static_cast<u128>(c.n_kv_heads) * head_size;
  std::vector<WideTensor> t = {
      {"token_embedding_table", &Weights::token_embedding, vocab * dim},
      {"rms_att_weight", &Weights::rms_att, layers * dim},
      {"wq", &Weights::wq, layers * dim * q_dim},
      {"wk", &Weights::wk, layers * dim * kv_dim},
      {"wv", &Weights::wv, layers * dim * kv_dim},
      {"wo", &Weights::wo, layers * q_dim * dim},
      {"rms_ffn_weight", &Weights::rms_ffn, layers * dim},
      {"w1", &Weights::w1, layers * hidden * dim},
      {"w2", &Weights::w2, layers * dim * hidden},
      {"w3", &Weights::w3, layers * hidden * dim},
      {"rms_final_weight", &Weights::rms_final, dim},
      {"freq_cis_real", &Weights::freq_cis_real, seq * head_size / 2},
      {"freq_cis_imag", &Weights::freq_cis_imag, seq * head_size / 2},
  };
  if (!c.shared_classifier) t.push_back({"wcls", &Weights::wcls, vocab * dim});
  return t;
}

std::int32_t loadI32(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string describe(const Config& c) {
  return fmt::format("dim {}, hidden_dim {}, n_layers {}, n_heads {}, n_kv_heads {}, vocab_size {}{}, seq_len {}",
                     c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.shared_classifier ? "" : "-",
                     c.vocab_size, c.seq_len);
}

// Decodes and validates the 7 header fields (bytes.size() >= kHeaderBytes).
Config parseHeader(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() < kHeaderBytes) {
    throw FormatError(name, "header",
                      fmt::format("truncated: expected {} bytes (7 int32: dim, hidden_dim, n_layers, n_heads, "
                                  "n_kv_heads, vocab_size, seq_len), the file has {}",
                                  kHeaderBytes, bytes.size()));
  }
  std::array<std::int32_t, 7> f{};
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = loadI32(bytes.data() + 4 * i);
  if (f[5] == 0) {
    throw FormatError(name, "vocab_size", "expected a non-zero value (negative marks an unshared classifier), got 0");
  }
  if (f[5] == INT32_MIN) throw FormatError(name, "vocab_size", fmt::format("{} is out of range", f[5]));
  Config c;
  c.dim = f[0];
  c.hidden_dim = f[1];
  c.n_layers = f[2];
  c.n_heads = f[3];
  c.n_kv_heads = f[4];
  c.shared_classifier = f[5] > 0;
  c.vocab_size = f[5] > 0 ? f[5] : -f[5];
  c.seq_len = f[6];
  validateConfig(c, name);
  return c;
}

}  // namespace

void validateConfig(const Config& c, const std::string& name) {
  const std::array<int, 7> values = {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.seq_len};
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] <= 0) {
      throw FormatError(name, kFieldNames[i], fmt::format("expected a positive value, got {}", values[i]));
    }
  }
  if (c.dim % c.n_heads != 0) {
    throw FormatError(name, "n_heads", fmt::format("dim ({}) must be a multiple of n_heads ({})", c.dim, c.n_heads));
  }
  if (c.n_heads % c.n_kv_heads != 0) {
    throw FormatError(name, "n_kv_heads",
                      fmt::format("n_heads ({}) must be a multiple of n_kv_heads ({})", c.n_heads, c.n_kv_heads));
  }
  if (c.headSize() % 2 != 0) {
    throw FormatError(name, "n_heads",
                      fmt::format("head_size = dim / n_heads = {} / {} = {} must be even (RoPE rotates pairs)", c.dim,
                                  c.n_heads, c.headSize()));
  }
  // run.c indexes the embedding table and the KV cache with int arithmetic.
  const std::int64_t emb = static_cast<std::int64_t>(c.vocab_size) * c.dim;
  const std::int64_t kv = static_cast<std::int64_t>(c.n_layers) * c.seq_len * c.kvDim();
  if (emb > INT32_MAX || kv > INT32_MAX) {
    throw FormatError(name, emb > INT32_MAX ? "vocab_size" : "seq_len",
                      fmt::format("unsupported: vocab_size*dim = {} or n_layers*seq_len*kv_dim = {} exceeds run.c's "
                                  "32-bit index arithmetic",
                                  emb, kv));
  }
  u128 total = 0;
  for (const auto& t : wideLayout(c)) total += t.floats;
  if (total > (static_cast<u128>(1) << 60)) {
    throw FormatError(name, "header", fmt::format("unsupported: the tensors of {} exceed 2^60 floats", describe(c)));
  }
}

std::vector<TensorInfo> tensorLayout(const Config& config) {
  std::vector<TensorInfo> out;
  for (const auto& t : wideLayout(config)) out.push_back({t.name, static_cast<std::uint64_t>(t.floats)});
  return out;
}

std::uint64_t checkpointBytes(const Config& config) {
  std::uint64_t floats = 0;
  for (const auto& t : tensorLayout(config)) floats += t.floats;
  return kHeaderBytes + 4 * floats;
}

Checkpoint parseCheckpoint(std::span<const std::uint8_t> bytes, const std::string& name) {
  Checkpoint ck;
  ck.config = parseHeader(bytes, name);
  std::uint64_t offset = kHeaderBytes;
  const char* last = "header";
  for (const auto& t : wideLayout(ck.config)) {
    const auto floats = static_cast<std::uint64_t>(t.floats);
    const std::uint64_t need = 4 * floats;
    if (bytes.size() - offset < need) {
      throw FormatError(
          name, fmt::format("tensor {}", t.name),
          fmt::format("truncated: needs {} bytes at offset {}, the file has {} left (header: {}; a "
                      "complete file is {} bytes)",
                      need, offset, bytes.size() - offset, describe(ck.config), checkpointBytes(ck.config)));
    }
    auto& v = ck.weights.*(t.member);
    v.resize(floats);
    std::memcpy(v.data(), bytes.data() + offset, need);
    offset += need;
    last = t.name;
  }
  if (offset != bytes.size()) {
    throw FormatError(name, "file length",
                      fmt::format("expected {} bytes for {}, the file has {} ({} extra bytes after {})", offset,
                                  describe(ck.config), bytes.size(), bytes.size() - offset, last));
  }
  return ck;
}

std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open for reading", path.string()));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read error", path.string()));
  return bytes;
}

void writeFileBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", path.string()));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error(fmt::format("{}: write error", path.string()));
}

Checkpoint readCheckpoint(const std::filesystem::path& path) {
  const auto bytes = readFileBytes(path);
  return parseCheckpoint(bytes, path.string());
}

Config readCheckpointConfig(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open for reading", path.string()));
  std::array<std::uint8_t, kHeaderBytes> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  return parseHeader(std::span<const std::uint8_t>(header.data(), static_cast<std::size_t>(in.gcount())),
                     path.string());
}

void checkTensorSizes(const Checkpoint& ck) {
  validateConfig(ck.config, "checkpoint");
  for (const auto& t : wideLayout(ck.config)) {
    const auto& v = ck.weights.*(t.member);
    if (v.size() != static_cast<std::uint64_t>(t.floats)) {
      throw std::invalid_argument(fmt::format("checkpoint: tensor {} has {} floats, the config needs {}", t.name,
                                              v.size(), static_cast<std::uint64_t>(t.floats)));
    }
  }
  if (ck.config.shared_classifier && !ck.weights.wcls.empty()) {
    throw std::invalid_argument("checkpoint: wcls is set but the classifier is shared");
  }
}

std::vector<std::uint8_t> serializeCheckpoint(const Checkpoint& ck) {
  checkTensorSizes(ck);
  std::vector<std::uint8_t> out(checkpointBytes(ck.config));
  const Config& c = ck.config;
  const std::array<std::int32_t, 7> header = {
      c.dim,    c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.shared_classifier ? c.vocab_size : -c.vocab_size,
      c.seq_len};
  std::memcpy(out.data(), header.data(), kHeaderBytes);
  std::size_t offset = kHeaderBytes;
  for (const auto& t : wideLayout(c)) {
    const auto& v = ck.weights.*(t.member);
    std::memcpy(out.data() + offset, v.data(), 4 * v.size());
    offset += 4 * v.size();
  }
  return out;
}

void writeCheckpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  writeFileBytes(path, serializeCheckpoint(checkpoint));
}

}  // namespace lpu::llm
