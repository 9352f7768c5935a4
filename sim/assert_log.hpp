// Which RTL assertion failed, by name, per verilated model.
//
// Verilator reports a failed immediate or concurrent assertion by printing its message and calling vl_stop(file,
// line); it keeps no record beyond VerilatedContext::gotError(). Every verilated library of this project is
// compiled with VL_USER_STOP (sim/assert_log.cmake), which leaves vl_stop to sim/assert_log.cpp: it does what
// Verilator's own vl_stop does (gotError, gotFinish, vl_fatal when fatalOnError) and records (file, line) for the
// context the failure happened in. The label is read from that line of the RTL source, where the style rule puts
// it (`Label: assert ...`; tb/assert/assert_registry_test.cpp enforces it).
//
// Example:
//   auto ctx = std::make_unique<VerilatedContext>();
//   lpu::sim::AssertLog log(ctx.get());     // before the model runs; one per context
//   ... run the model ...
//   if (log.fired("lpu_queue.NoDispatchWhileHalted")) ...
//   log.summary()  // "lpu_queue.NoDispatchWhileHalted (rtl/lpu_queue.sv:427) x3", for failure messages
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

class VerilatedContext;

namespace lpu::sim {

struct FiredAssertion {
  std::string module;  // the source file's stem: one module per file (lpu_queue.sv -> lpu_queue)
  std::string label;   // "" when the reported line names no assertion (a $stop, or a label-less assert)
  std::string file;
  int line = 0;
  // module.label, the key that tells apart labels that repeat across modules (IssuedInsnIsForThisSlice).
  std::string key() const { return module + "." + label; }
};

// The label on the RTL line `line` of `file` (`Label : assert`), or "" when the line names none or the file
// cannot be read. A relative path is taken from the source tree.
std::string assertionLabelAt(std::string_view file, int line);

// Records the assertion failures of one VerilatedContext from construction to destruction. Construct it before
// the model first evaluates; at most one per context at a time.
class AssertLog {
 public:
  explicit AssertLog(const VerilatedContext* ctx);
  ~AssertLog();
  AssertLog(const AssertLog&) = delete;
  AssertLog& operator=(const AssertLog&) = delete;

  // Every failure so far, in order (an assertion failing on n cycles appears n times).
  std::vector<FiredAssertion> fired() const;
  // Distinct keys (module.label) of fired(), in first-failure order.
  std::vector<std::string> firedKeys() const;
  // Whether an assertion matching `name` failed: `name` is a key (module.label) or a bare label.
  bool fired(std::string_view name) const;
  std::size_t count() const;
  // "none", or each distinct assertion with its source line and how often it failed; for test messages.
  std::string summary() const;
  // Forgets the failures so far (gotError is Verilator's and stays set).
  void clear();

 private:
  const VerilatedContext* ctx_;
};

}  // namespace lpu::sim
