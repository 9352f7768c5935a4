#include "sim/rtl_harness.hpp"

#include <stdexcept>
#include <string>

// Verilator's headers and generated code are not written for -Wextra -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
// sim/CMakeLists.txt verilates the configurations in LPU_RTL_CONFIGS; rtl_models_gen.hpp includes their headers
// and lists them as LPU_RTL_MODELS(X).
#include "rtl_models_gen.hpp"
#include "verilated.h"
#include "verilated_fst_c.h"
#pragma GCC diagnostic pop

namespace lpu::sim {

// What the harness needs from a verilated lpu_top, independent of its configuration.
class RtlHarness::Model {
 public:
  virtual ~Model() = default;
  // One clock cycle with these host inputs (sampled at the rising edge).
  virtual void cycle(bool req, bool we, std::uint32_t addr, std::uint32_t wdata) = 0;
  virtual void reset() = 0;
  virtual std::uint32_t rdata() const = 0;
  // Byte `index` (stream * lanes + lane) of the stream registers of one direction at one position.
  virtual std::uint8_t streamByte(isa::Dir dir, unsigned position, std::size_t index) const = 0;
  virtual std::uint64_t clocks() const = 0;
  virtual bool gotError() const = 0;
  virtual const AssertLog& assertLog() const = 0;
};

namespace {

template <class V>
class ModelImpl final : public RtlHarness::Model {
 public:
  explicit ModelImpl(const HarnessOptions& opt) : opt_(opt) {
    ctx_ = std::make_unique<VerilatedContext>();
    log_ = std::make_unique<AssertLog>(ctx_.get());
    ctx_->fatalOnError(opt.fatal_assertions);
    // Random initial state from the seed (randSeed takes an int; the seed is masked to 31 bits).
    ctx_->randReset(opt.init_seed == 0 ? 0 : 2);
    ctx_->randSeed(static_cast<int>(opt.init_seed & 0x7FFF'FFFFu));
    if (!opt.trace_path.empty()) ctx_->traceEverOn(true);
    top_ = std::make_unique<V>(ctx_.get(), "lpu_top");
    if (!opt.trace_path.empty()) {
      fst_ = std::make_unique<VerilatedFstC>();
      top_->trace(fst_.get(), 99);
      fst_->open(opt.trace_path.c_str());
    }
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->host_req_i = 0;
    top_->host_we_i = 0;
    top_->host_addr_i = 0;
    top_->host_wdata_i = 0;
    top_->eval();
    reset();
  }
  ~ModelImpl() override {
    top_->final();
    if (fst_) fst_->close();
  }

  void reset() override {
    top_->rst_ni = 0;
    top_->eval();
    cycle(false, false, 0, 0);
    cycle(false, false, 0, 0);
    top_->rst_ni = 1;
    top_->eval();
  }

  void cycle(bool req, bool we, std::uint32_t addr, std::uint32_t wdata) override {
    top_->host_req_i = req;
    top_->host_we_i = we;
    top_->host_addr_i = addr & ((1u << kHostAddrBits) - 1);
    top_->host_wdata_i = wdata;
    // Settle the new inputs before the edge, as flops of the host clocked by this clock would: concurrent
    // assertions sample the values of the previous evaluation (preponed region).
    top_->eval();
    top_->clk_i = 1;
    top_->eval();
    dump();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    top_->eval();
    dump();
    ctx_->timeInc(1);
    ++clocks_;
  }

  std::uint32_t rdata() const override { return top_->host_rdata_o; }

  std::uint8_t streamByte(isa::Dir dir, unsigned position, std::size_t index) const override {
    // lpu_top.sr[dir][position] (dir: lpu_isa_pkg::dir_e, the values of isa::Dir): one packed vector of
    // StreamsPerDir x Lanes bytes.
    const auto& v = top_->rootp->lpu_top__DOT__sr[static_cast<unsigned>(dir)][position];
    return static_cast<std::uint8_t>(v[index / 4] >> (8 * (index % 4)));
  }

  std::uint64_t clocks() const override { return clocks_; }
  bool gotError() const override { return ctx_->gotError(); }
  const AssertLog& assertLog() const override { return *log_; }

 private:
  void dump() {
    if (fst_ && clocks_ >= opt_.trace_from && clocks_ < opt_.trace_to) fst_->dump(ctx_->time());
  }

  HarnessOptions opt_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<AssertLog> log_;  // outlives the model, for failures in its final()
  std::unique_ptr<V> top_;
  std::unique_ptr<VerilatedFstC> fst_;
  std::uint64_t clocks_ = 0;
};

}  // namespace

namespace {

std::string builtModels() {
  std::string names;
#define LPU_RTL_NAME(model) names += names.empty() ? #model : ", " #model;
  LPU_RTL_MODELS(LPU_RTL_NAME)
#undef LPU_RTL_NAME
  return names.empty() ? "none" : names;
}

}  // namespace

RtlHarness::RtlHarness(const isa::ArchConfig& cfg, HarnessOptions options) : cfg_(cfg), init_seed_(options.init_seed) {
#define LPU_RTL_MAKE(model) \
  if (cfg.name() == #model) model_ = std::make_unique<ModelImpl<Vlpu_##model>>(options);
  LPU_RTL_MODELS(LPU_RTL_MAKE)
#undef LPU_RTL_MAKE
  if (!model_) {
    throw std::invalid_argument("RtlHarness: no verilated model for configuration '" + std::string(cfg.name()) +
                                "' in this build (it has: " + builtModels() +
                                "; LPU_RTL_CONFIGS in sim/CMakeLists.txt chooses them)");
  }
}

RtlHarness::~RtlHarness() = default;

bool RtlHarness::available(std::string_view config_name) {
#define LPU_RTL_HAS(model) \
  if (config_name == #model) return true;
  LPU_RTL_MODELS(LPU_RTL_HAS)
#undef LPU_RTL_HAS
  static_cast<void>(config_name);  // unused when no model is built
  return false;
}

void RtlHarness::writeReg(std::uint32_t addr, std::uint32_t value) { model_->cycle(true, true, addr, value); }

std::uint32_t RtlHarness::readReg(std::uint32_t addr) {
  model_->cycle(true, false, addr, 0);
  return model_->rdata();
}

void RtlHarness::step(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) model_->cycle(false, false, 0, 0);
}

void RtlHarness::writeQueue(unsigned queue, std::span<const std::uint32_t> words, unsigned first) {
  writeReg(kRegImemAddr, kImemAddrQueueField.put(queue) | kImemAddrIndexField.put(first));
  for (std::uint32_t w : words) writeReg(kRegImemData, w);
}

void RtlHarness::loadProgram(const isa::Program& program) {
  if (program.config != cfg_.name()) {
    throw std::invalid_argument("RtlHarness::loadProgram: program is for configuration '" + program.config +
                                "', the model is '" + std::string(cfg_.name()) + "'");
  }
  if (program.queues.size() != cfg_.queues()) {
    throw std::invalid_argument("RtlHarness::loadProgram: " + std::to_string(program.queues.size()) +
                                " queues, the configuration has " + std::to_string(cfg_.queues()));
  }
  for (unsigned q = 0; q < program.queues.size(); ++q) writeQueue(q, program.queues[q]);
  const unsigned lanes = cfg_.lanes();
  for (const isa::DataSegment& seg : program.data) {
    for (std::size_t w = 0; w * lanes < seg.bytes.size(); ++w) {
      writeSram(seg.position, seg.address + static_cast<std::uint32_t>(w),
                std::span<const std::uint8_t>(seg.bytes).subspan(w * lanes, lanes));
    }
  }
}

void RtlHarness::writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) {
  if (word.size() != cfg_.lanes()) throw std::invalid_argument("RtlHarness::writeSram: word is not lanes bytes");
  for (unsigned i = 0; i < cfg_.lanes() / 4; ++i) {
    std::uint32_t v = 0;
    for (unsigned k = 0; k < 4; ++k) v |= std::uint32_t{word[4 * i + k]} << (8 * k);
    writeReg(kRegSramData + 4 * i, v);
  }
  writeReg(kRegSramAddr, kSramAddrPosField.put(position) | kSramAddrAddrField.put(address));
  writeReg(kRegSramCmd, kSramCmdWrite);
}

std::vector<std::uint8_t> RtlHarness::readSram(unsigned position, std::uint32_t address) {
  writeReg(kRegSramAddr, kSramAddrPosField.put(position) | kSramAddrAddrField.put(address));
  writeReg(kRegSramCmd, kSramCmdRead);
  std::vector<std::uint8_t> out(cfg_.lanes());
  for (unsigned i = 0; i < cfg_.lanes() / 4; ++i) {
    const std::uint32_t v = readReg(kRegSramData + 4 * i);
    for (unsigned k = 0; k < 4; ++k) out[4 * i + k] = static_cast<std::uint8_t>(v >> (8 * k));
  }
  return out;
}

void RtlHarness::start() { writeReg(kRegCtrl, kCtrlStart); }
void RtlHarness::clear() { writeReg(kRegCtrl, kCtrlClear); }

std::uint64_t RtlHarness::cycle() {
  const std::uint64_t lo = readReg(kRegCycleLo);
  const std::uint64_t hi = readReg(kRegCycleHi);
  return hi << 32 | lo;
}

RunResult RtlHarness::run(std::uint64_t max_cycles) {
  RunResult r;
  const std::uint64_t clocks0 = model_->clocks();
  start();
  // STATUS reads RUNNING from the START write on; each poll is one clock, so the program runs while we poll.
  // The poll that first reads !RUNNING was requested in the cycle after the machine stopped.
  bool timed_out = false;
  while ((r.status = readReg(kRegStatus)) & kStatusRunning) {
    if (model_->clocks() - clocks0 > max_cycles + 8) {  // + the few clocks between START and cycle 0
      timed_out = true;
      break;
    }
  }
  if (timed_out) {
    r.cycles = cycle();
    clear();
    r.status = readReg(kRegStatus);
    r.error = isa::ErrorCode::kTimeout;
  } else {
    r.error = (r.status & kStatusError) ? errorCode() : isa::ErrorCode::kNone;
    r.cycles = cycle();
  }
  r.clocks = model_->clocks() - clocks0;
  return r;
}

std::vector<std::uint8_t> RtlHarness::peekStream(isa::Dir dir, unsigned stream, unsigned position) const {
  const unsigned lanes = cfg_.lanes();
  const std::size_t base = std::size_t{stream} * lanes;
  std::vector<std::uint8_t> out(lanes);
  for (unsigned i = 0; i < lanes; ++i) out[i] = model_->streamByte(dir, position, base + i);
  return out;
}

std::uint64_t RtlHarness::clocks() const { return model_->clocks(); }
bool RtlHarness::assertionFailed() const { return model_->gotError(); }
const AssertLog& RtlHarness::assertions() const { return model_->assertLog(); }
std::vector<std::string> RtlHarness::firedAssertions() const { return model_->assertLog().firedKeys(); }
bool RtlHarness::fired(std::string_view name) const { return model_->assertLog().fired(name); }

}  // namespace lpu::sim
