// assemble(): runs the stages (assembler_internal.hpp lists them) and collects their diagnostics; also the public
// helpers of sw/asm/assembler.hpp.
#include "sw/asm/assembler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "sw/asm/assembler_internal.hpp"
#include "sw/asm/encoder.hpp"
#include "sw/asm/parser.hpp"

namespace lpu::assembler {

std::string Diagnostic::toString() const { return fmt::format("{}:{}:{}: error: {}", file, line, column, message); }

std::string AssembleResult::formatDiagnostics() const {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += d.toString();
    out += '\n';
  }
  return out;
}

namespace internal {

void Diagnostics::error(Loc loc, std::string message) {
  if (list_.size() >= kMaxErrors) {
    list_.push_back({std::string(file_), loc.line, loc.col,
                     fmt::format("too many errors, stopping; expected at most {}", kMaxErrors)});
    throw TooManyErrors{};
  }
  list_.push_back({std::string(file_), loc.line, loc.col, std::move(message)});
}

std::vector<Diagnostic> Diagnostics::takeSorted() {
  const bool capped = list_.size() > kMaxErrors;
  auto end = capped ? list_.end() - 1 : list_.end();
  std::stable_sort(list_.begin(), end, [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(list_);
}

}  // namespace internal

namespace {

constexpr std::size_t kMaxSourceBytes = std::size_t{256} << 20;  // 256 MiB: far above any real program

}  // namespace

AssembleResult assemble(std::string_view source, std::string_view file_name, const isa::ArchConfig& cfg) {
  using namespace internal;
  Diagnostics diag(file_name);
  ParsedSource parsed;
  Encoded encoded;
  unsigned last_line = 1;
  try {
    if (source.size() > kMaxSourceBytes) {
      diag.error({1, 1},
                 fmt::format("input of {} bytes; expected at most {} MiB", source.size(), kMaxSourceBytes >> 20));
    } else {
      parsed = parse(source, cfg, diag, last_line);
      encoded = encode(parsed, cfg, diag);
    }
  } catch (const TooManyErrors&) {
    // the diagnostics already end with the "too many errors" line
  } catch (const std::exception& e) {
    diag.error({last_line, 1}, fmt::format("internal error ({}); expected the assembler not to fail", e.what()));
  }
  AssembleResult result;
  if (!diag.empty()) {
    result.diagnostics = diag.takeSorted();
    return result;
  }
  takeProgram(parsed, encoded, cfg, result);
  return result;
}

std::string declaredConfig(std::string_view source) {
  while (!source.empty()) {
    const std::size_t eol = source.find('\n');
    std::string_view line = source.substr(0, eol);
    source = eol == std::string_view::npos ? std::string_view{} : source.substr(eol + 1);
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.substr(0, 7) != ".config" || line.size() == 7 || (line[7] != ' ' && line[7] != '\t')) continue;
    line.remove_prefix(7);
    const std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos) return "";
    const std::size_t e = line.find_first_of(" \t\r;/", b);
    return std::string(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
  }
  return "";
}

}  // namespace lpu::assembler
