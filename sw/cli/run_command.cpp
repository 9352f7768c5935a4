#include "sw/cli/run_command.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sw/driver/device.hpp"
#include "sw/isa/isa.hpp"

namespace lpu::cli {
namespace {

std::uint32_t parseNumber(const std::string& text, const std::string& what, const std::string& whole) {
  try {
    std::size_t used = 0;
    const unsigned long v = std::stoul(text, &used, 0);
    if (used != text.size() || v > 0xFFFFFFFFul) throw std::invalid_argument("junk");
    return static_cast<std::uint32_t>(v);
  } catch (const std::exception&) {
    throw std::invalid_argument(
        fmt::format("--dump '{}': {} '{}' is not a number; expected decimal or 0x hex", whole, what, text));
  }
}

std::string hexWord(std::span<const std::uint8_t> bytes) {
  std::string s;
  for (std::size_t i = 0; i < bytes.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  return s;
}

}  // namespace

DumpRequest parseDump(const std::string& text, const isa::ArchConfig& cfg) {
  const auto c1 = text.find(':');
  if (c1 == std::string::npos) {
    throw std::invalid_argument(fmt::format("--dump '{}': expected SLICE:ADDR[:WORDS], e.g. MEM_E0:0x10:2", text));
  }
  const std::string slice = text.substr(0, c1);
  const auto c2 = text.find(':', c1 + 1);
  const std::string addr = text.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
  const std::string count = c2 == std::string::npos ? "1" : text.substr(c2 + 1);
  const int pos = cfg.positionOf(slice);
  if (pos < 0 || cfg.sliceAt(static_cast<unsigned>(pos)) != isa::Slice::kMEM) {
    throw std::invalid_argument(
        fmt::format("--dump '{}': '{}' is not a MEM slice of config '{}'; expected MEM_W0.. "
                    "or MEM_E0..MEM_E{}",
                    text, slice, cfg.name(), cfg.memSlicesPerHem() - 1));
  }
  DumpRequest r{static_cast<unsigned>(pos), parseNumber(addr, "address", text), parseNumber(count, "word count", text)};
  if (r.words == 0 || r.address >= cfg.wordsPerSlice() || r.words > cfg.wordsPerSlice() - r.address) {
    throw std::invalid_argument(fmt::format("--dump '{}': words {:#x}..{:#x} are outside the slice (0 .. {:#x})", text,
                                            r.address, std::uint64_t{r.address} + r.words - 1,
                                            cfg.wordsPerSlice() - 1));
  }
  return r;
}

int runCommand(const RunOptions& options, std::ostream& out) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(options.program.config);
  std::vector<DumpRequest> dumps;
  for (const auto& d : options.dumps) dumps.push_back(parseDump(d, cfg));

  if (!options.port.empty() && options.backend != "serial") {
    throw std::invalid_argument(fmt::format("--port {}: only --backend serial uses a port (the backend is '{}')",
                                            options.port, options.backend));
  }
  driver::SerialOptions serial;
  serial.port = options.port;
  serial.baud = options.baud;
  auto device = driver::makeDevice(options.backend, cfg, serial);
  device->loadProgram(options.program);
  for (const auto& path : options.memory_images) {
    const isa::Program image = isa::loadProgramFile(path);
    if (image.config != options.program.config) {
      throw std::invalid_argument(fmt::format("{}: memory image for config '{}', program is for '{}'", path,
                                              image.config, options.program.config));
    }
    for (const auto& seg : image.data) {
      for (std::size_t w = 0; w * cfg.lanes() < seg.bytes.size(); ++w) {
        device->writeSram(seg.position, seg.address + static_cast<std::uint32_t>(w),
                          std::span(seg.bytes).subspan(w * cfg.lanes(), cfg.lanes()));
      }
    }
  }
  std::ofstream trace;
  if (!options.trace_path.empty()) {
    trace.open(options.trace_path);
    if (!trace) throw std::runtime_error(fmt::format("{}: cannot open for writing", options.trace_path));
  }
  const driver::RunResult result = device->run(options.max_cycles, trace.is_open() ? &trace : nullptr);

  nlohmann::json j;
  j["program"] = options.program_path;
  j["config"] = options.program.config;
  j["backend"] = options.backend;
  if (options.backend == "serial") j["port"] = options.port;
  j["cycles"] = result.cycles;
  j["status"] = result.error ? "error" : "done";
  if (result.error) {
    j["error"] = {{"code", std::string(isa::errorName(result.error->code))},
                  {"cycle", result.error->cycle},
                  {"slice", cfg.sliceName(result.error->position)},
                  {"message", result.error->message}};
  }
  for (const DumpRequest& d : dumps) {
    for (std::uint32_t w = 0; w < d.words; ++w) {
      const auto bytes = device->readSram(d.position, d.address + w);
      j["dump"].push_back({{"slice", cfg.sliceName(d.position)}, {"address", d.address + w}, {"hex", hexWord(bytes)}});
    }
  }
  if (options.json) {
    out << j.dump(2) << "\n";
  } else {
    out << fmt::format("{} on {} ({}): {} cycles, status {}\n", options.program_path, options.backend,
                       options.program.config, result.cycles, result.error ? "ERROR" : "done");
    if (result.error) {
      out << fmt::format("  error {} at cycle {} in {}: {}\n", isa::errorName(result.error->code), result.error->cycle,
                         cfg.sliceName(result.error->position), result.error->message);
    }
    if (j.contains("dump")) {
      for (const auto& d : j["dump"]) {
        out << fmt::format("  {}[{:#05x}]: {}\n", d["slice"].get<std::string>(), d["address"].get<unsigned>(),
                           d["hex"].get<std::string>());
      }
    }
  }
  return result.error ? 2 : 0;
}

}  // namespace lpu::cli
