#include "sim/assert_log.hpp"

// verilated.h has no C++ warnings worth seeing; it is included as a system header (sim/assert_log.cmake).
#include <verilated.h>

#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <unordered_map>

namespace lpu::sim {
namespace {

// The one process-wide piece of state in the testbench, and why: Verilator's vl_stop hook is a free function
// with no user pointer, called for whichever model failed. The failing model is identified by
// Verilated::threadContextp() (the context whose eval() is running on this thread), so the records are kept in
// a registry keyed by that context. A context without an AssertLog is not recorded, only reported as Verilator
// would.
struct Registry {
  std::mutex mu;
  std::unordered_map<const VerilatedContext*, std::vector<FiredAssertion>> logs;
  std::map<std::string, std::vector<std::string>, std::less<>> sources;  // file -> lines, read once
};

Registry& registry() {
  static Registry r;
  return r;
}

std::string stemOf(std::string_view file) {
  auto slash = file.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? file : file.substr(slash + 1);
  auto dot = base.find('.');
  return std::string(base.substr(0, dot));
}

const std::vector<std::string>& linesOf(Registry& r, std::string_view file) {
  auto it = r.sources.find(file);
  if (it != r.sources.end()) return it->second;
  std::vector<std::string> lines;
  std::string path(file);
  std::ifstream in(path);
  if (!in && !path.empty() && path[0] != '/') in.open(std::string(LPU_SOURCE_ROOT) + "/" + path);
  for (std::string l; std::getline(in, l);) lines.push_back(std::move(l));
  return r.sources.emplace(std::string(file), std::move(lines)).first->second;
}

std::string labelOn(const std::vector<std::string>& lines, int line) {
  static const std::regex kLabel(R"(^\s*([A-Z][A-Za-z0-9_]*)\s*:\s*assert\b)");
  if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return "";
  std::smatch m;
  if (std::regex_search(lines[static_cast<std::size_t>(line) - 1], m, kLabel)) return m[1].str();
  return "";
}

}  // namespace

std::string assertionLabelAt(std::string_view file, int line) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  return labelOn(linesOf(r, file), line);
}

AssertLog::AssertLog(const VerilatedContext* ctx) : ctx_(ctx) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.logs[ctx_].clear();
}

AssertLog::~AssertLog() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.logs.erase(ctx_);
}

std::vector<FiredAssertion> AssertLog::fired() const {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.logs.find(ctx_);
  return it == r.logs.end() ? std::vector<FiredAssertion>{} : it->second;
}

std::vector<std::string> AssertLog::firedKeys() const {
  std::vector<std::string> keys;
  for (const FiredAssertion& f : fired()) {
    std::string k = f.key();
    bool seen = false;
    for (const std::string& s : keys) seen = seen || s == k;
    if (!seen) keys.push_back(std::move(k));
  }
  return keys;
}

bool AssertLog::fired(std::string_view name) const {
  bool qualified = name.find('.') != std::string_view::npos;
  for (const FiredAssertion& f : fired()) {
    if (qualified ? f.key() == name : f.label == name) return true;
  }
  return false;
}

std::size_t AssertLog::count() const { return fired().size(); }

std::string AssertLog::summary() const {
  std::vector<FiredAssertion> all = fired();
  if (all.empty()) return "none";
  std::ostringstream os;
  bool first = true;
  for (const std::string& k : firedKeys()) {
    unsigned n = 0;
    const FiredAssertion* ex = nullptr;
    for (const FiredAssertion& f : all) {
      if (f.key() == k) {
        ++n;
        if (!ex) ex = &f;
      }
    }
    os << (first ? "" : ", ") << k << " (" << ex->file << ":" << ex->line << ") x" << n;
    first = false;
  }
  return os.str();
}

void AssertLog::clear() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.logs.find(ctx_);
  if (it != r.logs.end()) it->second.clear();
}

}  // namespace lpu::sim

// Verilator's vl_stop (include/verilated.cpp, compiled with VL_USER_STOP), plus the record. Semantics are kept
// identical: gotError and gotFinish are set (the harnesses keep stepping after a non-fatal failure; a verilated
// model does not act on gotFinish itself, the caller's loop would), and fatalOnError aborts through vl_fatal.
void vl_stop(const char* filename, int linenum, const char* hier) VL_MT_UNSAFE {
  VerilatedContext* ctx = Verilated::threadContextp();
  {
    using namespace lpu::sim;
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    auto it = r.logs.find(ctx);
    if (it != r.logs.end()) {
      std::string file = filename ? filename : "";
      it->second.push_back(FiredAssertion{stemOf(file), labelOn(linesOf(r, file), linenum), file, linenum});
    }
  }
  const char* const msg = "Verilog $stop";
  ctx->gotError(true);
  ctx->gotFinish(true);
  if (ctx->fatalOnError()) {
    vl_fatal(filename, linenum, hier, msg);
  } else if (filename && filename[0]) {
    VL_PRINTF("%%Error: %s:%d: %s\n", filename, linenum, msg);
  } else {
    VL_PRINTF("%%Error: %s\n", msg);
  }
  if (!ctx->fatalOnError()) Verilated::runFlushCallbacks();
}
