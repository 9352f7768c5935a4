#!/usr/bin/env bash
# Checks that tb/waves/lpu.gtkw loads on a trace written by lpu-lockstep --wave and that every signal it names in the
# lpu_view scope and lpu_top exists there (GTKWave silently drops names it cannot find).
#
#   tb/waves/check_gtkw.sh build/bin/lpu-lockstep [ulx3s|large]
#
# Needs gtkwave and xvfb-run (make deps-wave; apt-get install xvfb); skips (exit 0) without them.
set -euo pipefail
lockstep=${1:?usage: check_gtkw.sh path/to/lpu-lockstep [config]}
config=${2:-ulx3s}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v gtkwave >/dev/null || ! command -v xvfb-run >/dev/null; then
  echo "check_gtkw: gtkwave or xvfb-run not installed; skipped"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$lockstep" --program "$root/examples/hello.s" --config "$config" --wave "$tmp/hello.fst" >/dev/null
cat >"$tmp/list.tcl" <<'TCL'
set n [gtkwave::getTotalNumTraces]
for {set i 0} {$i < $n} {incr i} { puts "TRACE [gtkwave::getTraceNameFromIndex $i]" }
gtkwave::/File/Quit
TCL
xvfb-run -a gtkwave "$tmp/hello.fst" --save "$root/tb/waves/lpu.gtkw" --script "$tmp/list.tcl" 2>/dev/null |
  sed -n 's/^TRACE //p' >"$tmp/loaded"
# Every signal of the save file that the trace has: names from the FST's own hierarchy.
fst2vcd "$tmp/hello.fst" 2>/dev/null | awk '
  /^\$scope/ { s[++d] = $3 } /^\$upscope/ { d-- }
  /^\$var/ { p = ""; for (i = 1; i <= d; i++) p = p s[i] "."; r = ($6 == "$end") ? "" : $6; print p $5 r }' |
  sort -u >"$tmp/have"
grep -E '^(lpu_view|lpu_top)\.' "$root/tb/waves/lpu.gtkw" | sort -u >"$tmp/want"
found=$(comm -12 "$tmp/want" "$tmp/have" | wc -l)
loaded=$(grep -cv -E '^(run control|queue|queues|streams|[EW] at|slices|MEM|VXM|SXM|MXM)' "$tmp/loaded" || true)
echo "check_gtkw ($config): the save file names $(wc -l <"$tmp/want") signals, $found exist in the trace," \
  "GTKWave shows $loaded signals in $(grep -c -E '^(queue |[EW] at )' "$tmp/loaded") groups"
if [[ $loaded -ne $found || $found -lt 100 ]]; then
  echo "check_gtkw: FAILED (GTKWave loaded $loaded of the $found signals the trace has; expected all, >= 100)" >&2
  exit 1
fi
