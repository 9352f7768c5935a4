#!/usr/bin/env bash
# What `make lint` runs: the 100-column limit of rtl/*.sv; the Verilator lint of the RTL: `verilator --lint-only
# -Wall --assert` of lpu_top in every named configuration, with the same -G overrides the verilated builds use
# (sw/isa/arch_gen.cmake, generated from sw/isa/arch.toml), so every width any configuration elaborates is linted;
# then the board top (rtl/fpga).
#   sw/tools/lint.sh                 lpu_top, every configuration
#   LINT_TOP=lpu_vxm sw/tools/lint.sh   another module as the top, with its default parameters
set -euo pipefail
cd "$(dirname "$0")/../.."
LINT_TOP="${LINT_TOP:-lpu_top}"
# --assert: lint what every verilated build elaborates (assertions included; Verilator skips them otherwise).
VFLAGS=(--lint-only -Wall --assert -y rtl)

shopt -s nullglob

# Line length: at most 100 columns (characters) in rtl/*.sv, every violation named as file:line.
too_long=0
for f in rtl/*.sv; do
  while IFS=: read -r line _; do
    echo "lint: $f:$line: longer than 100 columns" >&2
    too_long=1
  done < <(LC_ALL=C.UTF-8 grep -nE '^.{101}' "$f")
done
if ((too_long)); then
  echo "lint: rtl/*.sv lines must fit in 100 columns" >&2
  exit 1
fi

pkgs=(rtl/*_pkg.sv)
mods=()
for f in rtl/*.sv; do [[ "$f" == *_pkg.sv ]] || mods+=("$f"); done

if [[ "$LINT_TOP" != lpu_top ]]; then
  echo "lint: verilator ${VFLAGS[*]} --top-module $LINT_TOP"
  exec verilator "${VFLAGS[@]}" --top-module "$LINT_TOP" "${pkgs[@]}" "${mods[@]}"
fi

# set(LPU_CFG_<NAME>_GPARAMS -GLanes=.. ...) lines of the generated CMake file: one lint per configuration.
found=0
while read -r name params; do
  found=1
  echo "lint: verilator ${VFLAGS[*]} --top-module lpu_top, configuration ${name,,}"
  # shellcheck disable=SC2086  # params is a list of -G options
  verilator "${VFLAGS[@]}" $params --top-module lpu_top "${pkgs[@]}" "${mods[@]}"
done < <(sed -nE 's/^set\(LPU_CFG_([A-Z0-9_]+)_GPARAMS (.*)\)$/\1 \2/p' sw/isa/arch_gen.cmake)
if ((found == 0)); then
  echo "lint: no LPU_CFG_*_GPARAMS in sw/isa/arch_gen.cmake (run: make gen)" >&2
  exit 1
fi

# The board top with its core (ulx3s: the top's own parameters). The ECP5 PLL primitive has no source Verilator
# can read, so the testbench's stand-in (tb/fpga/EHXPLLL.sv) takes its place, as in the board tests.
echo "lint: verilator ${VFLAGS[*]} --top-module lpu_fpga_top (rtl/fpga, PLL stand-in tb/fpga/EHXPLLL.sv)"
verilator "${VFLAGS[@]}" -y rtl/fpga --top-module lpu_fpga_top "${pkgs[@]}" rtl/fpga/*_pkg.sv \
  tb/fpga/EHXPLLL.sv rtl/fpga/lpu_fpga_top.sv

# C++ layout: clang-format at the pinned version, failing on drift (sw/tools/format.sh; --fix rewrites).
bash sw/tools/format.sh
