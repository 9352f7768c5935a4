#include "sw/driver/device.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sw/driver/serial_device.hpp"
#include "sw/model/machine.hpp"
#include "sw/model/trace.hpp"

namespace lpu::driver {
namespace {

// The golden model behind the Device interface.
class ModelDevice final : public Device {
 public:
  explicit ModelDevice(const isa::ArchConfig& cfg) : cfg_(cfg), machine_(cfg) {}

  const isa::ArchConfig& config() const override { return cfg_; }
  void loadProgram(const isa::Program& program) override { machine_.loadProgram(program); }
  void writeSram(unsigned position, std::uint32_t address, std::span<const std::uint8_t> word) override {
    machine_.writeSram(position, address, word);
  }
  std::vector<std::uint8_t> readSram(unsigned position, std::uint32_t address) override {
    return machine_.readSram(position, address);
  }
  RunResult run(std::uint64_t max_cycles, std::ostream* trace) override {
    std::optional<model::TraceWriter> writer;
    if (trace != nullptr) {
      writer.emplace(*trace, cfg_);
      machine_.addObserver(&*writer);
    }
    machine_.start();
    const model::RunState state = machine_.run(max_cycles);
    if (writer) {
      writer->finish();
      machine_.removeObserver(&*writer);
    }
    RunResult r;
    r.cycles = machine_.cycle();
    if (state == model::RunState::kError && machine_.error()) {
      const model::ErrorInfo& e = *machine_.error();
      r.error = DeviceError{e.code, e.cycle, e.position, e.message};
    }
    return r;
  }

 private:
  isa::ArchConfig cfg_;
  model::Machine machine_;
};

}  // namespace

#if LPU_HAVE_RTL
std::unique_ptr<Device> makeRtlDevice(const isa::ArchConfig& cfg);  // rtl_device.cpp
#endif

std::unique_ptr<Device> makeDevice(std::string_view backend, const isa::ArchConfig& cfg, const SerialOptions& serial) {
  if (backend == "model") return std::make_unique<ModelDevice>(cfg);
  if (backend == "serial") {
    if (serial.port.empty()) throw std::invalid_argument("backend 'serial' needs a port (--port PATH)");
    return makeSerialDevice(cfg, openSerialPort(serial.port, serial.baud), serial);
  }
#if LPU_HAVE_RTL
  if (backend == "rtl") return makeRtlDevice(cfg);
  throw std::invalid_argument(fmt::format("backend '{}' is not available; expected: model, rtl, serial", backend));
#else
  if (backend == "rtl") {
    throw std::invalid_argument(
        "backend 'rtl' is not available in this build (it needs Verilator: make deps, then "
        "rebuild); expected: model, serial");
  }
  throw std::invalid_argument(
      fmt::format("backend '{}' is not available in this build; expected: model, serial", backend));
#endif
}

}  // namespace lpu::driver
