// lpu_streams' assertions (1 lane, 2 streams: one position is 16 bits), fired by fault injection. Built twice:
// with the east entry (LPU_EAST_ENTRY=1) and with the west entry.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

using Model = lpu::tb::UnitModel<VTOP>;

void stopped(Model& m) {
  m.top().clear_i = 0;
  m.top().advance_i = 0;
  m.top().wr_e_en_i = 0;
  m.top().wr_w_en_i = 0;
  m.top().wr_e_data_i = 0;
  m.top().wr_w_data_i = 0;
  m.top().sr_e_i = 0;
  m.top().sr_w_i = 0;
  m.reset();
  m.clock(2);
}

#if LPU_EAST_ENTRY
// The entry position's east registers are constant zero; a corrupted one is caught.
TEST(StreamsFire, EastEntryRegistersStayZero) {
  Model m;
  stopped(m);
  m.top().advance_i = 1;
  m.clock(2);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_streams__DOT__sr_e_q = 0x0100;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_streams.EastEntryRegistersStayZero");
}

// While neither advancing nor clearing the registers hold: a west register changing is caught.
TEST(StreamsFire, StreamsHoldWhileStopped) {
  Model m;
  stopped(m);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_streams__DOT__sr_w_q = 0x00A5;
  m.clock(2);
  EXPECT_ONLY_FIRED(m, "lpu_streams.StreamsHoldWhileStopped");
}
#else
TEST(StreamsFire, WestEntryRegistersStayZero) {
  Model m;
  stopped(m);
  m.top().advance_i = 1;
  m.clock(2);
  EXPECT_NONE_FIRED(m);
  m.root().lpu_streams__DOT__sr_w_q = 0x0001;
  m.clock();
  EXPECT_ONLY_FIRED(m, "lpu_streams.WestEntryRegistersStayZero");
}
#endif

}  // namespace
