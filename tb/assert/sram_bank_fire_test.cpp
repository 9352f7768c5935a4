// lpu_sram_bank's assertions, fired through its ports (Depth 6: the 3-bit addresses reach past the array).
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

void idle(Model& m) {
  m.top().we_i = 0;
  m.top().re_i = 0;
  m.top().waddr_i = 0;
  m.top().raddr_i = 0;
  m.top().wdata_i = 0;
  m.clock();
}

TEST(SramBankFire, LegalAccessesFireNothing) {
  Model m;
  idle(m);
  m.top().we_i = 1;
  m.top().waddr_i = 5;
  m.top().re_i = 1;
  m.top().raddr_i = 4;
  m.clock();
  EXPECT_NONE_FIRED(m);
  EXPECT_FALSE(m.assertionFailed());
}

TEST(SramBankFire, NoReadOfAWordBeingWritten) {
  Model m;
  idle(m);
  m.top().we_i = 1;
  m.top().re_i = 1;
  m.top().waddr_i = 2;
  m.top().raddr_i = 2;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_sram_bank.NoReadOfAWordBeingWritten");
}

TEST(SramBankFire, WriteAddressInRange) {
  Model m;
  idle(m);
  m.top().we_i = 1;
  m.top().waddr_i = 6;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_sram_bank.WriteAddressInRange");
}

TEST(SramBankFire, ReadAddressInRange) {
  Model m;
  idle(m);
  m.top().re_i = 1;
  m.top().raddr_i = 7;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_sram_bank.ReadAddressInRange");
}

}  // namespace
