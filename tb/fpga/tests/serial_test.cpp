// The host driver's serial backend (sw/driver/serial_device.hpp) against lpu-board-sim (tb/fpga/board_sim.cpp: the
// verilated ULX3S top behind a pty, bytes through its UART pins): a directed and a compiled program, each compared
// word for word and in cycle count with the model backend, and the host's error paths (a board that stops
// answering, a corrupted reply, a board that dies mid-run, a host that abandons a frame).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/compiler/compiler.hpp"
#include "sw/compiler/reference.hpp"
#include "sw/driver/device.hpp"
#include "sw/driver/serial_device.hpp"
#include "sw/isa/arch.hpp"
#include "sw/isa/regs_gen.hpp"
#include "sw/link/link.hpp"
#include "tb/fpga/board_sim_process.hpp"

namespace lpu::tb {
namespace {

using namespace std::chrono_literals;

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

isa::Program assembleFile(const std::string& rel, const isa::ArchConfig& cfg) {
  const std::string path = std::string(LPU_SOURCE_DIR) + "/" + rel;
  const assembler::AssembleResult r = assembler::assemble(readFile(path), path, cfg);
  if (!r.ok()) throw std::runtime_error(r.formatDiagnostics());
  return *r.program;
}

driver::SerialOptions serialOptions(const BoardSim& sim) {
  driver::SerialOptions o;
  o.port = sim.port();
  o.reply_timeout = 2000ms;
  o.run_timeout = 30'000ms;
  return o;
}

class Serial : public ::testing::Test {
 protected:
  Serial() : cfg_(isa::ArchConfig::byName("ulx3s")) {}

  // Loads, runs on the model and on the board-sim; compares status, cycle count and every word of every data
  // segment of `program` plus the extra words given.
  void runAndCompare(const isa::Program& program,
                     const std::vector<std::pair<unsigned, std::uint32_t>>& extra_words = {}) {
    BoardSim sim(LPU_BIN_DIR);
    auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
    auto model = driver::makeDevice("model", cfg_);
    model->loadProgram(program);
    board->loadProgram(program);
    const driver::RunResult want = model->run(1'000'000, nullptr);
    ASSERT_FALSE(want.error) << "the model stopped with an error: " << want.error->message;
    const driver::RunResult got = board->run(1'000'000, nullptr);
    EXPECT_FALSE(got.error) << got.error->message;
    EXPECT_EQ(got.cycles, want.cycles) << "cycle count, serial vs model";
    unsigned words = 0;
    auto compare = [&](unsigned pos, std::uint32_t addr) {
      EXPECT_EQ(board->readSram(pos, addr), model->readSram(pos, addr)) << cfg_.sliceName(pos) << " word " << addr;
      ++words;
    };
    for (const isa::DataSegment& seg : program.data) {
      for (std::size_t w = 0; w * cfg_.lanes() < seg.bytes.size(); ++w) {
        compare(seg.position, seg.address + static_cast<std::uint32_t>(w));
      }
    }
    for (const auto& [pos, addr] : extra_words) compare(pos, addr);
    EXPECT_GT(words, 0u);
  }

  isa::ArchConfig cfg_;
};

TEST_F(Serial, HelloMatchesTheModel) { runAndCompare(assembleFile("examples/hello.s", cfg_)); }

TEST_F(Serial, PipelineMatchesTheModel) { runAndCompare(assembleFile("tb/demo/pipeline.s", cfg_)); }

TEST_F(Serial, CompiledEltwiseMatchesTheModelAndTheReference) {
  const compiler::Graph graph =
      compiler::loadGraphFile(std::string(LPU_SOURCE_DIR) + "/sw/compiler/graphs/eltwise.json");
  const compiler::CompileResult r = compiler::compile(graph);
  ASSERT_EQ(r.program.config, cfg_.name());
  isa::Program program = r.program;
  std::mt19937_64 rng(7);
  compiler::TensorValues inputs;
  for (const auto& [name, t] : graph.tensors) {
    if (t.kind != compiler::TensorKind::kInput) continue;
    std::vector<std::int32_t> values(std::size_t{t.rows} * t.cols);
    for (auto& v : values) v = static_cast<std::int32_t>(rng() % 256) - 128;
    for (auto& seg : compiler::packTensor(r.layout, name, values)) program.data.push_back(std::move(seg));
    inputs[name] = std::move(values);
  }
  BoardSim sim(LPU_BIN_DIR);
  auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
  auto model = driver::makeDevice("model", cfg_);
  model->loadProgram(program);
  board->loadProgram(program);
  const driver::RunResult want = model->run(r.report.predicted_cycles + 1000, nullptr);
  const driver::RunResult got = board->run(r.report.predicted_cycles + 1000, nullptr);
  ASSERT_FALSE(want.error);
  ASSERT_FALSE(got.error) << got.error->message;
  EXPECT_EQ(got.cycles, want.cycles);
  EXPECT_EQ(got.cycles, r.report.predicted_cycles);
  const compiler::TensorValues ref = compiler::evaluateGraph(graph, inputs);
  for (const auto& [name, t] : graph.tensors) {
    if (t.kind != compiler::TensorKind::kOutput) continue;
    const auto on_board =
        compiler::unpackTensor(r.layout, name, [&](unsigned p, std::uint32_t a) { return board->readSram(p, a); });
    const auto on_model =
        compiler::unpackTensor(r.layout, name, [&](unsigned p, std::uint32_t a) { return model->readSram(p, a); });
    EXPECT_EQ(on_board, on_model) << name;
    EXPECT_EQ(on_board, ref.at(name)) << name << " against the graph's reference semantics";
  }
}

TEST_F(Serial, ErrorProgramReportsTheModelsError) {
  // hello.s with MEM_W0's queue replaced by one word that does not decode: ERR_CODE, ERR_CYCLE, ERR_WHERE's
  // position and the cycle count as the model reports them.
  isa::Program p = assembleFile("examples/hello.s", cfg_);
  p.queues[cfg_.vxmPosition() - 1] = {0xFFFFFFFFu};
  BoardSim sim(LPU_BIN_DIR);
  auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
  auto model = driver::makeDevice("model", cfg_);
  model->loadProgram(p);
  board->loadProgram(p);
  const driver::RunResult want = model->run(1000, nullptr);
  const driver::RunResult got = board->run(1000, nullptr);
  ASSERT_TRUE(want.error);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, want.error->code) << want.error->message;
  EXPECT_EQ(got.error->cycle, want.error->cycle);
  EXPECT_EQ(got.error->position, want.error->position) << got.error->message;
  EXPECT_EQ(got.cycles, want.cycles);
}

TEST_F(Serial, HostTimeoutStopsTheMachineAndTheNextRunMatches) {
  // A queue that waits 200,000 cycles: the host stops it with CTRL.CLEAR after max_cycles. The serial backend
  // checks the cycle counter at each STATUS poll, so it stops the machine at the first poll past the limit (one
  // poll round trip later than the model, which stops at the limit exactly).
  const std::string src = ".queue VXM\n    nop 50000\n    nop 50000\n    nop 50000\n    nop 50000\n";
  const assembler::AssembleResult a = assembler::assemble(src, "long.s", cfg_);
  ASSERT_TRUE(a.ok()) << a.formatDiagnostics();
  BoardSim sim(LPU_BIN_DIR);
  auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
  board->loadProgram(*a.program);
  const driver::RunResult got = board->run(20'000, nullptr);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, isa::ErrorCode::kTimeout) << got.error->message;
  EXPECT_EQ(got.cycles, 20'000u);
  // CTRL.CLEAR stopped it: hello.s loaded and started next runs from cycle 0 and matches the model.
  const isa::Program p = assembleFile("examples/hello.s", cfg_);
  auto model = driver::makeDevice("model", cfg_);
  model->loadProgram(p);
  board->loadProgram(p);
  const driver::RunResult want = model->run(1'000'000, nullptr);
  const driver::RunResult again = board->run(1'000'000, nullptr);
  EXPECT_FALSE(again.error);
  EXPECT_EQ(again.cycles, want.cycles);
  EXPECT_EQ(board->readSram(cfg_.positionOf("MEM_E1"), 0x10), model->readSram(cfg_.positionOf("MEM_E1"), 0x10));
}

// Expects fn to throw std::runtime_error whose message contains every one of `parts`, within `limit`.
template <class F>
void expectFailure(F&& fn, const std::vector<std::string>& parts, std::chrono::milliseconds limit) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    fn();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, limit);
}

TEST_F(Serial, SilentBoardTimesOutNamingTheRequest) {
  // The board-sim passes no byte back: the PING at open gets no reply.
  BoardSim sim(LPU_BIN_DIR, {"--mute-after", "0"});
  driver::SerialOptions o = serialOptions(sim);
  o.reply_timeout = 300ms;
  expectFailure([&] { driver::makeDevice("serial", cfg_, o); },
                {"serial " + sim.port(), "PING", "no reply within 300 ms", "expected 0x5A sync", "nothing arrived"},
                5s);
}

TEST_F(Serial, BoardThatStopsMidReplyTimesOut) {
  // The PING reply (2 words: 14 bytes) arrives, then only 5 bytes of the next reply.
  BoardSim sim(LPU_BIN_DIR, {"--mute-after", "19"});
  driver::SerialOptions o = serialOptions(sim);
  o.reply_timeout = 300ms;
  auto board = driver::makeDevice("serial", cfg_, o);
  expectFailure([&] { board->loadProgram(assembleFile("examples/hello.s", cfg_)); },
                {"WRITE 0x000", "no reply within 300 ms", "expected the rest of the reply frame", "got 5 bytes: 5a 00"},
                5s);
}

TEST_F(Serial, CorruptedReplyIsRejected) {
  // Bit 0 of the PING reply's first payload byte flipped on the way to the host: the CRC does not match.
  BoardSim sim(LPU_BIN_DIR, {"--corrupt-byte", "4"});
  expectFailure([&] { driver::makeDevice("serial", cfg_, serialOptions(sim)); }, {"PING", "bad reply", "CRC"}, 5s);
}

TEST_F(Serial, BoardKilledMidRunGivesAnErrorNotAHang) {
  auto sim = std::make_unique<BoardSim>(LPU_BIN_DIR);
  driver::SerialOptions o = serialOptions(*sim);
  o.reply_timeout = 500ms;
  auto board = driver::makeDevice("serial", cfg_, o);
  board->loadProgram(assembleFile("examples/hello.s", cfg_));
  sim->kill();
  expectFailure([&] { board->run(1'000'000, nullptr); }, {"serial " + o.port, "the other end"}, 5s);
}

TEST_F(Serial, AbandonedFrameTimesOutOnTheBoardAndTheNextHostWorks) {
  BoardSim sim(LPU_BIN_DIR);
  {
    // A host that sends half a frame and goes away: the bridge times it out and answers TIMEOUT, then hunts for
    // the next sync byte.
    auto s = driver::openSerialPort(sim.port(), 3'000'000);
    const std::vector<std::uint8_t> frame = link::encodeRequest(link::Request::write(regs::kRegSramData, {1, 2, 3}));
    s->write(std::span(frame).first(7));
    std::vector<std::uint8_t> got;
    std::uint8_t buf[64];
    while (std::size_t n = s->read(buf, 1000ms)) {
      got.insert(got.end(), buf, buf + n);
      if (got.size() >= 6) break;
    }
    const link::ParseResult r = link::parseReply(got);
    ASSERT_EQ(r.kind, link::ParseResult::Kind::kFrame) << got.size() << " bytes";
    EXPECT_EQ(r.reply->status, link::Status::kTimeout);
    // The host after it (another open of the same pty) works, and the half frame wrote nothing.
    auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
    const isa::Program p = assembleFile("examples/hello.s", cfg_);
    board->loadProgram(p);
    EXPECT_FALSE(board->run(100'000, nullptr).error);
  }
}

TEST_F(Serial, PersistentBoardSimServesOneHostAfterAnother) {
  BoardSim sim(LPU_BIN_DIR, {"--persist"});
  const isa::Program p = assembleFile("examples/hello.s", cfg_);
  for (int host = 0; host < 2; ++host) {
    auto board = driver::makeDevice("serial", cfg_, serialOptions(sim));
    board->loadProgram(p);
    EXPECT_FALSE(board->run(100'000, nullptr).error) << "host " << host;
    ::usleep(100'000);  // let the board-sim see the hang-up before the next open
  }
  EXPECT_EQ(sim.waitExit(200ms), -1) << "a persistent board-sim exited when its host left";
}

TEST_F(Serial, BoardSimExitsWhenTheHostClosesThePty) {
  BoardSim sim(LPU_BIN_DIR);
  { auto board = driver::makeDevice("serial", cfg_, serialOptions(sim)); }
  EXPECT_EQ(sim.waitExit(10s), 0);
}

// Runs `build/bin/lpu ARGS` and returns what it printed (stdout and stderr) and its exit status.
std::pair<std::string, int> runLpu(const std::string& args) {
  const std::string cmd = std::string(LPU_BIN_DIR) + "/lpu " + args + " 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("popen " + cmd);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  const int st = ::pclose(f);
  return {text, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

TEST_F(Serial, LpuRunOnSerialPrintsWhatTheModelPrints) {
  BoardSim sim(LPU_BIN_DIR);
  const std::string prog = std::string(LPU_SOURCE_DIR) + "/examples/hello.s --json --dump MEM_E1:0x10:2";
  const auto [on_board, rc_board] = runLpu("run " + prog + " --backend serial --port " + sim.port());
  const auto [on_model, rc_model] = runLpu("run " + prog);
  ASSERT_EQ(rc_board, 0) << on_board;
  ASSERT_EQ(rc_model, 0) << on_model;
  // Everything from "cycles" on (keys sorted: cycles, dump, [port,] program, status) but the serial port line.
  auto body = [](std::string text) {
    const std::size_t port = text.find("  \"port\"");
    if (port != std::string::npos) text.erase(port, text.find('\n', port) + 1 - port);
    return text.substr(text.find("\"cycles\""));
  };
  EXPECT_NE(on_board.find("\"port\": \"" + sim.port() + "\""), std::string::npos) << on_board;
  EXPECT_EQ(body(on_board), body(on_model)) << on_board << "\n---\n" << on_model;
}

TEST_F(Serial, LpuCompileRunOnSerialIsExactAndMatchesTheReference) {
  BoardSim sim(LPU_BIN_DIR);
  const auto [text, rc] = runLpu("compile " + std::string(LPU_SOURCE_DIR) +
                                 "/sw/compiler/graphs/mlp2.json --run --backend serial --port " + sim.port());
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("run on serial:"), std::string::npos) << text;
  EXPECT_NE(text.find("predicted: exact"), std::string::npos) << text;
  EXPECT_NE(text.find("== reference]"), std::string::npos) << text;
}

TEST_F(Serial, LpuRunWithoutAPortSaysSo) {
  const auto [text, rc] = runLpu("run " + std::string(LPU_SOURCE_DIR) + "/examples/hello.s --backend serial");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("needs a port (--port PATH)"), std::string::npos) << text;
}

TEST_F(Serial, LpuRunWithAPortButAnotherBackendSaysSo) {
  const auto [text, rc] = runLpu("run " + std::string(LPU_SOURCE_DIR) + "/examples/hello.s --port /dev/ttyUSB0");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("only --backend serial uses a port"), std::string::npos) << text;
}

}  // namespace
}  // namespace lpu::tb
