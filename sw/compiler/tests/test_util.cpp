#include "sw/compiler/tests/test_util.hpp"

#include <algorithm>

#include "sw/isa/arch.hpp"

namespace lpu::compiler::testing {

namespace {
std::int32_t sat8(std::int64_t v) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, -128, 127));
}
}  // namespace

Values reference(const Graph& g, const Values& inputs) {
  Values v = inputs;
  for (const auto& [name, t] : g.tensors)
    if (t.kind == TensorKind::kWeight) v[name] = t.data;
  for (const Node& n : g.nodes) {
    const Tensor& out = g.tensor(n.output);
    std::vector<std::int32_t> y(std::size_t{out.rows} * out.cols, 0);
    const auto& a = v.at(n.inputs[0]);
    switch (n.op) {
      case OpKind::kMatmul: {
        const auto& b = v.at(n.inputs[1]);
        const unsigned K = g.tensor(n.inputs[0]).cols;
        for (unsigned i = 0; i < out.rows; ++i)
          for (unsigned j = 0; j < out.cols; ++j) {
            std::uint32_t s = 0;  // wrapping int32
            for (unsigned k = 0; k < K; ++k)
              s += static_cast<std::uint32_t>(a[std::size_t{i} * K + k] *
                                              b[std::size_t{k} * out.cols + j]);
            y[std::size_t{i} * out.cols + j] = static_cast<std::int32_t>(s);
          }
        break;
      }
      case OpKind::kRequant:
        for (unsigned i = 0; i < out.rows; ++i)
          for (unsigned j = 0; j < out.cols; ++j) {
            const std::int64_t m = n.multiplier.size() == 1 ? n.multiplier[0] : n.multiplier[j];
            const std::int64_t p = std::int64_t{a[std::size_t{i} * out.cols + j]} * m;
            std::int64_t r = p;
            if (n.shift > 0)
              r = (p + (std::int64_t{1} << (n.shift - 1)) - (p < 0 ? 1 : 0)) >> n.shift;
            y[std::size_t{i} * out.cols + j] = sat8(r);
          }
        break;
      case OpKind::kRelu:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::max(a[i], 0);
        break;
      case OpKind::kCopy:
        y = a;
        break;
      case OpKind::kAdd:
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = sat8(std::int64_t{a[i]} + v.at(n.inputs[1])[i]);
        break;
      case OpKind::kMul:
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = static_cast<std::int8_t>(static_cast<std::uint8_t>(a[i] * v.at(n.inputs[1])[i]));
        break;
      case OpKind::kTranspose: {
        const Tensor& x = g.tensor(n.inputs[0]);
        for (unsigned i = 0; i < x.rows; ++i)
          for (unsigned j = 0; j < x.cols; ++j)
            y[std::size_t{j} * x.rows + i] = a[std::size_t{i} * x.cols + j];
        break;
      }
    }
    v[n.output] = std::move(y);
  }
  return v;
}

Values randomInputs(Graph& g, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  Values in;
  for (auto& [name, t] : g.tensors) {
    if (t.kind == TensorKind::kInput) {
      std::vector<std::int32_t> x(std::size_t{t.rows} * t.cols);
      for (auto& e : x) e = d(rng);
      in[name] = std::move(x);
    } else if (t.kind == TensorKind::kWeight && t.dtype == DType::kI8) {
      for (auto& e : t.data) e = d(rng);
    }
  }
  return in;
}

ModelRun runOnModel(const CompileResult& r, const Values& inputs) {
  const isa::ArchConfig cfg = isa::ArchConfig::byName(r.program.config);
  isa::Program p = r.program;
  for (const auto& [name, vals] : inputs)
    for (auto& seg : packTensor(r.layout, name, vals)) p.data.push_back(std::move(seg));
  model::Machine m(cfg);
  m.loadProgram(p);
  m.start();
  ModelRun out;
  out.state = m.run(r.report.predicted_cycles + 1000);
  out.cycles = m.cycle();
  if (m.error()) out.error = m.error()->message;
  for (const auto& [name, t] : r.layout.tensors) {
    if (name.find('.') != std::string::npos) continue;  // compiler constants
    out.tensors[name] = unpackTensor(
        r.layout, name, [&](unsigned pos, std::uint32_t addr) { return m.readSram(pos, addr); });
  }
  return out;
}

}  // namespace lpu::compiler::testing
