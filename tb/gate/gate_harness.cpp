#include "tb/gate/gate_harness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <utility>

#include "sw/isa/isa.hpp"
#include "sw/model/machine.hpp"

// Verilator's headers and generated code are not written for -Wextra -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "Vlpu_gate.h"
#include "verilated.h"
#pragma GCC diagnostic pop

namespace lpu::tb::gate {

class GateHarness::Model {
 public:
  Model() {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vlpu_gate>(ctx_.get(), "lpu_top");
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->host_req_i = 0;
    top_->host_we_i = 0;
    top_->host_addr_i = 0;
    top_->host_wdata_i = 0;
    top_->eval();
    // Reset as sim/rtl_harness.cpp applies it: two clocks with rst_ni low.
    top_->rst_ni = 0;
    top_->eval();
    cycle(false, false, 0, 0);
    cycle(false, false, 0, 0);
    top_->rst_ni = 1;
    top_->eval();
  }
  ~Model() { top_->final(); }

  void cycle(bool req, bool we, std::uint32_t addr, std::uint32_t wdata) {
    top_->host_req_i = req;
    top_->host_we_i = we;
    top_->host_addr_i = addr & ((1u << kHostAddrBits) - 1);
    top_->host_wdata_i = wdata;
    top_->eval();
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(1);
    ++clocks_;
  }
  std::uint32_t rdata() const { return top_->host_rdata_o; }
  std::uint64_t clocks() const { return clocks_; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vlpu_gate> top_;
  std::uint64_t clocks_ = 0;
};

std::string_view GateHarness::configName() { return LPU_GATESIM_CONFIG; }

GateHarness::GateHarness(const isa::ArchConfig& cfg) : cfg_(cfg) {
  if (cfg.name() != configName()) {
    throw std::invalid_argument(
        fmt::format("GateHarness: the netlist is of configuration '{}', not '{}' "
                    "(sw/tools/gatesim.sh GATESIM_CONFIG)",
                    configName(), cfg.name()));
  }
  model_ = std::make_unique<Model>();
}

GateHarness::~GateHarness() = default;

void GateHarness::writeReg(std::uint32_t addr, std::uint32_t value) { model_->cycle(true, true, addr, value); }

std::uint32_t GateHarness::readReg(std::uint32_t addr) {
  model_->cycle(true, false, addr, 0);
  return model_->rdata();
}

void GateHarness::step(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) model_->cycle(false, false, 0, 0);
}

void GateHarness::writeQueue(unsigned queue, std::span<const std::uint32_t> words) {
  writeReg(kRegImemAddr, kImemAddrQueueField.put(queue));
  for (std::uint32_t w : words) writeReg(kRegImemData, w);
}

void GateHarness::loadProgram(const isa::Program& program) {
  if (program.config != cfg_.name()) {
    throw std::invalid_argument(
        fmt::format("GateHarness::loadProgram: program is for configuration '{}', the "
                    "netlist is '{}'",
                    program.config, cfg_.name()));
  }
  if (program.queues.size() != cfg_.queues()) {
    throw std::invalid_argument(fmt::format("GateHarness::loadProgram: {} queues, the configuration has {}",
                                            program.queues.size(), cfg_.queues()));
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

void GateHarness::writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) {
  if (word.size() != cfg_.lanes()) throw std::invalid_argument("GateHarness::writeSram: word is not lanes bytes");
  for (unsigned i = 0; i < cfg_.lanes() / 4; ++i) {
    std::uint32_t v = 0;
    for (unsigned k = 0; k < 4; ++k) v |= std::uint32_t{word[4 * i + k]} << (8 * k);
    writeReg(kRegSramData + 4 * i, v);
  }
  writeReg(kRegSramAddr, kSramAddrPosField.put(position) | kSramAddrAddrField.put(address));
  writeReg(kRegSramCmd, kSramCmdWrite);
}

std::vector<std::uint8_t> GateHarness::readSram(unsigned position, std::uint32_t address) {
  writeReg(kRegSramAddr, kSramAddrPosField.put(position) | kSramAddrAddrField.put(address));
  writeReg(kRegSramCmd, kSramCmdRead);
  std::vector<std::uint8_t> out(cfg_.lanes());
  for (unsigned i = 0; i < cfg_.lanes() / 4; ++i) {
    const std::uint32_t v = readReg(kRegSramData + 4 * i);
    for (unsigned k = 0; k < 4; ++k) out[4 * i + k] = static_cast<std::uint8_t>(v >> (8 * k));
  }
  return out;
}

std::uint64_t GateHarness::cycle() {
  const std::uint64_t lo = readReg(kRegCycleLo);
  const std::uint64_t hi = readReg(kRegCycleHi);
  return hi << 32 | lo;
}

std::uint64_t GateHarness::clocks() const { return model_->clocks(); }

RunResult GateHarness::run(std::uint64_t max_cycles) {
  RunResult r;
  const std::uint64_t clocks0 = model_->clocks();
  writeReg(kRegCtrl, kCtrlStart);
  bool timed_out = false;
  while ((r.status = readReg(kRegStatus)) & kStatusRunning) {
    if (model_->clocks() - clocks0 > max_cycles + 8) {  // + the few clocks between START and cycle 0
      timed_out = true;
      break;
    }
  }
  if (timed_out) {
    r.cycles = cycle();
    writeReg(kRegCtrl, kCtrlClear);
    r.status = readReg(kRegStatus);
    r.error = isa::ErrorCode::kTimeout;
  } else {
    r.error = (r.status & kStatusError) ? static_cast<isa::ErrorCode>(readReg(kRegErrCode)) : isa::ErrorCode::kNone;
    r.cycles = cycle();
  }
  r.clocks = model_->clocks() - clocks0;
  return r;
}

// ------------------------------------------------------------------------------------------------
namespace {

// The SRAM words a run wrote, in the order first written.
class WriteRecorder final : public model::Observer {
 public:
  void onMemWrite(const model::MemWrite& w) override {
    if (seen_.insert({w.position, w.address}).second) words_.emplace_back(w.position, w.address);
  }
  std::vector<std::pair<unsigned, std::uint32_t>> words_;
  std::set<std::pair<unsigned, std::uint32_t>> seen_;
};

std::string hexBytes(std::span<const std::uint8_t> v) {
  std::string s;
  for (std::uint8_t b : v) s += fmt::format("{:02x} ", b);
  if (!s.empty()) s.pop_back();
  return s;
}

}  // namespace

std::string GateCheck::report() const {
  std::string s;
  for (const std::string& m : mismatches) s += m + "\n";
  return s;
}

GateCheck runAndCompare(GateHarness& h, const isa::Program& program, std::uint64_t max_cycles) {
  GateCheck c;
  const isa::ArchConfig& cfg = h.config();

  model::Machine m(cfg);
  WriteRecorder rec;
  m.addObserver(&rec);
  m.loadProgram(program);
  const model::RunState state = m.run(max_cycles);
  m.removeObserver(&rec);
  c.model_cycles = m.cycle();
  const std::optional<model::ErrorInfo>& merr = m.error();
  const bool timeout = merr && merr->code == isa::ErrorCode::kTimeout;

  h.loadProgram(program);
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = h.run(max_cycles);
  c.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.run_clocks = r.clocks;
  c.cycles = r.cycles;
  c.status = r.status;

  // ---- Status, cycle count, error.
  if (timeout || r.error == isa::ErrorCode::kTimeout) {
    if (!(timeout && r.error == isa::ErrorCode::kTimeout)) {
      c.mismatches.push_back(
          fmt::format("only the {} ran into the cycle limit ({} cycles)", timeout ? "model" : "netlist", max_cycles));
    }
  } else {
    const bool model_err = state == model::RunState::kError;
    const std::uint32_t want_status = kStatusDone | (model_err ? kStatusError : 0u);
    if (r.status != want_status) {
      c.mismatches.push_back(
          fmt::format("STATUS: netlist {:#x}, model {:#x} (bits: 0 RUNNING, 1 DONE, 2 ERROR)", r.status, want_status));
    }
    if (r.cycles != c.model_cycles) {
      c.mismatches.push_back(fmt::format("CYCLE: netlist {}, model {}", r.cycles, c.model_cycles));
    }
    const isa::ErrorCode want_code = model_err ? merr->code : isa::ErrorCode::kNone;
    const auto code = static_cast<isa::ErrorCode>(h.readReg(kRegErrCode));
    if (code != want_code) {
      c.mismatches.push_back(
          fmt::format("ERR_CODE: netlist {}, model {}", isa::errorName(code), isa::errorName(want_code)));
    } else if (model_err) {
      const std::uint32_t err_cycle = h.readReg(kRegErrCycle);
      const ErrWhere w = ErrWhere::decode(h.readReg(kRegErrWhere));
      const std::uint32_t want_addr = merr->address & 0x7FFF;
      if (err_cycle != static_cast<std::uint32_t>(merr->cycle) || w.position != merr->position ||
          w.stream != merr->stream || w.dir != merr->dir || w.address != want_addr) {
        c.mismatches.push_back(fmt::format(
            "{}: netlist ERR_CYCLE {} position {} stream {} dir {} address {:#x}; "
            "model cycle {} position {} "
            "stream {} dir {} address {:#x} ({})",
            isa::errorName(code), err_cycle, w.position, w.stream, static_cast<int>(w.dir), w.address, merr->cycle,
            merr->position, merr->stream, static_cast<int>(merr->dir), want_addr, merr->message));
      }
    }
  }

  // ---- SRAM: every word the model wrote and every word the program loaded.
  std::vector<std::pair<unsigned, std::uint32_t>> words = rec.words_;
  std::set<std::pair<unsigned, std::uint32_t>> seen = rec.seen_;
  const unsigned lanes = cfg.lanes();
  for (const isa::DataSegment& seg : program.data) {
    for (std::size_t w = 0; w * lanes < seg.bytes.size(); ++w) {
      const std::pair<unsigned, std::uint32_t> k{seg.position, seg.address + static_cast<std::uint32_t>(w)};
      if (seen.insert(k).second) words.push_back(k);
    }
  }
  unsigned bad = 0;
  for (const auto& [p, a] : words) {
    const std::vector<std::uint8_t> got = h.readSram(p, a);
    const std::span<const std::uint8_t> want = m.sramWord(p, a);
    if (std::equal(want.begin(), want.end(), got.begin(), got.end())) continue;
    if (++bad <= 8) {
      c.mismatches.push_back(fmt::format("SRAM {} (position {}) word {:#06x}: netlist {}, model {}", cfg.sliceName(p),
                                         p, a, hexBytes(got), hexBytes(want)));
    }
  }
  if (bad > 8) c.mismatches.push_back(fmt::format("... and {} more SRAM words differ", bad - 8));
  c.sram_words = words.size();
  return c;
}

}  // namespace lpu::tb::gate
