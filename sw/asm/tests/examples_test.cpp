// The programs of examples/ assemble for every configuration they claim, round-trip through the
// disassembler, and define the labels their `; result:` lines name.
#include "sw/asm/tests/examples.hpp"

#include <gtest/gtest.h>

#include "sw/asm/assembler.hpp"
#include "sw/asm/tests/test_util.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::assembler {
namespace {

TEST(AsmExamples, ThereAreAtLeastThreeAndTheyDocumentResults) {
  const auto all = testing::examples();
  EXPECT_GE(all.size(), 3U);
  for (const auto& ex : all) {
    EXPECT_FALSE(ex.configs.empty()) << ex.path;
    EXPECT_FALSE(testing::expectedResults(ex.source).empty()) << ex.path << " has no '; result:' line";
  }
}

TEST(AsmExamples, AssembleAndRoundTripForEveryConfigTheyClaim) {
  for (const auto& ex : testing::examples()) {
    for (const std::string& name : ex.configs) {
      const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
      const AssembleResult r = assemble(ex.source, ex.path.filename().string(), cfg);
      ASSERT_TRUE(r.ok()) << ex.path << " (" << name << "):\n" << r.formatDiagnostics();
      testing::expectRoundTrip(*r.program, cfg, ex.path.string() + " " + name);
      for (const auto& res : testing::expectedResults(ex.source)) {
        EXPECT_GE(cfg.positionOf(res.slice), 0) << ex.path << ": " << res.slice;
        EXPECT_EQ(r.symbols.count(res.label), 1U) << ex.path << ": " << res.label;
        EXPECT_LE(res.values.size(), cfg.lanes());
      }
    }
  }
}

TEST(AsmExamples, HelloRunsOnEveryConfigurationTheOthersOnUlx3s) {
  for (const auto& ex : testing::examples()) {
    const std::string stem = ex.path.stem().string();
    if (stem == "hello") {
      EXPECT_EQ(ex.configs.size(), isa::kConfigs.size());
    } else if (stem == "requant" || stem == "sxm") {
      EXPECT_EQ(ex.configs, std::vector<std::string>{"ulx3s"});
    }
  }
}

}  // namespace
}  // namespace lpu::assembler
