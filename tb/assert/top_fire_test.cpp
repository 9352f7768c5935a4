// lpu_top's status and counter invariants (the ulx3s datapath with small memories), fired by fault injection
// into its control flops; the host port stays idle.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

void idle(Model& m) {
  m.top().host_req_i = 0;
  m.top().host_we_i = 0;
  m.top().host_addr_i = 0;
  m.top().host_wdata_i = 0;
  m.reset();
  m.clock(3);
  EXPECT_NONE_FIRED(m);
}

TEST(TopFire, RunningAndDoneAreExclusive) {
  Model m;
  idle(m);
  m.root().lpu_top__DOT__running_q = 1;
  m.root().lpu_top__DOT__done_q = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_top.RunningAndDoneAreExclusive");
}

TEST(TopFire, ErrorImpliesDone) {
  Model m;
  idle(m);
  m.root().lpu_top__DOT__error_q = 1;
  m.root().lpu_top__DOT__err_code_q = 1;
  m.root().lpu_top__DOT__done_q = 0;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_top.ErrorImpliesDone");
}

TEST(TopFire, ErrorCodeSetIffError) {
  Model m;
  idle(m);
  m.root().lpu_top__DOT__err_code_q = 3;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_top.ErrorCodeSetIffError");
}

TEST(TopFire, CycleCounterFrozenWhileStopped) {
  Model m;
  idle(m);
  m.root().lpu_top__DOT__cycle_q = 12345;
  m.clock(2);
  EXPECT_ONLY_FIRED(m, "lpu_top.CycleCounterFrozenWhileStopped");
}

// Done without an error means nothing is in flight: a VXM result in its ALU stage (stage_t with 4 streams is
// 21 bits, valid at bit 20, class ALU = 0) after DONE is caught.
TEST(TopFire, SlicesIdleWhenDoneWithoutError) {
  Model m;
  idle(m);
  m.root().lpu_top__DOT__done_q = 1;
  m.root().lpu_top__DOT__gen_pos__BRA__5__KET____DOT__gen_fu__DOT__gen_vxm__DOT__u_slice__DOT__st1_q = 1u << 20;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_top.SlicesIdleWhenDoneWithoutError");
}

}  // namespace
