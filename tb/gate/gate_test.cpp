// What is built is what was verified: programs on the synthesized ECP5 netlist of lpu_top
// (verilated with the ECP5 cell models, driven through the host port only) against the golden
// model: a directed program (examples/hello.s), one that stops on an error, and two compiled
// graphs; each test also prints the simulation speed. (tb/demo/pipeline.s and the other examples do
// not assemble for ulx3s: 16-lane data lines, or .config small.)
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
  fmt::print(
      "gatesim: {}: {} program cycles, {} clocks in {:.2f} s = {:.0f} clocks/s; {} SRAM words "
      "compared\n",
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

// A run that stops on an error: ERR_CODE, ERR_CYCLE and ERR_WHERE must be the model's.
TEST(GateSim, ErrorRegistersMatchTheModel) {
  const isa::ArchConfig cfg = config();
  // MEM_E0 reads a word, then parks in Sync with nobody left to notify: once the read has left the
  // slice, SYNC_DEADLOCK (a run-time error; the assembler rejects static ones such as bad
  // addresses).
  const std::string text = ".queue MEM_E0\n    read 0x10, W0\n    sync\n";
  const isa::Program p = assembleText(text, "deadlock.s");
  GateHarness h(cfg);
  const GateCheck c = runAndCompare(h, p, 1000);
  printSpeed("deadlock.s", c);
  EXPECT_TRUE(c.ok()) << c.report();
  EXPECT_EQ(c.status, kStatusDone | kStatusError);
  EXPECT_EQ(static_cast<isa::ErrorCode>(h.readReg(kRegErrCode)), isa::ErrorCode::kSyncDeadlock);
}

// A compiled graph on both MXMs: netlist == model == the compiler's cycle prediction, and every
// output read back through the host port equals the graph's reference.
void expectCompiledMatch(const std::string& what, compiler::Graph g, std::uint64_t seed) {
  const compiler::testing::Values inputs = compiler::testing::randomInputs(g, seed);  // also fills the weights
  compiler::CompileOptions opt;
  opt.mxms = 2;
  const compiler::CompileResult r = compiler::compile(g, opt);
  isa::Program program = r.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : compiler::packTensor(r.layout, name, vals)) program.data.push_back(std::move(seg));
  const std::uint64_t predicted = r.report.predicted_cycles;

  GateHarness h(config());
  const GateCheck c = runAndCompare(h, program, predicted + 1000);
  printSpeed(what, c);
  EXPECT_TRUE(c.ok()) << what << ":\n" << c.report();
  EXPECT_EQ(c.model_cycles, predicted);
  EXPECT_EQ(c.cycles, predicted);

  const compiler::testing::Values want = compiler::testing::reference(g, inputs);
  unsigned outputs = 0;
  for (const auto& [name, t] : g.tensors) {
    if (t.kind != compiler::TensorKind::kOutput) continue;
    ++outputs;
    const std::vector<std::int32_t> got =
        compiler::unpackTensor(r.layout, name, [&](unsigned pos, std::uint32_t a) { return h.readSram(pos, a); });
    EXPECT_EQ(got, want.at(name)) << what << ": output " << name;
  }
  EXPECT_GT(outputs, 0u);
}

// Ragged in every dimension (8 lanes: none a multiple of 8).
TEST(GateSim, CompiledGemmMatchesTheModelAndTheReference) {
  expectCompiledMatch("gemm 5x19x13", compiler::gemmGraph(std::string(GateHarness::configName()), 5, 19, 13), 4242);
}

// matmul -> requant (per-column multipliers: the VXM lanes' DSPs) -> relu -> matmul.
TEST(GateSim, CompiledChainMatchesTheModelAndTheReference) {
  const unsigned H = 11;
  std::vector<std::int32_t> mult(H);
  for (unsigned i = 0; i < H; ++i) mult[i] = static_cast<std::int32_t>(37 * i) - 170;
  expectCompiledMatch(
      "chain 3x10 -> 11 -> 9",
      compiler::testing::chainGraph(std::string(GateHarness::configName()), 3, 10, H, 9, std::move(mult), 6), 77);
}

}  // namespace
}  // namespace lpu::tb::gate
