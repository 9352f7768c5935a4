#include "sw/compiler/layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lpu::compiler {

const Fragment& TensorLayout::fragmentOf(unsigned ct, unsigned plane, unsigned copy) const {
  for (const Fragment& f : fragments)
    if (f.copy == copy && f.plane == plane && ct >= f.ct_begin && ct < f.ct_end) return f;
  throw std::out_of_range(fmt::format("tensor '{}': no fragment for tile {} plane {} copy {}", name, ct, plane, copy));
}

bool TensorLayout::hasCopy(unsigned copy, unsigned ct) const {
  for (const Fragment& f : fragments)
    if (f.copy == copy && ct >= f.ct_begin && ct < f.ct_end) return true;
  return false;
}

WordLoc TensorLayout::locate(unsigned r, unsigned ct, unsigned plane, unsigned copy) const {
  const Fragment& f = fragmentOf(ct, plane, copy);
  if (r >= f.rows) throw std::out_of_range(fmt::format("tensor '{}': row {} of {}", name, r, f.rows));
  const unsigned i = ct - f.ct_begin;
  const auto n = static_cast<unsigned>(f.slices.size());
  if (f.interleaved) {
    const unsigned b = r / f.blockRows(), u = r % f.blockRows() + f.row_offset;
    return WordLoc{f.slices[u % n], f.base + i * f.wordsPerTile() + b * f.wordsPerBlock() + u / n};
  }
  return WordLoc{f.slices[i % n], f.base + (i / n) * f.tileStride() + r};
}

const TensorLayout& MemoryLayout::tensor(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::out_of_range(fmt::format("no tensor '{}' in the memory layout", name));
  return it->second;
}

namespace {

nlohmann::json tensorJson(const TensorLayout& t, unsigned lanes) {
  nlohmann::json tj;
  tj["dtype"] = std::string(dtypeName(t.dtype));
  tj["kind"] = std::string(kindName(t.kind));
  tj["shape"] = {t.rows, t.cols};
  tj["col_tiles"] = t.col_tiles;
  tj["tile_cols"] = t.tile_cols ? t.tile_cols : lanes;
  tj["planes"] = t.planes;
  if (t.pinned) tj["pinned"] = true;
  if (t.resident) tj["resident"] = true;
  tj["fragments"] = nlohmann::json::array();
  for (const Fragment& f : t.fragments) {
    nlohmann::json fj = {{"copy", f.copy},
                         {"plane", f.plane},
                         {"col_tiles", {f.ct_begin, f.ct_end}},
                         {"slices", f.slices},
                         {"base", f.base},
                         {"rows", f.rows},
                         {"interleaved", f.interleaved},
                         {"tile_rows", f.blockRows()},
                         {"row_offset", f.row_offset}};
    if (f.tile_stride) fj["tile_stride"] = f.tile_stride;
    tj["fragments"].push_back(fj);
  }
  return tj;
}

}  // namespace

std::string tensorLayoutJson(const TensorLayout& t, unsigned lanes) { return tensorJson(t, lanes).dump(); }

std::string MemoryLayout::toJson() const {
  nlohmann::json j;
  j["config"] = config;
  j["lanes"] = lanes;
  j["tensors"] = nlohmann::json::object();
  for (const auto& [name, t] : tensors) j["tensors"][name] = tensorJson(t, lanes);
  nlohmann::json used = nlohmann::json::object();
  for (const auto& [pos, w] : words_used) used[std::to_string(pos)] = w;
  j["words_used"] = used;
  return j.dump(1);
}

std::vector<isa::DataSegment> packTensor(const MemoryLayout& layout, const std::string& name,
                                         std::span<const std::int32_t> values) {
  const TensorLayout& t = layout.tensor(name);
  if (values.size() != std::size_t{t.rows} * t.cols)
    throw std::invalid_argument(
        fmt::format("packTensor('{}'): {} values for a {}x{} tensor", name, values.size(), t.rows, t.cols));
  const unsigned L = layout.lanes;
  const unsigned W = t.tile_cols ? t.tile_cols : L;
  std::vector<isa::DataSegment> out;
  for (const Fragment& f : t.fragments) {
    // One segment per run of consecutive words of one column tile in one slice.
    for (unsigned ct = f.ct_begin; ct < f.ct_end; ++ct) {
      std::vector<std::pair<WordLoc, unsigned>> words;  // (word, row)
      for (unsigned r = 0; r < f.rows; ++r) words.emplace_back(t.locate(r, ct, f.plane, f.copy), r);
      std::sort(words.begin(), words.end(), [](const auto& a, const auto& b) {
        return a.first.position != b.first.position ? a.first.position < b.first.position
                                                    : a.first.address < b.first.address;
      });
      for (std::size_t i = 0; i < words.size();) {
        std::size_t j = i + 1;
        while (j < words.size() && words[j].first.position == words[i].first.position &&
               words[j].first.address == words[j - 1].first.address + 1)
          ++j;
        isa::DataSegment seg;
        seg.position = words[i].first.position;
        seg.address = words[i].first.address;
        seg.bytes.assign((j - i) * L, 0);
        for (std::size_t w = i; w < j; ++w) {
          const unsigned r = words[w].second;
          for (unsigned l = 0; l < W; ++l) {
            const unsigned c = ct * W + l;
            if (c >= t.cols) break;
            const auto v = static_cast<std::uint32_t>(values[std::size_t{r} * t.cols + c]);
            seg.bytes[(w - i) * L + l] = static_cast<std::uint8_t>(v >> (8 * f.plane));
          }
        }
        out.push_back(std::move(seg));
        i = j;
      }
    }
  }
  return out;
}

std::vector<std::int32_t> unpackTensor(const MemoryLayout& layout, const std::string& name, const WordReader& read) {
  const TensorLayout& t = layout.tensor(name);
  const unsigned W = t.tile_cols ? t.tile_cols : layout.lanes;
  std::vector<std::uint32_t> acc(std::size_t{t.rows} * t.cols, 0);
  for (unsigned plane = 0; plane < t.planes; ++plane)
    for (unsigned ct = 0; ct < t.col_tiles; ++ct)
      for (unsigned r = 0; r < t.rows; ++r) {
        const WordLoc w = t.locate(r, ct, plane, 0);
        const std::vector<std::uint8_t> word = read(w.position, w.address);
        for (unsigned l = 0; l < W && ct * W + l < t.cols; ++l)
          acc[std::size_t{r} * t.cols + ct * W + l] |= std::uint32_t{word.at(l)} << (8 * plane);
      }
  std::vector<std::int32_t> out(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    out[i] = t.dtype == DType::kI8    ? static_cast<std::int8_t>(acc[i] & 0xFF)
             : t.dtype == DType::kI16 ? static_cast<std::int16_t>(acc[i] & 0xFFFF)
                                      : static_cast<std::int32_t>(acc[i]);
  }
  return out;
}

SramAllocator::SramAllocator(const isa::ArchConfig& cfg) : cfg_(cfg) {
  for (unsigned p = 0; p < cfg.positions(); ++p)
    if (cfg.sliceAt(p) == isa::Slice::kMEM) used_[p] = 0;
}

std::uint32_t SramAllocator::freeWords(unsigned position) const {
  // Reserved words above the bump pointer are not free (holes between them may still be too small
  // for a request; allocate() then throws). The ranges are disjoint and inside the slice.
  const std::uint32_t u = used_.at(position);
  std::uint32_t held = 0;
  if (auto it = reserved_.find(position); it != reserved_.end())
    for (const auto& [lo, hi] : it->second)
      if (hi > u) held += hi - std::max(lo, u);
  return cfg_.wordsPerSlice() - u - held;
}

void SramAllocator::reserve(unsigned position, std::uint32_t lo, std::uint32_t hi) {
  if (!used_.count(position) || hi > cfg_.wordsPerSlice() || lo >= hi)
    throw std::runtime_error(
        fmt::format("SRAM reserve: words {} .. {} of position {} are not words of a MEM slice "
                    "({} words per slice)",
                    lo, hi, position, cfg_.wordsPerSlice()));
  auto& r = reserved_[position];
  // Absorb every range that overlaps or touches [lo, hi).
  for (auto it = r.upper_bound(hi); it != r.begin();) {
    --it;
    if (it->second < lo) break;
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    it = r.erase(it);
  }
  r.emplace(lo, hi);
}

std::uint32_t SramAllocator::allocate(const std::vector<unsigned>& slices, std::uint32_t words) {
  std::uint32_t base = 0;
  for (unsigned p : slices) base = std::max(base, used_.at(p));
  // Past every reserved range the words [base, base + words) would overlap in any of the slices.
  for (bool moved = true; moved;) {
    moved = false;
    for (unsigned p : slices)
      if (auto it = reserved_.find(p); it != reserved_.end())
        for (const auto& [lo, hi] : it->second)
          if (lo < base + words && base < hi) base = hi, moved = true;
  }
  if (base + words > cfg_.wordsPerSlice())
    throw std::runtime_error(fmt::format("SRAM full: {} words needed at base {} in {} slice(s), {} words per slice",
                                         words, base, slices.size(), cfg_.wordsPerSlice()));
  for (unsigned p : slices) used_[p] = base + words;
  return base;
}

std::vector<unsigned> SramAllocator::bySpace(int side) const {
  std::vector<unsigned> v;
  const unsigned vxm = cfg_.vxmPosition();
  for (const auto& [p, u] : used_) {
    if (side == 0 && p > vxm) continue;
    if (side == 1 && p < vxm) continue;
    v.push_back(p);
  }
  // Most free first; ties: nearest the VXM first (shorter paths for VXM traffic).
  std::stable_sort(v.begin(), v.end(), [&](unsigned a, unsigned b) {
    if (used_.at(a) != used_.at(b)) return used_.at(a) < used_.at(b);
    const int da = std::abs(static_cast<int>(a) - static_cast<int>(vxm));
    const int db = std::abs(static_cast<int>(b) - static_cast<int>(vxm));
    return da < db;
  });
  return v;
}

}  // namespace lpu::compiler
