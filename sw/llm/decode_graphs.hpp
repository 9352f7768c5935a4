// The decode step of IntModel as compiler graphs (sw/compiler/ir.hpp), one graph per program of the step. The
// integers are IntWeights' own (int_weights.hpp), so a program computes what IntModel::forward computes, bit for bit.
//
// A step is several programs because a queue holds only queue_depth words: per layer `qkv` (RMSNorm, the q, k and
// v projections), `rope` (RoPE on q and k; k and v land in the KV cache at the token's position) and the feed-forward
// block as `gate`, `up` and `down` (a 64 x 172 matrix alone takes about 280 words of each MXM's load queue), then
// `head` (the final RMSNorm, the classifier and the argmax).
// Programs share SRAM through tensors with persistent names (StepGraph::shared): the residual "x", each layer's
// weights "l<i>.wq", ..., the caches "l<i>.kcache" / "l<i>.vcache", the activations one program leaves for the next.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sw/compiler/ir.hpp"
#include "sw/llm/int_weights.hpp"

namespace lpu::llm {

// Cache rows the programs are built for (the KV cache's height in SRAM): min(seq_len, kMaxCacheRows).
inline constexpr int kMaxCacheRows = 256;
int cacheRows(const Config& c);

struct StepGraph {
  std::string name;  // "l0.qkv", "l0.ffn", "head"
  compiler::Graph graph;
  // Graph tensor -> persistent name, for the tensors that live in SRAM beyond this program (weights, the residual,
  // cache rows, activations another program reads). The rest are the program's own.
  std::map<std::string, std::string> shared;
  // Graph tensor -> a part of a persistent tensor `of`: its rows from `row` and its column tiles from `tile` (the
  // graph tensor's shape says how many). A cache row of a KV cache, a chunk of the logits. `height` > 0: when `of`
  // is not placed yet, it is placed as a tensor of `height` rows and `cols` columns (0: the graph tensor's).
  struct Part {
    std::string of;
    unsigned row = 0, tile = 0, height = 0, cols = 0;
  };
  std::map<std::string, Part> parts;
};

// The host-written inputs of a qkv program at position pos: RoPE's cos and sin rows for q (dim) and k (kv_dim),
// each table value in both lanes of its pair and repeated per head.
struct RopeInputs {
  std::vector<std::int32_t> cos_q, sin_q, cos_k, sin_k;
};
RopeInputs ropeInputs(const IntWeights& w, int pos);

// qkv: RMSNorm and the three projections; v lands in row pos of the v cache, q16 and k16 wait for rope.
StepGraph qkvGraph(const IntWeights& w, const std::string& config, int layer, int pos);
// rope: RoPE on q16 and k16 at position pos (host inputs: ropeInputs(w, pos)); k lands in row pos of the k cache,
// q8 waits for attention.
StepGraph ropeGraph(const IntWeights& w, const std::string& config, int layer, int pos);
// The feed-forward block, one matrix per program: gate (RMSNorm, w1 -> gate16; the normalised x stays for up),
// up (w3 -> up8, SwiGLU -> glu8), down (w2, the residual update).
StepGraph gateGraph(const IntWeights& w, const std::string& config, int layer);
StepGraph upGraph(const IntWeights& w, const std::string& config, int layer);
StepGraph downGraph(const IntWeights& w, const std::string& config, int layer);
// down and out end in the residual update x += req16(acc, m) (m: that matrix's multipliers, a resident weight),
// written in place. out: the attention output projection wo from "l<i>.xb8".
StepGraph outGraph(const IntWeights& w, const std::string& config, int layer);
// embed: x = req16(E[token], mE[token]) from the resident table (host input: "token", 1 x 1 i16).
StepGraph embeddingGraph(const IntWeights& w, const std::string& config);
// Attention of one layer at position pos over cache rows 0..pos, one program per head (kAttentionHeads): q from
// "l<i>.q8", K and V the caches' first pos + 1 rows (grouped-query: head h reads kv head h / kv_mul), the head's
// output into its column tile of "l<i>.xb8". A head must fill whole column tiles (head size = lanes: stories260K
// on ulx3s); throws std::invalid_argument otherwise.
// From position split_from on, where one head's program would no longer fit a 512-word MEM queue of ulx3s (the
// scores' and softmax's scratch grows with the position), each head is two programs: l<i>.att<h>w (scores and
// softmax weights into the persistent "attw", the compiler's attention part 1) and l<i>.att<h>v (their sum, its
// reciprocal and the weighted sum of V's rows, part 2).
inline constexpr int kAttentionSplitPosition = 240;
std::vector<StepGraph> attentionGraphs(const IntWeights& w, const std::string& config, int layer, int pos,
                                       int split_from = kAttentionSplitPosition);

// The classifier, in chunks of at most kClassifierTiles column tiles (a 64 x 512 classifier needs about 800 words
// of an MXM's load queue): chunk 0 also runs the final RMSNorm. Each writes its part of the persistent i16 "logits".
inline constexpr unsigned kClassifierTiles = 22;
std::vector<StepGraph> classifierGraphs(const IntWeights& w, const std::string& config);
// argmax of "logits" into the 1 x 1 i32 "next", the token id the host reads.
StepGraph argmaxGraph(const IntWeights& w, const std::string& config);

}  // namespace lpu::llm
