// The IR's semantics (ir.hpp) as a plain interpreter, written independently of the lowering: what every
// compiled program must compute. Used by the compiler's tests, the RTL lockstep tests and `lpu compile --run`.
#include "sw/compiler/reference.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "sw/model/vxm_functions.hpp"

namespace lpu::compiler {

namespace {
std::int32_t sat8(std::int64_t v) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, -128, 127)); }
std::int32_t sat16(std::int64_t v) { return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, -32768, 32767)); }
}  // namespace

TensorValues evaluateGraph(const Graph& g, const TensorValues& inputs) {
  TensorValues v = inputs;
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
              s += static_cast<std::uint32_t>(a[std::size_t{i} * K + k] * b[std::size_t{k} * out.cols + j]);
            y[std::size_t{i} * out.cols + j] = static_cast<std::int32_t>(s);
          }
        break;
      }
      case OpKind::kRequant:
        for (unsigned i = 0; i < out.rows; ++i)
          for (unsigned j = 0; j < out.cols; ++j) {
            const std::int64_t m = n.inputs.size() == 2       ? v.at(n.inputs[1])[j]
                                   : n.multiplier.size() == 1 ? n.multiplier[0]
                                                              : n.multiplier[j];
            const std::int64_t p = std::int64_t{a[std::size_t{i} * out.cols + j]} * m;
            std::int64_t r = p;
            if (n.shift > 0) r = (p + (std::int64_t{1} << (n.shift - 1)) - (p < 0 ? 1 : 0)) >> n.shift;
            y[std::size_t{i} * out.cols + j] = out.dtype == DType::kI16 ? sat16(r) : sat8(r);
          }
        break;
      case OpKind::kRelu:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::max(a[i], 0);
        break;
      case OpKind::kCopy:
        y = a;
        break;
      case OpKind::kAdd:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = sat8(std::int64_t{a[i]} + v.at(n.inputs[1])[i]);
        break;
      case OpKind::kMul:
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = static_cast<std::int8_t>(static_cast<std::uint8_t>(a[i] * v.at(n.inputs[1])[i]));
        break;
      case OpKind::kTranspose: {
        const Tensor& x = g.tensor(n.inputs[0]);
        for (unsigned i = 0; i < x.rows; ++i)
          for (unsigned j = 0; j < x.cols; ++j) y[std::size_t{j} * x.rows + i] = a[std::size_t{i} * x.cols + j];
        break;
      }
      case OpKind::kRmsnorm: {
        // sw/llm's rmsnormInt: q = sat16(x >> 2), ss = min(2^31 - 1, eps_term + sum q^2), r = rsqrt(ss),
        // m = sat16(r >> r_shift), y = req8(x, m, shift).
        for (unsigned i = 0; i < out.rows; ++i) {
          const std::int32_t* x = a.data() + std::size_t{i} * out.cols;
          std::int64_t ss = n.eps_term;
          for (unsigned j = 0; j < out.cols; ++j) {
            const std::int64_t q = std::clamp<std::int64_t>(x[j] >> 2, -32768, 32767);
            ss = std::min<std::int64_t>(ss + q * q, 0x7FFFFFFF);
          }
          const std::int32_t r = model::rsqrtQ31(static_cast<std::uint32_t>(ss));
          const std::int64_t m = std::clamp<std::int64_t>(r >> n.r_shift, -32768, 32767);
          for (unsigned j = 0; j < out.cols; ++j)
            y[std::size_t{i} * out.cols + j] = static_cast<std::int32_t>(model::requantise(x[j], m, n.shift, 8));
        }
        break;
      }
      case OpKind::kSwiglu: {
        // sw/llm's swigluInt: req8(silu(gate) * up, m, shift).
        const auto& up = v.at(n.inputs[1]);
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = static_cast<std::int32_t>(
              model::requantise(std::int64_t{model::siluQ11(a[i])} * up[i], n.multiplier[0], n.shift, 8));
        break;
      }
      case OpKind::kRope: {
        // sw/llm's ropeInt with the position's cos/sin per lane: each interleaved pair (x0, x1) ->
        // req8(x0*c - x1*s, 1, 22), req8(x0*s + x1*c, 1, 22).
        const auto& c = v.at(n.inputs[1]);
        const auto& s = v.at(n.inputs[2]);
        const unsigned cols = out.cols;
        for (std::size_t i = 0; i + 1 < y.size(); i += 2) {
          const std::size_t j = i % cols;
          const std::int64_t x0 = a[i], x1 = a[i + 1];
          y[i] = static_cast<std::int32_t>(model::requantise(x0 * c[j] - x1 * s[j], 1, 22, 8));
          y[i + 1] = static_cast<std::int32_t>(model::requantise(x0 * s[j + 1] + x1 * c[j + 1], 1, 22, 8));
        }
        break;
      }
      case OpKind::kResidualAdd: {
        // IntModel's residual update: sat32(x + req16(acc, m[col], shift)).
        const auto& acc = v.at(n.inputs[1]);
        const auto& m = v.at(n.inputs[2]);
        for (std::size_t i = 0; i < y.size(); ++i) {
          const std::int64_t r = model::requantise(acc[i], m[i % out.cols], n.shift, 16);
          y[i] = static_cast<std::int32_t>(std::clamp<std::int64_t>(std::int64_t{a[i]} + r,
                                                                    std::numeric_limits<std::int32_t>::min(),
                                                                    std::numeric_limits<std::int32_t>::max()));
        }
        break;
      }
      case OpKind::kEmbedding: {
        // IntModel's first step: x = req16(E[token], mE[token], shift).
        const auto& e = v.at(n.inputs[1]);
        const auto& m = v.at(n.inputs[2]);
        const auto t = static_cast<std::size_t>(a.at(0));
        for (unsigned j = 0; j < out.cols; ++j)
          y[j] = static_cast<std::int32_t>(model::requantise(e.at(t * out.cols + j), m.at(t), n.shift, 16));
        break;
      }
      case OpKind::kAttention: {
        // One head of sw/llm's IntModel attention (softmaxWeights, reciprocalQ21): scores against every
        // row (position) of K, integer softmax weights, their sum's Q21 reciprocal, the weighted sum of
        // V's rows requantised by it. Part 1 stops at the weights (attentionWeightsRows), part 2 starts from them.
        std::vector<std::int64_t> w;
        if (n.part != 2) {
          const Tensor& kt = g.tensor(n.inputs[1]);
          const auto& k = v.at(n.inputs[1]);
          const unsigned P = kt.rows, C = kt.cols, hs = n.part == 1 ? n.head_size : out.cols;
          std::vector<std::int64_t> sc(P, 0);
          for (unsigned t = 0; t < P; ++t)
            for (unsigned i = 0; i < hs; ++i)
              sc[t] += std::int64_t{a[n.q_col + i]} * k[std::size_t{t} * C + n.kv_col + i];
          const std::int64_t top = *std::max_element(sc.begin(), sc.end());
          w.resize(P);
          for (unsigned t = 0; t < P; ++t) {
            const std::int64_t z = model::requantise(sc[t] - top, n.multiplier[0], n.shift, 16);
            w[t] = std::min<std::int64_t>((model::exp2Q14(static_cast<std::int32_t>(z)) + 64) >> 7, 127);
          }
        }
        if (n.part == 1) {
          for (std::size_t t = 0; t < w.size(); ++t) y[t] = static_cast<std::int32_t>(w[t]);
          break;
        }
        const Tensor& vt = g.tensor(n.inputs[n.part == 2 ? 1 : 2]);
        const auto& val = v.at(vt.name);
        const unsigned P = vt.rows, C = vt.cols, hs = out.cols;
        if (n.part == 2) w.assign(a.begin(), a.begin() + P);
        std::int64_t sum = 0;
        for (std::int64_t x : w) sum += x;
        const std::int32_t r = model::rsqrtQ31(static_cast<std::uint32_t>(sum));
        const std::int64_t inv =
            model::requantise(r, static_cast<std::int32_t>(std::clamp<std::int64_t>(r >> 14, -32768, 32767)), 27, 16);
        for (unsigned i = 0; i < hs; ++i) {
          std::int64_t acc = 0;
          for (unsigned t = 0; t < P; ++t) acc += w[t] * val[std::size_t{t} * C + n.kv_col + i];
          y[i] = static_cast<std::int32_t>(model::requantise(acc, static_cast<std::int32_t>(inv), 21, 8));
        }
        break;
      }
      case OpKind::kArgmax: {
        const unsigned cols = g.tensor(n.inputs[0]).cols;
        for (unsigned i = 0; i < out.rows; ++i) {
          const std::int32_t* x = a.data() + std::size_t{i} * cols;
          y[i] = static_cast<std::int32_t>(std::max_element(x, x + cols) - x);  // the first maximum
        }
        break;
      }
    }
    v[n.output] = std::move(y);
  }
  return v;
}

}  // namespace lpu::compiler
