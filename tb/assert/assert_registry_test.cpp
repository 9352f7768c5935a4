// Every named RTL assertion has a fire test: rtl/*.sv and rtl/fpga/*.sv are parsed for `Label: assert`, and
// tb/assert/fire_tests.txt must have a row for each module.Label naming a test (Suite.Name) that exists in the
// testbench sources, or saying why no test can fire it. A new assertion without a row fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = LPU_SOURCE_DIR;

std::vector<fs::path> rtlSources() {
  std::vector<fs::path> out;
  for (const char* dir : {"rtl", "rtl/fpga"}) {
    for (const auto& e : fs::directory_iterator(kRoot / dir)) {
      if (e.path().extension() == ".sv") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// module.Label -> "file:line" of every labelled assertion; `unlabelled` collects assert statements whose line
// carries no label (the style rule: the label sits on the line of its `assert`, which is how sim/assert_log.cpp
// names a failure).
std::map<std::string, std::string> rtlLabels(std::vector<std::string>& unlabelled) {
  static const std::regex kLabelled(R"(^\s*([A-Z][A-Za-z0-9_]*)\s*:\s*assert\b)");
  static const std::regex kAssert(R"((^|[^A-Za-z0-9_$])assert\s*(property\b|\())");
  std::map<std::string, std::string> labels;
  for (const fs::path& p : rtlSources()) {
    std::ifstream in(p);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      std::string code = line.substr(0, line.find("//"));
      std::smatch m;
      std::string where = p.filename().string() + ":" + std::to_string(n);
      if (std::regex_search(code, m, kLabelled)) {
        std::string key = p.stem().string() + "." + m[1].str();
        EXPECT_FALSE(labels.count(key)) << key << " is defined twice (" << labels[key] << ", " << where << ")";
        labels[key] = where;
      } else if (std::regex_search(code, kAssert)) {
        unlabelled.push_back(where + ": " + line);
      }
    }
  }
  return labels;
}

struct Row {
  std::string test;    // Suite.Name, or "-" when no test can fire it
  std::string reason;  // for "-": why
  int line = 0;
};

std::map<std::string, Row> fireTable() {
  std::map<std::string, Row> rows;
  std::ifstream in(kRoot / "tb/assert/fire_tests.txt");
  EXPECT_TRUE(in.good()) << "tb/assert/fire_tests.txt missing";
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    Row r;
    std::string key;
    ls >> key >> r.test;
    std::getline(ls, r.reason);
    r.line = n;
    EXPECT_FALSE(rows.count(key)) << "fire_tests.txt:" << n << ": " << key << " listed twice";
    rows[key] = r;
  }
  return rows;
}

// Every TEST/TEST_F/TEST_P(Suite, Name) in the testbench sources that fire assertions.
std::set<std::string> testNames() {
  static const std::regex kTest(R"(TEST(?:_F|_P)?\(\s*([A-Za-z0-9_]+)\s*,\s*([A-Za-z0-9_]+)\s*\))");
  std::set<std::string> names;
  for (const char* dir : {"tb/assert", "tb/unit", "tb/tests", "tb/fpga/tests"}) {
    if (!fs::exists(kRoot / dir)) continue;
    for (const auto& e : fs::directory_iterator(kRoot / dir)) {
      if (e.path().extension() != ".cpp") continue;
      std::string src = readAll(e.path());
      for (std::sregex_iterator it(src.begin(), src.end(), kTest), end; it != end; ++it) {
        names.insert((*it)[1].str() + "." + (*it)[2].str());
      }
    }
  }
  // The elaboration checks' tests are generated: lpu_assert_elab(<Label> ...) in tb/assert/CMakeLists.txt makes
  // ElabFire.<Label>.
  static const std::regex kElab(R"(^\s*lpu_assert_elab\(([A-Za-z0-9_]+)\s)");
  std::ifstream in(kRoot / "tb/assert/CMakeLists.txt");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kElab)) names.insert("ElabFire." + m[1].str());
  }
  return names;
}

TEST(AssertRegistry, EveryAssertLineCarriesItsLabel) {
  std::vector<std::string> unlabelled;
  rtlLabels(unlabelled);
  for (const std::string& u : unlabelled) ADD_FAILURE() << "assert without `Label:` on its line: " << u;
}

TEST(AssertRegistry, EveryLabelHasAFireTest) {
  std::vector<std::string> unlabelled;
  const auto labels = rtlLabels(unlabelled);
  const auto rows = fireTable();
  const auto tests = testNames();
  ASSERT_GT(labels.size(), 40u) << "the RTL parse found almost no assertions";
  unsigned tested = 0;
  std::vector<std::string> untestable;
  for (const auto& [key, where] : labels) {
    auto it = rows.find(key);
    if (it == rows.end()) {
      ADD_FAILURE() << key << " (" << where << ") has no row in tb/assert/fire_tests.txt: add its fire test";
      continue;
    }
    const Row& r = it->second;
    if (r.test == "-") {
      EXPECT_FALSE(r.reason.find_first_not_of(' ') == std::string::npos)
          << "fire_tests.txt:" << r.line << ": " << key << " has no test and no reason";
      untestable.push_back(key);
      continue;
    }
    EXPECT_TRUE(tests.count(r.test)) << "fire_tests.txt:" << r.line << ": " << key << " names test " << r.test
                                     << ", which no tb/ source defines";
    ++tested;
  }
  for (const auto& [key, r] : rows) {
    EXPECT_TRUE(labels.count(key)) << "fire_tests.txt:" << r.line << ": " << key << " is not an RTL assertion";
  }
  std::cout << "assertions: " << labels.size() << ", fired by a test: " << tested
            << ", without one: " << untestable.size() << "\n";
  for (const std::string& k : untestable) std::cout << "  no fire test: " << k << " -" << rows.at(k).reason << "\n";
}

}  // namespace
