// Reports, listing, trace, layout JSON, graph parsing errors, and the scheduler's reservation
// rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sw/compiler/tests/test_util.hpp"

namespace lpu::compiler {
namespace {

TEST(Report, UtilisationIsMacsOverCyclesTimesPeak) {
  Graph g = gemmGraph("small", 8, 16, 16);
  const CompileResult r = compile(g);
  EXPECT_EQ(r.report.macs, 8u * 16 * 16);
  EXPECT_EQ(r.report.mxms_used, 1u);  // one column tile: west MXM only
  EXPECT_EQ(r.report.peak_macs_per_cycle, 128u);
  EXPECT_DOUBLE_EQ(r.report.mxm_utilisation, 2048.0 / (128.0 * static_cast<double>(r.report.predicted_cycles)));
  const auto j = nlohmann::json::parse(r.report.toJson());
  EXPECT_EQ(j["predicted_cycles"], r.report.predicted_cycles);
  EXPECT_FALSE(j["critical_path"].empty());
  EXPECT_NE(r.report.toText().find("predicted cycles"), std::string::npos);
  // Every queue's issue count matches the instructions in the listing.
  std::uint64_t issues = 0;
  for (const auto& q : r.report.queues) issues += q.issues;
  std::uint64_t from_runs = 0;
  for (const auto& q : r.runs)
    for (const auto& run : q) from_runs += run.n + 1;
  EXPECT_EQ(issues, from_runs);
}

TEST(Report, TraceHasOneTrackPerQueueAndEveryRun) {
  const CompileResult r = compile(loadGraphFile(LPU_SOURCE_DIR "/sw/compiler/graphs/matmul_requant_relu.json"));
  std::ostringstream os;
  writeScheduleTrace(r, os);
  const auto j = nlohmann::json::parse(os.str());
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  unsigned names = 0, events = 0;
  std::size_t runs = 0;
  for (const auto& q : r.runs) runs += q.size();
  for (const auto& e : j["traceEvents"]) {
    if (e["name"] == "thread_name") ++names;
    if (e["ph"] == "X") ++events;
  }
  EXPECT_EQ(names, cfg.queues());
  EXPECT_EQ(events, runs);
  EXPECT_EQ(j["otherData"]["predicted_cycles"], r.report.predicted_cycles);
  EXPECT_NE(scheduleListing(r).find(".queue MXM_W"), std::string::npos);
}

TEST(Layout, JsonNamesEveryTensorAndPacksRoundTrip) {
  Graph g = gemmGraph("small", 5, 20, 40);
  auto in = testing::randomInputs(g, 3);
  const CompileResult r = compile(g);
  const auto j = nlohmann::json::parse(r.layout.toJson());
  for (const char* t : {"A", "B", "C"}) EXPECT_TRUE(j["tensors"].contains(t)) << t;
  EXPECT_EQ(j["tensors"]["C"]["planes"], 4);
  // pack -> a fake SRAM -> unpack gives the values back.
  std::map<std::pair<unsigned, std::uint32_t>, std::vector<std::uint8_t>> sram;
  for (const auto& seg : packTensor(r.layout, "A", in.at("A")))
    for (std::size_t w = 0; w * 16 < seg.bytes.size(); ++w)
      sram[{seg.position, seg.address + static_cast<std::uint32_t>(w)}] = std::vector<std::uint8_t>(
          seg.bytes.begin() + static_cast<long>(w * 16), seg.bytes.begin() + static_cast<long>(w * 16 + 16));
  const auto back = unpackTensor(r.layout, "A", [&](unsigned p, std::uint32_t a) { return sram.at({p, a}); });
  EXPECT_EQ(back, in.at("A"));
}

TEST(Layout, ConcurrentStreamsUseDistinctSlices) {
  const CompileResult r = compile(gemmGraph("large", 64, 64, 64));
  const TensorLayout& C = r.layout.tensor("C");
  std::set<unsigned> planes;
  for (const auto& f : C.fragments) planes.insert(f.slices.begin(), f.slices.end());
  EXPECT_EQ(planes.size(), 4u);  // 4 byte planes written in the same cycle: 4 slices
  for (const auto& f : r.layout.tensor("A").fragments)
    for (unsigned p : f.slices) EXPECT_FALSE(planes.count(p));
}

TEST(GraphParse, ErrorsNameTheProblem) {
  auto err = [](const std::string& text) {
    try {
      parseGraph(text, "t.json");
    } catch (const GraphError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(err("{").find("t.json: JSON"), std::string::npos);
  EXPECT_NE(err(R"({"tensors": {"a": {"shape": [2, 3], "dtype": "f32"}}, "nodes": []})").find("dtype 'f32'"),
            std::string::npos);
  EXPECT_NE(err(R"({"tensors": {"a": {"shape": [2, 3], "kind": "input"}, "b": {"shape": [4, 3], "kind": "weight"},
                    "c": {"shape": [2, 3], "dtype": "i32"}},
                    "nodes": [{"op": "matmul", "inputs": ["a", "b"], "output": "c"}]})")
                .find("inner dimensions"),
            std::string::npos);
  EXPECT_NE(err(R"({"tensors": {"a": {"shape": [2, 3], "kind": "input"}, "c": {"shape": [2, 3]}},
                    "nodes": [{"op": "relu", "inputs": ["q"], "output": "c"}]})")
                .find("unknown input 'q'"),
            std::string::npos);
  // A graph survives a round trip through its JSON form.
  const Graph g = loadGraphFile(LPU_SOURCE_DIR "/sw/compiler/graphs/mlp2.json");
  const Graph h = parseGraph(graphToJson(g));
  EXPECT_EQ(graphToJson(h), graphToJson(g));
}

TEST(Scheduler, StreamReservationsNeverOverlap) {
  // Two values on one stream: the second producer must not overwrite the first while it travels.
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  Scheduler s(cfg);
  auto readToVxm = [&](unsigned pos, int fixed) {
    Bundle b;
    const int rd = b.add(pos, 0, isa::Instruction::make(isa::Opcode::kRead));
    const int g = b.group(isa::Dir::kEast, 1);
    b.groups[static_cast<std::size_t>(g)].fixed_base = fixed;
    b.produce(g, rd, isa::Field::kMstrm, pos, 2);
    isa::Instruction mv = isa::Instruction::make(isa::Opcode::kMov);
    const int v = b.add(5, b.arrival(g, 0, 5), mv);
    b.consume(v, isa::Field::kSrca, g, 5);
    const int og = b.group(isa::Dir::kEast, 1);
    b.produce(og, v, isa::Field::kDst, 5, 2);
    return b;
  };
  // MEM_W2 (2) -> VXM: E0 held at positions 3, 4, 5 in cycles 2, 3, 4 when read at 0.
  Bundle a = readToVxm(2, 0);
  EXPECT_EQ(s.place(a, 0), 0);
  // A second read from MEM_W0 (4) pinned to E0 must not put its value into R[E][0][5] while the
  // first holds it (cycle 4); the VXM queue is busy at 4 as well.
  Bundle b = readToVxm(4, 0);
  const std::int64_t t = s.place(b, 0);
  EXPECT_NE(t + b.insns[1].offset, 4);  // never the same VXM cycle
  EXPECT_TRUE(s.table().streamFree(isa::Dir::kEast, 1, 5, 4));
  EXPECT_FALSE(s.table().streamFree(isa::Dir::kEast, 0, 5, 4));
}

TEST(Scheduler, BundleWiderThanTheStreamsIsAnErrorNotAHang) {
  // A fused requant with its multiplier on the same side as the MXM: the ABCE's i32 group and the
  // multiplier pair reach the VXM together eastward, 6 streams. On ulx3s (4 per direction) no
  // cycle can ever hold them, so place() must say so instead of trying later cycles forever.
  auto lat = [](isa::Opcode op) { return isa::findInsn(static_cast<unsigned>(op))->latency; };
  auto requantBundle = [&] {
    Bundle b;
    b.what = "abce + req";
    const int abce = b.add(0, 0, isa::Instruction::make(isa::Opcode::kAbce));
    const int g = b.group(isa::Dir::kEast, 4);
    b.produce(g, abce, isa::Field::kDst, 0, lat(isa::Opcode::kAbce));
    const int when = b.arrival(g, 0, 5);
    const int r = b.add(5, when, isa::Instruction::make(isa::Opcode::kReq));
    b.consume(r, isa::Field::kSrca, g, 5, 0, 4);
    const int mg = b.group(isa::Dir::kEast, 2);
    const unsigned lr = lat(isa::Opcode::kRead);
    for (unsigned j = 0; j < 2; ++j) {
      const unsigned pos = 3 + j;
      const int rd = b.add(pos, Bundle::producerOffset(when, lr, pos, 5), isa::Instruction::make(isa::Opcode::kRead));
      b.produce(mg, rd, isa::Field::kMstrm, pos, lr, j, 1);
    }
    b.consume(r, isa::Field::kSrcb, mg, 5, 0, 2);
    return b;
  };
  const isa::ArchConfig cfg = isa::ArchConfig::byName("ulx3s");
  ASSERT_LT(cfg.streamsPerDir(), 6u);
  Scheduler s(cfg);
  Bundle b = requantBundle();
  try {
    s.place(b, 0);
    FAIL() << "place() accepted a bundle that cannot fit";
  } catch (const std::logic_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("abce + req"), std::string::npos) << msg;
    EXPECT_NE(msg.find("E x4, E x2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4 streams per direction"), std::string::npos) << msg;
  }
  // The same bundle fits where there are 8 streams.
  Scheduler big(isa::ArchConfig::byName("small"));
  Bundle c = requantBundle();
  EXPECT_GE(big.place(c, 0), 0);
}

TEST(Scheduler, EmitsRepeatForRegularRuns) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName("small");
  Scheduler s(cfg);
  for (unsigned i = 0; i < 10; ++i) {
    Bundle b;
    isa::Instruction w = isa::Instruction::make(isa::Opcode::kWrite);
    w.set(isa::Field::kAddr, static_cast<std::int32_t>(100 + 2 * i));
    b.add(6, 0, w);
    s.place(b, 5 + 3 * i);
  }
  const auto q = s.emit()[6];
  // nop 5; write 100, E0; repeat 9, 3, 2; halt
  ASSERT_EQ(q.size(), 4u);
  const auto rep = isa::decode(q[2]).insn;
  EXPECT_EQ(rep.opcode(), isa::Opcode::kRepeat);
  EXPECT_EQ(rep.get(isa::Field::kRepN), 9);
  EXPECT_EQ(rep.get(isa::Field::kRepD), 3);
  EXPECT_EQ(rep.get(isa::Field::kStride), 2);
  EXPECT_EQ(s.predictedCycles(), 5u + 27 + 2);  // last write at 32: halt at 33, done at 34
}

}  // namespace
}  // namespace lpu::compiler

#include "sw/asm/assembler.hpp"
#include "sw/asm/disassembler.hpp"

namespace lpu::compiler {
namespace {

// Every word the compiler emits is legal assembly: disassemble -> assemble gives the same program.
TEST(Emission, ProgramsRoundTripThroughTheAssembler) {
  for (const char* f : {"mlp2.json", "matmul_requant_relu.json", "eltwise.json"}) {
    SCOPED_TRACE(f);
    const CompileResult r = compile(loadGraphFile(std::string(LPU_SOURCE_DIR "/sw/compiler/graphs/") + f));
    const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
    const std::string text = assembler::disassemble(r.program, cfg);
    const assembler::AssembleResult back = assembler::assemble(text, "compiled.s", cfg);
    ASSERT_TRUE(back.ok()) << back.formatDiagnostics();
    EXPECT_EQ(back.program->queues, r.program.queues);
  }
}

}  // namespace
}  // namespace lpu::compiler
