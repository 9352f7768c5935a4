#!/usr/bin/env bash
# Runs every benchmark that is built and writes its JSON into BUILD/bench/ (usage: bench.sh BUILD_DIR).
set -euo pipefail
build="${1:-build}"
out="$build/bench"
mkdir -p "$out"
ran=0
run() {  # run NAME CMD...: runs CMD when its binary exists
  local name=$1; shift
  if [[ -x $1 ]]; then
    echo "== $name"
    "$@"
    ran=$((ran + 1))
  else
    echo "== $name: $1 not built; skipped"
  fi
}
run "GEMM: predicted vs measured cycles, utilisation ($out/gemm.json)" "$build/bin/lpu_compiler_bench" "$out/gemm.json"
run "RTL vs model simulation speed ($out/rtl.json)" "$build/bin/lpu_rtl_bench" "$out/rtl.json"
run "golden model speed on a busy program (table only)" "$build/bin/lpu_model_bench"
[[ $ran -gt 0 ]] || { echo "bench: nothing built to run" >&2; exit 1; }
echo "bench: JSON in $out/"
