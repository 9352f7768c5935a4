// One module verilated with a parameter (or a package constant) its elaboration-time checks reject; the
// `initial` assertion fails in the first evaluation. LPU_EXPECT_FIRED names it (tb/assert/CMakeLists.txt).
#include VTOP_HEADER
#include VTOP_ROOT_HEADER

#include "tb/assert/fire_util.hpp"
#include "tb/assert/unit_model.hpp"

namespace {

TEST(ElabFire, LPU_ELAB_TEST) {
  lpu::tb::UnitModel<VTOP> m;
  EXPECT_ONLY_FIRED(m, LPU_EXPECT_FIRED);
}

}  // namespace
