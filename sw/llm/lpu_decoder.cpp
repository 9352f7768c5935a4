#include "sw/llm/lpu_decoder.hpp"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "sw/compiler/layout.hpp"
#include "sw/compiler/pin.hpp"
#include "sw/isa/arch.hpp"
#include "sw/llm/decode_graphs.hpp"

namespace lpu::llm {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Position-dependent programs of one layer at pos, in run order.
std::vector<StepGraph> positionGraphs(const IntWeights& w, const std::string& config, int layer, int pos,
                                      int split_from) {
  std::vector<StepGraph> v;
  v.push_back(qkvGraph(w, config, layer, pos));
  v.push_back(ropeGraph(w, config, layer, pos));
  for (StepGraph& g : attentionGraphs(w, config, layer, pos, split_from)) v.push_back(std::move(g));
  return v;
}

compiler::CompileOptions chainOptions() {
  compiler::CompileOptions o;
  o.compact_weights = true;  // stories260K with a 256-row cache only just fits ulx3s's SRAM
  return o;
}

}  // namespace

DecoderOptions defaultDecoderOptions(const std::string& config) {
  DecoderOptions o;
  // (xl holds stories15M's layers and classifier; the 32,000-row table would need another 9.2 MB.)
  o.device_embedding = config != "ulx3s" && config != "xl";
  // stories260K's weights, caches and activations leave ulx3s room for 128 words per slice for the programs' own
  // tensors (at most 112 used) and a constant pool of 76 words per slice (at most 69 used, after every position).
  if (config == "ulx3s") o.temp_words = 128, o.pool_words = 76;
  // stories15M on xl: the low words and the pool together as many as the low words alone would need without the
  // pool, so that the classifier's chunks (weights over 28 slices at one base) still find their common free run.
  if (config == "xl") o.temp_words = 384, o.pool_words = 128;
  return o;
}

DecodePrograms::DecodePrograms(const IntWeights& w, std::string config, const DecoderOptions& options)
    : w_(w),
      config_(std::move(config)),
      options_(options),
      chain_(config_, options.temp_words, chainOptions(), options.pool_words) {
  const Clock::time_point t0 = Clock::now();
  // The placement phase, in run order, except that argmax comes before the classifier chunks: it places the
  // logits they write their parts of.
  if (options_.device_embedding) add(embeddingGraph(w_, config_));
  std::vector<ChainProgram>& p0 = per_pos_[0];
  for (int l = 0; l < w_.config.n_layers; ++l) {
    for (const StepGraph& g : positionGraphs(w_, config_, l, 0, options_.attention_split_position))
      p0.push_back(chain_.compile(g));
    for (const StepGraph& g :
         {outGraph(w_, config_, l), gateGraph(w_, config_, l), upGraph(w_, config_, l), downGraph(w_, config_, l)})
      add(g);
  }
  add(argmaxGraph(w_, config_));
  for (const StepGraph& g : classifierGraphs(w_, config_)) add(g);
  // The split attention's "attw" (attentionSplit): placed now, by a head's first program at the last cache row.
  if (const int last = cacheRows(w_.config) - 1; options_.attention_split_position <= last)
    chain_.compile(attentionGraphs(w_, config_, 0, last, options_.attention_split_position).front());
  chain_.freeze();
  compile_seconds_ += since(t0);
  placement_seconds_ = compile_seconds_;
}

double DecodePrograms::meanPositionSeconds() const {
  const std::size_t later = per_pos_.size() - 1;  // position 0 belongs to the placement phase
  return later ? (compile_seconds_ - placement_seconds_) / static_cast<double>(later) : 0.0;
}

const ChainProgram& DecodePrograms::add(const StepGraph& g) {
  fixed_index_[g.name] = fixed_.size();
  fixed_.push_back(chain_.compile(g));
  return fixed_.back();
}

const std::vector<const ChainProgram*>& DecodePrograms::step(int pos) {
  if (auto it = steps_.find(pos); it != steps_.end()) return it->second;
  if (pos < 0 || pos >= cacheRows(w_.config))
    throw std::out_of_range(
        fmt::format("decode: position {} is outside the KV cache's 0..{}", pos, cacheRows(w_.config) - 1));
  if (!per_pos_.count(pos)) {
    const Clock::time_point t0 = Clock::now();
    std::vector<ChainProgram>& v = per_pos_[pos];
    for (int l = 0; l < w_.config.n_layers; ++l)
      for (const StepGraph& g : positionGraphs(w_, config_, l, pos, options_.attention_split_position))
        v.push_back(chain_.compile(g));
    compile_seconds_ += since(t0);
  }
  std::vector<const ChainProgram*> s;
  auto fixed = [&](const std::string& name) { s.push_back(&fixed_.at(fixed_index_.at(name))); };
  if (options_.device_embedding) fixed("embed");
  const std::vector<ChainProgram>& v = per_pos_.at(pos);
  const std::size_t per_layer = v.size() / std::size_t(w_.config.n_layers);
  for (int l = 0; l < w_.config.n_layers; ++l) {
    for (std::size_t i = 0; i < per_layer; ++i) s.push_back(&v[std::size_t(l) * per_layer + i]);
    for (const char* part : {"out", "gate", "up", "down"}) fixed(fmt::format("l{}.{}", l, part));
  }
  for (std::size_t c = 0; fixed_index_.count(fmt::format("cls{}", c)); ++c) fixed(fmt::format("cls{}", c));
  fixed("argmax");
  return steps_[pos] = std::move(s);
}

SramUse DecodePrograms::sramUse() const {
  const isa::ArchConfig& cfg = isa::ArchConfig::byName(config_);
  const std::uint64_t lanes = cfg.params().lanes;
  SramUse u;
  u.total = cfg.sramBytes();
  for (const auto& [name, t] : chain_.placements()) {
    std::uint64_t words = 0;
    for (const auto& [pos, ws] : compiler::tensorWords(t)) words += ws.size();
    const bool cache = name.size() > 5 && name.compare(name.size() - 5, 5, "cache") == 0;
    (cache ? u.caches : t.kind == compiler::TensorKind::kWeight ? u.weights : u.activations) += words * lanes;
  }
  u.program_words = std::uint64_t{options_.temp_words} * cfg.memSlices() * lanes;
  u.constants = std::uint64_t{options_.pool_words} * cfg.memSlices() * lanes;
  for (const auto& [pos, r] : chain_.pool().regions())
    u.constants_used += std::uint64_t{chain_.pool().used(pos)} * lanes;
  u.free = u.total - u.weights - u.caches - u.activations - u.program_words - u.constants;
  return u;
}

std::uint64_t DecodePrograms::predictedCycles(int pos) {
  std::uint64_t c = 0;
  for (const ChainProgram* p : step(pos)) c += p->result.report.predicted_cycles;
  return c;
}

LpuDecoder::LpuDecoder(const IntWeights& w, std::string config, driver::Device& device, const DecoderOptions& options)
    : programs_(w, std::move(config), options), device_(device) {
  device_.loadProgram(programs_.chain().setupImage());
  constants_written_ = programs_.chain().pool().segments().size();
}

void LpuDecoder::run(int token, int pos) {
  const Config& c = config();
  if (token < 0 || token >= c.vocab_size)
    throw std::out_of_range(fmt::format("decode: token {} is outside the vocabulary (0..{})", token, c.vocab_size - 1));
  const std::vector<const ChainProgram*>& step = programs_.step(pos);
  const RopeInputs rope = ropeInputs(programs_.weights(), pos);
  last_ = StepReport{};
  // Constants a newly compiled position's programs added to the pool: written once, like the weights.
  if (const std::size_t n = programs_.chain().pool().segments().size(); n > constants_written_) {
    device_.loadProgram(programs_.chain().constantsImage(constants_written_));
    for (std::size_t i = constants_written_; i < n; ++i)
      last_.constant_bytes += programs_.chain().pool().segments()[i].bytes.size();
    constants_written_ = n;
  }
  for (const ChainProgram* p : step) {
    std::map<std::string, std::vector<std::int32_t>> in;
    if (p->name == "embed") in["token"] = {token};
    if (p->name == "l0.qkv" && !programs_.options().device_embedding) {
      const IntWeights& w = programs_.weights();
      std::vector<std::int32_t>& x = in["x"];
      for (int i = 0; i < c.dim; ++i)
        x.push_back(req(w.embedding.row(token)[std::size_t(i)], w.embedding_rq.multiplier[std::size_t(token)],
                        w.embedding_rq.shift, 16));
    }
    if (p->name.ends_with(".rope")) {
      in["cos_q"] = rope.cos_q;
      in["sin_q"] = rope.sin_q;
      in["cos_k"] = rope.cos_k;
      in["sin_k"] = rope.sin_k;
    }
    const isa::Program prog = withInputs(*p, in);
    for (const isa::DataSegment& seg : prog.data) last_.data_bytes += seg.bytes.size();
    device_.loadProgram(prog);
    const std::uint64_t predicted = p->result.report.predicted_cycles;
    const driver::RunResult r = device_.run(predicted + 1000, nullptr);
    if (r.error)
      throw std::runtime_error(fmt::format("decode: token {} position {}: program '{}' stopped at cycle {}: {}", token,
                                           pos, p->name, r.error->cycle, r.error->message));
    if (r.cycles != predicted)
      throw std::runtime_error(fmt::format("decode: token {} position {}: program '{}' took {} cycles, predicted {}",
                                           token, pos, p->name, r.cycles, predicted));
    last_.cycles += r.cycles;
    last_.predicted_cycles += predicted;
    ++last_.programs;
  }
}

namespace {

std::vector<std::int32_t> readTensor(driver::Device& d, const compiler::TensorLayout& t) {
  compiler::MemoryLayout l;
  l.config = std::string(d.config().name());
  l.lanes = d.config().params().lanes;
  l.tensors[t.name] = t;
  return compiler::unpackTensor(l, t.name, [&](unsigned p, std::uint32_t a) { return d.readSram(p, a); });
}

}  // namespace

int LpuDecoder::next(int token, int pos) {
  run(token, pos);
  last_.next = readTensor(device_, programs_.chain().placement("next")).at(0);
  return last_.next;
}

std::span<const float> LpuDecoder::forward(int token, int pos) {
  next(token, pos);
  const std::vector<std::int32_t> v = readTensor(device_, programs_.chain().placement("logits"));
  logits_int_.assign(v.begin(), v.end());
  logits_.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) logits_[i] = static_cast<float>(v[i] * programs_.weights().logit_scale);
  return logits_;
}

}  // namespace lpu::llm
