// Programs that share SRAM: each StepGraph is compiled with every persistent tensor an earlier compile placed
// pinned where it lies, and with every other persistent placement kept, so that the programs of a decode step run
// back to back on one machine and read what the others left. Weights are written once (setupImage()); the programs
// the host runs carry no weight data.
//
// Example:
//   ProgramChain chain("ulx3s");
//   const ChainProgram& a = chain.compile(qkvGraph(w, "ulx3s", 0, pos));
//   device.loadProgram(chain.setupImage());   // every weight placed so far
//   device.loadProgram(a.result.program);      // plus the host inputs (packInputs)
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "sw/compiler/compiler.hpp"
#include "sw/isa/program.hpp"
#include "sw/llm/decode_graphs.hpp"

namespace lpu::llm {

struct ChainProgram {
  std::string name;
  compiler::CompileResult result;             // weights resident: its data segments are compiler constants only
  std::map<std::string, std::string> shared;  // as StepGraph::shared
};

class ProgramChain {
 public:
  // temp_words: the low words of every MEM slice kept for the programs' own tensors (temps and scratch); persistent
  // tensors are placed above them, so no program's own words ever lie on them.
  static constexpr unsigned kDefaultTempWords = 512;
  // pool_words: the words of every MEM slice above the low ones that hold the chain's constant pool (the vector
  // constants of every program, each stored once: compiler::ConstantPool).
  static constexpr unsigned kDefaultPoolWords = 64;
  // base: the options every compile starts from (keep and constants are the chain's own).
  explicit ProgramChain(std::string config, unsigned temp_words = kDefaultTempWords, compiler::CompileOptions base = {},
                        unsigned pool_words = kDefaultPoolWords);

  // Compiles g as above. The first compile that names a weight places it and adds its data to the setup image;
  // later ones read it resident. A part (StepGraph::parts) is pinned inside its persistent tensor, which is placed
  // (height x cols, a cache) the first time it is named. Throws compiler::CompileError / GraphError naming the program.
  ChainProgram compile(const StepGraph& g);

  // Ends the placement phase: after it a program that would place a new persistent tensor is rejected (the
  // per-position programs only pin to what the first position's programs placed).
  void freeze() { frozen_ = true; }

  // Every weight placed so far and the constant pool, as one program with no instructions.
  isa::Program setupImage() const;
  // The programs' shared constants. A program compiled later may add some (a position reached for the first time):
  // constantsImage(from) holds pool().segments() from index `from` on, for the host to write before running it.
  const compiler::ConstantPool& pool() const { return pool_; }
  isa::Program constantsImage(std::size_t from) const;
  // Where a persistent tensor lives (throws std::out_of_range naming it).
  const compiler::TensorLayout& placement(const std::string& persistent) const;
  const std::map<std::string, compiler::TensorLayout>& placements() const { return placed_; }
  const std::string& config() const { return config_; }

 private:
  compiler::CompileOptions keepOptions(const std::set<std::string>& named, bool low);
  isa::Program dataImage(std::vector<isa::DataSegment> data) const;
  void placeCache(const std::string& cache, const compiler::Tensor& row, unsigned height);

  std::string config_;
  std::map<std::string, compiler::TensorLayout> placed_;
  unsigned temp_words_;
  compiler::CompileOptions base_;
  bool frozen_ = false;
  compiler::ConstantPool pool_;
  std::vector<isa::DataSegment> setup_;
};

// The program with the host inputs' SRAM images appended: values per graph tensor name.
isa::Program withInputs(const ChainProgram& p, const std::map<std::string, std::vector<std::int32_t>>& inputs);

}  // namespace lpu::llm
