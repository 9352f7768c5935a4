// The compiler driver: lowering of the tensor graph onto the machine, allocation (allocate.cpp) and
// then, node by node in program order, dispatch to the operator lowerings (lower_*.cpp), whose
// bundles the scheduler places; then program assembly and the schedule report. See docs/compiler.md
// for the algorithm and lowering.hpp for the shared context.
#include "sw/compiler/compiler.hpp"

#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler {

namespace lowering {

// ---------------------------------------------------------------------------------------------------------------
// Bundles

std::pair<int, int> Lowering::addRead(Bundle& b, const WordLoc& w, unsigned to, int when) {
  const unsigned Lr = latencyOf(Opcode::kRead);
  const int off = Bundle::producerOffset(when, Lr, w.position, to);
  const int ins = b.add(w.position, off, memInsn(Opcode::kRead, w.address));
  const int grp = b.group(toward(w.position, to), 1);
  b.produce(grp, ins, Field::kMstrm, w.position, Lr);
  return {ins, grp};
}

int Lowering::addWrite(Bundle& b, int group, unsigned member, const WordLoc& w) {
  const int ins = b.add(w.position, b.arrival(group, member, w.position), memInsn(Opcode::kWrite, w.address));
  b.consume(ins, Field::kMstrm, group, w.position, member, 1);
  return ins;
}

std::int64_t Lowering::placeBundle(Bundle& b, const Constraint& c, int node, std::string what) {
  b.node = node;
  b.what = std::move(what);
  const std::int64_t t = sched_.place(b, c.t, c.pred);
  // Every word's latest read: a result written in place (residual_add) must not overwrite a word
  // an earlier node still reads.
  for (const Bundle::Insn& i : b.insns)
    if (i.insn.opcode() == Opcode::kRead) {
      std::int64_t& lr = last_read_[key(WordLoc{i.queue, static_cast<std::uint32_t>(i.insn.get(Field::kAddr))})];
      lr = std::max(lr, t + i.offset);
    }
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

CompileResult Lowering::run() {
  validateGraph(g_);
  // MXM units: west at position 0, east at the last position; each with a compute queue (its
  // position) and a load queue (positions() + side).
  for (unsigned s = 0; s < 2; ++s) {
    MxmUnit u;
    u.side = s;
    u.pos = s == 0 ? 0 : cfg_.positions() - 1;
    u.qc = u.pos;
    u.ql = cfg_.positions() + s;
    u.abc_port = sched_.table().addResource(s == 0 ? "MXM_W abc port" : "MXM_E abc port");
    u.in_dir = s == 0 ? Dir::kWest : Dir::kEast;
    u.out_dir = s == 0 ? Dir::kEast : Dir::kWest;
    u.slot_free.assign(cfg_.params().mxm_acc_slots, 0);
    u.slot_bundle.assign(cfg_.params().mxm_acc_slots, -1);
    mxm_.push_back(u);
  }
  planFusion();
  allocateAll();
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    if (skipped_[i]) continue;
    switch (g_.nodes[i].op) {
      case OpKind::kMatmul:
        lowerMatmul(static_cast<int>(i), fused_into_[i]);
        break;
      case OpKind::kTranspose:
        lowerTranspose(static_cast<int>(i));
        break;
      case OpKind::kRmsnorm:
        lowerRmsnorm(static_cast<int>(i));
        break;
      case OpKind::kArgmax:
        lowerArgmax(static_cast<int>(i));
        break;
      case OpKind::kSwiglu:
        lowerSwiglu(static_cast<int>(i));
        break;
      case OpKind::kRope:
        lowerRope(static_cast<int>(i));
        break;
      case OpKind::kResidualAdd:
        lowerResidualAdd(static_cast<int>(i));
        break;
      case OpKind::kEmbedding:
        lowerEmbedding(static_cast<int>(i));
        break;
      case OpKind::kAttention:
        lowerAttention(static_cast<int>(i));
        break;
      default:
        lowerEltwise(static_cast<int>(i));
        break;
    }
  }

  layout_.words_used = alloc_.used();  // with the scratch words of the vector lowerings
  CompileResult r;
  r.program.config = g_.config;
  try {
    r.program.queues = sched_.emit();
  } catch (const std::runtime_error& e) {
    // Say what fills the queue(s) that overflow: emitted runs per node and instruction.
    std::string why = e.what();
    const auto runs = sched_.runs();
    for (unsigned q = 0; q < cfg_.queues(); ++q) {
      if (runs[q].size() * 2 < cfg_.params().queue_depth) continue;
      std::map<std::string, unsigned> count;
      for (const EmittedRun& run : runs[q]) {
        const int nd = sched_.placements()[static_cast<std::size_t>(run.bundle)].node;
        count[fmt::format("{} {}", nd >= 0 ? g_.nodes[static_cast<std::size_t>(nd)].name : "?",
                          run.insn.desc->mnemonic)]++;
      }
      why += fmt::format("; {}: {} runs (", cfg_.queueName(q), runs[q].size());
      bool first = true;
      for (const auto& [k, c] : count) why += fmt::format("{}{} x{}", first ? "" : ", ", k, c), first = false;
      why += ")";
    }
    throw CompileError(why);
  }
  for (const auto& [name, t] : g_.tensors) {
    // (A resident weight is in SRAM already.)
    if (t.kind != TensorKind::kWeight || t.resident || !layout_.tensors.count(name)) continue;
    for (auto& seg : packTensor(layout_, name, t.data)) r.program.data.push_back(std::move(seg));
  }
  for (auto& seg : constants_) r.program.data.push_back(seg);
  r.layout = layout_;
  r.runs = sched_.runs();
  for (const Node& nd : g_.nodes) r.node_names.push_back(nd.name);
  for (const auto& p : sched_.placements()) r.bundle_node.push_back(p.node);
  r.report = makeReport(sched_.predictedCycles());
  return r;
}

ScheduleReport Lowering::makeReport(std::uint64_t cycles) const {
  ScheduleReport rep;
  rep.config = g_.config;
  rep.predicted_cycles = cycles;
  rep.macs = macs_;
  rep.mxms_used = macs_ ? unsigned{mxm_side_used_[0]} + unsigned{mxm_side_used_[1]} : 0;
  rep.peak_macs_per_cycle = std::uint64_t{cfg_.mxmPeakMacsPerCycle()} * std::max(1u, rep.mxms_used);
  rep.mxm_utilisation =
      cycles ? static_cast<double>(macs_) / (static_cast<double>(cycles) * static_cast<double>(rep.peak_macs_per_cycle))
             : 0.0;
  const auto words = sched_.emit();
  for (unsigned q = 0; q < cfg_.queues(); ++q) {
    QueueReport qr;
    qr.position = q;
    qr.name = cfg_.queueName(q);
    qr.issues = sched_.queueInsns()[q].size();
    qr.words = words[q].size();
    qr.utilisation = cycles ? static_cast<double>(qr.issues) / static_cast<double>(cycles) : 0.0;
    rep.queues.push_back(qr);
  }
  // Critical path: from the bundle that finishes last, follow the dependency that set each one's
  // earliest cycle.
  const auto& pl = sched_.placements();
  int cur = -1;
  std::int64_t best = -1;
  for (std::size_t i = 0; i < pl.size(); ++i)
    if (pl[i].end > best) best = pl[i].end, cur = static_cast<int>(i);
  std::vector<CriticalStep> path;
  while (cur >= 0 && path.size() < 100000) {
    const PlacementInfo& p = pl[static_cast<std::size_t>(cur)];
    CriticalStep s;
    s.cycle = p.t;
    s.node = p.node >= 0 ? g_.nodes[static_cast<std::size_t>(p.node)].name : "";
    s.what = p.what;
    s.resource_bound = p.t > p.t_min;
    path.push_back(s);
    cur = p.pred;
  }
  std::reverse(path.begin(), path.end());
  rep.critical_path = std::move(path);
  return rep;
}

}  // namespace lowering

CompileResult compile(const Graph& graph, const CompileOptions& options) {
  lowering::Lowering l(graph, options);
  return l.run();
}

}  // namespace lpu::compiler
