// Every examples/*.s and tb/demo/*.s, assembled for both configurations (where its .config allows),
// on the RTL in lockstep with the golden model. The examples' own "; result:" lines are checked on
// the model by sw/asm/tests/examples_model_test.cpp; those of tb/demo/ here (on the model, which
// the RTL matches word for word).
#include "sw/asm/tests/examples.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/model/machine.hpp"
#include "tb/lockstep/lockstep.hpp"

namespace lpu::lockstep {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> programs() {
  std::vector<std::string> out;
  for (const char* dir : {"examples", "tb/demo"}) {
    const fs::path d = fs::path(LPU_SOURCE_DIR) / dir;
    if (!fs::exists(d)) continue;
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.path().extension() == ".s") out.push_back(fs::relative(e.path(), LPU_SOURCE_DIR).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Examples : public ::testing::TestWithParam<std::string> {};

TEST_P(Examples, MatchTheModel) {
  std::ifstream in(fs::path(LPU_SOURCE_DIR) / GetParam());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  unsigned ran = 0;
  for (const char* config : {"ulx3s", "large"}) {
    // A program with a .config directive assembles only for that configuration.
    const bool pinned = text.find("\n.config ") != std::string::npos;
    if (pinned && text.find(std::string("\n.config ") + config) == std::string::npos) continue;
    if (!sim::RtlHarness::available(config)) continue;  // the coverage build verilates small alone
    const isa::ArchConfig cfg = isa::ArchConfig::byName(config);
    const auto a = assembler::assemble(text, GetParam(), cfg);
    ASSERT_TRUE(a.ok()) << a.formatDiagnostics();
    Options opt;
    opt.repro = lockstepBinary() + " --config " + config + " --program " + GetParam();
    opt.name = fs::path(GetParam()).stem().string();
    opt.check_data_segments = true;
    const Result r = run(cfg, *a.program, opt);
    EXPECT_TRUE(r.ok()) << r.report();
    EXPECT_FALSE(r.model_error) << GetParam() << " (" << config << "): " << r.model_error->message;
    if (GetParam().rfind("tb/demo/", 0) == 0) {
      model::Machine m(cfg);
      m.loadProgram(*a.program);
      ASSERT_EQ(m.run(100'000), model::RunState::kDone);
      for (const auto& res : assembler::testing::expectedResults(text)) {
        const int pos = cfg.positionOf(res.slice);
        ASSERT_GE(pos, 0) << res.slice;
        const auto word = m.readSram(static_cast<unsigned>(pos), static_cast<std::uint32_t>(a.symbols.at(res.label)));
        for (std::size_t lane = 0; lane < word.size(); ++lane) {
          EXPECT_EQ(static_cast<int>(static_cast<std::int8_t>(word[lane])),
                    lane < res.values.size() ? res.values[lane] : 0)
              << GetParam() << " (" << config << ") " << res.slice << " " << res.label << " lane " << lane;
        }
      }
    }
    ++ran;
  }
  EXPECT_GT(ran, 0u);
}

INSTANTIATE_TEST_SUITE_P(Programs, Examples, ::testing::ValuesIn(programs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace lpu::lockstep
