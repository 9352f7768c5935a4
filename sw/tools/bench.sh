#!/usr/bin/env bash
# Runs every benchmark and checks what it wrote (usage: bench.sh [--smoke] [BUILD_DIR]).
#
#   bench.sh build           (make bench) the full benchmarks: JSON into build/bench/, each one's table on stdout
#   bench.sh --smoke build   (make bench-smoke, part of make test) every benchmark at its smallest size (--quick:
#                            seconds in all), JSON into build/bench/smoke/; fails when one fails or its JSON lacks
#                            an expected key (sw/tools/bench_check.py), so no benchmark rots unseen
#
# Benchmarks (binaries in BUILD_DIR/bin/):
#   model.json  lpu_model_bench     golden-model cycles/s on a busy program, every configuration
#   gemm.json   lpu_compiler_bench  compiler-predicted vs model-measured cycles and MXM utilisation: GEMMs, the
#                                   stories260K (ulx3s, small) and stories15M (large) matrix-vector products,
#                                   and the matrix-vector cycles of one token
#   rtl.json    lpu_rtl_bench       verilated RTL vs golden-model simulation speed, every verilated configuration
#                                   (needs Verilator; skipped, with a note, in a build without it)
#   serial.json lpu_serial_bench    host -> SRAM payload bytes/s over the UART link at 3 Mbaud (from the frame
#                                   sizes) and a stories260K-sized load, checked against the bytes the serial
#                                   backend moves through lpu-board-sim (needs Verilator, as rtl)
#   decode.json lpu_decode_bench    the stories260K decode step on ulx3s: cycles per token vs position (predicted,
#                                   the first positions also measured on the golden model), tokens/s at the
#                                   clock of fpga.json (or 100 MHz), compile time per position, programs per token,
#                                   the fullest queue, SRAM use; the full run compiles every position 0..255
# The FPGA numbers (build/bench/fpga.json) come from make bitstream (sw/tools/bitstream.sh), not from here.
set -euo pipefail
smoke=0
if [[ ${1:-} == --smoke ]]; then
  smoke=1
  shift
fi
build="${1:-build}"
out="$build/bench"
((smoke)) && out="$build/bench/smoke"
mkdir -p "$out"
quick=()
((smoke)) && quick=(--quick)
here="$(dirname "$0")"
failed=()
ran=0
run() {  # run NAME KIND JSON CMD...: runs CMD when its binary exists, then checks its JSON
  local name=$1 kind=$2 json=$3
  shift 3
  if [[ ! -x $1 ]]; then
    if [[ $kind == rtl || $kind == serial ]]; then
      echo "== $name: $1 not built (no Verilator); skipped"
      return
    fi
    echo "== $name: $1 not built" >&2
    failed+=("$kind (not built)")
    return
  fi
  echo "== $name ($json)"
  rm -f "$json"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  if ((rc == 77)); then
    echo "== $name: skipped (nothing to measure in this build)"
  elif ((rc != 0)); then
    echo "bench: $kind FAILED: $*" >&2
    failed+=("$kind")
  elif ! python3 "$here/bench_check.py" "$kind" "$json"; then
    failed+=("$kind (JSON)")
  else
    ran=$((ran + 1))
  fi
  ((smoke)) && echo "   ($((SECONDS - start)) s)"
  return 0
}
run "golden model speed on a busy program" model "$out/model.json" \
  "$build/bin/lpu_model_bench" "$out/model.json" "${quick[@]}"
run "compiler: predicted vs measured cycles, utilisation" gemm "$out/gemm.json" \
  "$build/bin/lpu_compiler_bench" "$out/gemm.json" "${quick[@]}"
run "RTL vs model simulation speed" rtl "$out/rtl.json" \
  "$build/bin/lpu_rtl_bench" "$out/rtl.json" "${quick[@]}"
run "UART link: host -> SRAM throughput" serial "$out/serial.json" \
  "$build/bin/lpu_serial_bench" "$out/serial.json" "${quick[@]}"
run "decode: cycles per token vs position" decode "$out/decode.json" \
  "$build/bin/lpu_decode_bench" --fpga "$build/bench/fpga.json" "$out/decode.json" "${quick[@]}"
if ((${#failed[@]})); then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
((ran > 0)) || { echo "bench: nothing built to run" >&2; exit 1; }
echo "bench: $ran benchmarks, JSON in $out/"
