#include "tb/fpga/board_model.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "Vlpu_fpga_real.h"
#pragma GCC diagnostic pop

namespace lpu::tb {

std::unique_ptr<BoardModel> makeRealBoardModel(std::uint32_t seed) {
  return std::make_unique<BoardModelImpl<Vlpu_fpga_real>>(seed, BoardParams{100e6, 3e6, 1'000'000});
}

}  // namespace lpu::tb
