#include "sw/cli/llama_sim_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "sw/driver/device.hpp"
#include "sw/isa/arch.hpp"
#include "sw/llm/checkpoint.hpp"
#include "sw/llm/decode_loop.hpp"
#include "sw/llm/float_model.hpp"
#include "sw/llm/int_weights.hpp"
#include "sw/llm/lpu_decoder.hpp"
#include "sw/llm/tokenizer.hpp"

namespace lpu::cli {

namespace {

namespace fs = std::filesystem;

// The device under test and the golden model side by side, and the fp32 reference for the accuracy figures.
class Lockstep final : public llm::Transformer {
 public:
  Lockstep(llm::LpuDecoder& dut, llm::LpuDecoder& golden, llm::FloatModel& reference)
      : dut_(dut), golden_(golden), ref_(reference) {}
  const llm::Config& config() const override { return dut_.config(); }

  std::span<const float> forward(int token, int pos) override {
    const std::span<const float> logits = dut_.forward(token, pos);
    golden_.forward(token, pos);
    const auto a = dut_.logitsInt(), b = golden_.logitsInt();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i])
        throw std::runtime_error(fmt::format("lockstep: position {} (token {}): logit {}: device {}, golden model {}",
                                             pos, token, i, a[i], b[i]));
    if (dut_.lastStep().cycles != golden_.lastStep().cycles)
      throw std::runtime_error(fmt::format("lockstep: position {}: device took {} cycles, golden model {}", pos,
                                           dut_.lastStep().cycles, golden_.lastStep().cycles));
    const std::span<const float> f = ref_.forward(token, pos);
    cosine_sum_ += llm::cosine(f, logits);
    top1_ += llm::argmax(f) == dut_.lastStep().next ? 1 : 0;
    cycles_.push_back(dut_.lastStep().cycles);
    predicted_.push_back(dut_.programs().predictedCycles(pos));
    return logits;
  }

  double meanCosine() const { return cycles_.empty() ? 0 : cosine_sum_ / static_cast<double>(cycles_.size()); }
  double top1() const { return cycles_.empty() ? 0 : static_cast<double>(top1_) / static_cast<double>(cycles_.size()); }
  const std::vector<std::uint64_t>& cycles() const { return cycles_; }
  const std::vector<std::uint64_t>& predicted() const { return predicted_; }

 private:
  llm::LpuDecoder& dut_;
  llm::LpuDecoder& golden_;
  llm::FloatModel& ref_;
  double cosine_sum_ = 0;
  int top1_ = 0;
  std::vector<std::uint64_t> cycles_, predicted_;
};

// Fmax from make bitstream's report, or the target clock; the label says which.
std::pair<double, std::string> clockOf(const LlamaSimOptions& o) {
  std::ifstream in(o.fpga_json);
  if (in) {
    try {
      const nlohmann::json j = nlohmann::json::parse(in);
      if (j.contains("fmax_mhz") && j["fmax_mhz"].is_number())
        return {j["fmax_mhz"].get<double>(), fmt::format("Fmax from {}", o.fpga_json)};
    } catch (const nlohmann::json::exception&) {
    }
  }
  return {o.target_mhz,
          fmt::format("the {:g} MHz target clock, not a measured Fmax ({} has none)", o.target_mhz, o.fpga_json)};
}

}  // namespace

int llamaSimCommand(const LlamaSimOptions& options, std::ostream& out, std::ostream& err) {
  using Clock = std::chrono::steady_clock;
  const llm::Checkpoint checkpoint = llm::readCheckpoint(options.checkpoint);
  const fs::path tok_path = options.tokenizer.empty() ? fs::path(options.checkpoint).parent_path() / "tokenizer.bin"
                                                      : fs::path(options.tokenizer);
  const llm::Tokenizer tokenizer = llm::readTokenizer(tok_path, checkpoint.config.vocab_size);
  const isa::ArchConfig& cfg = isa::ArchConfig::byName(options.config);
  const llm::IntWeights weights = llm::quantizeModel(checkpoint);
  const llm::DecoderOptions dopt = llm::defaultDecoderOptions(options.config);

  const Clock::time_point t0 = Clock::now();
  auto dut_device = driver::makeDevice(options.backend, cfg);
  auto golden_device = driver::makeDevice("model", cfg);
  llm::LpuDecoder dut(weights, options.config, *dut_device, dopt);
  llm::LpuDecoder golden(weights, options.config, *golden_device, dopt);
  llm::FloatModel reference(checkpoint);
  Lockstep step(dut, golden, reference);
  const llm::Config& c = checkpoint.config;
  err << fmt::format(
      "{}: dim {}, {} layers, {} heads ({} kv), vocab {}; {} on {} ({}), golden model beside it\n"
      "compiled: {} programs per token in {:.2f} s (weights resident: written once)\n",
      options.checkpoint, c.dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, options.config,
      options.backend == "rtl" ? "verilated RTL" : "golden model", options.backend, dut.programs().step(0).size(),
      dut.programs().compileSeconds());

  const llm::SramUse sram = dut.programs().sramUse();
  err << fmt::format(
      "SRAM ({} KiB): weights {:.1f} KiB, KV cache {:.1f} KiB ({} rows), activations {:.1f} KiB, programs' own "
      "words {:.1f} KiB, constant pool {:.1f} KiB ({:.1f} used), free {:.1f} KiB\n",
      sram.total / 1024, sram.weights / 1024.0, sram.caches / 1024.0, llm::cacheRows(c), sram.activations / 1024.0,
      sram.program_words / 1024.0, sram.constants / 1024.0, sram.constants_used / 1024.0, sram.free / 1024.0);

  llm::DecodeOptions decode;
  decode.prompt = options.prompt;
  decode.steps = options.steps;
  const int total = llm::effectiveSteps(options.steps, std::min(c.seq_len, llm::cacheRows(c)));
  decode.steps = total;
  std::string text;
  int done = 0;
  const Clock::time_point t1 = Clock::now();
  llm::decodeGreedy(step, tokenizer, decode, [&](int, const std::string& piece) {
    text += piece;
    ++done;
    const int width = 30, fill = total > 0 ? done * width / total : width;
    err << fmt::format("\r[{}{}] {}/{} tokens  {}", std::string(std::size_t(fill), '#'),
                       std::string(std::size_t(width - fill), '.'), done, total,
                       step.cycles().empty() ? 0 : step.cycles().back())
        << " cycles" << std::flush;
  });
  const double seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  err << "\n";
  out << text << "\n";

  const std::vector<std::uint64_t>& cyc = step.cycles();
  std::uint64_t sum = 0;
  for (auto v : cyc) sum += v;
  const double mean = cyc.empty() ? 0 : static_cast<double>(sum) / static_cast<double>(cyc.size());
  const auto [mhz, clock_label] = clockOf(options);
  out << fmt::format("tokens: {} checked: logits equal on the {} and the golden model, every step as predicted\n",
                     cyc.size(), options.backend == "rtl" ? "RTL" : "device");
  if (cyc.size() == 1)
    out << fmt::format("cycles per token: position 0: {} (predicted {})\n", cyc.front(), step.predicted().front());
  if (cyc.size() > 1)
    out << fmt::format("cycles per token: position 0: {} (predicted {}), position {}: {} (predicted {}), mean {:.0f}\n",
                       cyc.front(), step.predicted().front(), cyc.size() - 1, cyc.back(), step.predicted().back(),
                       mean);
  out << fmt::format("tokens/s at {:.1f} MHz ({}): {:.0f}\n", mhz, clock_label, mean > 0 ? mhz * 1e6 / mean : 0.0);
  out << fmt::format("accuracy against fp32 (float reference, same tokens): mean logit cosine {:.4f}, top-1 {:.3f}\n",
                     step.meanCosine(), step.top1());
  out << fmt::format(
      "compile: {:.2f} s for the placement phase (every position-independent program and position 0's), "
      "{:.3f} s per later position (mean of {})\n",
      dut.programs().placementSeconds(), dut.programs().meanPositionSeconds(), cyc.size() > 1 ? cyc.size() - 1 : 0);
  out << fmt::format("wall: {:.1f} s to decode ({:.2f} tokens/s simulated), {:.1f} s in all\n", seconds,
                     seconds > 0 ? static_cast<double>(cyc.size()) / seconds : 0.0,
                     std::chrono::duration<double>(Clock::now() - t0).count());
  return 0;
}

}  // namespace lpu::cli
