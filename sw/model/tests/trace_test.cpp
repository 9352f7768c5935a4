// TraceWriter: the output parses as JSON (nlohmann::json), has one named thread per slice, one "X" event per
// dispatch with ts = cycle and the documented durations, and an instant event for an error.
#include "sw/model/trace.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sw/model/tests/test_util.hpp"

namespace lpu::model::test {
namespace {

nlohmann::json traceOf(const ArchConfig& cfg, const isa::Program& p, std::uint64_t max_cycles = 1000) {
  std::ostringstream out;
  {
    Machine m(cfg);
    TraceWriter trace(out, cfg);
    m.loadProgram(p);
    m.addObserver(&trace);
    m.start();
    m.run(max_cycles);
  }  // the destructor finishes the JSON
  return nlohmann::json::parse(out.str());
}

class Trace : public ::testing::TestWithParam<std::string> {};

// Queue MEM_E0: read at 0, repeat 3, 2 (dispatched at 1, dur 3*2 = 6; re-issues at 2, 4, 6), halt at 7.
// VXM: nop 4 (dur 4) at 0, halt at 4. SXM_W: sync at 0 (parked until MEM_W0's notify at 2: dur 3), halt at 3.
// MEM_W0: nop 2, notify at 2, halt at 3.
TEST_P(Trace, ParsesWithOneNamedThreadPerSliceAndDurations) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  const unsigned v = cfg.vxmPosition();
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.assign(cfg.queues(), std::vector<std::uint32_t>{halt()});
  p.queues[v + 1] = {read(0, W(0)), repeat(3, 2), halt()};
  p.queues[v] = {nop(4), halt()};
  p.queues[1] = {sync(), halt()};
  p.queues[v - 1] = {nop(2), notify(), halt()};
  nlohmann::json j = traceOf(cfg, p);
  ASSERT_TRUE(j.contains("traceEvents"));
  std::map<unsigned, std::string> names;
  std::vector<nlohmann::json> xs;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") names[e["tid"].get<unsigned>()] = e["args"]["name"];
    if (e["ph"] == "X") xs.push_back(e);
  }
  ASSERT_EQ(names.size(), cfg.positions());
  for (unsigned q = 0; q < cfg.positions(); ++q) EXPECT_EQ(names[q], cfg.sliceName(q));
  // (tid, ts) -> (name, dur)
  std::multimap<std::pair<unsigned, std::uint64_t>, std::pair<std::string, std::uint64_t>> ev;
  for (const auto& e : xs)
    ev.insert({{e["tid"].get<unsigned>(), e["ts"].get<std::uint64_t>()},
               {e["name"].get<std::string>(), e["dur"].get<std::uint64_t>()}});
  auto dur = [&](unsigned tid, std::uint64_t ts, const std::string& prefix) -> std::int64_t {
    auto [lo, hi] = ev.equal_range({tid, ts});
    for (auto it = lo; it != hi; ++it)
      if (it->second.first.rfind(prefix, 0) == 0) return static_cast<std::int64_t>(it->second.second);
    return -1;
  };
  EXPECT_EQ(dur(v, 0, "nop"), 4);
  EXPECT_EQ(dur(v + 1, 0, "read"), 1);
  EXPECT_EQ(dur(v + 1, 1, "repeat"), 6);
  EXPECT_EQ(dur(v + 1, 2, "read"), 1);
  EXPECT_EQ(dur(v + 1, 6, "read"), 1);
  EXPECT_EQ(dur(v + 1, 7, "halt"), 1);
  EXPECT_EQ(dur(1, 0, "sync"), 3);
  EXPECT_EQ(dur(1, 3, "halt"), 1);
  // One X event per dispatch: every queue's halt + MEM_E0's 5 others + VXM nop + SXM_W sync + MEM_W0 nop, notify.
  EXPECT_EQ(xs.size(), cfg.queues() + 5 + 1 + 1 + 2);
}

// An error appears as an instant event on the raising slice's track at the error cycle.
TEST_P(Trace, ErrorIsAnInstantEvent) {
  ArchConfig cfg = ArchConfig::byName(GetParam());
  isa::Program p;
  p.config = std::string(cfg.name());
  p.queues.assign(cfg.queues(), std::vector<std::uint32_t>{halt()});
  p.queues[3] = {nop(2)};  // ILLEGAL_OPCODE at 2 (word 1 is 0)
  nlohmann::json j = traceOf(cfg, p);
  int instants = 0;
  for (const auto& e : j["traceEvents"])
    if (e["ph"] == "i") {
      ++instants;
      EXPECT_EQ(e["name"], "ILLEGAL_OPCODE");
      EXPECT_EQ(e["tid"], 3);
      EXPECT_EQ(e["ts"], 2);
    }
  EXPECT_EQ(instants, 1);
}

INSTANTIATE_TEST_SUITE_P(Configs, Trace, ::testing::Values("small", "large"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace lpu::model::test
