// lpu_serial_bench: host -> SRAM throughput of the UART link (docs/fpga.md section 4) -> JSON and a table.
//
//   lpu_serial_bench OUT.json [--quick]
//
// Computed from the protocol's frame sizes at the board's 3 Mbaud (8N1: 10 line bits per byte, so 300,000 bytes/s
// each way): payload bytes per second for an IMEM load (16-word WRITE frames) and for SRAM words (each ulx3s word
// is two WRITE_SEQ frames: SRAM_DATA[0..1], then SRAM_ADDR + SRAM_CMD), and the time to load a stories260K-sized
// image (263,168 weight bytes) at the line rate alone and with a host round trip per frame (the FTDI chip's USB
// latency timer: 1 ms at best, 16 ms by default). The host waits for each reply, so request and reply bytes add up.
//
// Measured over lpu-board-sim (the verilated top behind a pty, 12.5 Mbaud build): the line bytes per SRAM word as
// the serial backend really sent and received them (checked against the computed frame sizes) and the wall-clock
// rate of the simulation, which says how fast the board-sim is, not the board.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sw/driver/device.hpp"
#include "sw/driver/host_port.hpp"
#include "sw/driver/serial_device.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/regs_gen.hpp"
#include "sw/link/link.hpp"
#include "sw/llm/generate.hpp"
#include "sw/llm/int_model.hpp"
#include "sw/llm/int_weights.hpp"
#include "sw/llm/lpu_decoder.hpp"
#include "tb/fpga/board_sim_process.hpp"

namespace {

using namespace lpu;

constexpr double kBoardBaud = 3'000'000;
constexpr double kLineBitsPerByte = 10;  // 8N1
constexpr std::uint64_t kStoriesWeightBytes = 263'168;

// A ByteStream that counts what passes through it.
class Counting final : public driver::ByteStream {
 public:
  Counting(std::unique_ptr<driver::ByteStream> s, std::uint64_t& sent, std::uint64_t& received)
      : s_(std::move(s)), sent_(sent), received_(received) {}
  void write(std::span<const std::uint8_t> b) override {
    s_->write(b);
    sent_ += b.size();
  }
  std::size_t read(std::span<std::uint8_t> b, std::chrono::milliseconds t) override {
    const std::size_t n = s_->read(b, t);
    received_ += n;
    return n;
  }
  std::string name() const override { return s_->name(); }

 private:
  std::unique_ptr<driver::ByteStream> s_;
  std::uint64_t& sent_;
  std::uint64_t& received_;
};

std::uint64_t requestBytes(unsigned payload_words) {
  return link::kRequestHeaderBytes + 4ull * payload_words + link::kCrcBytes;
}
std::uint64_t replyBytes(unsigned payload_words) {
  return link::kReplyHeaderBytes + 4ull * payload_words + link::kCrcBytes;
}

nlohmann::json transfer(const std::string& name, std::uint64_t payload, std::uint64_t line, unsigned frames) {
  const double seconds = static_cast<double>(line) * kLineBitsPerByte / kBoardBaud;
  return {{"name", name},
          {"payload_bytes", payload},
          {"line_bytes", line},
          {"frames", frames},
          {"payload_bytes_per_s", static_cast<double>(payload) / seconds},
          {"efficiency", static_cast<double>(payload) / static_cast<double>(line)}};
}

// The line bytes the serial backend moves, without a board: a Device that runs the golden model and counts, per
// kind, the frames the serial backend (SerialDevice) sends for each call, through the same register protocol
// (host_port.hpp) it uses: CTRL.CLEAR then the queues and data segments per load, the SRAM word writes and reads,
// CTRL.START then the STATUS..CYCLE_HI polls per run. The polls depend on the board's speed against the line's:
// the first poll's STATUS read follows the START reply and the poll request (6 + 7 bytes), each further one a whole
// poll frame later (7 + 30 bytes), so a run of C cycles takes 1 + ceil((C - 13 b) / (37 b)) polls, b = board clocks
// per line byte (100 MHz / 300,000 bytes/s at 3 Mbaud).
class CountingDevice final : public driver::Device, private driver::HostPort {
 public:
  struct Bytes {
    std::uint64_t imem = 0, sram_write = 0, sram_read = 0, run = 0, polls = 0, frames = 0;
    std::uint64_t total() const { return imem + sram_write + sram_read + run; }
  };
  CountingDevice(const isa::ArchConfig& cfg, double clocks_per_line_byte)
      : cfg_(cfg), inner_(driver::makeDevice("model", cfg)), clocks_per_byte_(clocks_per_line_byte) {}

  const isa::ArchConfig& config() const override { return cfg_; }
  void loadProgram(const isa::Program& program) override {
    inner_->loadProgram(program);
    // The queues count as IMEM, the data segments (weights, inputs) as SRAM writes; CTRL.CLEAR as IMEM.
    kind_ = &bytes_.imem;
    writeSame(regs::kRegCtrl, std::vector<std::uint32_t>{regs::kCtrlClear});
    isa::Program queues = program;
    queues.data.clear();
    driver::loadProgramOverPort(*this, queues, cfg_);
    kind_ = &bytes_.sram_write;
    for (const isa::DataSegment& seg : program.data) {
      for (std::size_t w = 0; w * cfg_.lanes() < seg.bytes.size(); ++w) {
        std::vector<std::uint8_t> word(cfg_.lanes(), 0);
        const std::size_t off = w * cfg_.lanes();
        std::copy_n(seg.bytes.begin() + std::ptrdiff_t(off),
                    std::min<std::size_t>(cfg_.lanes(), seg.bytes.size() - off), word.begin());
        driver::writeSramOverPort(*this, seg.position, seg.address + static_cast<std::uint32_t>(w), word);
      }
    }
  }
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) override {
    kind_ = &bytes_.sram_write;
    driver::writeSramOverPort(*this, position, address, word);
    inner_->writeSram(position, address, word);
  }
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) override {
    kind_ = &bytes_.sram_read;
    driver::readSramOverPort(*this, position, address, cfg_.lanes());
    return inner_->readSram(position, address);
  }
  driver::RunResult run(std::uint64_t max_cycles, std::ostream* trace) override {
    kind_ = &bytes_.run;
    writeSame(regs::kRegCtrl, std::vector<std::uint32_t>{regs::kCtrlStart});
    const driver::RunResult r = inner_->run(max_cycles, trace);
    const double first = 13 * clocks_per_byte_, period = 37 * clocks_per_byte_;
    const double c = static_cast<double>(r.cycles);
    const std::uint64_t polls = 1 + (c > first ? static_cast<std::uint64_t>(std::ceil((c - first) / period)) : 0);
    for (std::uint64_t i = 0; i < polls; ++i) readSeq(regs::kRegStatus, (regs::kRegCycleHi - regs::kRegStatus) / 4 + 1);
    bytes_.polls += polls;
    return r;
  }
  const Bytes& bytes() const { return bytes_; }
  void reset() { bytes_ = Bytes{}; }

 private:
  unsigned maxWords() const override { return link::kDefaultMaxWords; }
  void writeSame(std::uint32_t, std::span<const std::uint32_t> words) override { frame(words.size(), 0); }
  void writeSeq(std::uint32_t, std::span<const std::uint32_t> words) override { frame(words.size(), 0); }
  std::vector<std::uint32_t> readSeq(std::uint32_t, unsigned count) override {
    frame(0, count);
    return std::vector<std::uint32_t>(count, 0);
  }
  void frame(std::size_t request_words, unsigned reply_words) {
    *kind_ += requestBytes(static_cast<unsigned>(request_words)) + replyBytes(reply_words);
    ++bytes_.frames;
  }

  isa::ArchConfig cfg_;
  std::unique_ptr<driver::Device> inner_;
  double clocks_per_byte_;
  Bytes bytes_;
  std::uint64_t* kind_ = &bytes_.imem;
};

nlohmann::json bytesJson(const CountingDevice::Bytes& b, std::uint64_t tokens) {
  const double n = static_cast<double>(tokens);
  const double total = static_cast<double>(b.total()) / n;
  return {{"imem_bytes", static_cast<double>(b.imem) / n},
          {"sram_write_bytes", static_cast<double>(b.sram_write) / n},
          {"sram_read_bytes", static_cast<double>(b.sram_read) / n},
          {"run_and_poll_bytes", static_cast<double>(b.run) / n},
          {"polls", static_cast<double>(b.polls) / n},
          {"frames", static_cast<double>(b.frames) / n},
          {"line_bytes", total},
          {"seconds_at_line_rate", total * kLineBitsPerByte / kBoardBaud}};
}

// Line bytes of the decode over the link as `lpu llama run` moves them: the one-off setup (the weights), then per
// token (the mean over `tokens` positions from 0: the step's programs, their inputs, the runs and polls, every
// logit read back). Not counted: the PING at open (21 bytes).
nlohmann::json decodeBytes(const std::string& shape, std::uint64_t seed, int tokens, double clocks_per_byte) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  const llm::Checkpoint ck = llm::randomCheckpoint(llm::shapeConfig(shape), seed);
  CountingDevice dev(cfg, clocks_per_byte);
  llm::LpuDecoder lpu(llm::quantizeModel(ck), "ulx3s", dev, llm::defaultDecoderOptions("ulx3s"));
  const CountingDevice::Bytes setup = dev.bytes();
  dev.reset();
  int token = 1;
  std::uint64_t cycles = 0, programs = 0;
  for (int pos = 0; pos < tokens; ++pos) {
    // forward(), as `lpu llama run` decodes: every logit read back, the host takes the argmax.
    lpu.forward(token, pos);
    const auto logits = lpu.logitsInt();
    token = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    cycles += lpu.lastStep().cycles;
    programs += lpu.lastStep().programs;
  }
  nlohmann::json j;
  j["shape"] = shape;
  j["seed"] = seed;
  j["tokens"] = tokens;
  j["programs_per_token"] = static_cast<double>(programs) / tokens;
  j["cycles_per_token"] = static_cast<double>(cycles) / tokens;
  j["load"] = bytesJson(setup, 1);
  j["per_token"] = bytesJson(dev.bytes(), static_cast<std::uint64_t>(tokens));
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lpu_serial_bench OUT.json [--quick]\n");
    return 1;
  }
  const bool quick = argc > 2 && std::string(argv[2]) == "--quick";
  try {
    const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
    const unsigned word_words = cfg.lanes() / 4;  // 32-bit staging words per SRAM word
    nlohmann::json j;
    j["baud"] = kBoardBaud;
    j["line_bytes_per_s"] = kBoardBaud / kLineBitsPerByte;
    const unsigned max = link::kDefaultMaxWords;
    const std::uint64_t imem_line = requestBytes(max) + replyBytes(0);
    // SRAM word: WRITE_SEQ SRAM_DATA[0..lanes/4) and WRITE_SEQ {SRAM_ADDR, SRAM_CMD}, each with an empty reply.
    const std::uint64_t sram_line = requestBytes(word_words) + replyBytes(0) + requestBytes(2) + replyBytes(0);
    j["transfers"] = {
        transfer(fmt::format("IMEM: one {}-word WRITE", max), 4ull * max, imem_line, 1),
        transfer(fmt::format("SRAM: one {} word ({} bytes)", cfg.name(), cfg.lanes()), cfg.lanes(), sram_line, 2)};
    const std::uint64_t words = kStoriesWeightBytes / cfg.lanes();
    const double line_s = static_cast<double>(words * sram_line) * kLineBitsPerByte / kBoardBaud;
    j["stories260K_load"] = {{"weight_bytes", kStoriesWeightBytes},
                             {"sram_words", words},
                             {"frames", 2 * words},
                             {"line_bytes", words * sram_line},
                             {"seconds_at_line_rate", line_s},
                             {"seconds_with_1ms_round_trip", line_s + 2.0 * static_cast<double>(words) * 1e-3},
                             {"seconds_with_16ms_round_trip", line_s + 2.0 * static_cast<double>(words) * 16e-3}};

    // Measured: SRAM words written through the serial backend into lpu-board-sim.
    const unsigned n = quick ? 32 : 512;
    tb::BoardSim sim(LPU_BIN_DIR);
    std::uint64_t sent = 0, received = 0;
    driver::SerialOptions opt;
    opt.port = sim.port();
    auto dev = driver::makeSerialDevice(
        cfg, std::make_unique<Counting>(driver::openSerialPort(opt.port, 3'000'000), sent, received), opt);
    const unsigned pos = static_cast<unsigned>(cfg.positionOf("MEM_E0"));
    std::vector<std::uint8_t> word(cfg.lanes());
    const std::uint64_t sent0 = sent, received0 = received;
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned w = 0; w < n; ++w) {
      for (unsigned i = 0; i < word.size(); ++i) word[i] = static_cast<std::uint8_t>(w * 7 + i);
      dev->writeSram(pos, w, word);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::uint64_t line = (sent - sent0) + (received - received0);
    // Read one back so the measurement is of writes that landed.
    const std::vector<std::uint8_t> back = dev->readSram(pos, n - 1);
    if (back != word) throw std::runtime_error("lpu-board-sim: the last word written did not read back");
    const double per_word = static_cast<double>(line) / n;
    j["measured"] = {{"over", "lpu-board-sim (verilated lpu_fpga_top, 12.5 Mbaud build, pty)"},
                     {"sram_words", n},
                     {"line_bytes_per_word", per_word},
                     {"line_bytes_per_word_computed", sram_line},
                     {"matches_computed", per_word == static_cast<double>(sram_line)},
                     {"wall_seconds", wall},
                     {"payload_bytes_per_s_wall", static_cast<double>(n) * cfg.lanes() / wall}};
    // Computed: what the decode's load and tokens cost on the line, stories260K at the board's 3 Mbaud.
    j["decode"] = decodeBytes("260K", 1, quick ? 2 : 8, 100e6 / (kBoardBaud / kLineBitsPerByte));
    // The tiny shape over lpu-board-sim's line (12.5 Mbaud at 100 MHz: 80 clocks per byte), as the serial_llama
    // ctest decodes it.
    j["decode_tiny_board_sim"] = decodeBytes("tiny", 4, 8, 80);
    std::ofstream(argv[1]) << j.dump(2) << "\n";

    std::printf("%-32s %8s %8s %7s %14s %6s\n", "transfer (3 Mbaud)", "payload", "line", "frames", "payload B/s",
                "eff.");
    for (const auto& t : j["transfers"]) {
      std::printf("%-32s %8llu %8llu %7u %14.0f %5.1f%%\n", t["name"].get<std::string>().c_str(),
                  t["payload_bytes"].get<unsigned long long>(), t["line_bytes"].get<unsigned long long>(),
                  t["frames"].get<unsigned>(), t["payload_bytes_per_s"].get<double>(),
                  100 * t["efficiency"].get<double>());
    }
    std::printf(
        "stories260K image (%llu bytes, %llu SRAM words): %.1f s at the line rate, %.1f s with a 1 ms and "
        "%.1f s with a 16 ms round trip per frame\n",
        static_cast<unsigned long long>(kStoriesWeightBytes), static_cast<unsigned long long>(words), line_s,
        j["stories260K_load"]["seconds_with_1ms_round_trip"].get<double>(),
        j["stories260K_load"]["seconds_with_16ms_round_trip"].get<double>());
    std::printf(
        "measured over lpu-board-sim: %u SRAM words, %.1f line bytes per word (computed %llu), %.0f payload "
        "B/s of wall clock (simulation speed)\n",
        n, per_word, static_cast<unsigned long long>(sram_line), static_cast<double>(n) * cfg.lanes() / wall);
    const auto& d = j["decode"];
    std::printf(
        "stories260K decode over the link (computed, 3 Mbaud): load %.0f line bytes (%.1f s); per token "
        "%.0f line bytes (%.1f s): IMEM %.0f, SRAM writes %.0f, SRAM reads %.0f, runs and polls %.0f (%.1f polls), "
        "%.0f frames\n",
        d["load"]["line_bytes"].get<double>(), d["load"]["seconds_at_line_rate"].get<double>(),
        d["per_token"]["line_bytes"].get<double>(), d["per_token"]["seconds_at_line_rate"].get<double>(),
        d["per_token"]["imem_bytes"].get<double>(), d["per_token"]["sram_write_bytes"].get<double>(),
        d["per_token"]["sram_read_bytes"].get<double>(), d["per_token"]["run_and_poll_bytes"].get<double>(),
        d["per_token"]["polls"].get<double>(), d["per_token"]["frames"].get<double>());
    if (per_word != static_cast<double>(sram_line)) {
      std::fprintf(stderr, "lpu_serial_bench: measured line bytes per word differ from the frame sizes\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_serial_bench: %s\n", e.what());
    return 1;
  }
}
