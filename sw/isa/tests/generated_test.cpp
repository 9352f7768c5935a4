// One source of truth: the committed generated files must equal a fresh run of sw/isa/gen_isa.py.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(IsaGenerated, OutputsAreUpToDate) {
  const std::filesystem::path top = LPU_SOURCE_DIR;
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "lpu_gen_check";
  std::filesystem::remove_all(out);
  const std::string cmd = "python3 " + (top / "sw/isa/gen_isa.py").string() + " --out " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  for (const char* rel : {"sw/isa/isa_gen.hpp", "sw/isa/arch_gen.hpp", "sw/isa/regs_gen.hpp", "rtl/lpu_isa_pkg.sv",
                          "rtl/lpu_arch_pkg.sv", "sw/isa/arch_gen.cmake", "docs/isa.md"}) {
    EXPECT_EQ(slurp(out / rel), slurp(top / rel))
        << rel << " differs from sw/isa/isa.toml + arch.toml + regs.toml: run `make gen` and commit the result";
  }
}

}  // namespace
