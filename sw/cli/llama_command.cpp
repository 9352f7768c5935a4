#include "sw/cli/llama_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include "sw/driver/device.hpp"
#include "sw/isa/arch.hpp"
#include "sw/llm/checkpoint.hpp"
#include "sw/llm/decode_loop.hpp"
#include "sw/llm/float_model.hpp"
#include "sw/llm/generate.hpp"
#include "sw/llm/int_model.hpp"
#include "sw/llm/int_weights.hpp"
#include "sw/llm/lpu_decoder.hpp"
#include "sw/llm/tokenizer.hpp"

namespace lpu::cli {

namespace fs = std::filesystem;

int llamaGenCommand(const LlamaGenOptions& options, std::ostream& out) {
  if (options.out_dir.empty()) throw std::invalid_argument("llama gen: -o DIR is required");
  llm::Config config = llm::shapeConfig(options.shape);
  config.shared_classifier = !options.unshared;
  const llm::Checkpoint checkpoint = llm::randomCheckpoint(config, options.seed);
  const llm::Tokenizer tokenizer = llm::byteLevelTokenizer(config.vocab_size);
  const fs::path dir(options.out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create directory: {}", dir.string(), ec.message()));
  const fs::path model_path = dir / kModelFile, tok_path = dir / kTokenizerFile;
  llm::writeCheckpoint(model_path, checkpoint);
  llm::writeTokenizer(tok_path, tokenizer);
  const llm::Config& c = config;
  out << fmt::format(
      "{}: shape {} seed {}: dim {}, hidden_dim {}, n_layers {}, n_heads {}, n_kv_heads {}, vocab_size {}, seq_len "
      "{}, {} classifier, {} bytes\n",
      model_path.string(), options.shape, options.seed, c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads,
      c.vocab_size, c.seq_len, c.shared_classifier ? "shared" : "unshared", fs::file_size(model_path));
  out << fmt::format("{}: {} tokens, max_token_length {}, {} bytes\n", tok_path.string(), tokenizer.vocabSize(),
                     tokenizer.maxTokenLength(), fs::file_size(tok_path));
  return 0;
}

int llamaRunCommand(const LlamaRunOptions& options, std::ostream& out, std::ostream& err) {
  const bool lpu = options.backend == "model" || options.backend == "rtl" || options.backend == "serial";
  if (options.backend != "float" && options.backend != "int" && !lpu) {
    throw std::runtime_error(
        fmt::format("llama run --backend {}: unknown backend (float, int, model, rtl or serial)", options.backend));
  }
  const llm::Checkpoint checkpoint = llm::readCheckpoint(options.checkpoint);
  const fs::path tok_path = options.tokenizer.empty() ? fs::path(options.checkpoint).parent_path() / kTokenizerFile
                                                      : fs::path(options.tokenizer);
  const llm::Tokenizer tokenizer = llm::readTokenizer(tok_path, checkpoint.config.vocab_size);
  // int: the integer reference the LPU program must match (its greedy choice is the argmax of its int16 logits).
  std::unique_ptr<llm::Transformer> model;
  std::unique_ptr<driver::Device> device;
  llm::LpuDecoder* decoder = nullptr;
  if (lpu) {
    driver::SerialOptions serial;
    serial.port = options.port;
    serial.baud = options.baud;
    device = driver::makeDevice(options.backend, isa::ArchConfig::byName(options.config), serial);
    auto d = std::make_unique<llm::LpuDecoder>(llm::quantizeModel(checkpoint), options.config, *device,
                                               llm::defaultDecoderOptions(options.config));
    decoder = d.get();
    err << fmt::format("{} on {} ({}): {} programs per token compiled in {:.2f} s\n", options.checkpoint,
                       options.config, options.backend, d->programs().step(0).size(), d->programs().compileSeconds());
    model = std::move(d);
  } else if (options.backend == "int") {
    model = std::make_unique<llm::IntModel>(checkpoint);
  } else {
    model = std::make_unique<llm::FloatModel>(checkpoint);
  }
  llm::DecodeOptions decode;
  decode.prompt = options.prompt;
  decode.steps = options.steps;

  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> start;  // after the first token, like run.c
  std::size_t produced = 0;
  const auto sequence = llm::decodeGreedy(*model, tokenizer, decode, [&](int, const std::string& text) {
    if (!options.ids) out << text << std::flush;
    ++produced;
    if (!start) start = Clock::now();
  });
  if (options.ids) {
    for (std::size_t i = 0; i < sequence.size(); ++i) out << (i ? " " : "") << sequence[i];
  }
  out << "\n" << std::flush;
  // run.c's report: (pos - 1) tokens over the time since the first one; pos counts a final sampled BOS too.
  if (start && produced > 1) {
    const double seconds = std::chrono::duration<double>(Clock::now() - *start).count();
    err << fmt::format("achieved tok/s: {:.1f}\n", static_cast<double>(produced - 1) / seconds);
  }
  if (decoder) {
    const llm::StepReport& s = decoder->lastStep();
    err << fmt::format("last token: {} cycles on the device, {} predicted, {} programs\n", s.cycles, s.predicted_cycles,
                       s.programs);
  }
  return 0;
}

}  // namespace lpu::cli
