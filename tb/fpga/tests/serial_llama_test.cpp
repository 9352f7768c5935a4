// The Llama 2 decode demo over the serial link: `lpu llama run --backend serial` against lpu-board-sim (the
// verilated ULX3S top behind a pty) decodes the tiny shape (docs/llm.md) token for token as `--backend model` does.
// Every program of every step is checked by the decoder against the compiler's cycle prediction on both backends
// (it throws otherwise), and the last token's measured cycles are compared here. ctest label serial_llama.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>

#include "tb/fpga/board_sim_process.hpp"

namespace lpu::tb {
namespace {

namespace fs = std::filesystem;

// Runs `build/bin/lpu ARGS`; returns its stdout and stderr (separately) and its exit status.
struct Output {
  std::string out, err;
  int status = -1;
};

Output runLpu(const std::string& args, const fs::path& err_file) {
  const std::string cmd = std::string(LPU_BIN_DIR) + "/lpu " + args + " 2>" + err_file.string();
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("popen " + cmd);
  Output o;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) o.out.append(buf, n);
  const int st = ::pclose(f);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  FILE* e = std::fopen(err_file.c_str(), "r");
  if (e != nullptr) {
    while (std::size_t n = std::fread(buf, 1, sizeof buf, e)) o.err.append(buf, n);
    std::fclose(e);
  }
  return o;
}

// "last token: N cycles on the device, P predicted, K programs" from the LPU backends' stderr.
std::string lastTokenLine(const std::string& err) {
  const auto at = err.find("last token: ");
  return at == std::string::npos ? std::string() : err.substr(at, err.find('\n', at) - at);
}

TEST(SerialLlama, TinyDecodesEightTokensOverTheBoardSimLikeTheModel) {
  const fs::path dir = fs::temp_directory_path() / "lpu_serial_llama_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Output gen = runLpu("llama gen --shape tiny --seed 4 -o " + dir.string(), dir / "gen.err");
  ASSERT_EQ(gen.status, 0) << gen.out << gen.err;
  // No prompt: BOS, then 8 generated positions (-n 8).
  const std::string args = "llama run " + (dir / "model.bin").string() + " -z " + (dir / "tokenizer.bin").string() +
                           " -n 8 --ids --backend ";
  const Output model = runLpu(args + "model", dir / "model.err");
  ASSERT_EQ(model.status, 0) << model.err;
  BoardSim sim(LPU_BIN_DIR);
  const Output serial = runLpu(args + "serial --port " + sim.port(), dir / "serial.err");
  ASSERT_EQ(serial.status, 0) << serial.err;

  EXPECT_EQ(serial.out, model.out) << "token ids, serial vs model";
  const std::string ids = model.out.substr(0, model.out.find('\n'));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ' '), 8) << "BOS and 8 tokens expected: " << ids;
  EXPECT_EQ(ids.rfind("1 ", 0), 0u) << ids;
  EXPECT_NE(serial.err.find("(serial): 9 programs per token"), std::string::npos) << serial.err;
  const std::string want = lastTokenLine(model.err);
  EXPECT_NE(want, "") << model.err;
  EXPECT_EQ(lastTokenLine(serial.err), want) << "the last token's cycles, serial vs model";
}

}  // namespace
}  // namespace lpu::tb
