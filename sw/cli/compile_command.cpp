#include "sw/cli/compile_command.hpp"

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include "sw/asm/disassembler.hpp"
#include "sw/compiler/compiler.hpp"
#include "sw/compiler/reference.hpp"
#include "sw/driver/device.hpp"
#include "sw/isa/program.hpp"

namespace lpu::cli {
namespace {

std::ofstream openOut(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error(fmt::format("{}: cannot open for writing", path));
  return f;
}

}  // namespace

int compileCommand(const CompileCommandOptions& o, std::ostream& out) {
  compiler::CompileOptions copt;
  copt.mxms = o.mxms;
  const compiler::Graph graph = compiler::loadGraphFile(o.graph_path);
  compiler::CompileResult r = compiler::compile(graph, copt);
  const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
  if (!o.output.empty()) isa::saveProgramFile(o.output, r.program);
  if (!o.asm_output.empty()) openOut(o.asm_output) << assembler::disassemble(r.program, cfg);
  if (!o.layout_path.empty()) openOut(o.layout_path) << r.layout.toJson() << "\n";
  if (!o.report_path.empty()) openOut(o.report_path) << r.report.toJson() << "\n";
  if (!o.trace_path.empty()) {
    std::ofstream f = openOut(o.trace_path);
    compiler::writeScheduleTrace(r, f);
  }
  if (o.listing) out << compiler::scheduleListing(r);
  out << r.report.toText();
  if (!o.run) return 0;

  // Inputs: seeded random int8 values, packed where the layout put them.
  std::mt19937_64 rng(o.seed);
  isa::Program program = r.program;
  compiler::TensorValues inputs;
  for (const auto& [name, t] : graph.tensors) {
    if (t.kind != compiler::TensorKind::kInput) continue;
    std::vector<std::int32_t> values(std::size_t{t.rows} * t.cols);
    for (auto& v : values) v = static_cast<std::int32_t>(rng() % 256) - 128;
    for (auto& seg : compiler::packTensor(r.layout, name, values)) program.data.push_back(std::move(seg));
    inputs[name] = std::move(values);
  }
  if (!o.port.empty() && o.backend != "serial") {
    throw std::invalid_argument(
        fmt::format("--port {}: only --backend serial uses a port (the backend is '{}')", o.port, o.backend));
  }
  driver::SerialOptions serial;
  serial.port = o.port;
  serial.baud = o.baud;
  auto device = driver::makeDevice(o.backend, cfg, serial);
  device->loadProgram(program);
  const driver::RunResult run = device->run(r.report.predicted_cycles + 1000, nullptr);
  out << fmt::format("run on {}: {} cycles measured, {} predicted: {}\n", o.backend, run.cycles,
                     r.report.predicted_cycles, run.cycles == r.report.predicted_cycles ? "exact" : "MISMATCH");
  if (run.error) {
    out << fmt::format("  error {} at cycle {}: {}\n", isa::errorName(run.error->code), run.error->cycle,
                       run.error->message);
    return 2;
  }
  // Every output read back from the device against the IR's reference semantics (sw/compiler/reference.hpp).
  const compiler::TensorValues want = compiler::evaluateGraph(graph, inputs);
  bool outputs_match = true;
  for (const auto& [name, t] : graph.tensors) {
    if (t.kind != compiler::TensorKind::kOutput) continue;
    const auto values =
        compiler::unpackTensor(r.layout, name, [&](unsigned p, std::uint32_t a) { return device->readSram(p, a); });
    const auto& ref = want.at(name);
    std::size_t wrong = 0, first_wrong = values.size();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] == ref[i]) continue;
      if (wrong++ == 0) first_wrong = i;
    }
    out << fmt::format("  {} ({}x{}), first row:", name, t.rows, t.cols);
    for (unsigned c = 0; c < std::min(t.cols, 16u); ++c) out << " " << values[c];
    out << (t.cols > 16 ? " ..." : "");
    if (wrong == 0) {
      out << fmt::format("  [all {} values == reference]\n", values.size());
    } else {
      outputs_match = false;
      out << fmt::format(
          "\n  MISMATCH: {} of {} values differ from the reference; first at row {} column {}: "
          "{} (device) vs {} (reference)\n",
          wrong, values.size(), first_wrong / t.cols, first_wrong % t.cols, values[first_wrong], ref[first_wrong]);
    }
  }
  if (!outputs_match) return 2;
  return run.cycles == r.report.predicted_cycles ? 0 : 2;
}

}  // namespace lpu::cli
