#!/usr/bin/env python3
"""Longest register-to-register paths of a LUT-mapped, flattened ECP5 netlist, without place and route.

    netlist_paths.py FLAT_JSON [--top N] [--out paths.json]

FLAT_JSON is Yosys' write_json of the board top after `setattr -mod -unset keep_hierarchy *; flatten` (see
docs/fpga.md section 7 for the commands). The script walks the netlist at pin level with a fixed delay per cell
type and per net (an estimate of ECP5 speed grade 6, no placement: a net costs ROUTE_NS plus ROUTE_FANOUT_NS per
doubling of its fan-out, except the dedicated LUT -> PFUMX -> L6MUX21 and carry-chain wires) and prints, for the
N worst distinct endpoints (one per endpoint register vector), the arrival estimate, the LUT levels, the start
register and the path net by net with the RTL source of each net. Its value is the ranking and the logic depth,
not the absolute nanoseconds: compare a row with nextpnr's placement estimate before trusting a number.
"""
import argparse
import collections
import json
import math
import re
import sys

# Yosys autoname (cell-derived) names: a real RTL name of the same bit wins over them.
AUTONAME = re.compile(r"_(LUT4|TRELLIS_FF|TRELLIS_DPR16X4|CCU2C|PFUMX|L6MUX21|DP16KD|MULT18X18D)_")
ROUTE_NS = 0.55          # one general-routing hop
ROUTE_FANOUT_NS = 0.15   # per doubling of a net's fan-out
LUT_NS = 0.45
MUX_NS = 0.20            # PFUMX, L6MUX21
CARRY_IN_NS = 0.50       # CCU2C A/B/C/D -> S or COUT
CARRY_THRU_NS = 0.12     # CCU2C CIN -> COUT (two bits)
CARRY_SUM_NS = 0.40      # CCU2C CIN -> S
FF_CQ_NS = 0.50
EBR_CQ_NS = 5.80         # DP16KD without its output register (REGMODE NOREG)
EBR_CQ_REG_NS = 2.00
MULT_NS = 3.90           # MULT18X18D without input or output registers
DPR_NS = 0.45            # TRELLIS_DPR16X4 read address -> data


def comb_arcs(ctype, conns):
    """(input port, output port, delay) for the combinational arcs of one cell."""
    arcs = []
    if ctype == "LUT4":
        arcs = [(p, "Z", LUT_NS) for p in "ABCD"]
    elif ctype == "PFUMX":
        arcs = [(p, "Z", MUX_NS) for p in ("ALUT", "BLUT", "C0")]
    elif ctype == "L6MUX21":
        arcs = [(p, "Z", MUX_NS) for p in ("D0", "D1", "SD")]
    elif ctype == "CCU2C":
        for b in "01":
            for p in "ABCD":
                arcs.append((p + b, "S" + b, CARRY_IN_NS))
                arcs.append((p + b, "COUT", CARRY_IN_NS))
        arcs += [("CIN", "S0", CARRY_SUM_NS), ("CIN", "S1", CARRY_SUM_NS), ("CIN", "COUT", CARRY_THRU_NS)]
    elif ctype == "TRELLIS_DPR16X4":
        arcs = [("RAD", "DO", DPR_NS)]
    elif ctype == "MULT18X18D":
        ins = [p for p in conns if re.fullmatch(r"[AB]\d+", p)]
        outs = [p for p in conns if re.fullmatch(r"P\d+", p)]
        arcs = [(i, o, MULT_NS) for i in ins for o in outs]
    return arcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--out")
    ap.add_argument("--detail", type=int, default=0, help="print the nets of the first N paths")
    args = ap.parse_args()
    d = json.load(open(args.json))
    mods = [m for m, v in d["modules"].items() if not v.get("attributes", {}).get("blackbox")
            and v.get("attributes", {}).get("top")]
    m = d["modules"][mods[0]] if mods else d["modules"]["lpu_fpga_top"]

    # Best name and source per bit.
    name = {}
    src = {}
    for n, v in m["netnames"].items():
        hidden = n.startswith("$") or v.get("hide_name")
        for i, b in enumerate(v["bits"]):
            if isinstance(b, str):
                continue
            label = n if len(v["bits"]) == 1 else f"{n}[{i}]"
            auto = bool(AUTONAME.search(n))
            score = (hidden, auto, "$" in n, len(n))
            if b not in name or score < name[b][0]:
                name[b] = (score, label, n)
                src[b] = v.get("attributes", {}).get("src", "")

    def pins(c, port):
        return [b for b in c["connections"].get(port, []) if not isinstance(b, str)]

    drivers = {}          # bit -> (cell, port)
    sinks = collections.defaultdict(list)
    for cn, c in m["cells"].items():
        for p, dirn in c.get("port_directions", {}).items():
            for b in pins(c, p):
                if dirn == "output":
                    drivers[b] = (cn, p)
                else:
                    sinks[b].append((cn, p))

    def net_delay(b, to_cell, to_port):
        drv = drivers.get(b)
        if drv:
            dt = m["cells"][drv[0]]["type"]
            tt = m["cells"][to_cell]["type"]
            if drv[1] == "COUT" and to_port == "CIN":
                return 0.0
            if dt in ("LUT4", "PFUMX") and tt in ("PFUMX", "L6MUX21") and to_port != "C0" and to_port != "SD":
                return 0.0
        fo = len(sinks.get(b, []))
        return ROUTE_NS + ROUTE_FANOUT_NS * math.log2(max(fo, 1))

    # Start points: flop, block RAM outputs and top-level inputs.
    arr = {}
    pred = {}
    levels = {}
    for cn, c in m["cells"].items():
        t = c["type"]
        if t == "TRELLIS_FF":
            for b in pins(c, "Q"):
                arr[b], pred[b], levels[b] = FF_CQ_NS, None, 0
        elif t == "DP16KD":
            reg = c["parameters"].get("REGMODE_A", "NOREG").strip() != "NOREG"
            for p, dirn in c["port_directions"].items():
                if dirn == "output":
                    for b in pins(c, p):
                        arr[b], pred[b], levels[b] = EBR_CQ_REG_NS if reg else EBR_CQ_NS, None, 0
        elif t == "EHXPLLL":
            for p, dirn in c["port_directions"].items():
                if dirn == "output":
                    for b in pins(c, p):
                        arr[b], pred[b], levels[b] = 0.0, None, 0
    for pn, p in m["ports"].items():
        if p["direction"] == "input":
            for b in p["bits"]:
                if not isinstance(b, str):
                    arr[b], pred[b], levels[b] = 0.0, None, 0

    # Combinational graph at bit level: in-bit -> [(out-bit, cell, delay)].
    fanin = collections.defaultdict(list)   # out bit -> [(in bit, cell, in port, delay)]
    for cn, c in m["cells"].items():
        for ip, op, dl in comb_arcs(c["type"], c["connections"]):
            ib, ob = pins(c, ip), pins(c, op)
            for i in ib:
                for o in ob:
                    fanin[o].append((i, cn, ip, dl))
    comb_out = set(fanin)
    # Topological order (Kahn) over the combinational output bits.
    indeg = {o: 0 for o in comb_out}
    users = collections.defaultdict(list)
    for o, lst in fanin.items():
        for i, _, _, _ in lst:
            if i in comb_out:
                indeg[o] += 1
                users[i].append(o)
    q = collections.deque(o for o, k in indeg.items() if k == 0)
    order = []
    while q:
        o = q.popleft()
        order.append(o)
        for u in users[o]:
            indeg[u] -= 1
            if indeg[u] == 0:
                q.append(u)
    if len(order) != len(comb_out):
        print(f"warning: {len(comb_out) - len(order)} bits on combinational cycles ignored", file=sys.stderr)
    for o in order:
        best = None
        for i, cn, ip, dl in fanin[o]:
            if i not in arr:
                continue
            t = arr[i] + net_delay(i, cn, ip) + dl
            if best is None or t > best[0]:
                lv = levels[i] + (1 if m["cells"][cn]["type"] == "LUT4" else 0)
                best = (t, i, cn, lv)
        if best:
            arr[o], pred[o], levels[o] = best[0], (best[1], best[2]), best[3]

    # Endpoints: every input pin of a flop, block RAM, LUT RAM write side, multiplier (registered-input view
    # not modelled: an unregistered multiplier is combinational above).
    ends = []
    for cn, c in m["cells"].items():
        t = c["type"]
        if t in ("TRELLIS_FF", "DP16KD", "TRELLIS_DPR16X4"):
            for p, dirn in c["port_directions"].items():
                if dirn != "input" or p in ("CLK", "CLKA", "CLKB", "WCK"):
                    continue
                if t == "TRELLIS_DPR16X4" and p == "RAD":
                    continue
                for b in pins(c, p):
                    if b in arr:
                        ends.append((arr[b] + net_delay(b, cn, p), b, cn, p))
    # Output ports of the top (a block synthesized alone: its outputs' arrival).
    for pn, pp in m["ports"].items():
        if pp["direction"] == "output":
            for b in pp["bits"]:
                if not isinstance(b, str) and b in arr:
                    ends.append((arr[b], b, "port " + pn, "O"))
    ends.sort(reverse=True)

    def path_of(b):
        out = []
        while b is not None:
            out.append(b)
            pb = pred.get(b)
            b = pb[0] if pb else None
        return out[::-1]

    def startname(b):
        drv = drivers.get(b)
        if drv and m["cells"][drv[0]]["type"] == "TRELLIS_FF":
            return endname(drv[0], "Q", b)
        return vec(b)

    def vec(b):
        lab = name.get(b, (None, str(b), str(b)))[2]
        return re.sub(r"\[\d+\]$", "", lab)

    def endname(cn, p, b):
        if cn.startswith("port "):
            return cn
        c = m["cells"][cn]
        if c["type"] == "TRELLIS_FF":
            # The flop's RTL line (its cell's src) names it better than an autoname of its output.
            where = c.get("attributes", {}).get("src", "").split("|")[0]
            return f"{cn.rsplit('.', 1)[0] if '.' in cn else ''} {where}".strip()
        return f"{c['type']} {cn.rsplit('.', 1)[0]} {re.sub(r'[0-9]+$', '', p)}"

    seen = set()
    rows = []
    for t, b, cn, p in ends:
        pth = path_of(b)
        # Distinct: one row per (end vector, pin kind, start vector), repeated instances folded.
        key = tuple(re.sub(r"\[\d+\]", "[*]", k) for k in
                    (endname(cn, p, b), re.sub(r"[0-9]+$", "", p), startname(pth[0])))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"ns": round(t, 2), "luts": levels[b], "end": key[0], "end_pin": p,
                     "start": startname(pth[0]),
                     "path": [{"net": name.get(x, (0, str(x)))[1], "at": round(arr[x], 2),
                               "src": src.get(x, "")} for x in pth]})
        if len(rows) >= args.top:
            break
    for i, r in enumerate(rows):
        print(f"#{i + 1} {r['ns']:.2f} ns  {r['luts']} LUT levels  {len(r['path'])} nets  pin {r['end_pin']}")
        print(f"   from {r['start']}")
        print(f"   to   {r['end']}")
        if args.detail and i < args.detail:
            for x in r["path"]:
                print(f"      {x['at']:6.2f}  {x['net']}  {x['src'].split('|')[0]}")
    if args.out:
        json.dump({"model_ns": {"route": ROUTE_NS, "route_per_fanout_doubling": ROUTE_FANOUT_NS, "lut": LUT_NS},
                   "paths": rows}, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
