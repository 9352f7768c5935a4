#!/usr/bin/env bash
# Verilator lint over rtl/*.sv (used by `make lint`).
#   LINT_TOP=lpu_top sw/tools/lint.sh
# Packages (*_pkg.sv) are passed first. If a module named $LINT_TOP exists, the whole design
# is linted from that top; until it does, each module file is linted as its own top (other
# modules are found through -y rtl) and package-only files are linted together.
set -euo pipefail
cd "$(dirname "$0")/../.."
LINT_TOP="${LINT_TOP:-lpu_top}"
# --assert: lint what every verilated build elaborates (assertions included; Verilator skips them otherwise).
VFLAGS=(--lint-only -Wall --assert -y rtl)

shopt -s nullglob
pkgs=(rtl/*_pkg.sv)
all=(rtl/*.sv)
if ((${#all[@]} == 0)); then
  echo "lint: no rtl/*.sv files yet; nothing to lint"
  exit 0
fi
mods=()
for f in "${all[@]}"; do [[ "$f" == *_pkg.sv ]] || mods+=("$f"); done

if grep -Eq "^[[:space:]]*module[[:space:]]+${LINT_TOP}\b" "${mods[@]+"${mods[@]}"}" /dev/null; then
  echo "lint: verilator ${VFLAGS[*]} --top-module $LINT_TOP (${#all[@]} files)"
  verilator "${VFLAGS[@]}" --top-module "$LINT_TOP" "${pkgs[@]}" "${mods[@]}"
  if [[ "$LINT_TOP" == lpu_top ]]; then
    # The large configuration elaborates other widths: lint it too (values of sw/isa/arch.toml, config.large;
    # the same overrides as tb/CMakeLists.txt).
    large=(-GLanes=64 -GSuperlaneLanes=16 -GStreamsPerDir=16 -GMemSlicesPerHem=8 -GBanksPerSlice=2
           -GWordsPerBank=4096 -GQueueDepth=4096 -GMxmAccSlots=256 -GMxmAbcInterval=1 -GTransposeN=16)
    echo "lint: same, large configuration"
    verilator "${VFLAGS[@]}" "${large[@]}" --top-module "$LINT_TOP" "${pkgs[@]}" "${mods[@]}"
  fi
  exit 0
fi

echo "lint: top module '$LINT_TOP' not in rtl/ yet; linting each file on its own"
fail=0
if ((${#pkgs[@]})); then
  echo "lint: ${pkgs[*]}"
  verilator "${VFLAGS[@]}" "${pkgs[@]}" || fail=1
fi
for f in "${mods[@]+"${mods[@]}"}"; do
  top="$(sed -nE 's/^[[:space:]]*module[[:space:]]+([A-Za-z_][A-Za-z0-9_$]*).*/\1/p' "$f" | head -n1)"
  if [[ -z "$top" ]]; then
    echo "lint: $f declares no module; skipped"
    continue
  fi
  echo "lint: $f (top $top)"
  verilator "${VFLAGS[@]}" --top-module "$top" "${pkgs[@]}" "$f" || fail=1
done
exit "$fail"
