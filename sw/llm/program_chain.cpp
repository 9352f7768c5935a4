#include "sw/llm/program_chain.hpp"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

#include "sw/compiler/layout.hpp"
#include "sw/compiler/pin.hpp"
#include "sw/isa/arch.hpp"

namespace lpu::llm {

namespace {

using compiler::TensorKind;
using compiler::TensorLayout;

unsigned lanesOf(const std::string& config) { return isa::ArchConfig::byName(config).params().lanes; }

void pin(compiler::Tensor& t, TensorLayout where, unsigned lanes, bool resident) {
  where.name = t.name;
  t.pin = compiler::tensorLayoutJson(where, lanes);
  t.resident = resident;
}

}  // namespace

ProgramChain::ProgramChain(std::string config) : config_(std::move(config)) {}

const TensorLayout& ProgramChain::placement(const std::string& persistent) const {
  auto it = placed_.find(persistent);
  if (it == placed_.end()) throw std::out_of_range(fmt::format("program chain: '{}' has not been placed", persistent));
  return it->second;
}

// A cache is placed by compiling a graph that only declares it (every tensor of a graph gets a place), with
// everything placed so far kept. Its fragments are not row-interleaved, so rowsOf() can address a row of it.
void ProgramChain::placeCache(const std::string& cache, const compiler::Tensor& row, unsigned height) {
  compiler::Graph g;
  g.config = config_;
  g.tensors["cache"] = compiler::Tensor{"cache", row.dtype, height, row.cols, TensorKind::kInput, {}};
  compiler::CompileOptions opt;
  for (const auto& [name, tl] : placed_) opt.keep.push_back(tl);
  compiler::CompileResult r;
  try {
    r = compiler::compile(g, opt);
  } catch (const std::exception& e) {
    throw compiler::CompileError(fmt::format("placing cache '{}' ({} x {}): {}", cache, height, row.cols, e.what()));
  }
  TensorLayout tl = r.layout.tensor("cache");
  tl.name = cache;
  placed_[cache] = tl;
}

ChainProgram ProgramChain::compile(const StepGraph& s) {
  const unsigned lanes = lanesOf(config_);
  compiler::Graph g = s.graph;
  g.config = config_;
  std::set<std::string> named;  // persistent tensors this program names
  for (const auto& [local, cr] : s.cache_rows) {
    const compiler::Tensor& t = g.tensor(local);
    if (!placed_.count(cr.cache)) placeCache(cr.cache, t, cr.height);
    // (The whole cache stays kept: the row is pinned inside it, nothing else may land on its other rows.)
    pin(g.tensors.at(local), compiler::rowsOf(placed_.at(cr.cache), cr.row, t.rows), lanes,
        t.kind == TensorKind::kInput);
  }
  std::vector<std::string> new_weights;
  for (const auto& [local, persistent] : s.shared) {
    named.insert(persistent);
    compiler::Tensor& t = g.tensors.at(local);
    if (auto it = placed_.find(persistent); it != placed_.end()) {
      pin(t, it->second, lanes, t.kind == TensorKind::kInput || t.kind == TensorKind::kWeight);
    } else if (t.kind == TensorKind::kWeight) {
      new_weights.push_back(local);
    }
  }
  compiler::CompileOptions opt;
  for (const auto& [name, tl] : placed_)
    if (!named.count(name)) opt.keep.push_back(tl);
  auto where = [&](const std::string& what) { return fmt::format("program '{}': {}", s.name, what); };
  compiler::CompileResult r;
  try {
    r = compiler::compile(g, opt);
    if (!new_weights.empty()) {
      // The weights are placed now; the program the host runs reads them resident (they are in setupImage()).
      for (const std::string& local : new_weights) {
        const compiler::Tensor& t = g.tensor(local);
        for (auto& seg : compiler::packTensor(r.layout, local, t.data)) setup_.push_back(std::move(seg));
        pin(g.tensors.at(local), r.layout.tensor(local), lanes, true);
      }
      r = compiler::compile(g, opt);
    }
  } catch (const compiler::CompileError& e) {
    throw compiler::CompileError(where(e.what()));
  } catch (const compiler::GraphError& e) {
    throw compiler::GraphError(where(e.what()));
  }
  for (const auto& [local, persistent] : s.shared) {
    if (placed_.count(persistent)) continue;
    TensorLayout tl = r.layout.tensor(local);
    tl.name = persistent;
    tl.pinned = false;
    tl.resident = false;
    placed_[persistent] = tl;
  }
  return ChainProgram{s.name, std::move(r), s.shared};
}

isa::Program ProgramChain::setupImage() const {
  isa::Program p;
  p.config = config_;
  p.queues.resize(isa::ArchConfig::byName(config_).positions());
  p.data = setup_;
  return p;
}

isa::Program withInputs(const ChainProgram& p, const std::map<std::string, std::vector<std::int32_t>>& inputs) {
  isa::Program out = p.result.program;
  for (const auto& [name, values] : inputs)
    for (auto& seg : compiler::packTensor(p.result.layout, name, values)) out.data.push_back(std::move(seg));
  return out;
}

}  // namespace lpu::llm
