// lpuc: the compiler's own driver (until `lpu compile` exists in sw/cli).
//   lpuc GRAPH.json [-o PROG.lpb] [--asm PROG.s] [--layout LAYOUT.json] [--report REPORT.json]
//        [--trace TRACE.json] [--listing] [--mxms 1|2]
// Prints the schedule report (and with --listing the per-queue schedule) to stdout. Exit 1 on an
// error.
#include <fstream>
#include <iostream>
#include <string>

#include "sw/asm/disassembler.hpp"
#include "sw/compiler/compiler.hpp"
#include "sw/isa/program.hpp"

int main(int argc, char** argv) {
  using namespace lpu;
  std::string graph, out, asm_out, layout, report, trace;
  bool listing = false;
  compiler::CompileOptions opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "-o")
        out = next();
      else if (a == "--asm")
        asm_out = next();
      else if (a == "--layout")
        layout = next();
      else if (a == "--report")
        report = next();
      else if (a == "--trace")
        trace = next();
      else if (a == "--listing")
        listing = true;
      else if (a == "--mxms")
        opt.mxms = static_cast<unsigned>(std::stoul(next()));
      else
        graph = a;
    } catch (const std::exception& e) {
      std::cerr << "lpuc: " << e.what() << "\n";
      return 1;
    }
  }
  if (graph.empty()) {
    std::cerr << "usage: lpuc GRAPH.json [-o PROG.lpb] [--asm F] [--layout F] [--report F] "
                 "[--trace F] [--listing] "
                 "[--mxms 1|2]\n";
    return 1;
  }
  try {
    const compiler::CompileResult r = compiler::compile(compiler::loadGraphFile(graph), opt);
    if (!out.empty()) isa::saveProgramFile(out, r.program);
    if (!asm_out.empty())
      std::ofstream(asm_out) << assembler::disassemble(r.program,
                                                       isa::ArchConfig::byName(r.program.config));
    if (!layout.empty()) std::ofstream(layout) << r.layout.toJson() << "\n";
    if (!report.empty()) std::ofstream(report) << r.report.toJson() << "\n";
    if (!trace.empty()) {
      std::ofstream f(trace);
      compiler::writeScheduleTrace(r, f);
    }
    if (listing) std::cout << compiler::scheduleListing(r);
    std::cout << r.report.toText();
  } catch (const std::exception& e) {
    std::cerr << "lpuc: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
