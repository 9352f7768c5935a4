#!/usr/bin/env bash
# make coverage: Verilator line + toggle coverage of the lockstep regression (docs/verification.md section 6).
#
#   bash tb/lockstep/coverage.sh [BUILD_DIR] [N]
#
# 1. a separate CMake build, BUILD_DIR/coverage/cmake, of the ulx3s model alone (LPU_RTL_CONFIGS=ulx3s), in which
#    every verilate() call gets
#    --coverage-line --coverage-toggle (through the VERILATOR_ARGS variable that verilate() appends to) and
#    tb/lockstep is compiled with LPU_RTL_COVERAGE=1 (one harness per configuration per process, counters written
#    to $LPU_COVERAGE_DIR at exit);
# 2. runs N random programs on ulx3s (the regression's default generator options) and the directed lockstep tests
#    and examples on ulx3s;
# 3. merges the counters with verilator_coverage into BUILD_DIR/coverage/ulx3s.dat, annotates the sources into
#    BUILD_DIR/coverage/annotated/, and writes the line/toggle summary per module to BUILD_DIR/coverage/summary.txt
#    (and .json).
set -euo pipefail
build="${1:-build}"
n="${2:-300}"
cov="$build/coverage"
cb="$cov/cmake"
raw="$cov/raw"
mkdir -p "$cov"
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
if [[ ! -f $cb/CMakeCache.txt ]]; then
  cmake -S . -B "$cb" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DLPU_WERROR=OFF -DLPU_RTL_CONFIGS=ulx3s \
    "-DVERILATOR_ARGS=--coverage-line;--coverage-toggle" -DCMAKE_CXX_FLAGS=-DLPU_RTL_COVERAGE=1
fi
echo "coverage: building the coverage models and tools in $cb (first time: several minutes)"
cmake --build "$cb" -j2 --target lpu-lockstep lpu_lockstep_tests
rm -rf "$raw"
mkdir -p "$raw"
# Extra generator flags (lpu-lockstep --help), e.g. COV_FLAGS=--gs 3.
flags=${COV_FLAGS:-}
echo "coverage: $n random programs on ulx3s (CI generator options)"
LPU_COVERAGE_DIR="$raw" "$cb/bin/lpu-lockstep" --config ulx3s --seed 1 --count "$n" --quiet $flags
echo "coverage: $((n / 3)) random programs on ulx3s with gather/scatter (BAD_ADDRESS may fire)"
LPU_COVERAGE_DIR="$raw" "$cb/bin/lpu-lockstep" --config ulx3s --seed 100001 --count $((n / 3)) --quiet --gs 3 $flags
echo "coverage: $((n / 3)) random programs on ulx3s with 64 initialised words per slice"
LPU_COVERAGE_DIR="$raw" "$cb/bin/lpu-lockstep" --config ulx3s --seed 50001 --count $((n / 3)) --quiet \
  --data-words 64 $flags
# Directed, error, example and compiled lockstep tests (the counters are written by the tests' global
# TearDown, lockstep::flushCoverage).
echo "coverage: directed lockstep tests, examples, compiled graphs and compiled random programs on ulx3s"
LPU_COVERAGE_DIR="$raw" "$cb/bin/lpu_lockstep_tests" --gtest_brief=1 \
  --gtest_filter='Configs/*/ulx3s:Programs/*:Graphs/*:CompiledOnRtl.*Ulx3s' || { echo "coverage: directed tests failed" >&2; exit 1; }
files=("$raw"/ulx3s-*.dat)
verilator_coverage --write "$cov/ulx3s.dat" "${files[@]}"
rm -rf "$cov/annotated"
verilator_coverage --annotate "$cov/annotated" --annotate-min 1 "$cov/ulx3s.dat" | tail -3
python3 tb/lockstep/coverage_summary.py "$cov/ulx3s.dat" "$cov/summary.json" | tee "$cov/summary.txt"
echo "coverage: $cov/summary.txt, $cov/summary.json, annotated sources in $cov/annotated/ (%00000 = never hit)"
