// lpu_mem_slice's run-time assertions (8 lanes, 8 streams, 4 banks of 64 words: addresses 0..255), fired
// through its ports (what lpu_top and its queue must never send) or by fault injection (the result register).
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "sw/isa/isa.hpp"
#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;
using lpu::isa::Field;
using lpu::isa::Instruction;
using lpu::isa::Opcode;

void idle(Model& m) {
  VTOP& t = m.top();
  t.issue_valid_i = 0;
  t.issue_insn_i = 0;
  t.commit_i = 1;
  t.host_req_i = 0;
  t.host_we_i = 0;
  t.host_addr_i = 0;
  for (auto& w : t.sr_e_i.m_storage) w = 0;
  for (auto& w : t.sr_w_i.m_storage) w = 0;
  t.host_wdata_i = 0;
  m.reset();
  m.clock(2);
}

void issue(Model& m, const Instruction& insn) {
  m.top().issue_valid_i = 1;
  m.top().issue_insn_i = lpu::isa::encode(insn);
  m.clock();
  m.top().issue_valid_i = 0;
  m.clock(3);
}

Instruction memInsn(Opcode op, unsigned addr, unsigned mmap = 0) {
  Instruction i = Instruction::make(op);
  i.set(Field::kAddr, static_cast<std::int32_t>(addr));
  i.set(Field::kMmap, static_cast<std::int32_t>(mmap));
  return i;
}

TEST(MemSliceFire, LegalReadAndGatherFireNothing) {
  Model m;
  idle(m);
  issue(m, memInsn(Opcode::kRead, 255));
  issue(m, memInsn(Opcode::kGather, 0, 2));
  EXPECT_NONE_FIRED(m);
  EXPECT_FALSE(m.assertionFailed());
}

TEST(MemSliceFire, HostAccessOnlyWhenStopped) {
  Model m;
  idle(m);
  m.top().host_req_i = 1;  // commit_i is high: the machine is running
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.HostAccessOnlyWhenStopped");
}

TEST(MemSliceFire, DirectAddressesAreInRange) {
  Model m;
  idle(m);
  issue(m, memInsn(Opcode::kRead, 256));
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.DirectAddressesAreInRange");
}

TEST(MemSliceFire, OnlyMemInstructionsAreIssued) {
  Model m;
  idle(m);
  issue(m, Instruction::make(Opcode::kAdd));
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.OnlyMemInstructionsAreIssued");
}

TEST(MemSliceFire, MapStreamsAreAnAlignedPair) {
  Model m;
  idle(m);
  issue(m, memInsn(Opcode::kGather, 0, 3));
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.MapStreamsAreAnAlignedPair");
}

// The result register drives one stream slot, one cycle after a read: two slots at once is corrupted state.
TEST(MemSliceFire, OneResultPerCycle) {
  Model m;
  idle(m);
  m.top().issue_valid_i = 1;
  m.top().issue_insn_i = lpu::isa::encode(memInsn(Opcode::kRead, 1));
  m.clock();  // the read's result is in the register in the next cycle...
  m.top().issue_valid_i = 0;
  m.root().lpu_mem_slice__DOT__r_oh_q = 0b11;  // ...for two slots
  m.clock();
  EXPECT_TRUE(m.fired("lpu_mem_slice.OneResultPerCycle")) << m.assertions().summary();
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.OneResultPerCycle");
}

TEST(MemSliceFire, ResultIsThePreviousCyclesRead) {
  Model m;
  idle(m);
  m.root().lpu_mem_slice__DOT__r_oh_q = 0b100;  // no read was dispatched
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_mem_slice.ResultIsThePreviousCyclesRead");
}

}  // namespace
