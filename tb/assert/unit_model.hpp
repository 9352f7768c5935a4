// One verilated RTL module alone, for the assertion fire tests (tb/assert/): its ports driven directly (illegal
// inputs allowed) and, because the unit builds pass --public-flat-rw, its internal state reachable through
// rootp for fault injection. The model is built with --assert and records which assertions fail
// (sim/assert_log.hpp).
//
// Example:
//   UnitModel<Vassert_uart_tx> m;
//   m.reset();                          // rst_ni low over one clock edge, then high
//   m.top().valid_i = 1; m.clock();     // inputs set before the edge are what the edge samples
//   EXPECT_EQ(m.firedAssertions(), std::vector<std::string>{"lpu_uart_tx.LineIdlesHighWhenNotBusy"})
#pragma once

#include <verilated.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assert_log.hpp"

namespace lpu::tb {

template <class V>
class UnitModel {
 public:
  explicit UnitModel(std::uint32_t seed = 1) : ctx_(std::make_unique<VerilatedContext>()), log_(ctx_.get()) {
    ctx_->fatalOnError(false);  // the tests make assertions fail on purpose and keep clocking
    ctx_->randReset(2);
    ctx_->randSeed(static_cast<int>(seed & 0x7FFF'FFFFu));
    top_ = std::make_unique<V>(ctx_.get());
    if constexpr (requires(V& v) { v.clk_i; }) top_->clk_i = 0;  // lpu_decode has no clock
    top_->eval();
  }
  ~UnitModel() { top_->final(); }
  UnitModel(const UnitModel&) = delete;
  UnitModel& operator=(const UnitModel&) = delete;

  V& top() { return *top_; }
  auto& root() { return *top_->rootp; }

  // Re-evaluates after a change made through rootp (fault injection) or to the inputs, without a clock edge.
  void settle() { top_->eval(); }
  // n clock cycles: the inputs as set now are settled, sampled by the rising edge, then the clock falls.
  void clock(unsigned n = 1) {
    for (unsigned i = 0; i < n; ++i) {
      top_->eval();
      top_->clk_i = 1;
      top_->eval();
      ctx_->timeInc(1);
      top_->clk_i = 0;
      top_->eval();
      ctx_->timeInc(1);
    }
  }
  // Asynchronous reset held over one clock edge, then released and one more clock.
  void reset() {
    top_->rst_ni = 0;
    top_->eval();
    clock();
    top_->rst_ni = 1;
    clock();
  }

  bool assertionFailed() const { return ctx_->gotError(); }
  const sim::AssertLog& assertions() const { return log_; }
  std::vector<std::string> firedAssertions() const { return log_.firedKeys(); }
  bool fired(std::string_view name) const { return log_.fired(name); }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  sim::AssertLog log_;  // outlives top_, for failures in its final()
  std::unique_ptr<V> top_;
};

}  // namespace lpu::tb
