// Helpers for the directed lockstep tests: slice positions by name, a program of halts, and
// check(), which runs a program in lockstep, fails the test with the full report on any mismatch
// (the program is saved under build/lockstep-failures/ and the report names the command that reruns
// it), and returns the result so that the test can also assert what the program was meant to
// exercise (an error code, a cycle count).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sw/model/tests/test_util.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace lpu::lockstep::test {

using namespace lpu::model::test;  // encoders, ProgramBuilder, E(), W(), deliver(), toPlanes()
using isa::ArchConfig;
using isa::Dir;
using isa::ElemType;
using isa::ErrorCode;
using isa::Opcode;

// Positions of one configuration (docs/architecture.md section 2).
struct Layout {
  explicit Layout(const ArchConfig& c) : cfg(c) {}
  const ArchConfig& cfg;
  unsigned vxm() const { return cfg.vxmPosition(); }
  unsigned memW(unsigned k) const { return cfg.vxmPosition() - 1 - k; }
  unsigned memE(unsigned k) const { return cfg.vxmPosition() + 1 + k; }
  unsigned m() const { return cfg.memSlicesPerHem(); }
  unsigned sxmW() const { return 1; }
  unsigned sxmE() const { return cfg.positions() - 2; }
  unsigned mxmW() const { return 0; }
  unsigned mxmE() const { return cfg.positions() - 1; }
  unsigned loadW() const { return cfg.positions(); }      // queue MXM_W_LOAD
  unsigned loadE() const { return cfg.positions() + 1; }  // queue MXM_E_LOAD
  unsigned last() const { return cfg.positions() - 1; }
  unsigned lanes() const { return cfg.lanes(); }
  unsigned streams() const { return cfg.streamsPerDir(); }
  std::uint32_t maxAddr() const { return cfg.wordsPerSlice() - 1; }
};

inline isa::Program allHalt(const ArchConfig& cfg) {
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.assign(cfg.queues(), std::vector<std::uint32_t>{halt()});
  return p;
}

inline std::string currentTestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? fmt::format("{}.{}", info->test_suite_name(), info->name()) : std::string("test");
}

// Runs `p` in lockstep; any mismatch fails the current test with the report. `label` names the
// program within the test (for the saved .lpb and the wave file).
inline Result check(const ArchConfig& cfg, const isa::Program& p, const std::string& label = "",
                    Options opt = Options{}) {
  opt.name = currentTestName() + (label.empty() ? "" : "-" + label);
  for (char& c : opt.name) {
    if (c == '/') c = '_';
  }
  // Read back every loaded word too (catches RTL writes the model did not make) on ulx3s; on large
  // a host SRAM read costs 18 clocks at ~2 k clocks/s, and the same RTL is checked on ulx3s.
  opt.check_data_segments = cfg.name() == "ulx3s";
  const Result r = run(cfg, p, opt);
  EXPECT_TRUE(r.ok()) << r.report();
  return r;
}

// Expects the run to have stopped with `code` at `cycle` at `position` (on the model; check()
// compared the RTL).
inline void expectError(const Result& r, ErrorCode code, std::uint64_t cycle, unsigned position) {
  ASSERT_TRUE(r.model_error) << r.summary();
  EXPECT_EQ(r.model_error->code, code) << r.model_error->message;
  EXPECT_EQ(r.model_error->cycle, cycle) << r.model_error->message;
  EXPECT_EQ(r.model_error->position, position) << r.model_error->message;
}

inline void expectDone(const Result& r) {
  EXPECT_FALSE(r.model_error) << (r.model_error ? r.model_error->message : "");
  EXPECT_EQ(r.model_state, model::RunState::kDone);
}

inline Bytes randomBytes(std::mt19937& rng, unsigned n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

// Corner values of a `bytes`-wide signed element, then random ones, `n` in all.
inline std::vector<std::int64_t> cornerValues(unsigned bytes, unsigned n, std::mt19937& rng, unsigned rotate = 0) {
  const int bits = 8 * static_cast<int>(bytes);
  const std::int64_t max = (std::int64_t{1} << (bits - 1)) - 1, min = -max - 1;
  std::vector<std::int64_t> c = {0,       1, -1, max,  min,   max - 1,  min + 1, 2,        -2, max / 2,
                                 min / 2, 3, -3, 0x55, -0x56, bits - 1, bits,    bits + 1, 7,  8};
  std::vector<std::int64_t> out(n);
  for (unsigned i = 0; i < n; ++i) {
    const unsigned k = i + rotate;
    if (k < c.size()) {
      out[i] = c[(k * 7 + rotate) % c.size()];
    } else {
      std::int64_t v = static_cast<std::int64_t>(rng() & ((bits == 32) ? 0xFFFFFFFFu : ((1u << bits) - 1)));
      if (v > max) v -= std::int64_t{1} << bits;
      out[i] = v;
    }
  }
  return out;
}

}  // namespace lpu::lockstep::test
