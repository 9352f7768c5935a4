// The verilated RTL (sim/rtl_harness.hpp) behind the Device interface: `lpu run --backend rtl`.
// Everything goes through the host register port, as the board's host would: IMEM/SRAM loads,
// START, STATUS polling, ERR_*, CYCLE, SRAM read-back. Built only when Verilator is available
// (LPU_HAVE_RTL, set by sw/driver/CMakeLists.txt).
#if LPU_HAVE_RTL

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "sim/rtl_harness.hpp"
#include "sw/driver/device.hpp"

namespace lpu::driver {
namespace {

class RtlDevice final : public Device {
 public:
  explicit RtlDevice(const isa::ArchConfig& cfg) : cfg_(cfg), harness_(cfg) {}

  const isa::ArchConfig& config() const override { return cfg_; }
  void loadProgram(const isa::Program& program) override {
    if (program.config != cfg_.name()) {
      throw std::invalid_argument(
          fmt::format("program is for configuration '{}', the device is '{}'", program.config, cfg_.name()));
    }
    harness_.loadProgram(program);
  }
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) override {
    checkWord(position, address);
    if (word.size() != cfg_.lanes()) {
      throw std::invalid_argument(fmt::format("SRAM word of {} bytes; expected {} (lanes)", word.size(), cfg_.lanes()));
    }
    harness_.writeSram(position, address, word);
  }
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) override {
    checkWord(position, address);
    return harness_.readSram(position, address);
  }
  RunResult run(std::uint64_t max_cycles, std::ostream* trace) override {
    if (trace != nullptr) {
      throw std::invalid_argument(
          "the rtl backend writes no Chrome trace; run the model backend for one, or get an FST "
          "waveform with "
          "lpu-lockstep --program FILE --wave out.fst (docs/verification.md)");
    }
    const sim::RunResult r = harness_.run(max_cycles);
    RunResult out;
    out.cycles = r.cycles;
    if (r.error == isa::ErrorCode::kTimeout) {
      out.cycles = max_cycles;
      out.error =
          DeviceError{isa::ErrorCode::kTimeout, max_cycles, 0,
                      fmt::format("no end after {} cycles (host TIMEOUT: CTRL.CLEAR stopped the core)", max_cycles)};
    } else if (r.status & sim::kStatusError) {
      const sim::ErrWhere w = harness_.errorWhere();
      const std::uint32_t cycle = harness_.errorCycle();
      out.error = DeviceError{r.error, cycle, w.position,
                              fmt::format("ERR_WHERE: position {} ({}), stream {}{}, address/pc {:#x}", w.position,
                                          w.position < cfg_.positions() ? cfg_.sliceName(w.position) : std::string("?"),
                                          w.dir == isa::Dir::kEast ? 'E' : 'W', w.stream, w.address)};
    }
    return out;
  }

 private:
  void checkWord(unsigned position, std::uint32_t address) const {
    if (position >= cfg_.positions() || cfg_.sliceAt(position) != isa::Slice::kMEM || address >= cfg_.wordsPerSlice()) {
      throw std::out_of_range(fmt::format("SRAM word {:#x} at position {} is not in a MEM slice of config '{}'",
                                          address, position, cfg_.name()));
    }
  }

  isa::ArchConfig cfg_;
  sim::RtlHarness harness_;
};

}  // namespace

std::unique_ptr<Device> makeRtlDevice(const isa::ArchConfig& cfg) { return std::make_unique<RtlDevice>(cfg); }

}  // namespace lpu::driver

#endif  // LPU_HAVE_RTL
