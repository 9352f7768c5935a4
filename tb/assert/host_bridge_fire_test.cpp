// lpu_host_bridge's assertions (15-word buffer), fired by fault injection: each guards an invariant of the frame
// state machine that no byte sequence on its ports breaks.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

constexpr unsigned kStPayload = 5;  // state_e: StHunt, StCmd, StAddrLo, StAddrHi, StLen, StPayload, ...

void idle(Model& m) {
  m.top().rx_valid_i = 0;
  m.top().rx_data_i = 0;
  m.top().tx_ready_i = 1;
  m.top().host_rdata_i = 0;
  m.reset();
  m.clock(3);
}

TEST(HostBridgeFire, RegisterWritesOnlyAfterAGoodCrc) {
  Model m;
  idle(m);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_host_bridge__DOT__req_q = 1;  // a register write while hunting for a frame
  m.root().lpu_host_bridge__DOT__we_q = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_host_bridge.RegisterWritesOnlyAfterAGoodCrc");
}

TEST(HostBridgeFire, TxByteHeldUntilTaken) {
  Model m;
  idle(m);
  m.top().tx_ready_i = 0;
  m.root().lpu_host_bridge__DOT__tx_valid_q = 1;
  m.root().lpu_host_bridge__DOT__tx_byte_q = 0x5A;
  m.clock();
  EXPECT_NONE_FIRED(m);
  m.root().lpu_host_bridge__DOT__tx_byte_q = 0xA5;  // changed before the UART took it
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_host_bridge.TxByteHeldUntilTaken");
}

TEST(HostBridgeFire, PayloadStaysInBuffer) {
  Model m;
  idle(m);
  m.root().lpu_host_bridge__DOT__state_q = kStPayload;
  m.root().lpu_host_bridge__DOT__len_q = 16;
  m.root().lpu_host_bridge__DOT__pcnt_q = 4 * 15;  // one byte past the buffer
  m.top().rx_valid_i = 1;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_host_bridge.PayloadStaysInBuffer");
}

}  // namespace
