#!/usr/bin/env bash
# Bounded libFuzzer run of one target; a crash, sanitizer report, hang or consistency failure fails the run.
#   assembler  sw/asm/fuzz_assembler.cpp: arbitrary bytes as assembly source for both named configurations
#              (round trips through the disassembler)
#   reply      sw/driver/fuzz_reply.cpp: arbitrary bytes as a board's reply, read by the serial backend's reply check
#              (seeds: sw/driver/fuzz_reply_seeds/, good and error replies of each command)
#
#   sw/tools/fuzz.sh                  the assembler for FUZZ_SECONDS (default 60)
#   sw/tools/fuzz.sh reply            the reply check
#   FUZZ_SECONDS=600 sw/tools/fuzz.sh
#
# Builds in build-fuzz/ (clang, -DLPU_FUZZ=ON: ASan + libFuzzer), keeps the growing corpus in build-fuzz/corpus/
# (seeded from examples/ and sw/asm/tests/bad/) and writes crashing inputs to build-fuzz/artifacts/. Reproduce one
# with: build-fuzz/bin/fuzz_assembler build-fuzz/artifacts/crash-<hash>
# Exits non-zero when the fuzzer finds a problem or the fuzz build fails; exits 0 with a message when clang or its
# libFuzzer runtime is not installed (`make deps` installs them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
TARGET="${1:-assembler}"
case "$TARGET" in
  assembler) SEED_DIRS=(examples sw/asm/tests/bad); DICT=(-dict=sw/asm/fuzz_assembler.dict); MAX_LEN=16384 ;;
  reply) SEED_DIRS=(sw/driver/fuzz_reply_seeds); DICT=(); MAX_LEN=512 ;;
  *) echo "fuzz: unknown target '$TARGET'; expected assembler or reply" >&2; exit 2 ;;
esac
CC_BIN="${FUZZ_CC:-clang}"
CXX_BIN="${FUZZ_CXX:-clang++}"

say() { printf 'fuzz: %s\n' "$*"; }

if ! command -v "$CXX_BIN" >/dev/null 2>&1 || ! command -v "$CC_BIN" >/dev/null 2>&1; then
  say "skipped: $CXX_BIN not found (libFuzzer needs clang; 'make deps' installs it)"
  exit 0
fi

# Probe the libFuzzer runtime: clang without libclang_rt.fuzzer cannot link -fsanitize=fuzzer.
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe_dir/probe.cpp"
if ! "$CXX_BIN" -fsanitize=fuzzer,address "$probe_dir/probe.cpp" -o "$probe_dir/probe" >"$probe_dir/log" 2>&1; then
  say "skipped: $CXX_BIN cannot link -fsanitize=fuzzer (libclang-rt missing?):"
  sed 's/^/fuzz:   /' "$probe_dir/log" | head -5
  exit 0
fi

GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi

# A build dir configured with another compiler cannot be reused: start over then.
if [[ -f "$BUILD_DIR/CMakeCache.txt" ]] && ! grep -q "CMAKE_CXX_COMPILER:.*clang" "$BUILD_DIR/CMakeCache.txt"; then
  say "$BUILD_DIR was configured without clang; reconfiguring from scratch"
  rm -rf "$BUILD_DIR"
fi

say "configuring $BUILD_DIR (clang, LPU_FUZZ=ON)"
mkdir -p "$BUILD_DIR"
CC="$CC_BIN" CXX="$CXX_BIN" cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLPU_FUZZ=ON -DLPU_WERROR=OFF >"$BUILD_DIR/configure.log" 2>&1 || {
  cat "$BUILD_DIR/configure.log"
  say "FAILED: cmake configure"
  exit 1
}
say "building fuzz_$TARGET"
cmake --build "$BUILD_DIR" --target "fuzz_$TARGET"

FUZZER="$BUILD_DIR/bin/fuzz_$TARGET"
CORPUS="$BUILD_DIR/corpus/$TARGET"
ARTIFACTS="$BUILD_DIR/artifacts"
LOG="$BUILD_DIR/fuzz-$TARGET.log"
mkdir -p "$CORPUS" "$ARTIFACTS"

SEEDS=()
for d in "${SEED_DIRS[@]}"; do
  [[ -d "$d" ]] && SEEDS+=("$d")
done

say "running for ${FUZZ_SECONDS}s (corpus $CORPUS, seeds: ${SEEDS[*]:-none}; log $LOG)"
status=0
"$FUZZER" "$CORPUS" "${SEEDS[@]}" \
  "${DICT[@]}" -max_total_time="$FUZZ_SECONDS" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 >"$LOG" 2>&1 || status=$?

# libFuzzer's summary: "Done 123456 runs in 60 second(s)" and the final stats.
grep -E '^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb' "$LOG" | sed 's/^/fuzz: /' || true
if [[ $status -ne 0 ]]; then
  tail -n 60 "$LOG"
  say "FAILED (exit $status): reproduce with $FUZZER $ARTIFACTS/<crash-file>"
  exit "$status"
fi
say "passed: no crash, hang or round-trip mismatch in ${FUZZ_SECONDS}s ($(find "$CORPUS" -type f | wc -l) corpus inputs)"
