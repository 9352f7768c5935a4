// lpu_vxm's internal invariant (8 lanes, 8 streams), fired by fault injection.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

// stage_t (rtl/lpu_vxm.sv) with 8 streams is 25 bits: valid at bit 24, cls at 23:22 (ClsAlu = 0).
constexpr std::uint32_t kStageValid = 1u << 24;

// The ALU path ends after stage 1, so stage 2 never holds an ALU instruction: a corrupted one is caught.
TEST(VxmFire, AStageHoldsOnlyItsOwnClass) {
  Model m;
  VTOP& t = m.top();
  t.issue_valid_i = 0;
  t.issue_insn_i = 0;
  t.commit_i = 1;
  for (auto& w : t.sr_e_i.m_storage) w = 0;
  for (auto& w : t.sr_w_i.m_storage) w = 0;
  m.reset();
  m.clock(3);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_vxm__DOT__st2_q = kStageValid;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_vxm.AStageHoldsOnlyItsOwnClass");
}

}  // namespace
