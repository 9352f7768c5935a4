// Cycle driver for one verilated functional slice (lpu_vxm, lpu_sxm, lpu_mxm_core): the slice interface of
// docs/rtl-slices.md, one call of step() per clock cycle.
//
// Example:
//   SliceHarness<Vvxm_small_test> h(16, 8);
//   h.reset();
//   h.srByte(Dir::kEast, 2, 0) = 5;      // R[E][2] lane 0 in this cycle
//   h.issue(word);                      // dispatch in this cycle
//   CycleOut o = h.step();              // outputs of this cycle (before the clock edge), then the edge
#pragma once

#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assert_log.hpp"

namespace lpu::tb {

// What the slice drives in one cycle.
struct CycleOut {
  std::uint32_t en[2] = {0, 0};       // [dir] bit s: stream s loaded at the end of this cycle
  std::vector<std::uint8_t> data[2];  // [dir] byte s*lanes + lane
  bool busy = false;
  bool err = false;
  unsigned err_code = 0;
  unsigned err_info = 0;
};

template <class Top>
class SliceHarness {
 public:
  SliceHarness(unsigned lanes, unsigned streams, std::uint64_t seed = 1)
      : lanes_(lanes), streams_(streams), ctx_(std::make_unique<VerilatedContext>()), log_(ctx_.get()) {
    // Random initial state: nothing may depend on an unreset register. The seed is printed to reproduce.
    ctx_->randReset(2);
    ctx_->randSeed(static_cast<int>(seed & 0x7FFFFFFF));
    ctx_->fatalOnError(false);  // a failed assertion is counted (assertionFailed()), not an abort
    top_ = std::make_unique<Top>(ctx_.get());
    for (auto& s : sr_) s.assign(std::size_t{lanes} * streams, 0);
  }
  ~SliceHarness() { top_->final(); }

  unsigned lanes() const { return lanes_; }
  unsigned streams() const { return streams_; }
  std::uint64_t cycle() const { return cycle_; }
  Top& top() { return *top_; }
  bool assertionFailed() const { return ctx_->gotError(); }
  // Which ones, by name (sim/assert_log.hpp): every failure with its source line, the distinct keys
  // (module.label, in first-failure order), and whether one matching `name` (module.label or a bare label) fired.
  const sim::AssertLog& assertions() const { return log_; }
  std::vector<std::string> firedAssertions() const { return log_.firedKeys(); }
  bool fired(std::string_view name) const { return log_.fired(name); }

  // Stream register R[dir][s] lane `lane` as the slice reads it in the coming cycle. Persists until changed.
  std::uint8_t& srByte(unsigned dir, unsigned s, unsigned lane) { return sr_[dir][std::size_t{s} * lanes_ + lane]; }
  std::vector<std::uint8_t>& sr(unsigned dir) { return sr_[dir]; }

  void issue(std::uint32_t word) {
    issue_valid_ = true;
    insn_ = word;
  }
  void setCommit(bool c) { commit_ = c; }

  // Asynchronous reset, then one idle cycle with the reset released. cycle() restarts at 0.
  void reset() {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->issue_valid_i = 0;
    top_->commit_i = 1;
    top_->eval();
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->eval();
    cycle_ = 0;
  }

  // One cycle: drive the inputs, sample the outputs, rising edge. The issue is cleared afterwards.
  CycleOut step() {
    top_->clk_i = 0;
    top_->issue_valid_i = issue_valid_;
    top_->issue_insn_i = insn_;
    top_->commit_i = commit_;
    pack(sr_[0], top_->sr_e_i);
    pack(sr_[1], top_->sr_w_i);
    top_->eval();
    CycleOut o;
    o.en[0] = top_->wr_e_en_o;
    o.en[1] = top_->wr_w_en_o;
    o.data[0] = unpack(top_->wr_e_data_o);
    o.data[1] = unpack(top_->wr_w_data_o);
    o.busy = top_->busy_o;
    o.err = top_->err_o;
    o.err_code = top_->err_code_o;
    o.err_info = top_->err_info_o;
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    issue_valid_ = false;
    commit_ = true;
    ++cycle_;
    return o;
  }

 private:
  template <class W>
  void pack(const std::vector<std::uint8_t>& bytes, W& wide) {
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
      std::uint32_t w = 0;
      for (std::size_t k = 0; k < 4 && i + k < bytes.size(); ++k) w |= std::uint32_t{bytes[i + k]} << (8 * k);
      wide[i / 4] = w;
    }
  }
  template <class W>
  std::vector<std::uint8_t> unpack(const W& wide) {
    std::vector<std::uint8_t> bytes(std::size_t{lanes_} * streams_);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(wide[i / 4] >> (8 * (i % 4)));
    return bytes;
  }

  unsigned lanes_, streams_;
  std::unique_ptr<VerilatedContext> ctx_;
  sim::AssertLog log_;  // outlives top_, for failures in its final()
  std::unique_ptr<Top> top_;
  std::vector<std::uint8_t> sr_[2];
  bool issue_valid_ = false;
  bool commit_ = true;
  std::uint32_t insn_ = 0;
  std::uint64_t cycle_ = 0;
};

// A scoreboard of expected stream loads per cycle; compares each CycleOut exactly (enables and enabled data).
class Expectations {
 public:
  struct Load {
    unsigned dir, stream;
    std::vector<std::uint8_t> bytes;  // lanes
    std::uint64_t issued = 0;         // dispatch cycle of the producing instruction
  };
  // Streams already due at `cycle` in `dir` (bit mask).
  std::uint32_t due(std::uint64_t cycle, unsigned dir) const {
    std::uint32_t m = 0;
    if (cycle < loads_.size())
      for (const Load& l : loads_[cycle])
        if (l.dir == dir) m |= 1u << l.stream;
    return m;
  }
  void add(std::uint64_t cycle, Load l) {
    if (loads_.size() <= cycle) loads_.resize(cycle + 1);
    loads_[cycle].push_back(std::move(l));
  }
  // busy_o's meaning: an instruction dispatched before `cycle` still loads a register in `cycle` or later.
  bool pending(std::uint64_t cycle) const {
    for (std::size_t c = cycle; c < loads_.size(); ++c)
      for (const Load& l : loads_[c])
        if (l.issued < cycle) return true;
    return false;
  }
  // Empty string when `o` (the outputs of `cycle`) is exactly what was expected.
  std::string check(std::uint64_t cycle, const CycleOut& o, unsigned lanes) const {
    std::string msg;
    for (unsigned d = 0; d < 2; ++d) {
      std::uint32_t want = due(cycle, d);
      if (o.en[d] != want) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "cycle %llu dir %u: en 0x%x, expected 0x%x; ",
                      static_cast<unsigned long long>(cycle), d, o.en[d], want);
        msg += buf;
      }
    }
    if (cycle < loads_.size()) {
      for (const Load& l : loads_[cycle]) {
        for (unsigned i = 0; i < lanes; ++i) {
          std::uint8_t got = o.data[l.dir][std::size_t{l.stream} * lanes + i];
          if (got != l.bytes[i]) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "cycle %llu %c%u lane %u: got 0x%02x, expected 0x%02x; ",
                          static_cast<unsigned long long>(cycle), l.dir ? 'W' : 'E', l.stream, i, got, l.bytes[i]);
            msg += buf;
            break;  // one lane per stream is enough to locate it
          }
        }
      }
    }
    return msg;
  }

 private:
  std::vector<std::vector<Load>> loads_;
};

}  // namespace lpu::tb
