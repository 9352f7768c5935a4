// What is built is what was verified: programs on the synthesized ECP5 netlist of lpu_top (verilated with
// the ECP5 cell models, driven through the host port only) against the golden model. Directed programs
// (examples/hello.s, tb/demo/pipeline.s, one that stops on an error) and a compiled GEMM; each test also
// prints the simulation speed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sw/asm/assembler.hpp"
#include "sw/compiler/compiler.hpp"
#include "sw/compiler/tests/test_util.hpp"
#include "tb/gate/gate_harness.hpp"

namespace lpu::tb::gate {
namespace {

namespace fs = std::filesystem;

isa::ArchConfig config() { return isa::ArchConfig::byName(GateHarness::configName()); }

isa::Program assembleText(const std::string& text, const std::string& name) {
  const auto a = assembler::assemble(text, name, config());
  if (!a.ok()) throw std::invalid_argument(a.formatDiagnostics());
  return *a.program;
}

isa::Program assembleFile(const std::string& rel) {
  std::ifstream in(fs::path(LPU_SOURCE_DIR) / rel);
  if (!in) throw std::invalid_argument("cannot open " + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return assembleText(ss.str(), rel);
}

void printSpeed(const std::string& what, const GateCheck& c) {
  const double rate = c.run_seconds > 0 ? static_cast<double>(c.run_clocks) / c.run_seconds : 0;
  fmt::print("gatesim: {}: {} program cycles, {} clocks in {:.2f} s = {:.0f} clocks/s; {} SRAM words compared\n",
             what, c.cycles, c.run_clocks, c.run_seconds, rate, c.sram_words);
  ::testing::Test::RecordProperty("clocks_per_second", static_cast<int>(rate));
}

void expectMatch(const std::string& what, const isa::Program& program, std::uint64_t max_cycles) {
  GateHarness h(config());
  const GateCheck c = runAndCompare(h, program, max_cycles);
  printSpeed(what, c);
  EXPECT_TRUE(c.ok()) << what << ":\n" << c.report();
  EXPECT_EQ(c.status, kStatusDone) << what << " did not end DONE";
  EXPECT_GT(c.sram_words, 0u) << what << ": nothing compared";
}

TEST(GateSim, HelloMatchesTheModel) { expectMatch("examples/hello.s", assembleFile("examples/hello.s"), 1000); }

TEST(GateSim, PipelineMatchesTheModel) {
  expectMatch("tb/demo/pipeline.s", assembleFile("tb/demo/pipeline.s"), 10'000);
}

// A run that stops on an error: ERR_CODE, ERR_CYCLE and ERR_WHERE must be the model's.
TEST(GateSim, ErrorRegistersMatchTheModel) {
  const isa::ArchConfig cfg = config();
  // MEM_E0 reads the last two words of its slice, then (Repeat with stride 1) the word past its end:
  // BAD_ADDRESS at run time.
  const std::string text = fmt::format(".queue MEM_E0\n    read {:#x}, W0\n    repeat 3, 1, 1\n",
                                       cfg.wordsPerSlice() - 2);
  const isa::Program p = assembleText(text, "bad_address.s");
  GateHarness h(cfg);
  const GateCheck c = runAndCompare(h, p, 1000);
  printSpeed("bad_address.s", c);
  EXPECT_TRUE(c.ok()) << c.report();
  EXPECT_EQ(c.status, kStatusDone | kStatusError);
  EXPECT_EQ(static_cast<isa::ErrorCode>(h.readReg(kRegErrCode)), isa::ErrorCode::kBadAddress);
}

// A compiled GEMM on both MXMs, ragged in every dimension: netlist == model == the compiler's cycle
// prediction, and the output read back through the host port equals the graph's reference.
TEST(GateSim, CompiledGemmMatchesTheModelAndTheReference) {
  const unsigned M = 5, K = 19, N = 13;
  compiler::Graph g = compiler::gemmGraph(std::string(GateHarness::configName()), M, K, N);
  const compiler::testing::Values inputs = compiler::testing::randomInputs(g, 4242);
  compiler::CompileOptions opt;
  opt.mxms = 2;
  const compiler::CompileResult r = compiler::compile(g, opt);
  isa::Program program = r.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : compiler::packTensor(r.layout, name, vals)) program.data.push_back(std::move(seg));
  const std::uint64_t predicted = r.report.predicted_cycles;

  GateHarness h(config());
  const GateCheck c = runAndCompare(h, program, predicted + 1000);
  printSpeed(fmt::format("gemm {}x{}x{}", M, K, N), c);
  EXPECT_TRUE(c.ok()) << c.report();
  EXPECT_EQ(c.model_cycles, predicted);
  EXPECT_EQ(c.cycles, predicted);

  const compiler::testing::Values want = compiler::testing::reference(g, inputs);
  for (const auto& [name, t] : g.tensors) {
    if (t.kind != compiler::TensorKind::kOutput) continue;
    const std::vector<std::int32_t> got =
        compiler::unpackTensor(r.layout, name, [&](unsigned pos, std::uint32_t a) { return h.readSram(pos, a); });
    EXPECT_EQ(got, want.at(name)) << "output " << name;
  }
}

}  // namespace
}  // namespace lpu::tb::gate
