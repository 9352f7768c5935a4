#include "sw/llm/program_chain.hpp"

#include <fmt/format.h>

#include <algorithm>
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

ProgramChain::ProgramChain(std::string config, unsigned temp_words, compiler::CompileOptions base, unsigned pool_words)
    : config_(std::move(config)), temp_words_(temp_words), base_(std::move(base)) {
  base_.keep.clear();
  base_.constants = nullptr;
  const isa::ArchConfig& cfg = isa::ArchConfig::byName(config_);
  if (temp_words_ + pool_words > cfg.wordsPerSlice())
    throw compiler::CompileError(fmt::format("program chain: {} low words and {} pool words exceed the {} of a slice",
                                             temp_words_, pool_words, cfg.wordsPerSlice()));
  // The pool right above the low words: placed before any persistent tensor, so they all lie above it.
  for (unsigned p = 0; p < cfg.positions(); ++p)
    if (cfg.sliceAt(p) == isa::Slice::kMEM) pool_.addRegion(p, temp_words_, temp_words_ + pool_words);
}

// Kept placements carry names of their own: the compiler ignores a kept tensor that the graph names, and a graph's
// part of a persistent tensor (a cache row) may have the persistent tensor's name. `low`: also keep words
// [0, temp_words) of every MEM slice, where the programs' own tensors go, so that what is placed now lies above.
compiler::CompileOptions ProgramChain::keepOptions(const std::set<std::string>& named, bool low) {
  compiler::CompileOptions opt = base_;
  opt.constants = &pool_;
  for (const auto& [name, tl] : placed_) {
    if (named.count(name)) continue;
    opt.keep.push_back(tl);
    opt.keep.back().name = "kept:" + name;
  }
  if (low) {
    const isa::ArchConfig& cfg = isa::ArchConfig::byName(config_);
    for (unsigned p = 0; p < cfg.positions(); ++p) {
      if (cfg.sliceAt(p) != isa::Slice::kMEM) continue;
      TensorLayout t;
      t.name = fmt::format("kept:low:{}", p);
      t.rows = temp_words_;
      t.cols = cfg.params().lanes;
      t.col_tiles = 1;
      compiler::Fragment f;
      f.ct_end = 1;
      f.slices = {p};
      f.rows = temp_words_;
      t.fragments.push_back(f);
      opt.keep.push_back(t);
    }
  }
  return opt;
}

const TensorLayout& ProgramChain::placement(const std::string& persistent) const {
  auto it = placed_.find(persistent);
  if (it == placed_.end()) throw std::out_of_range(fmt::format("program chain: '{}' has not been placed", persistent));
  return it->second;
}

// A cache is placed by the chain itself, one column tile per MEM slice where there is room (a tile is `height`
// consecutive words, row r at base + r), from the top of the slices down: the caches are the largest persistent
// tensors after the weights, and spread at the top they leave every slice's free words in one low run that the
// compiler's common-base allocations of multi-slice weights can use. Not row-interleaved, so rowsOf() can address a row
// of it.
void ProgramChain::placeCache(const std::string& cache, const compiler::Tensor& row, unsigned height) {
  const isa::ArchConfig& cfg = isa::ArchConfig::byName(config_);
  const unsigned lanes = cfg.params().lanes, words = cfg.wordsPerSlice();
  // Per MEM slice, the words persistent tensors (and the low words) hold.
  std::map<unsigned, std::vector<bool>> held;
  for (unsigned p = 0; p < cfg.positions(); ++p)
    if (cfg.sliceAt(p) == isa::Slice::kMEM) {
      held[p].assign(words, false);
      for (unsigned a = 0; a < temp_words_ && a < words; ++a) held[p][a] = true;
      const auto& [lo, hi] = pool_.regions().at(p);
      for (unsigned a = lo; a < hi && a < words; ++a) held[p][a] = true;
    }
  for (const auto& [name, tl] : placed_)
    for (const auto& [p, ws] : compiler::tensorWords(tl))
      for (std::uint32_t a : ws) held.at(p)[a] = true;
  // The highest free run: the compiler allocates from the bottom up, so the caches stay out of its way.
  auto lastFit = [&](unsigned p, unsigned n) -> std::int64_t {
    unsigned run = 0;
    for (unsigned a = words; a-- > 0;) {
      run = held.at(p)[a] ? 0 : run + 1;
      if (run == n) return std::int64_t{a};
    }
    return -1;
  };
  auto freeWords = [&](unsigned p) { return std::count(held.at(p).begin(), held.at(p).end(), false); };
  TensorLayout t;
  t.name = cache;
  t.dtype = row.dtype;
  t.kind = TensorKind::kInput;
  t.rows = height;
  t.cols = row.cols;
  t.col_tiles = (row.cols + lanes - 1) / lanes;
  t.planes = compiler::dtypeBytes(row.dtype);
  for (unsigned plane = 0; plane < t.planes; ++plane)
    for (unsigned ct = 0; ct < t.col_tiles; ++ct) {
      std::int64_t best_base = -1;
      unsigned best = 0;
      for (const auto& [p, h] : held) {
        const std::int64_t b = lastFit(p, height);
        if (b >= 0 && (best_base < 0 || freeWords(p) > freeWords(best))) best = p, best_base = b;
      }
      if (best_base < 0)
        throw compiler::CompileError(fmt::format(
            "placing cache '{}' ({} x {}): no MEM slice has {} free words in a row", cache, height, row.cols, height));
      compiler::Fragment f;
      f.plane = plane;
      f.ct_begin = ct;
      f.ct_end = ct + 1;
      f.slices = {best};
      f.base = static_cast<std::uint32_t>(best_base);
      f.rows = height;
      t.fragments.push_back(f);
      for (unsigned a = 0; a < height; ++a) held.at(best)[static_cast<std::size_t>(best_base) + a] = true;
    }
  placed_[cache] = t;
}

ChainProgram ProgramChain::compile(const StepGraph& s) {
  const unsigned lanes = lanesOf(config_);
  compiler::Graph g = s.graph;
  g.config = config_;
  std::set<std::string> named;  // persistent tensors this program names
  for (const auto& [local, part] : s.parts) {
    const compiler::Tensor& t = g.tensor(local);
    if (!placed_.count(part.of)) {
      if (part.height == 0)
        throw compiler::CompileError(fmt::format("program '{}': tensor '{}' is a part of '{}', which is not placed yet",
                                                 s.name, local, part.of));
      compiler::Tensor whole = t;
      if (part.cols) whole.cols = part.cols;
      placeCache(part.of, whole, part.height);
    }
    const unsigned tile_cols = lanes;
    const unsigned tiles = (t.cols + tile_cols - 1) / tile_cols;
    // (The whole of `of` stays kept: the part is pinned inside it, nothing else may land on the rest.)
    pin(g.tensors.at(local),
        compiler::rowsOf(compiler::tilesOf(placed_.at(part.of), part.tile, tiles, lanes), part.row, t.rows), lanes,
        t.kind == TensorKind::kInput);
  }
  std::vector<std::string> fresh;  // persistent tensors this program places
  for (const auto& [local, persistent] : s.shared) {
    named.insert(persistent);
    compiler::Tensor& t = g.tensors.at(local);
    if (auto it = placed_.find(persistent); it != placed_.end()) {
      pin(t, it->second, lanes, t.kind == TensorKind::kInput || t.kind == TensorKind::kWeight);
    } else {
      if (frozen_)
        throw compiler::CompileError(
            fmt::format("program '{}': '{}' ({}) would be placed after the placement phase (ProgramChain::freeze)",
                        s.name, persistent, local));
      fresh.push_back(local);
    }
  }
  auto where = [&](const std::string& what) { return fmt::format("program '{}': {}", s.name, what); };
  compiler::CompileResult r;
  try {
    if (!fresh.empty()) {
      // A first compile with the low words kept places this program's persistent tensors above them; the program
      // itself is then compiled with those pinned, its own tensors in the low words. (Weights go into setupImage().)
      const compiler::CompileResult first = compiler::compile(g, keepOptions(named, true));
      for (const std::string& local : fresh) {
        compiler::Tensor& t = g.tensors.at(local);
        TensorLayout tl = first.layout.tensor(local);
        if (t.kind == TensorKind::kWeight)
          for (auto& seg : compiler::packTensor(first.layout, local, t.data)) setup_.push_back(std::move(seg));
        pin(t, tl, lanes, t.kind == TensorKind::kWeight);
        tl.name = s.shared.at(local);
        tl.pinned = tl.resident = false;
        placed_[tl.name] = tl;
      }
    }
    r = compiler::compile(g, keepOptions(named, false));
  } catch (const compiler::GraphError& e) {
    throw compiler::GraphError(where(e.what()));
  } catch (const std::runtime_error& e) {  // CompileError, and the allocator's "SRAM full"
    throw compiler::CompileError(where(e.what()));
  }
  for (const auto& [pos, used] : r.layout.words_used)
    if (used > temp_words_)
      throw compiler::CompileError(where(fmt::format(
          "its own tensors use words 0 .. {} of MEM slice {}, more than the {} low words the chain keeps for them",
          used, pos, temp_words_)));
  return ChainProgram{s.name, std::move(r), s.shared};
}

// A program of data segments only (every queue empty): what the host writes to SRAM before the chain runs.
isa::Program ProgramChain::dataImage(std::vector<isa::DataSegment> data) const {
  isa::Program p;
  p.config = config_;
  p.queues.resize(isa::ArchConfig::byName(config_).queues());
  p.data = std::move(data);
  return p;
}

isa::Program ProgramChain::setupImage() const {
  std::vector<isa::DataSegment> data = setup_;
  data.insert(data.end(), pool_.segments().begin(), pool_.segments().end());
  return dataImage(std::move(data));
}

isa::Program ProgramChain::constantsImage(std::size_t from) const {
  const auto& segs = pool_.segments();
  return dataImage(from < segs.size() ? std::vector<isa::DataSegment>(segs.begin() + std::ptrdiff_t(from), segs.end())
                                      : std::vector<isa::DataSegment>{});
}

isa::Program withInputs(const ChainProgram& p, const std::map<std::string, std::vector<std::int32_t>>& inputs) {
  isa::Program out = p.result.program;
  for (const auto& [name, values] : inputs)
    for (auto& seg : compiler::packTensor(p.result.layout, name, values)) out.data.push_back(std::move(seg));
  return out;
}

}  // namespace lpu::llm
