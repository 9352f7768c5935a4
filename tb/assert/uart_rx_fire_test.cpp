// lpu_uart_rx's assertion, fired by fault injection (tb/assert/CMakeLists.txt).
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

// The receiver leaves busy after the stop bit (index 9): an index past the frame while busy is corrupted state.
TEST(UartRxFire, BitIndexStaysInFrame) {
  Model m;
  m.top().rx_i = 1;
  m.reset();
  m.clock(3);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_uart_rx__DOT__busy_q = 1;
  m.root().lpu_uart_rx__DOT__bit_q = 12;
  m.root().lpu_uart_rx__DOT__cnt_q = 3;  // not at a sample point: the state holds over the next edge
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_uart_rx.BitIndexStaysInFrame");
}

}  // namespace
