// lpu_decode_bench [--quick] [--fpga fpga.json] out.json: the decode step of a stories260K-shaped model on ulx3s
// (docs/llm.md section 8). Per sampled position: the compiler's cycles per token, the programs, the compile time
// of that position's programs and the fullest instruction queue; tokens/s at the clock of fpga.json (make
// bitstream) or the 100 MHz target. Every sampled position but the last is also run on the golden model, which
// must take the predicted cycles. The full run compiles every position 0..255; --quick samples 0 and 31.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sw/driver/device.hpp"
#include "sw/isa/arch.hpp"
#include "sw/llm/generate.hpp"
#include "sw/llm/int_model.hpp"
#include "sw/llm/lpu_decoder.hpp"

namespace {

using namespace lpu;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, fpga_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--fpga" && i + 1 < argc)
      fpga_path = argv[++i];
    else
      out_path = a;
  }
  if (out_path.empty()) {
    fmt::print(stderr, "usage: lpu_decode_bench [--quick] [--fpga fpga.json] out.json\n");
    return 2;
  }
  const std::string config = "ulx3s";
  double mhz = 100;
  std::string clock_source = "target 100 MHz";
  if (!fpga_path.empty() && std::filesystem::exists(fpga_path)) {
    std::ifstream f(fpga_path);
    const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_object() && j.contains("fmax_mhz") && j["fmax_mhz"].is_number() && j["fmax_mhz"].get<double>() > 0) {
      mhz = std::min(j["fmax_mhz"].get<double>(), j.value("target_mhz", j["fmax_mhz"].get<double>()));
      clock_source = fmt::format("{} (fmax {:.1f} MHz)", fpga_path, j["fmax_mhz"].get<double>());
    }
  }
  try {
    const llm::Checkpoint ck = llm::randomCheckpoint(llm::shapeConfig("260K"), 1);
    llm::IntModel ref(ck);
    const Clock::time_point t0 = Clock::now();
    auto device = driver::makeDevice("model", isa::ArchConfig::byName(config));
    llm::LpuDecoder lpu(ref.weights(), config, *device, llm::defaultDecoderOptions(config));
    const double setup_ms = msSince(t0);
    llm::DecodePrograms& dp = lpu.programs();
    const int rows = llm::cacheRows(ck.config);
    const std::vector<int> shown =
        quick ? std::vector<int>{0, 31} : std::vector<int>{0, 31, 63, 127, 191, 239, 240, 255};
    std::set<int> positions(shown.begin(), shown.end());
    if (!quick)
      for (int p = 0; p < rows; ++p) positions.insert(p);
    nlohmann::json per_pos = nlohmann::json::array();
    std::uint64_t max_words = 0, max_own = 0;  // fullest queue, most low words of a slice a program uses
    for (int pos : positions) {
      const Clock::time_point t1 = Clock::now();
      const auto& step = dp.step(pos);
      const double ms = msSince(t1);
      std::size_t words = 0;
      for (const llm::ChainProgram* p : step) {
        for (const auto& q : p->result.program.queues) words = std::max(words, q.size());
        for (const auto& [slice, used] : p->result.layout.words_used) max_own = std::max<std::uint64_t>(max_own, used);
      }
      max_words = std::max<std::uint64_t>(max_words, words);
      const std::uint64_t cycles = dp.predictedCycles(pos);
      nlohmann::json j = {{"position", pos},
                          {"cycles_predicted", cycles},
                          {"programs", step.size()},
                          {"attention_split", pos >= lpu.programs().options().attention_split_position},
                          {"compile_ms", ms},
                          {"max_queue_words", words},
                          {"tokens_per_s", mhz * 1e6 / static_cast<double>(cycles)}};
      per_pos.push_back(j);
    }
    // Measured on the golden model: the first positions, in order (each fills its cache row).
    nlohmann::json measured = nlohmann::json::array();
    const int run_to = quick ? 2 : 32;
    for (int pos = 0; pos < run_to; ++pos) {
      lpu.next(pos == 0 ? 1 : 1 + pos % 7, pos);
      measured.push_back({{"position", pos},
                          {"cycles_measured", lpu.lastStep().cycles},
                          {"cycles_predicted", lpu.lastStep().predicted_cycles},
                          {"host_data_bytes", lpu.lastStep().data_bytes},
                          {"host_constant_bytes", lpu.lastStep().constant_bytes}});
      if (lpu.lastStep().cycles != lpu.lastStep().predicted_cycles) throw std::runtime_error("cycles differ");
    }
    const llm::SramUse u = dp.sramUse();
    nlohmann::json out = {{"config", config},
                          {"shape", "260K"},
                          {"cache_rows", rows},
                          {"queue_depth", isa::ArchConfig::byName(config).params().queue_depth},
                          {"attention_split_position", dp.options().attention_split_position},
                          {"clock_mhz", mhz},
                          {"clock_source", clock_source},
                          {"setup_ms", setup_ms},
                          {"positions", per_pos},
                          {"measured", measured},
                          {"max_queue_words", max_words},
                          {"max_program_words_per_slice", max_own},
                          {"sram_bytes",
                           {{"weights", u.weights},
                            {"caches", u.caches},
                            {"activations", u.activations},
                            {"program_words", u.program_words},
                            {"constant_pool", u.constants},
                            {"constant_pool_used", u.constants_used},
                            {"free", u.free},
                            {"total", u.total}}}};
    std::ofstream(out_path) << out.dump(1) << "\n";
    fmt::print("decode, stories260K shape on {} ({} positions compiled; clock {:.1f} MHz: {})\n", config,
               positions.size(), mhz, clock_source);
    fmt::print("{:>8} {:>10} {:>9} {:>8} {:>11} {:>11}\n", "position", "cycles", "tokens/s", "programs", "compile ms",
               "queue words");
    for (const auto& j : per_pos) {
      const int pos = j["position"].get<int>();
      if (!std::count(shown.begin(), shown.end(), pos)) continue;
      fmt::print("{:>8} {:>10} {:>9.0f} {:>8} {:>11.0f} {:>11}\n", pos, j["cycles_predicted"].get<std::uint64_t>(),
                 j["tokens_per_s"].get<double>(), j["programs"].get<std::size_t>(), j["compile_ms"].get<double>(),
                 j["max_queue_words"].get<std::size_t>());
    }
    fmt::print("setup (placement phase, position 0) {:.0f} ms; fullest queue {} of {} words\n", setup_ms, max_words,
               isa::ArchConfig::byName(config).params().queue_depth);
    std::string pool_use;
    for (const auto& [slice, r] : dp.chain().pool().regions())
      pool_use += fmt::format(" {}:{}/{}", slice, dp.chain().pool().used(slice), r.second - r.first);
    fmt::print("programs' own words: at most {} of {} per slice; constant pool words per slice (used/reserved):{}\n",
               max_own, dp.options().temp_words, pool_use);
    fmt::print(
        "SRAM KiB: weights {:.1f}, caches {:.1f}, activations {:.1f}, programs' own {:.1f}, constant pool {:.1f} "
        "({:.1f} used), free {:.1f} of {:.1f}\n",
        u.weights / 1024.0, u.caches / 1024.0, u.activations / 1024.0, u.program_words / 1024.0, u.constants / 1024.0,
        u.constants_used / 1024.0, u.free / 1024.0, u.total / 1024.0);
  } catch (const std::exception& e) {
    fmt::print(stderr, "lpu_decode_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
