// The ECP5 cell models (Yosys's cells_sim.v + tb/gate/ecp5_hard_cells.v) against the RTL they were
// synthesized from: tb/gate/gatesim_cells_check.sv verilated as RTL (Vcells_rtl) and as its
// synth_ecp5 netlist (Vcells_gate), driven with the same random inputs, every output compared every
// clock. Small addresses most of the time so that written words are read back often; every seventh
// cycle near the top of the 4 K memory.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "Vcells_gate.h"
#include "Vcells_rtl.h"
#include "verilated.h"
#pragma GCC diagnostic pop

namespace {

template <class V>
void clock(V& m, std::uint64_t t, std::uint64_t x, std::uint64_t y) {
  m.we_i = (x & 3) != 0;
  m.waddr_i = (x >> 2) & 0x3F;
  m.raddr_i = (x >> 8) & 0x3F;
  if (t % 7 == 0) {
    m.waddr_i |= 0xF00;
    m.raddr_i |= 0xF00;
  }
  m.wdata_i = static_cast<std::uint8_t>(x >> 14);
  m.be_i = (x >> 22) & 3;
  m.waddr2_i = (x >> 24) & 0x1F;
  m.raddr2_i = (x >> 30) & 0x1F;
  m.wdata2_i = (x >> 36) & 0x3FFFF;
  m.waddr3_i = y & 0xF;
  m.raddr3_i = (y >> 4) & 0xF;
  m.wdata3_i = (y >> 8) & 0xFFFFFFFFFull;
  m.a_i = static_cast<std::uint16_t>(y >> 44);
  m.b_i = static_cast<std::uint16_t>(x >> 48);
  m.c_i = static_cast<std::uint16_t>(y >> 20);
  m.d_i = static_cast<std::uint16_t>(x >> 40);
  m.clk_i = 0;
  m.eval();
  m.clk_i = 1;
  m.eval();
}

TEST(Ecp5CellModels, NetlistMatchesRtlOnRandomInputs) {
  VerilatedContext c_rtl, c_gate;
  auto rtl = std::make_unique<Vcells_rtl>(&c_rtl);
  auto gate = std::make_unique<Vcells_gate>(&c_gate);
  std::mt19937_64 rng(20261204);
  unsigned bad = 0;
  const std::uint64_t kCycles = 100'000;
  for (std::uint64_t t = 0; t < kCycles; ++t) {
    const std::uint64_t x = rng(), y = rng();
    clock(*rtl, t, x, y);
    clock(*gate, t, x, y);
    const bool same = rtl->rdata_o == gate->rdata_o && rtl->rdata2_o == gate->rdata2_o &&
                      rtl->rdata3_o == gate->rdata3_o && rtl->p_o == gate->p_o && rtl->q_o == gate->q_o;
    if (!same && ++bad <= 5) {
      ADD_FAILURE() << fmt::format(
          "cycle {}: 4Kx8 {:#x}/{:#x}, 1Kx18 {:#x}/{:#x}, 512x36 {:#x}/{:#x}, signed mul "
          "{:#x}/{:#x}, "
          "unsigned mul {:#x}/{:#x} (rtl/netlist)",
          t, rtl->rdata_o, gate->rdata_o, rtl->rdata2_o, gate->rdata2_o, rtl->rdata3_o, gate->rdata3_o,
          static_cast<std::uint32_t>(rtl->p_o), static_cast<std::uint32_t>(gate->p_o), rtl->q_o, gate->q_o);
    }
  }
  EXPECT_EQ(bad, 0u) << "of " << kCycles << " cycles differ";
  rtl->final();
  gate->final();
}

}  // namespace
