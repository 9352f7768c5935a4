// A small tensor IR for the openlpu compiler and its JSON graph format (docs/compiler.md, "Graph
// format").
//
// Tensors are 2-D (rows x cols; a 1-D shape [n] is [1, n]) of int8, int16 or int32. Nodes, in
// program order:
//   matmul     C(i32, MxN) = A(i8, MxK) . B(i8, KxN), exact int32 (wrapping sums)
//   requant    Y(i8|i16) = sat(round_half_away(X(i32) * m[col] >> shift)), m: i16 per column or one
//   relu       Y(i8) = max(X, 0)
//   add, mul   Y(i8) = sat8(A + B), low 8 bits of A * B (same shapes)
//   copy       Y = X (i8)
//   transpose  Y(i8, NxM) = X(i8, MxN)^T
//   rmsnorm    Y(i8) = integer RMSNorm of each row of X(i32) (eps_term, r_shift, shift; sw/llm's
//              rmsnormInt)
//   argmax     Y(i32, Mx1) = index of the first maximum of each row of X(i16)
//   swiglu     Y(i8) = req8(silu(G(i16, Q4.11)) * U(i8), multiplier, shift) (sw/llm's swigluInt)
//   rope       Y(i8) = rotated interleaved pairs of X(i16) (sw/llm's ropeInt; cos/sin rows C, S)
//   residual_add  Y(i32) = sat32(X(i32) + req16(ACC(i32), m[col] (i16 1xN), shift)) (IntModel's residual
//              update; Y may be pinned onto X's words: in place)
//   embedding  Y(i32, 1xD) = req16(E(i8, VxD)[t], mE(i16, Vx1)[t], shift), t = TOKEN(i16 1x1)
//              (IntModel's first step; the row is fetched by MEM gather)
//   attention  Y(i8, 1 x hs) = one head of sw/llm's IntModel attention: q(i8) columns [q_col, q_col+hs)
//              against K, V (i8, P x C, a row per position) columns [kv_col, kv_col+hs); softmaxWeights with
//              multiplier, shift; reciprocalQ21; req8(sum w v, inv, 21)
//
// Example graph (sw/compiler/graphs/mlp2.json):
//   {"config": "small",
//    "tensors": {"x": {"shape": [4, 20], "dtype": "i8", "kind": "input"},
//                "w": {"shape": [20, 24], "dtype": "i8", "kind": "weight", "data": [..480
//                values..]}, "h": {"shape": [4, 24], "dtype": "i32"}, "y": {"shape": [4, 24],
//                "dtype": "i8", "kind": "output"}},
//    "nodes": [{"op": "matmul", "inputs": ["x", "w"], "output": "h"},
//              {"op": "requant", "inputs": ["h"], "output": "y", "multiplier": 3, "shift": 6}]}
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::compiler {

enum class DType : std::uint8_t { kI8, kI16, kI32 };
std::string_view dtypeName(DType t);
unsigned dtypeBytes(DType t);

// input: the host writes it before a run; weight: a constant whose data is part of the compiled
// program; output: the host reads it after a run; temp: an intermediate (kept in SRAM; the host may
// still read it).
enum class TensorKind : std::uint8_t { kInput, kWeight, kTemp, kOutput };
std::string_view kindName(TensorKind k);

struct Tensor {
  std::string name;
  DType dtype = DType::kI8;
  unsigned rows = 1, cols = 1;
  TensorKind kind = TensorKind::kTemp;
  std::vector<std::int32_t> data;  // row-major rows*cols values, for weights (empty otherwise)
  // A fixed SRAM placement (docs/compiler.md, "Pinned tensors"): the JSON text of the tensor's
  // MemoryLayout::toJson entry (at least {"fragments": [...]}); empty: the compiler places it.
  std::string pin = {};
  // Already in SRAM when the program starts (an earlier program or the host left it there): the
  // program carries no data for it and the host does not write it. Inputs and weights, with a pin.
  bool resident = false;
};

enum class OpKind : std::uint8_t {
  kMatmul,
  kRequant,
  kRelu,
  kAdd,
  kMul,
  kCopy,
  kTranspose,
  kRmsnorm,
  kArgmax,
  kSwiglu,
  kRope,
  kResidualAdd,
  kEmbedding,
  kAttention
};
std::string_view opName(OpKind k);

struct Node {
  OpKind op = OpKind::kCopy;
  std::string name;  // defaults to "<op><index>"
  std::vector<std::string> inputs;
  std::string output;
  std::vector<std::int32_t> multiplier;  // requant: one value (all columns) or one per output column, i16 range;
                                         // swiglu: one value
  unsigned shift = 0;                    // requant, rmsnorm, swiglu, residual_add, embedding: the req shift, 0..63
  std::int64_t eps_term = 0;             // rmsnorm: added to the sum of squares, 0 .. 2^31-1
  unsigned r_shift = 0;                  // rmsnorm: rsqrt result >> r_shift -> the i16 multiplier, 0..31
  unsigned q_col = 0;                    // attention: the head's first column in q
  unsigned kv_col = 0;                   // attention: the head's (GQA: its kv head's) first column in K and V
  // attention in two programs (attentionWeightsRows): 0 the whole head (q, K, V -> y); 1 the scores and the softmax
  // weights (q, K -> the weights tensor, head_size dims); 2 their sum, its reciprocal and the weighted sum (the
  // weights tensor, V -> y).
  unsigned part = 0;
  unsigned head_size = 0;  // attention part 1: the head's dims (parts 0 and 2: the output's columns)
};

// Rows of the i8 weights tensor that attention part 1 leaves for part 2, at P positions and `cols` columns (the
// configuration's lanes): the softmax weights, block b (row b) of positions b*cols .. b*cols + cols - 1, a position
// per lane (0 past P).
inline unsigned attentionWeightsRows(unsigned P, unsigned cols) { return (P + cols - 1) / cols; }

struct Graph {
  std::string config = "small";
  std::map<std::string, Tensor> tensors;
  std::vector<Node> nodes;

  const Tensor& tensor(const std::string& name) const;  // throws GraphError
  // The node that writes `name`, or -1 (inputs and weights).
  int producer(const std::string& name) const;
  // Indices of the nodes that read `name`.
  std::vector<int> consumers(const std::string& name) const;
};

class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the JSON graph format; throws GraphError("graph.json: node 2 (relu1): input 'q' is i32,
// relu needs i8").
Graph parseGraph(std::string_view json_text, std::string_view source_name = "graph");
Graph loadGraphFile(const std::string& path);
// Serialises back to the JSON format (round-trips through parseGraph).
std::string graphToJson(const Graph& g);
// Checks shapes, types, single assignment, that every input is defined before use; throws
// GraphError.
void validateGraph(const Graph& g, std::string_view source_name = "graph");

// A graph with one matmul C = A . B: A input (MxK), B weight (KxN, data filled by the caller or
// zero), C output.
Graph gemmGraph(std::string config, unsigned M, unsigned K, unsigned N);

}  // namespace lpu::compiler
