// Element-wise VXM ops: relu, copy, add and mul (a requant is always fused into its matmul,
// lower_matmul.cpp).
#include <fmt/format.h>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler::lowering {

// Lane-wise VXM ops: per row and column tile, read the operands (one MEM read each, timed to meet
// at the VXM), one VXM instruction, one MEM write of its result.
void Lowering::lowerEltwise(int ni) {
  const Node& n = g_.nodes[static_cast<std::size_t>(ni)];
  Opcode op = Opcode::kMov;
  switch (n.op) {
    case OpKind::kRelu:
      op = Opcode::kRelu;
      break;
    case OpKind::kCopy:
      op = Opcode::kMov;
      break;
    case OpKind::kAdd:
      op = Opcode::kAdds;
      break;
    case OpKind::kMul:
      op = Opcode::kMul;
      break;
    default:
      throw std::logic_error("lowerEltwise");
  }
  const TensorLayout& out = layout_.tensor(n.output);
  std::vector<const TensorLayout*> ins;
  for (const auto& name : n.inputs) ins.push_back(&layout_.tensor(name));
  const Field src_fields[2] = {Field::kSrca, Field::kSrcb};
  for (unsigned ct = 0; ct < out.col_tiles; ++ct) {
    for (unsigned r = 0; r < out.rows; ++r) {
      Bundle b;
      Instruction vi = makeInsn(op);
      vi.type = ElemType::kI8;
      const int v = b.add(vxm_, 0, vi);
      Constraint c;
      std::vector<std::pair<WordLoc, int>> reads;  // (word, group)
      for (std::size_t j = 0; j < ins.size(); ++j) {
        const WordLoc loc = ins[j]->locate(r, ct, 0, 0);
        int grp = -1;
        for (const auto& [w, gidx] : reads)
          if (w.position == loc.position && w.address == loc.address) grp = gidx;
        if (grp < 0) {
          for (const auto& [w, gidx] : reads)
            if (w.position == loc.position)
              throw CompileError(fmt::format("node '{}': both operands of row {} tile {} are in MEM slice {}", n.name,
                                             r, ct, cfg_.sliceName(loc.position)));
          auto [rd, g] = addRead(b, loc, vxm_, 0);
          grp = g;
          reads.emplace_back(loc, g);
          const Ready rdy = readyOf(loc);
          c.at_least(rdy.t - b.insns[static_cast<std::size_t>(rd)].offset, rdy.bundle);
        }
        b.consume(v, src_fields[j], grp, vxm_);
      }
      // The result, written to every copy of the output (all on one side of the VXM).
      const WordLoc o = out.locate(r, ct, 0, 0);
      const int og = b.group(toward(vxm_, o.position), 1);
      b.produce(og, v, Field::kDst, vxm_, latencyOf(op));
      std::vector<std::pair<WordLoc, int>> outs;
      for (unsigned cp = 0; cp < 2; ++cp)
        if (cp == 0 || out.hasCopy(cp, ct)) {
          const WordLoc oc = out.locate(r, ct, 0, cp);
          outs.emplace_back(oc, addWrite(b, og, 0, oc));
        }
      const std::int64_t t = placeBundle(b, c, ni, fmt::format("{}: row {} tile {}", n.name, r, ct));
      for (const auto& [oc, wi] : outs)
        setReady(oc, t + b.insns[static_cast<std::size_t>(wi)].offset + latencyOf(Opcode::kWrite),
                 static_cast<int>(sched_.placements().size() - 1));
    }
  }
}

}  // namespace lpu::compiler::lowering
