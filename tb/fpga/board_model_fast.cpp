#include "tb/fpga/board_model.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include "Vlpu_fpga_fast.h"
#pragma GCC diagnostic pop

namespace lpu::tb {

std::unique_ptr<BoardModel> makeFastBoardModel(std::uint32_t seed) {
  return std::make_unique<BoardModelImpl<Vlpu_fpga_fast>>(seed, BoardParams{100e6, 12.5e6, 2000});
}

}  // namespace lpu::tb
