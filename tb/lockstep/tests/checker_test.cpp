// The lockstep checker itself: it must see a difference between the RTL and the model and report it
// usefully. The model is given a slightly different program than the RTL (Options::model_program),
// so the difference is known: a data byte (a stream value, then an SRAM word), one more cycle, an
// error the RTL does not raise.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tb/lockstep/tests/lockstep_test_util.hpp"

namespace lpu::lockstep::test {
namespace {

// hello-like: MEM_W0 reads word 0 onto E0 at 0; MEM_E1 (3 hops) writes it to word 5 at 0 + 2 + 3 -
// 1 = 4.
isa::Program copyProgram(const ArchConfig& cfg, std::uint8_t lane3) {
  Layout l(cfg);
  isa::Program p = allHalt(cfg);
  p.queues[l.memW(0)] = {read(0, E(0)), halt()};
  p.queues[l.memE(1)] = {nop(4), write(5, E(0)), halt()};
  Bytes w(cfg.lanes(), 0x11);
  w[3] = lane3;
  p.data.push_back({l.memW(0), 0, w});
  return p;
}

TEST(Checker, ReportsAStreamDifferenceWithCycleSliceStreamAndBothValues) {
  const ArchConfig cfg = ArchConfig::byName("ulx3s");
  const isa::Program rtl = copyProgram(cfg, 0x22), model = copyProgram(cfg, 0x33);
  Options opt;
  opt.model_program = &model;
  opt.repro = "REPRO";
  const Result r = run(cfg, rtl, opt);
  ASSERT_FALSE(r.ok());
  // Read at 0 (latency 2): loaded into R[E][0][MEM_W0 + 1] = the VXM's register at the end of
  // cycle 1.
  ASSERT_TRUE(r.first_mismatch_cycle);
  EXPECT_EQ(*r.first_mismatch_cycle, 1u);
  const std::string rep = r.report();
  EXPECT_NE(rep.find("R[E][0] at VXM (position 5)"), std::string::npos) << rep;
  EXPECT_NE(rep.find(fmt::format("1 of {} lanes differ (3)", cfg.lanes())), std::string::npos) << rep;
  EXPECT_NE(rep.find("rtl  : 11 11 11 22 11"), std::string::npos) << rep;
  EXPECT_NE(rep.find("model: 11 11 11 33 11"), std::string::npos) << rep;
  EXPECT_NE(rep.find("^^"), std::string::npos) << rep;
  EXPECT_NE(rep.find("result of MEM_W0 (position 4) loaded at the end of cycle 1"), std::string::npos) << rep;
  EXPECT_NE(rep.find("read 0x000, E0"), std::string::npos) << rep;  // the dispatch that produced it
  // The rerun starts the RTL from the same initial state (Options::init_seed, default 1).
  EXPECT_NE(rep.find("rerun:    REPRO --init-seed 1"), std::string::npos) << rep;
  EXPECT_NE(rep.find("(init seed 1)"), std::string::npos) << rep;
  EXPECT_NE(rep.find("REPRO --init-seed 1 --wave"), std::string::npos) << rep;
  EXPECT_NE(rep.find("--from 0 --to 5"), std::string::npos) << rep;
  EXPECT_NE(rep.find("gtkwave"), std::string::npos) << rep;
  // The SRAM word written at 4 differs too.
  bool sram = false;
  for (const Mismatch& m : r.mismatches) sram = sram || m.kind == Mismatch::Kind::kSram;
  EXPECT_TRUE(sram) << rep;
}

TEST(Checker, ReportsTheCycleCountAndTheError) {
  const ArchConfig cfg = ArchConfig::byName("ulx3s");
  Layout l(cfg);
  isa::Program rtl = allHalt(cfg), longer = allHalt(cfg), failing = allHalt(cfg);
  rtl.queues[l.vxm()] = {nop(3), halt()};
  longer.queues[l.vxm()] = {nop(4), halt()};
  failing.queues[l.vxm()] = {nop(3), 0x7Fu << 25};
  Options opt;
  opt.model_program = &longer;
  Result r = run(cfg, rtl, opt);
  ASSERT_FALSE(r.ok());
  bool cycles = false, status = false;
  for (const Mismatch& m : r.mismatches) {
    cycles = cycles || m.kind == Mismatch::Kind::kCycles;
    status = status || m.kind == Mismatch::Kind::kStatus;
  }
  EXPECT_TRUE(cycles) << r.report();
  EXPECT_FALSE(status) << r.report();  // both are done
  opt.model_program = &failing;
  r = run(cfg, rtl, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.report().find("ERR_CODE: rtl NONE"), std::string::npos) << r.report();
  EXPECT_NE(r.report().find("model ILLEGAL_OPCODE at cycle 3"), std::string::npos) << r.report();
  // Without a repro command the program is saved and the command names the file.
  EXPECT_NE(r.repro.find("--program"), std::string::npos) << r.repro;
  EXPECT_NE(r.repro.find(".lpb"), std::string::npos) << r.repro;
}

}  // namespace
}  // namespace lpu::lockstep::test
