// lpu_queue verilated with QueueDepth 12: its elaboration check fails in the first evaluation.
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

TEST(QueueDepthFire, QueueDepthIsAPowerOfTwo) {
  lpu::tb::UnitModel<VTOP> m;
  EXPECT_ONLY_FIRED(m, "lpu_queue.QueueDepthIsAPowerOfTwo");
}

}  // namespace
