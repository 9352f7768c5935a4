#include "sw/compiler/ir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace lpu::compiler {

using json = nlohmann::json;

std::string_view dtypeName(DType t) { return t == DType::kI8 ? "i8" : t == DType::kI16 ? "i16" : "i32"; }
unsigned dtypeBytes(DType t) { return t == DType::kI8 ? 1 : t == DType::kI16 ? 2 : 4; }

std::string_view kindName(TensorKind k) {
  switch (k) {
    case TensorKind::kInput:
      return "input";
    case TensorKind::kWeight:
      return "weight";
    case TensorKind::kTemp:
      return "temp";
    case TensorKind::kOutput:
      return "output";
  }
  return "?";
}

std::string_view opName(OpKind k) {
  switch (k) {
    case OpKind::kMatmul:
      return "matmul";
    case OpKind::kRequant:
      return "requant";
    case OpKind::kRelu:
      return "relu";
    case OpKind::kAdd:
      return "add";
    case OpKind::kMul:
      return "mul";
    case OpKind::kCopy:
      return "copy";
    case OpKind::kTranspose:
      return "transpose";
    case OpKind::kRmsnorm:
      return "rmsnorm";
    case OpKind::kArgmax:
      return "argmax";
    case OpKind::kSwiglu:
      return "swiglu";
    case OpKind::kRope:
      return "rope";
    case OpKind::kResidualAdd:
      return "residual_add";
    case OpKind::kEmbedding:
      return "embedding";
    case OpKind::kAttention:
      return "attention";
  }
  return "?";
}

const Tensor& Graph::tensor(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw GraphError(fmt::format("unknown tensor '{}'", name));
  return it->second;
}

int Graph::producer(const std::string& name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].output == name) return static_cast<int>(i);
  return -1;
}

std::vector<int> Graph::consumers(const std::string& name) const {
  std::vector<int> out;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (const auto& in : nodes[i].inputs)
      if (in == name) {
        out.push_back(static_cast<int>(i));
        break;
      }
  return out;
}

namespace {

OpKind parseOp(const std::string& s, const std::string& where) {
  for (OpKind k : {OpKind::kMatmul, OpKind::kRequant, OpKind::kRelu, OpKind::kAdd, OpKind::kMul, OpKind::kCopy,
                   OpKind::kTranspose, OpKind::kRmsnorm, OpKind::kArgmax, OpKind::kSwiglu, OpKind::kRope,
                   OpKind::kResidualAdd, OpKind::kEmbedding, OpKind::kAttention})
    if (s == opName(k)) return k;
  throw GraphError(
      fmt::format("{}: unknown op '{}' (matmul, requant, relu, add, mul, copy, transpose, rmsnorm, argmax, swiglu, "
                  "rope, residual_add, embedding, attention)",
                  where, s));
}

unsigned inputCount(const Node& n) {
  if (n.op == OpKind::kAttention && n.part != 0) return 2;
  const OpKind k = n.op;
  switch (k) {
    case OpKind::kMatmul:
    case OpKind::kAdd:
    case OpKind::kMul:
    case OpKind::kSwiglu:
      return 2;
    case OpKind::kRope:
    case OpKind::kResidualAdd:
    case OpKind::kEmbedding:
    case OpKind::kAttention:
      return 3;
    default:
      return 1;
  }
}

}  // namespace

Graph parseGraph(std::string_view text, std::string_view src) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw GraphError(fmt::format("{}: JSON: {}", src, e.what()));
  }
  Graph g;
  try {
    if (!j.is_object()) throw GraphError(fmt::format("{}: expected a JSON object", src));
    g.config = j.value("config", std::string("small"));
    if (!j.contains("tensors") || !j["tensors"].is_object())
      throw GraphError(fmt::format("{}: missing object 'tensors'", src));
    for (const auto& [name, tj] : j["tensors"].items()) {
      const std::string where = fmt::format("{}: tensor '{}'", src, name);
      Tensor t;
      t.name = name;
      const auto& shape = tj.at("shape");
      if (!shape.is_array() || shape.empty() || shape.size() > 2)
        throw GraphError(fmt::format("{}: shape must be [cols] or [rows, cols]", where));
      t.rows = shape.size() == 2 ? shape[0].get<unsigned>() : 1;
      t.cols = shape.back().get<unsigned>();
      if (t.rows == 0 || t.cols == 0) throw GraphError(fmt::format("{}: empty shape", where));
      const std::string dt = tj.value("dtype", std::string("i8"));
      if (dt == "i8")
        t.dtype = DType::kI8;
      else if (dt == "i16")
        t.dtype = DType::kI16;
      else if (dt == "i32")
        t.dtype = DType::kI32;
      else
        throw GraphError(fmt::format("{}: dtype '{}' (i8, i16 or i32)", where, dt));
      const std::string kind = tj.value("kind", std::string("temp"));
      if (kind == "input")
        t.kind = TensorKind::kInput;
      else if (kind == "weight")
        t.kind = TensorKind::kWeight;
      else if (kind == "temp")
        t.kind = TensorKind::kTemp;
      else if (kind == "output")
        t.kind = TensorKind::kOutput;
      else
        throw GraphError(fmt::format("{}: kind '{}' (input, weight, temp, output)", where, kind));
      if (tj.contains("data")) {
        t.data = tj["data"].get<std::vector<std::int32_t>>();
        if (t.data.size() != std::size_t{t.rows} * t.cols)
          throw GraphError(fmt::format("{}: data has {} values, shape needs {}", where, t.data.size(),
                                       std::size_t{t.rows} * t.cols));
      } else if (tj.contains("fill")) {
        t.data.assign(std::size_t{t.rows} * t.cols, tj["fill"].get<std::int32_t>());
      }
      if (t.kind == TensorKind::kWeight && t.data.empty()) t.data.assign(std::size_t{t.rows} * t.cols, 0);
      if (tj.contains("pin")) {
        if (!tj["pin"].is_object())
          throw GraphError(fmt::format("{}: field 'pin' must be an object {{\"fragments\": [...]}}, got {}", where,
                                       tj["pin"].dump()));
        t.pin = tj["pin"].dump();
      }
      if (tj.contains("resident")) {
        if (!tj["resident"].is_boolean())
          throw GraphError(
              fmt::format("{}: field 'resident' must be true or false, got {}", where, tj["resident"].dump()));
        t.resident = tj["resident"].get<bool>();
      }
      g.tensors.emplace(name, std::move(t));
    }
    if (!j.contains("nodes") || !j["nodes"].is_array()) throw GraphError(fmt::format("{}: missing array 'nodes'", src));
    for (std::size_t i = 0; i < j["nodes"].size(); ++i) {
      const auto& nj = j["nodes"][i];
      const std::string where = fmt::format("{}: node {}", src, i);
      Node n;
      n.op = parseOp(nj.at("op").get<std::string>(), where);
      n.name = nj.value("name", fmt::format("{}{}", opName(n.op), i));
      n.inputs = nj.at("inputs").get<std::vector<std::string>>();
      n.output = nj.at("output").get<std::string>();
      if (nj.contains("multiplier")) {
        if (nj["multiplier"].is_array())
          n.multiplier = nj["multiplier"].get<std::vector<std::int32_t>>();
        else
          n.multiplier = {nj["multiplier"].get<std::int32_t>()};
      }
      // Integer fields: a wrong type or a negative value names the field (validateGraph checks ranges).
      auto uintField = [&](const char* field, auto& dst) {
        if (!nj.contains(field)) return;
        const auto& v = nj[field];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
          throw GraphError(fmt::format("{} ({}): field '{}' must be a non-negative integer, got {}", where, n.name,
                                       field, v.dump()));
        dst = static_cast<std::remove_reference_t<decltype(dst)>>(std::min<std::int64_t>(
            v.get<std::int64_t>(), std::numeric_limits<std::remove_reference_t<decltype(dst)>>::max()));
      };
      uintField("shift", n.shift);
      uintField("r_shift", n.r_shift);
      uintField("eps_term", n.eps_term);
      uintField("q_col", n.q_col);
      uintField("kv_col", n.kv_col);
      uintField("part", n.part);
      uintField("head_size", n.head_size);
      g.nodes.push_back(std::move(n));
    }
  } catch (const json::exception& e) {
    throw GraphError(fmt::format("{}: {}", src, e.what()));
  }
  validateGraph(g, src);
  return g;
}

Graph loadGraphFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw GraphError(fmt::format("{}: cannot open", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return parseGraph(ss.str(), path);
}

std::string graphToJson(const Graph& g) {
  json j;
  j["config"] = g.config;
  j["tensors"] = json::object();
  for (const auto& [name, t] : g.tensors) {
    json tj;
    tj["shape"] = {t.rows, t.cols};
    tj["dtype"] = std::string(dtypeName(t.dtype));
    tj["kind"] = std::string(kindName(t.kind));
    if (!t.data.empty()) tj["data"] = t.data;
    if (!t.pin.empty()) tj["pin"] = json::parse(t.pin);
    if (t.resident) tj["resident"] = true;
    j["tensors"][name] = tj;
  }
  j["nodes"] = json::array();
  for (const Node& n : g.nodes) {
    json nj;
    nj["op"] = std::string(opName(n.op));
    nj["name"] = n.name;
    nj["inputs"] = n.inputs;
    nj["output"] = n.output;
    if (n.op == OpKind::kAttention) {
      nj["q_col"] = n.q_col;
      nj["kv_col"] = n.kv_col;
      if (n.part) nj["part"] = n.part;
      if (n.head_size) nj["head_size"] = n.head_size;
    }
    if (n.op == OpKind::kRequant || n.op == OpKind::kSwiglu || n.op == OpKind::kAttention) {
      nj["multiplier"] = n.multiplier;
      nj["shift"] = n.shift;
    }
    if (n.op == OpKind::kResidualAdd || n.op == OpKind::kEmbedding) nj["shift"] = n.shift;
    if (n.op == OpKind::kRmsnorm) {
      nj["eps_term"] = n.eps_term;
      nj["r_shift"] = n.r_shift;
      nj["shift"] = n.shift;
    }
    j["nodes"].push_back(nj);
  }
  return j.dump(1);
}

void validateGraph(const Graph& g, std::string_view src) {
  std::set<std::string> defined;
  for (const auto& [name, t] : g.tensors) {
    if (t.kind == TensorKind::kInput || t.kind == TensorKind::kWeight) defined.insert(name);
    if (t.resident && t.pin.empty())
      throw GraphError(fmt::format("{}: tensor '{}': resident needs a pin (where the tensor already is)", src, name));
    if (t.resident && t.kind != TensorKind::kInput && t.kind != TensorKind::kWeight)
      throw GraphError(fmt::format("{}: tensor '{}': resident, but kind {}; only an input or a weight can be resident",
                                   src, name, kindName(t.kind)));
    if (t.dtype == DType::kI8)
      for (std::int32_t v : t.data)
        if (v < -128 || v > 127) throw GraphError(fmt::format("{}: tensor '{}': value {} is not i8", src, name, v));
    if (t.dtype == DType::kI16)
      for (std::int32_t v : t.data)
        if (v < -32768 || v > 32767)
          throw GraphError(fmt::format("{}: tensor '{}': value {} is not i16", src, name, v));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const std::string where = fmt::format("{}: node {} ({})", src, i, n.name);
    if (!names.insert(n.name).second) throw GraphError(fmt::format("{}: duplicate node name", where));
    // (A requant's second input, its multipliers as a weight tensor, is optional.)
    if (n.inputs.size() != inputCount(n) && !(n.op == OpKind::kRequant && n.inputs.size() == 2))
      throw GraphError(
          fmt::format("{}: {} takes {} input(s), got {}", where, opName(n.op), inputCount(n), n.inputs.size()));
    std::vector<const Tensor*> in;
    for (const auto& name : n.inputs) {
      if (!g.tensors.count(name)) throw GraphError(fmt::format("{}: unknown input '{}'", where, name));
      if (!defined.count(name)) throw GraphError(fmt::format("{}: input '{}' is not computed yet", where, name));
      in.push_back(&g.tensors.at(name));
    }
    if (!g.tensors.count(n.output)) throw GraphError(fmt::format("{}: unknown output '{}'", where, n.output));
    const Tensor& out = g.tensors.at(n.output);
    if (out.kind == TensorKind::kInput || out.kind == TensorKind::kWeight)
      throw GraphError(fmt::format("{}: output '{}' is an {}", where, n.output, kindName(out.kind)));
    if (defined.count(n.output)) throw GraphError(fmt::format("{}: '{}' is assigned twice", where, n.output));
    auto need = [&](bool ok, const std::string& what) {
      if (!ok) throw GraphError(fmt::format("{}: {}", where, what));
    };
    auto shape = [](const Tensor& t) { return fmt::format("{}x{} {}", t.rows, t.cols, dtypeName(t.dtype)); };
    switch (n.op) {
      case OpKind::kMatmul:
        need(in[0]->dtype == DType::kI8 && in[1]->dtype == DType::kI8, "matmul inputs must be i8");
        need(in[0]->cols == in[1]->rows,
             fmt::format("matmul inner dimensions differ: {} . {}", shape(*in[0]), shape(*in[1])));
        need(out.dtype == DType::kI32 && out.rows == in[0]->rows && out.cols == in[1]->cols,
             fmt::format("matmul output must be {}x{} i32, is {}", in[0]->rows, in[1]->cols, shape(out)));
        break;
      case OpKind::kRequant:
        need(in[0]->dtype == DType::kI32, "requant input must be i32");
        need(
            (out.dtype == DType::kI8 || out.dtype == DType::kI16) && out.rows == in[0]->rows && out.cols == in[0]->cols,
            fmt::format("requant output must be {}x{} i8 or i16, is {}", in[0]->rows, in[0]->cols, shape(out)));
        if (in.size() == 2) {
          need(in[1]->kind == TensorKind::kWeight && in[1]->dtype == DType::kI16 && in[1]->rows == 1 &&
                   in[1]->cols == out.cols,
               fmt::format("requant input 'm' (multipliers) must be a 1x{} i16 weight, is {} {}", out.cols,
                           shape(*in[1]), kindName(in[1]->kind)));
          need(n.multiplier.empty(), "requant with a multiplier input takes no field 'multiplier'");
        } else {
          need(n.multiplier.size() == 1 || n.multiplier.size() == out.cols,
               fmt::format("requant needs 1 or {} multipliers, has {}", out.cols, n.multiplier.size()));
        }
        for (std::int32_t m : n.multiplier) need(m >= -32768 && m <= 32767, fmt::format("multiplier {} is not i16", m));
        need(n.shift <= 63, "shift must be 0..63");
        break;
      case OpKind::kRelu:
      case OpKind::kCopy:
        need(in[0]->dtype == DType::kI8, fmt::format("{} input must be i8", opName(n.op)));
        need(out.dtype == DType::kI8 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("output must be {}, is {}", shape(*in[0]), shape(out)));
        break;
      case OpKind::kAdd:
      case OpKind::kMul:
        need(in[0]->dtype == DType::kI8 && in[1]->dtype == DType::kI8, "inputs must be i8");
        need(in[0]->rows == in[1]->rows && in[0]->cols == in[1]->cols,
             fmt::format("shapes differ: {} and {}", shape(*in[0]), shape(*in[1])));
        need(out.dtype == DType::kI8 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("output must be {}, is {}", shape(*in[0]), shape(out)));
        break;
      case OpKind::kTranspose:
        need(in[0]->dtype == DType::kI8, "transpose input must be i8");
        need(out.dtype == DType::kI8 && out.rows == in[0]->cols && out.cols == in[0]->rows,
             fmt::format("transpose output must be {}x{} i8, is {}", in[0]->cols, in[0]->rows, shape(out)));
        break;
      case OpKind::kRmsnorm:
        need(in[0]->dtype == DType::kI32, fmt::format("rmsnorm input must be i32, is {}", shape(*in[0])));
        need(out.dtype == DType::kI8 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("rmsnorm output must be {}x{} i8, is {}", in[0]->rows, in[0]->cols, shape(out)));
        need(n.eps_term <= 0x7FFFFFFF, fmt::format("field 'eps_term': {} exceeds 2^31-1", n.eps_term));
        need(n.r_shift <= 31, fmt::format("field 'r_shift': {} is not 0..31", n.r_shift));
        need(n.shift <= 63, fmt::format("field 'shift': {} is not 0..63", n.shift));
        break;
      case OpKind::kArgmax:
        need(in[0]->dtype == DType::kI16, fmt::format("argmax input must be i16, is {}", shape(*in[0])));
        need(in[0]->cols <= 32768, fmt::format("argmax over {} columns: at most 32768", in[0]->cols));
        need(out.dtype == DType::kI32 && out.rows == in[0]->rows && out.cols == 1,
             fmt::format("argmax output must be {}x1 i32, is {}", in[0]->rows, shape(out)));
        break;
      case OpKind::kSwiglu:
        need(in[0]->dtype == DType::kI16, fmt::format("swiglu gate must be i16, is {}", shape(*in[0])));
        need(in[1]->dtype == DType::kI8 && in[1]->rows == in[0]->rows && in[1]->cols == in[0]->cols,
             fmt::format("swiglu up must be {}x{} i8, is {}", in[0]->rows, in[0]->cols, shape(*in[1])));
        need(out.dtype == DType::kI8 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("swiglu output must be {}x{} i8, is {}", in[0]->rows, in[0]->cols, shape(out)));
        need(n.multiplier.size() == 1,
             fmt::format("field 'multiplier': swiglu needs one value, has {}", n.multiplier.size()));
        need(n.multiplier[0] >= -32768 && n.multiplier[0] <= 32767,
             fmt::format("field 'multiplier': {} is not i16", n.multiplier[0]));
        need(n.shift <= 63, fmt::format("field 'shift': {} is not 0..63", n.shift));
        break;
      case OpKind::kRope:
        need(in[0]->dtype == DType::kI16 && in[0]->cols % 2 == 0,
             fmt::format("rope input must be i16 with an even number of columns (pairs), is {}", shape(*in[0])));
        for (unsigned k = 1; k < 3; ++k)
          need(in[k]->dtype == DType::kI16 && in[k]->rows == 1 && in[k]->cols == in[0]->cols,
               fmt::format("rope {} must be 1x{} i16, is {}", k == 1 ? "cos" : "sin", in[0]->cols, shape(*in[k])));
        need(out.dtype == DType::kI8 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("rope output must be {}x{} i8, is {}", in[0]->rows, in[0]->cols, shape(out)));
        break;
      case OpKind::kResidualAdd:
        need(in[0]->dtype == DType::kI32, fmt::format("residual_add input 'x' must be i32, is {}", shape(*in[0])));
        need(in[1]->dtype == DType::kI32 && in[1]->rows == in[0]->rows && in[1]->cols == in[0]->cols,
             fmt::format("residual_add input 'acc' must be {}x{} i32, is {}", in[0]->rows, in[0]->cols, shape(*in[1])));
        need(in[2]->dtype == DType::kI16 && in[2]->rows == 1 && in[2]->cols == in[0]->cols,
             fmt::format("residual_add input 'm' (multipliers) must be 1x{} i16, is {}", in[0]->cols, shape(*in[2])));
        need(out.dtype == DType::kI32 && out.rows == in[0]->rows && out.cols == in[0]->cols,
             fmt::format("residual_add output must be {}x{} i32, is {}", in[0]->rows, in[0]->cols, shape(out)));
        need(n.shift <= 63, fmt::format("field 'shift': {} is not 0..63", n.shift));
        break;
      case OpKind::kEmbedding:
        need(in[0]->dtype == DType::kI16 && in[0]->rows == 1 && in[0]->cols == 1,
             fmt::format("embedding input 'token' must be 1x1 i16, is {}", shape(*in[0])));
        need(in[1]->dtype == DType::kI8 && in[1]->kind == TensorKind::kWeight,
             fmt::format("embedding input 'table' must be an i8 weight, is {} {}", shape(*in[1]),
                         kindName(in[1]->kind)));
        need(in[2]->dtype == DType::kI16 && in[2]->kind == TensorKind::kWeight && in[2]->rows == in[1]->rows &&
                 in[2]->cols == 1,
             fmt::format("embedding input 'multipliers' must be a {}x1 i16 weight, is {} {}", in[1]->rows,
                         shape(*in[2]), kindName(in[2]->kind)));
        need(out.dtype == DType::kI32 && out.rows == 1 && out.cols == in[1]->cols,
             fmt::format("embedding output must be 1x{} i32, is {}", in[1]->cols, shape(out)));
        need(n.shift <= 63, fmt::format("field 'shift': {} is not 0..63", n.shift));
        break;
      case OpKind::kAttention: {
        // part 0: inputs q, K, V; hs = the output's columns. part 1: q, K -> the weights tensor, hs = head_size.
        // part 2: the weights tensor, V -> the output (hs columns).
        need(n.part <= 2, fmt::format("field 'part': {} is not 0, 1 or 2", n.part));
        // The softmax weights between part 1 and part 2: a block of w.cols positions per row.
        const auto needWeights = [&](const Tensor& w, std::uint32_t positions) {
          need(w.dtype == DType::kI8 && w.rows == attentionWeightsRows(positions, w.cols),
               fmt::format(
                   "attention part {}: the weights must be i8 with {} rows at {} positions and {} columns, is {}",
                   n.part, attentionWeightsRows(positions, w.cols), positions, w.cols, shape(w)));
        };
        if (n.part == 2) {
          const Tensor& w = *in[0];
          need(in[1]->dtype == DType::kI8 && in[1]->rows >= 1,
               fmt::format("attention V must be PxC i8 (a row per position), is {}", shape(*in[1])));
          needWeights(w, in[1]->rows);
          need(out.dtype == DType::kI8 && out.rows == 1,
               fmt::format("attention output must be 1xhs i8, is {}", shape(out)));
          need(
              std::uint64_t{n.kv_col} + out.cols <= in[1]->cols,
              fmt::format("field 'kv_col': {} + head size {} exceeds V's {} columns", n.kv_col, out.cols, in[1]->cols));
          break;
        }
        need(in[0]->dtype == DType::kI8 && in[0]->rows == 1,
             fmt::format("attention q must be 1xN i8, is {}", shape(*in[0])));
        if (n.part == 1) {
          need(n.head_size >= 1, "field 'head_size': attention part 1 needs the head's dims (>= 1)");
          need(in[1]->dtype == DType::kI8 && in[1]->rows >= 1,
               fmt::format("attention K must be PxC i8 (a row per position), is {}", shape(*in[1])));
          needWeights(out, in[1]->rows);
        } else {
          need(out.dtype == DType::kI8 && out.rows == 1,
               fmt::format("attention output must be 1xhs i8, is {}", shape(out)));
          need(in[1]->dtype == DType::kI8 && in[1]->rows >= 1,
               fmt::format("attention K must be PxC i8 (a row per position), is {}", shape(*in[1])));
          need(in[2]->dtype == DType::kI8 && in[2]->rows == in[1]->rows && in[2]->cols == in[1]->cols,
               fmt::format("attention V must be {}x{} i8 like K, is {}", in[1]->rows, in[1]->cols, shape(*in[2])));
        }
        const unsigned hs = n.part == 1 ? n.head_size : out.cols;
        need(std::uint64_t{n.q_col} + hs <= in[0]->cols,
             fmt::format("field 'q_col': {} + head size {} exceeds q's {} columns", n.q_col, hs, in[0]->cols));
        need(std::uint64_t{n.kv_col} + hs <= in[1]->cols,
             fmt::format("field 'kv_col': {} + head size {} exceeds K's {} columns", n.kv_col, hs, in[1]->cols));
        need(n.multiplier.size() == 1,
             fmt::format("field 'multiplier': attention needs one value, has {}", n.multiplier.size()));
        need(n.multiplier[0] >= -32768 && n.multiplier[0] <= 32767,
             fmt::format("field 'multiplier': {} is not i16", n.multiplier[0]));
        need(n.shift <= 63, fmt::format("field 'shift': {} is not 0..63", n.shift));
        break;
      }
    }
    defined.insert(n.output);
  }
}

Graph gemmGraph(std::string config, unsigned M, unsigned K, unsigned N) {
  Graph g;
  g.config = std::move(config);
  g.tensors["A"] = Tensor{"A", DType::kI8, M, K, TensorKind::kInput, {}};
  g.tensors["B"] = Tensor{"B", DType::kI8, K, N, TensorKind::kWeight, std::vector<std::int32_t>(std::size_t{K} * N, 0)};
  g.tensors["C"] = Tensor{"C", DType::kI32, M, N, TensorKind::kOutput, {}};
  g.nodes.push_back(Node{OpKind::kMatmul, "gemm", {"A", "B"}, "C", {}, 0});
  return g;
}

}  // namespace lpu::compiler
