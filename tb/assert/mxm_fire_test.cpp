// lpu_mxm_core's internal invariant (8 lanes, half rate: interval 2), fired by fault injection.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "sw/isa/isa.hpp"
#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

// At half rate an ABC computes its second half of columns in the cycle after it; the spacing check (hist_q,
// MXM_OVERRUN) makes any ABC in that cycle an overrun. A second half with no ABC one cycle ago (abc1_q
// corrupted) meeting a new ABC is caught.
TEST(MxmFire, SecondHalfNeverMeetsANewAbc) {
  Model m;
  VTOP& t = m.top();
  t.issue_valid_i = 0;
  t.issue_insn_i = 0;
  t.ld_issue_valid_i = 0;
  t.ld_issue_insn_i = 0;
  t.commit_i = 1;
  for (auto& w : t.sr_e_i.m_storage) w = 0;
  for (auto& w : t.sr_w_i.m_storage) w = 0;
  m.reset();
  m.clock(3);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_mxm_core__DOT__abc1_q = 1;
  t.issue_valid_i = 1;
  t.issue_insn_i = lpu::isa::encode(lpu::isa::Instruction::make(lpu::isa::Opcode::kAbc));
  m.clock();
  t.issue_valid_i = 0;
  EXPECT_ONLY_FIRED(m, "lpu_mxm_core.SecondHalfNeverMeetsANewAbc");
}

}  // namespace
