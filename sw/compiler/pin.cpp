// Pinned tensors (pin.hpp) and their installation before allocation (allocate.cpp).
#include "sw/compiler/pin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sw/compiler/lowering.hpp"

namespace lpu::compiler {

namespace {

unsigned uintAt(const nlohmann::json& j, const char* field, unsigned dflt, const std::string& where) {
  if (!j.contains(field)) return dflt;
  const auto& v = j[field];
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 0xFFFFFFFFll)
    throw GraphError(fmt::format("{}: field '{}' must be a non-negative integer, got {}", where, field, v.dump()));
  return v.get<unsigned>();
}

}  // namespace

TensorLayout parsePin(const Tensor& t, const isa::ArchConfig& cfg, std::string_view src) {
  const std::string where = fmt::format("{}: tensor '{}': pin", src, t.name);
  const unsigned L = cfg.lanes();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(t.pin);
  } catch (const nlohmann::json::exception& e) {
    throw GraphError(fmt::format("{}: {}", where, e.what()));
  }
  if (!j.is_object()) throw GraphError(fmt::format("{}: expected an object, got {}", where, j.dump()));
  // Fields an exported layout entry carries: they must describe this tensor.
  if (j.contains("dtype") && j["dtype"] != std::string(dtypeName(t.dtype)))
    throw GraphError(fmt::format("{}: dtype {}, the tensor is {}", where, j["dtype"].dump(), dtypeName(t.dtype)));
  if (j.contains("shape") && j["shape"] != nlohmann::json{t.rows, t.cols})
    throw GraphError(fmt::format("{}: shape {}, the tensor is [{}, {}]", where, j["shape"].dump(), t.rows, t.cols));
  TensorLayout tl;
  tl.name = t.name;
  tl.dtype = t.dtype;
  tl.kind = t.kind;
  tl.rows = t.rows;
  tl.cols = t.cols;
  tl.planes = dtypeBytes(t.dtype);
  tl.pinned = true;
  tl.resident = t.resident;
  const unsigned tc = uintAt(j, "tile_cols", L, where);
  if (tc == 0 || tc > L)
    throw GraphError(
        fmt::format("{}: field 'tile_cols' is {}, expected 1 .. {} (lanes of {})", where, tc, L, cfg.name()));
  tl.tile_cols = tc == L ? 0 : tc;
  tl.col_tiles = (t.cols + tc - 1) / tc;
  if (j.contains("col_tiles") && j["col_tiles"] != tl.col_tiles)
    throw GraphError(fmt::format("{}: col_tiles {}, expected {} ({} columns, {} per tile)", where,
                                 j["col_tiles"].dump(), tl.col_tiles, t.cols, tc));
  if (!j.contains("fragments") || !j["fragments"].is_array() || j["fragments"].empty())
    throw GraphError(fmt::format("{}: needs a non-empty array 'fragments'", where));
  // (copy, plane, ct) -> fragment index, to find gaps and double coverage.
  std::map<std::tuple<unsigned, unsigned, unsigned>, std::size_t> covered;
  for (std::size_t k = 0; k < j["fragments"].size(); ++k) {
    const auto& fj = j["fragments"][k];
    const std::string fw = fmt::format("{} fragment {}", where, k);
    if (!fj.is_object()) throw GraphError(fmt::format("{}: expected an object", fw));
    Fragment f;
    f.copy = uintAt(fj, "copy", 0, fw);
    if (f.copy > 1) throw GraphError(fmt::format("{}: copy {}, expected 0 or 1", fw, f.copy));
    f.plane = uintAt(fj, "plane", 0, fw);
    if (f.plane >= tl.planes)
      throw GraphError(fmt::format("{}: plane {}, expected 0 .. {} ({} has {} byte plane(s))", fw, f.plane,
                                   tl.planes - 1, dtypeName(t.dtype), tl.planes));
    f.ct_begin = 0;
    f.ct_end = tl.col_tiles;
    if (fj.contains("col_tiles")) {
      const auto& c = fj["col_tiles"];
      if (!c.is_array() || c.size() != 2 || !c[0].is_number_unsigned() || !c[1].is_number_unsigned())
        throw GraphError(fmt::format("{}: field 'col_tiles' must be [begin, end], got {}", fw, c.dump()));
      f.ct_begin = c[0].get<unsigned>();
      f.ct_end = c[1].get<unsigned>();
      if (f.ct_begin >= f.ct_end || f.ct_end > tl.col_tiles)
        throw GraphError(fmt::format("{}: col_tiles [{}, {}], expected 0 <= begin < end <= {}", fw, f.ct_begin,
                                     f.ct_end, tl.col_tiles));
    }
    if (!fj.contains("slices") || !fj["slices"].is_array() || fj["slices"].empty())
      throw GraphError(fmt::format("{}: needs a non-empty array 'slices' of MEM positions", fw));
    for (const auto& s : fj["slices"]) {
      if (!s.is_number_unsigned()) throw GraphError(fmt::format("{}: slice {} is not a position", fw, s.dump()));
      const unsigned p = s.get<unsigned>();
      if (p >= cfg.positions() || cfg.sliceAt(p) != isa::Slice::kMEM)
        throw GraphError(fmt::format("{}: slice {} is not a MEM slice of {} (positions 0 .. {})", fw, p, cfg.name(),
                                     cfg.positions() - 1));
      if (std::find(f.slices.begin(), f.slices.end(), p) != f.slices.end())
        throw GraphError(fmt::format("{}: slice {} listed twice", fw, p));
      f.slices.push_back(p);
    }
    if (!fj.contains("base")) throw GraphError(fmt::format("{}: needs 'base' (word address)", fw));
    f.base = uintAt(fj, "base", 0, fw);
    f.rows = uintAt(fj, "rows", t.rows, fw);
    if (f.rows != t.rows) throw GraphError(fmt::format("{}: rows {}, expected {} (the tensor's)", fw, f.rows, t.rows));
    f.interleaved = fj.value("interleaved", false);
    const auto n = static_cast<unsigned>(f.slices.size());
    if (f.interleaved) {
      f.tile_rows = uintAt(fj, "tile_rows", 0, fw);
      if (f.tile_rows == t.rows) f.tile_rows = 0;
      if (f.tile_rows > t.rows)
        throw GraphError(fmt::format("{}: tile_rows {}, expected at most {} rows", fw, f.tile_rows, t.rows));
      f.row_offset = uintAt(fj, "row_offset", 0, fw);
      if (f.row_offset >= n)
        throw GraphError(fmt::format("{}: row_offset {}, expected below its {} slices", fw, f.row_offset, n));
      if (fj.contains("tile_stride"))
        throw GraphError(fmt::format("{}: tile_stride applies to a fragment that is not interleaved", fw));
    } else {
      f.tile_stride = uintAt(fj, "tile_stride", 0, fw);
      if (f.tile_stride == t.rows) f.tile_stride = 0;
      if (f.tile_stride && f.tile_stride < t.rows)
        throw GraphError(
            fmt::format("{}: tile_stride {} is misaligned: below the {} rows of a tile, so tiles "
                        "would overlap; expected 0 or at least {}",
                        fw, f.tile_stride, t.rows, t.rows));
    }
    // The highest word must exist.
    const unsigned tiles = f.ct_end - f.ct_begin;
    const std::uint64_t top = f.interleaved
                                  ? std::uint64_t{f.base} + std::uint64_t{tiles} * f.wordsPerTile()
                                  : std::uint64_t{f.base} + std::uint64_t{(tiles - 1) / n} * f.tileStride() + f.rows;
    if (top > cfg.wordsPerSlice())
      throw GraphError(fmt::format("{}: words {} .. {} out of range, a slice of {} has words 0 .. {}", fw, f.base,
                                   top - 1, cfg.name(), cfg.wordsPerSlice() - 1));
    for (unsigned ct = f.ct_begin; ct < f.ct_end; ++ct) {
      auto [it, fresh] = covered.emplace(std::tuple{f.copy, f.plane, ct}, k);
      if (!fresh)
        throw GraphError(fmt::format("{}: column tile {} of plane {} copy {} is also in fragment {}", fw, ct, f.plane,
                                     f.copy, it->second));
    }
    tl.fragments.push_back(f);
  }
  for (unsigned p = 0; p < tl.planes; ++p)
    for (unsigned ct = 0; ct < tl.col_tiles; ++ct)
      if (!covered.count({0u, p, ct}))
        throw GraphError(
            fmt::format("{}: no fragment holds column tile {} of plane {} (copy 0 must hold the whole "
                        "tensor: {} column tile(s), {} plane(s))",
                        where, ct, p, tl.col_tiles, tl.planes));
  tensorWords(tl);  // the fragments must not overlap each other
  return tl;
}

std::map<unsigned, std::vector<std::uint32_t>> tensorWords(const TensorLayout& t) {
  std::map<unsigned, std::vector<std::uint32_t>> w;
  for (const Fragment& f : t.fragments)
    for (unsigned ct = f.ct_begin; ct < f.ct_end; ++ct)
      for (unsigned r = 0; r < t.rows; ++r) {
        const WordLoc l = t.locate(r, ct, f.plane, f.copy);
        w[l.position].push_back(l.address);
      }
  for (auto& [p, v] : w) {
    std::sort(v.begin(), v.end());
    if (auto d = std::adjacent_find(v.begin(), v.end()); d != v.end())
      throw GraphError(
          fmt::format("tensor '{}': two of its words are word {} of slice {} (overlapping fragments)", t.name, *d, p));
  }
  return w;
}

void pinTo(Graph& g, const std::string& name, const MemoryLayout& layout, bool resident, std::string from) {
  if (from.empty()) from = name;
  auto it = g.tensors.find(name);
  if (it == g.tensors.end()) throw GraphError(fmt::format("pinTo: the graph has no tensor '{}'", name));
  it->second.pin = tensorLayoutJson(layout.tensor(from), layout.lanes);
  it->second.resident = resident;
}

TensorLayout rowsOf(const TensorLayout& t, unsigned r0, unsigned n) {
  if (n == 0 || r0 + n > t.rows)
    throw std::out_of_range(fmt::format("rowsOf('{}'): rows {} .. {} of {}", t.name, r0, r0 + n, t.rows));
  TensorLayout s = t;
  s.rows = n;
  for (Fragment& f : s.fragments) {
    if (f.interleaved)
      throw std::invalid_argument(fmt::format("rowsOf('{}'): a row-interleaved fragment has no row range", t.name));
    f.tile_stride = f.tileStride();
    f.base += r0;
    f.rows = n;
  }
  return s;
}

namespace lowering {

void Lowering::installPins() {
  // Which tensor holds each pinned word: pins must not overlap each other. They may lie in words
  // CompileOptions::keep holds (a k row written into a kept KV cache).
  std::map<std::pair<unsigned, std::uint32_t>, std::string> owner;
  auto reserveWords = [&](const std::map<unsigned, std::vector<std::uint32_t>>& words) {
    for (const auto& [p, v] : words)
      for (std::size_t i = 0; i < v.size();) {
        std::size_t k = i + 1;
        while (k < v.size() && v[k] == v[k - 1] + 1) ++k;
        alloc_.reserve(p, v[i], v[k - 1] + 1);
        i = k;
      }
  };
  for (const auto& [name, t] : g_.tensors) {
    if (t.pin.empty()) continue;
    for (std::size_t i = 0; i < g_.nodes.size(); ++i)
      if (fused_into_[i] >= 0 && g_.nodes[i].output == name)
        throw CompileError(
            fmt::format("tensor '{}': pinned, but it is the result of matmul '{}' fused with requant "
                        "'{}' and never stored in SRAM; pin the requant's output",
                        name, g_.nodes[i].name, g_.nodes[static_cast<std::size_t>(fused_into_[i])].name));
    TensorLayout tl = parsePin(t, cfg_);
    const auto words = tensorWords(tl);
    // A residual_add's result may be pinned onto its x, word for word (in place).
    auto inPlace = [&](const std::string& other) {
      for (const Node& nd : g_.nodes)
        if (nd.op == OpKind::kResidualAdd &&
            ((nd.output == name && nd.inputs[0] == other) || (nd.output == other && nd.inputs[0] == name)))
          return tensorWords(layout_.tensors.at(other)) == words;
      return false;
    };
    for (const auto& [p, v] : words)
      for (std::uint32_t a : v)
        if (auto [it, fresh] = owner.emplace(std::pair{p, a}, name); !fresh && !inPlace(it->second))
          throw CompileError(fmt::format("tensor '{}': pinned to word {} of slice {}, which pinned tensor '{}' holds",
                                         name, a, p, it->second));
    reserveWords(words);
    layout_.tensors[name] = std::move(tl);
  }
  for (const TensorLayout& k : opt_.keep) {
    if (layout_.tensors.count(k.name)) continue;  // pinned in this graph
    reserveWords(tensorWords(k));
  }
  // The constant pool's regions: its constants are read there, nothing of this program may land on them.
  if (opt_.constants)
    for (const auto& [p, r] : opt_.constants->regions())
      if (r.second > r.first) alloc_.reserve(p, r.first, r.second);
}

}  // namespace lowering

TensorLayout tilesOf(const TensorLayout& t, unsigned ct0, unsigned n, unsigned lanes) {
  if (n == 0 || ct0 + n > t.col_tiles)
    throw std::out_of_range(fmt::format("tilesOf('{}'): tiles {} .. {} of {}", t.name, ct0, ct0 + n, t.col_tiles));
  const unsigned tile_cols = t.tile_cols ? t.tile_cols : lanes;
  TensorLayout s = t;
  s.col_tiles = n;
  s.cols = ct0 + n == t.col_tiles ? t.cols - ct0 * tile_cols : n * tile_cols;
  s.fragments.clear();
  for (std::size_t i = 0; i < t.fragments.size(); ++i) {
    const Fragment& f = t.fragments[i];
    const unsigned b = std::max(f.ct_begin, ct0), e = std::min(f.ct_end, ct0 + n);
    if (b >= e) continue;
    Fragment g = f;
    const auto k = static_cast<unsigned>(f.slices.size());
    const unsigned skip = b - f.ct_begin;
    if (!f.interleaved && skip % k != 0)
      throw std::invalid_argument(fmt::format(
          "tilesOf('{}'): fragment {} (tiles {} .. {} over {} slices) does not start a slice round at tile {}", t.name,
          i, f.ct_begin, f.ct_end, k, b));
    g.ct_begin = b - ct0;
    g.ct_end = e - ct0;
    // (An interleaved fragment holds each tile on all its slices, one tile after the other.)
    g.base = f.base + (f.interleaved ? skip * f.wordsPerTile() : (skip / k) * f.tileStride());
    if (!f.interleaved) g.tile_stride = f.tileStride();
    s.fragments.push_back(g);
  }
  return s;
}

}  // namespace lpu::compiler
