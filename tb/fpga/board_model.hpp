// BoardModel for one verilated lpu_fpga_top (included by board_model_fast.cpp /
// board_model_real.cpp only: it pulls in the generated model's header).
#pragma once

#include <cstdint>
#include <memory>

#include "tb/fpga/fpga_harness.hpp"

// Verilator's headers are not written for -Wextra -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "verilated.h"
#pragma GCC diagnostic pop

namespace lpu::tb {

// The numbers a model was verilated with (tb/fpga/CMakeLists.txt passes the same ones as -G
// overrides).
struct BoardParams {
  double clk_hz;
  double baud;
  std::uint64_t timeout_clks;
};

template <class V>
class BoardModelImpl final : public BoardModel {
 public:
  BoardModelImpl(std::uint32_t seed, BoardParams p) : p_(p) {
    ctx_ = std::make_unique<VerilatedContext>();
    log_ = std::make_unique<sim::AssertLog>(ctx_.get());
    ctx_->fatalOnError(false);
    ctx_->randReset(2);  // every flop and memory starts random: reset must cover what matters
    ctx_->randSeed(static_cast<int>(seed & 0x7FFFFFFF));
    top_ = std::make_unique<V>(ctx_.get(), "lpu_fpga_top");
    top_->clk_25mhz = 0;
    top_->btn = 1;  // btn[0] (PWRn, active low) released; the others (active high) released
    top_->ftdi_txd = 1;
    top_->eval();
  }
  ~BoardModelImpl() override { top_->final(); }

  void cycle(bool txd, bool btn0) override {
    top_->ftdi_txd = txd;
    top_->btn = btn0 ? 1 : 0;
    top_->eval();
    top_->clk_25mhz = 1;
    top_->eval();
    ctx_->timeInc(1);
    top_->clk_25mhz = 0;
    top_->eval();
    ctx_->timeInc(1);
    ++clocks_;
  }
  bool rxd() const override { return top_->ftdi_rxd; }
  std::uint8_t led() const override { return top_->led; }
  bool gpio0() const override { return top_->wifi_gpio0; }
  std::uint64_t clocks() const override { return clocks_; }
  bool gotError() const override { return ctx_->gotError(); }
  const sim::AssertLog& assertLog() const override { return *log_; }
  double clocksPerBit() const override { return p_.clk_hz / p_.baud; }
  std::uint64_t timeout() const override { return p_.timeout_clks; }

 private:
  BoardParams p_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<sim::AssertLog> log_;  // outlives the model, for failures in its final()
  std::unique_ptr<V> top_;
  std::uint64_t clocks_ = 0;
};

}  // namespace lpu::tb
