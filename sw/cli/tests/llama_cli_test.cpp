// `lpu llama gen` and `lpu llama run` end to end: files written, determinism, text and ids output, and a non-zero
// exit with a message naming the file and field for every class of bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

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

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

fs::path tempDir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / "lpu_llama_cli_test" / name;
  fs::remove_all(dir);
  return dir;
}

// The first line of the output (the decode's stdout line; the speed goes to stderr after it).
std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST(LlamaTool, GenWritesACheckpointAndTokenizerDeterministically) {
  const auto a = tempDir("a"), b = tempDir("b"), c = tempDir("c");
  const Output out = runLpu("llama gen --shape 260K --seed 4 -o " + a.string());
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_NE(out.text.find("1056540 bytes"), std::string::npos) << out.text;
  EXPECT_EQ(fs::file_size(a / "model.bin"), 1056540u);
  ASSERT_EQ(runLpu("llama gen --shape 260K --seed 4 -o " + b.string()).status, 0);
  ASSERT_EQ(runLpu("llama gen --shape 260K --seed 5 -o " + c.string()).status, 0);
  EXPECT_EQ(slurp(a / "model.bin"), slurp(b / "model.bin"));
  EXPECT_EQ(slurp(a / "tokenizer.bin"), slurp(b / "tokenizer.bin"));
  EXPECT_NE(slurp(a / "model.bin"), slurp(c / "model.bin"));
  EXPECT_NE(runLpu("llama gen --shape 7B -o " + c.string()).status, 0);
}

TEST(LlamaTool, RunPrintsTextAndIds) {
  const auto dir = tempDir("run");
  ASSERT_EQ(runLpu("llama gen --shape 260K --seed 5 -o " + dir.string()).status, 0);
  const std::string model = (dir / "model.bin").string();
  const Output text = runLpu("llama run " + model + " -n 40 -i \"Lily and Tom\"");
  ASSERT_EQ(text.status, 0) << text.text;
  EXPECT_EQ(text.text.rfind("Lily and Tom", 0), 0u) << text.text;  // the prompt is echoed, as run.c does
  const Output ids = runLpu("llama run " + model + " -n 40 -i \"Lily and Tom\" --ids");
  ASSERT_EQ(ids.status, 0) << ids.text;
  const std::string line = firstLine(ids.text);
  EXPECT_EQ(line.rfind("1 ", 0), 0u) << line;  // starts with BOS
  std::size_t count = 1;
  for (char ch : line) count += ch == ' ';
  EXPECT_LE(count, 41u) << line;  // BOS plus at most one token per step
  EXPECT_GT(count, 5u) << line;
  // Same command, same output; an explicit -z gives the same as the default next to the checkpoint.
  EXPECT_EQ(
      firstLine(runLpu("llama run " + model + " -n 40 -i \"Lily and Tom\" --ids -z " + (dir / "tokenizer.bin").string())
                    .text),
      line);
  // No prompt: starts from BOS alone.
  const Output empty = runLpu("llama run " + model + " -n 10 --ids");
  EXPECT_EQ(empty.status, 0) << empty.text;
  EXPECT_EQ(empty.text.rfind("1 ", 0), 0u) << empty.text;
}

// The integer reference decodes through the same loop: status 0, BOS first, the same ids on a second run.
TEST(LlamaTool, IntBackendDecodesDeterministically) {
  const auto dir = tempDir("int");
  ASSERT_EQ(runLpu("llama gen --shape 260K -o " + dir.string()).status, 0);
  const std::string cmd = "llama run " + (dir / "model.bin").string() + " -n 30 --ids --backend int";
  const Output a = runLpu(cmd), b = runLpu(cmd);
  ASSERT_EQ(a.status, 0) << a.text;
  EXPECT_EQ(firstLine(a.text), firstLine(b.text));
  EXPECT_EQ(firstLine(a.text).rfind("1 ", 0), 0u) << a.text;
}

// The LPU backend (the decode step's programs on the golden model) decodes exactly what the integer reference
// decodes, and reports its cycles per token; `llama sim` checks every token against the golden model.
TEST(LlamaTool, ModelBackendDecodesLikeTheIntegerReference) {
  const auto dir = tempDir("backend");
  ASSERT_EQ(runLpu("llama gen --shape 260K --seed 5 -o " + dir.string()).status, 0);
  const std::string args = "llama run " + (dir / "model.bin").string() + " -n 12 -i \"Lily\" --ids --backend ";
  const Output ref = runLpu(args + "int");
  const Output lpu = runLpu(args + "model");
  ASSERT_EQ(ref.status, 0) << ref.text;
  ASSERT_EQ(lpu.status, 0) << lpu.text;
  EXPECT_NE(lpu.text.find(firstLine(ref.text) + "\n"), std::string::npos) << lpu.text << "\nwant " << ref.text;
  EXPECT_NE(lpu.text.find("predicted"), std::string::npos) << lpu.text;
  const Output sim = runLpu("llama sim " + (dir / "model.bin").string() + " -n 4 --backend model");
  ASSERT_EQ(sim.status, 0) << sim.text;
  EXPECT_NE(sim.text.find("tokens: 4 checked"), std::string::npos) << sim.text;
  EXPECT_NE(sim.text.find("target clock, not a measured Fmax"), std::string::npos) << sim.text;
}

// The tiny shape (docs/llm.md: one layer, two heads of 8) decodes 8 tokens alike on the integer reference, the golden
// model and, in builds with Verilator, the verilated core, in the same cycles per token on both LPU backends.
TEST(LlamaTool, TinyShapeDecodesAlikeOnIntModelAndRtl) {
  const auto dir = tempDir("tiny");
  const Output gen = runLpu("llama gen --shape tiny --seed 4 -o " + dir.string());
  ASSERT_EQ(gen.status, 0) << gen.text;
  EXPECT_NE(gen.text.find("dim 8, hidden_dim 16, n_layers 1, n_heads 1, n_kv_heads 1"), std::string::npos) << gen.text;
  const std::string args = "llama run " + (dir / "model.bin").string() + " -n 8 --ids --backend ";
  const Output ref = runLpu(args + "int");
  ASSERT_EQ(ref.status, 0) << ref.text;
  const std::string ids = firstLine(ref.text);
  // BOS and 8 generated tokens.
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ' '), 8) << ids;
  const Output model = runLpu(args + "model");
  ASSERT_EQ(model.status, 0) << model.text;
  // stdout and stderr together: the compile line, then the ids.
  EXPECT_NE(model.text.find("\n" + ids + "\n"), std::string::npos) << model.text << "\nwant " << ids;
  const auto cycles = [](const std::string& text) {
    const auto at = text.find("last token: ");
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_NE(cycles(model.text), "") << model.text;
  const Output rtl = runLpu(args + "rtl");
  if (rtl.text.find("not available in this build") != std::string::npos) GTEST_SKIP() << "lpu built without Verilator";
  ASSERT_EQ(rtl.status, 0) << rtl.text;
  EXPECT_NE(rtl.text.find("\n" + ids + "\n"), std::string::npos) << rtl.text << "\nwant " << ids;
  EXPECT_EQ(cycles(rtl.text), cycles(model.text));
}

TEST(LlamaTool, BadFilesExitNonZeroNamingFileAndField) {
  const auto dir = tempDir("bad");
  ASSERT_EQ(runLpu("llama gen --shape 260K -o " + dir.string()).status, 0);
  const std::string model = slurp(dir / "model.bin"), tok = slurp(dir / "tokenizer.bin");
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  struct Case {
    std::string args, expect;
  };
  std::string bad_header = model;
  bad_header[12] = 7;  // n_heads 7
  const Case cases[] = {
      {write("short_header.bin", model.substr(0, 9)) + " -z " + (dir / "tokenizer.bin").string(),
       "short_header.bin: header: truncated"},
      {write("short_tensor.bin", model.substr(0, 200000)) + " -z " + (dir / "tokenizer.bin").string(),
       "short_tensor.bin: tensor wq: truncated"},
      {write("long.bin", model + "xxxx") + " -z " + (dir / "tokenizer.bin").string(), "long.bin: file length"},
      {write("heads.bin", bad_header) + " -z " + (dir / "tokenizer.bin").string(), "heads.bin: n_heads: dim (64)"},
      {(dir / "model.bin").string() + " -z " + write("short_tok.bin", tok.substr(0, 100)), "short_tok.bin: token"},
      {(dir / "model.bin").string() + " -z " + write("long_tok.bin", tok + tok), "long_tok.bin: file length"},
      {(dir / "missing.bin").string(), "missing.bin: cannot open"},
  };
  for (const auto& c : cases) {
    const Output out = runLpu("llama run " + c.args);
    EXPECT_EQ(out.status, 1) << c.args << "\n" << out.text;
    EXPECT_NE(out.text.find(c.expect), std::string::npos) << c.args << "\n" << out.text;
  }
}

}  // namespace
