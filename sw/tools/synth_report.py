#!/usr/bin/env python3
"""Resource summary of a Yosys synth_ecp5 run (sw/tools/synth.sh) against the ECP5-85F.

    synth_report.py stat.json TOP [--quick] [--fit [--lut-percent P]]

stat.json is the output of `stat -json` on a design synthesized with -noflatten: every module's own cells and
its submodule instances. Totals are summed through the hierarchy (each unique module, mapped once, counted
once per instance). Prints the totals, one "does not fit: X > Y" line per resource over the device, and a
per-module breakdown (top's children, and the children of the big ones).

By default a design that does not fit is reported, not failed (exit 0). --fit makes it a failure: exit status 1
when any resource exceeds the device, or the LUT4 sites exceed P % of the device's (--lut-percent, default 100;
the place-and-route target is 80). A --quick run has no LUT4 count, so --fit checks the other resources only.
"""
import argparse
import json
import re
import sys
from collections import Counter

# LFE5U-85F (ULX3S): LUT4 and FF sites, MULT18X18D, DP16KD.
CAPACITY = {"LUT4": 83640, "TRELLIS_FF": 83640, "MULT18X18D": 156, "DP16KD": 208}
CELLS = ["LUT4", "CCU2C", "PFUMX", "L6MUX21", "TRELLIS_DPR16X4", "TRELLIS_FF", "MULT18X18D", "DP16KD"]


def short(name):
    """$paramod$<hash>\\lpu_queue -> lpu_queue; $paramod\\lpu_vxm_lane\\TablesInBram=1'1 -> lpu_vxm_lane."""
    name = re.sub(r"^\$paramod(\$[0-9a-f]+)?\\", "", name)
    return name.lstrip("\\").split("\\")[0]


def main():
    ap = argparse.ArgumentParser(description="Resource summary of a Yosys synth_ecp5 run against the ECP5-85F.")
    ap.add_argument("stat_json")
    ap.add_argument("top")
    ap.add_argument("--quick", action="store_true", help="run stopped before LUT mapping (no LUT4 count)")
    ap.add_argument("--fit", action="store_true", help="exit 1 when a resource exceeds the device")
    ap.add_argument("--lut-percent", type=float, default=100.0,
                    help="with --fit: LUT4-site limit in percent of the device (default 100)")
    a = ap.parse_args()
    quick = a.quick
    text = open(a.stat_json).read()
    # `tee -o` may carry log timestamps (yosys -t); drop them.
    text = re.sub(r"^\[[0-9.]+\] ", "", text, flags=re.M)
    mods = json.loads(text)["modules"]
    top = next((m for m in mods if m == a.top or m == "\\" + a.top or short(m) == a.top), None)
    if top is None:
        sys.exit(f"synth_report: top module {a.top} not in {a.stat_json}")

    memo = {}

    def module_of(c):
        """The module a cell type names: a parameterised one as is, a plain one (\\name in mods) without \\."""
        return c if c in mods else ("\\" + c if "\\" + c in mods else None)

    def own(m):
        return Counter({c: n for c, n in mods[m]["num_cells_by_type"].items() if module_of(c) is None})

    def children(m):
        return {module_of(c): n for c, n in mods[m]["num_cells_by_type"].items() if module_of(c) is not None}

    def total(m):
        if m not in memo:
            t = own(m)
            for c, n in children(m).items():
                for k, v in total(c).items():
                    t[k] += n * v
            memo[m] = t
        return memo[m]

    t = total(top)
    sites = t["LUT4"] + 2 * t["CCU2C"]
    print(f"  {'cell':<16}{'used':>10}{'ECP5-85F':>10}")
    for c in CELLS:
        cap = CAPACITY.get(c)
        print(f"  {c:<16}{t[c]:>10,}{(f'{cap:,}' if cap else ''):>10}")
    if not quick:
        print(f"  {'LUT4 sites':<16}{sites:>10,}{CAPACITY['LUT4']:>10,}   (LUT4 + 2 per CCU2C; "
              f"the {t['TRELLIS_DPR16X4']} DPR16X4 LUT RAMs use further slices)")
    used = {"LUT4": sites, "TRELLIS_FF": t["TRELLIS_FF"], "MULT18X18D": t["MULT18X18D"], "DP16KD": t["DP16KD"]}
    label = {"LUT4": "LUT4 sites", "TRELLIS_FF": "TRELLIS_FF", "MULT18X18D": "MULT18X18D", "DP16KD": "DP16KD"}
    over = []
    for c, cap in CAPACITY.items():
        if quick and c == "LUT4":
            continue
        if used[c] > cap:
            over.append(f"{label[c]} {used[c]:,} > {cap:,} ({100 * used[c] / cap:.0f}%)")
            print(f"  does not fit: {over[-1]}")
    if not over:
        print("  fits the ECP5-85F (before place and route)")
    lut_limit = int(CAPACITY["LUT4"] * a.lut_percent / 100)
    if a.fit and not quick and a.lut_percent < 100 and lut_limit < sites <= CAPACITY["LUT4"]:
        over.append(f"LUT4 sites {sites:,} > {lut_limit:,} ({a.lut_percent:g}% of {CAPACITY['LUT4']:,})")
        print(f"  over the limit: {over[-1]}")

    # Per-module breakdown: top's children by module, and the children of those over 10% of the LUT4s.
    def row(indent, name, n, tot):
        print(f"  {indent + name:<24}{n:>4} x{tot['LUT4'] // n:>8,}{tot['LUT4']:>9,}{tot['CCU2C']:>8,}"
              f"{tot['TRELLIS_FF']:>8,}{tot['MULT18X18D']:>5}{tot['DP16KD']:>5}")

    def grouped(m):
        """Children of m by module name (parameter variants of one module summed): name -> (n, totals, [mods])."""
        g = {}
        for c, n in children(m).items():
            cnt, tot, ms = g.setdefault(short(c), [0, Counter(), []])
            g[short(c)][0] += n
            for k, v in total(c).items():
                tot[k] += n * v
            ms.append(c)
        return sorted(g.items(), key=lambda kv: -kv[1][1]["LUT4"])

    print(f"  {'module':<24}{'n':>4} x{'LUT4/1':>8}{'LUT4':>9}{'CCU2C':>8}{'FF':>8}{'DSP':>5}{'EBR':>5}")
    row("", short(top) + " (all)", 1, total(top))
    row("  ", "(own logic)", 1, own(top))
    for key, (n, tot, ms) in grouped(top):
        row("  ", key, n, tot)
        if len(ms) == 1 and tot["LUT4"] > 0.1 * max(t["LUT4"], 1) and children(ms[0]):
            row("    ", "(own logic)", n, Counter({k: n * v for k, v in own(ms[0]).items()}))
            for k2, (n2, tot2, _) in grouped(ms[0]):
                row("    ", k2, n * n2, Counter({k: n * v for k, v in tot2.items()}) if n > 1 else tot2)
    if quick:
        print("  (quick run: stopped before LUT mapping, so LUT4 is 0 and the LUT4 columns are empty)")
    if a.fit and over:
        print(f"synth_report: FAILED: {short(top)} does not fit: {'; '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
