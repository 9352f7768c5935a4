// lpu_uart_tx's assertion, fired by fault injection (tb/assert/CMakeLists.txt).
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

// tx_q is registered from the state machine and high whenever it is idle: only a corrupted line register makes
// an idle transmitter drive low.
TEST(UartTxFire, LineIdlesHighWhenNotBusy) {
  Model m;
  m.top().valid_i = 0;
  m.top().data_i = 0;
  m.reset();
  m.clock(3);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_uart_tx__DOT__tx_q = 0;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_uart_tx.LineIdlesHighWhenNotBusy");
}

}  // namespace
