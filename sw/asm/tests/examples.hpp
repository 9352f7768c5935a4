// The example programs of examples/ and the results they document in `; result: SLICE label = v0 v1
// ...` lines.
#pragma once

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "sw/asm/assembler.hpp"
#include "sw/asm/tests/test_util.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::assembler::testing {

struct Example {
  std::filesystem::path path;
  std::string source;
  std::vector<std::string> configs;  // the ones it is valid for: its .config, or all when it has none
};

// One `; result:` line: the word at `label` in `slice` holds `values` (int8, from lane 0; further
// lanes 0).
struct ExpectedResult {
  std::string slice;
  std::string label;
  std::vector<int> values;
};

inline std::vector<Example> examples() {
  std::vector<Example> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(LPU_SOURCE_DIR) / "examples")) {
    if (e.path().extension() != ".s") continue;
    Example ex{e.path(), readFile(e.path()), {}};
    const std::string declared = declaredConfig(ex.source);
    for (const auto& p : isa::kConfigs) {
      if (declared.empty() || declared == p.name) ex.configs.emplace_back(p.name);
    }
    out.push_back(std::move(ex));
  }
  std::sort(out.begin(), out.end(), [](const Example& a, const Example& b) { return a.path < b.path; });
  return out;
}

inline std::vector<ExpectedResult> expectedResults(const std::string& source) {
  std::vector<ExpectedResult> out;
  std::istringstream in(source);
  std::string line;
  const std::string tag = "; result: ";
  while (std::getline(in, line)) {
    if (line.rfind(tag, 0) != 0) continue;
    std::istringstream fields(line.substr(tag.size()));
    ExpectedResult r;
    std::string eq;
    fields >> r.slice >> r.label >> eq;
    for (int v; fields >> v;) r.values.push_back(v);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace lpu::assembler::testing
