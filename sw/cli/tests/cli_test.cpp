// The `lpu` tool end to end: assemble, disassemble, run on the model, and clear errors for bad input.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Output {
  int status;
  std::string text;  // stdout and stderr together
};

Output runLpu(const std::string& args) {
  const std::string cmd = std::string(LPU_BIN_DIR) + "/lpu " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  Output out{-1, ""};
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out.text += buf.data();
  const int raw = pclose(pipe);
  out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

std::filesystem::path writeTemp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "lpu_cli_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

// MEM_W0 (position 4) reads word 0 onto E0 at cycle 0; the VXM (position 5) sees it at 0+2 = 2 and doubles it onto
// E1 (add.i8, latency 2); MEM_E0 (position 6) sees that at 2+2 = 4 and writes it to word 0x10 (commits at the end of
// 4). MEM_E0 halts at 5, so the machine is done at cycle 6.
constexpr const char* kDoubler = R"(
.config ulx3s
.queue MEM_W0
    read 0, E0
.queue VXM
    nop 2
    add.i8 E1, E0, E0
.queue MEM_E0
    nop 4
    write 0x10, E1
.data MEM_W0, 0
    .byte 1, 2, 3, 4, 5, 6, 7, 8
)";

TEST(LpuTool, RunsAnAssemblyProgramOnTheModelAndDumpsMemory) {
  const auto src = writeTemp("doubler.s", kDoubler);
  const Output out = runLpu("run " + src.string() + " --dump MEM_E0:0x10");
  EXPECT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("6 cycles, status done"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("02 04 06 08 0a 0c 0e 10"), std::string::npos) << out.text;
  // Without --config, the program's own .config line picks the configuration.
  std::string other = kDoubler;
  other.replace(other.find(".config ulx3s"), 13, ".config small");
  const Output small = runLpu("run " + writeTemp("doubler_small.s", other).string());
  EXPECT_EQ(small.status, 0) << small.text;
  EXPECT_NE(small.text.find("on model (small): 6 cycles"), std::string::npos) << small.text;
}

TEST(LpuTool, AssembleDisassembleReassembleGivesTheSameBinary) {
  const auto src = writeTemp("doubler2.s", kDoubler);
  const auto bin = src.parent_path() / "doubler2.lpb";
  ASSERT_EQ(runLpu("asm " + src.string() + " -o " + bin.string()).status, 0);
  const auto dis = src.parent_path() / "doubler2_dis.s";
  ASSERT_EQ(runLpu("disasm " + bin.string() + " -o " + dis.string()).status, 0);
  const auto bin2 = src.parent_path() / "doubler2_again.lpb";
  ASSERT_EQ(runLpu("asm " + dis.string() + " -o " + bin2.string()).status, 0);
  std::ifstream a(bin, std::ios::binary), b(bin2, std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(sa.empty());
  EXPECT_EQ(sa, sb);
  // The binary runs like the source.
  const Output out = runLpu("run " + bin.string() + " --json --dump MEM_E0:16");
  EXPECT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("\"cycles\": 6"), std::string::npos) << out.text;
}

TEST(LpuTool, MalformedAssemblyNamesFileLineAndColumnAndFails) {
  const auto src = writeTemp("bad.s", ".queue VXM\n    add.i8 E1, E0\n");
  const Output out = runLpu("run " + src.string());
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.text.find("bad.s:2:"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("error:"), std::string::npos) << out.text;
}

TEST(LpuTool, MachineErrorsGiveExitCode2AndNameTheError) {
  // An add in a MEM queue is caught by the assembler, so use a raw word: opcode 0x7f is unassigned.
  const auto src = writeTemp("illegal.s", ".queue MEM_E1\n    .word 0xfe000000\n");
  const Output out = runLpu("run " + src.string());
  EXPECT_EQ(out.status, 2) << out.text;
  EXPECT_NE(out.text.find("ILLEGAL_OPCODE"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("MEM_E1"), std::string::npos) << out.text;
}

TEST(LpuTool, BadDumpAndBackendAndFilesAreClearErrors) {
  const auto src = writeTemp("doubler3.s", kDoubler);
  Output out = runLpu("run " + src.string() + " --dump VXM:0");
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.text.find("not a MEM slice"), std::string::npos) << out.text;
  out = runLpu("run " + src.string() + " --dump MEM_E0:0x2000");
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.text.find("outside the slice"), std::string::npos) << out.text;
  out = runLpu("run " + src.string() + " --dump MEM_E0:zz");
  EXPECT_NE(out.text.find("not a number"), std::string::npos) << out.text;
  out = runLpu("run /nonexistent.lpb");
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.text.find("cannot open"), std::string::npos) << out.text;
  const auto junk = writeTemp("junk.lpb", "LPB1\x01");
  out = runLpu("run " + junk.string());
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.text.find("offset"), std::string::npos) << out.text;
  out = runLpu("run " + src.string() + " --backend fpga");
  EXPECT_NE(out.status, 0);
}

// The verilated RTL behind `--backend rtl` (only in builds with Verilator; otherwise the driver says "not
// available in this build"): the same program gives the same cycles and memory as on the model, and a machine
// error the same code.
bool lpuHasRtlBackend() {
  const auto src = writeTemp("probe_rtl.s", ".queue VXM\n    halt\n");
  return runLpu("run " + src.string() + " --backend rtl").text.find("not available in this build") == std::string::npos;
}

TEST(LpuTool, RtlBackendRunsLikeTheModel) {
  if (!lpuHasRtlBackend()) GTEST_SKIP() << "lpu built without Verilator";
  const auto src = writeTemp("doubler_rtl.s", kDoubler);
  Output out = runLpu("run " + src.string() + " --backend rtl --dump MEM_E0:0x10");
  EXPECT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("on rtl (ulx3s): 6 cycles, status done"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("02 04 06 08 0a 0c 0e 10"), std::string::npos) << out.text;
  const auto bad = writeTemp("illegal_rtl.s", ".queue MEM_E1\n    .word 0xfe000000\n");
  out = runLpu("run " + bad.string() + " --backend rtl");
  EXPECT_EQ(out.status, 2) << out.text;
  EXPECT_NE(out.text.find("ILLEGAL_OPCODE at cycle 0 in MEM_E1"), std::string::npos) << out.text;
}

TEST(LpuTool, CompiledGraphRunsOnTheRtlInThePredictedCycles) {
  if (!lpuHasRtlBackend()) GTEST_SKIP() << "lpu built without Verilator";
  const auto out_lpb = std::filesystem::temp_directory_path() / "lpu_cli_test" / "mlp2.lpb";
  const Output out = runLpu("compile " + std::string(LPU_SOURCE_DIR) + "/sw/compiler/graphs/mlp2.json -o " +
                            out_lpb.string() + " --run --backend rtl");
  EXPECT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("run on rtl:"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("predicted: exact"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("values == reference]"), std::string::npos) << out.text;
}

TEST(LpuTool, TimeoutIsReportedAsAnError) {
  const auto src = writeTemp("long.s", ".queue VXM\n    nop 1000\n");
  const Output out = runLpu("run " + src.string() + " --max-cycles 50");
  EXPECT_EQ(out.status, 2) << out.text;
  EXPECT_NE(out.text.find("TIMEOUT"), std::string::npos) << out.text;
}

TEST(LpuTool, TraceIsWrittenAsChromeTraceJson) {
  const auto src = writeTemp("doubler4.s", kDoubler);
  const auto trace = src.parent_path() / "trace.json";
  std::filesystem::remove(trace);
  const Output out = runLpu("run " + src.string() + " --trace " + trace.string());
  EXPECT_EQ(out.status, 0) << out.text;
  std::ifstream in(trace);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("traceEvents"), std::string::npos);
  EXPECT_NE(text.find("MEM_E0"), std::string::npos);
}

TEST(LpuTool, EverySubcommandHasHelp) {
  for (const char* sub : {"asm", "disasm", "run", "info"}) {
    const Output out = runLpu(std::string(sub) + " --help");
    EXPECT_EQ(out.status, 0) << sub;
    EXPECT_NE(out.text.find("Usage"), std::string::npos) << sub << ": " << out.text;
  }
}

}  // namespace
