// Runs every program of examples/ on the golden model (sw/model) and checks the `; result:` lines
// it documents: the program finishes without error and each named SRAM word holds the listed int8
// values (further lanes 0).
#include <gtest/gtest.h>

#include <cstdint>

#include "sw/asm/assembler.hpp"
#include "sw/asm/tests/examples.hpp"
#include "sw/isa/arch.hpp"
#include "sw/model/machine.hpp"

namespace lpu::assembler {
namespace {

constexpr std::uint64_t kMaxCycles = 100000;

TEST(ExamplesOnModel, ComputeTheResultsTheyDocument) {
  for (const auto& ex : testing::examples()) {
    for (const std::string& name : ex.configs) {
      SCOPED_TRACE(ex.path.string() + " on " + name);
      const isa::ArchConfig cfg = isa::ArchConfig::byName(name);
      const AssembleResult r = assemble(ex.source, ex.path.filename().string(), cfg);
      ASSERT_TRUE(r.ok()) << r.formatDiagnostics();
      model::Machine m(cfg);
      m.loadProgram(*r.program);
      const model::RunState state = m.run(kMaxCycles);
      ASSERT_EQ(state, model::RunState::kDone) << (m.error() ? m.error()->message : std::string("no error"));
      for (const auto& res : testing::expectedResults(ex.source)) {
        const int pos = cfg.positionOf(res.slice);
        ASSERT_GE(pos, 0) << res.slice;
        const auto addr = static_cast<std::uint32_t>(r.symbols.at(res.label));
        const std::vector<std::uint8_t> word = m.readSram(static_cast<unsigned>(pos), addr);
        for (std::size_t lane = 0; lane < word.size(); ++lane) {
          const int want = lane < res.values.size() ? res.values[lane] : 0;
          EXPECT_EQ(static_cast<int>(static_cast<std::int8_t>(word[lane])), want)
              << res.slice << " " << res.label << " lane " << lane;
        }
      }
    }
  }
}

}  // namespace
}  // namespace lpu::assembler
