#!/usr/bin/env python3
"""Summarise a Verilator coverage file (verilator_coverage --write output) per kind and per module.

    coverage_summary.py merged.dat [summary.json]

Kinds come from each point's page ("v_line/<module>", "v_branch/<module>", "v_toggle/<module>"): line coverage is
v_line + v_branch (Verilator's --coverage-line emits both), toggle is v_toggle. A point counts as covered when its
count is > 0. Prints a table (overall, then per module) and writes the same numbers as JSON.
"""
import collections
import json
import re
import sys


def parse(path):
    points = []
    rx = re.compile(r"^C '(.*)' (\d+)$")
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = rx.match(line.rstrip("\n"))
            if not m:
                continue
            fields = {}
            for part in m.group(1).split("\x01"):
                if "\x02" in part:
                    k, v = part.split("\x02", 1)
                    fields[k] = v
            points.append((fields, int(m.group(2))))
    return points


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    points = parse(sys.argv[1])
    tot = collections.defaultdict(lambda: [0, 0])   # kind -> [covered, total]
    mods = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for fields, count in points:
        page = fields.get("page", "")
        kind, _, module = page.partition("/")
        kind = {"v_line": "line", "v_branch": "line", "v_toggle": "toggle"}.get(kind, kind or "other")
        module = module or fields.get("f", "?")
        for acc in (tot[kind], mods[module][kind]):
            acc[1] += 1
            acc[0] += 1 if count > 0 else 0

    def pct(c):
        return 100.0 * c[0] / c[1] if c[1] else 0.0

    out = {"file": sys.argv[1], "total": {}, "modules": {}}
    print(f"{'':24} {'line':>22} {'toggle':>22}")
    row = lambda name, d: f"{name:24} " + " ".join(
        f"{pct(d[k]):6.1f}% ({d[k][0]:>6}/{d[k][1]:<6})" if d[k][1] else f"{'-':>22}" for k in ("line", "toggle"))
    print(row("TOTAL", tot))
    out["total"] = {k: {"covered": v[0], "points": v[1], "percent": round(pct(v), 2)} for k, v in tot.items()}
    for m in sorted(mods):
        print(row(m, mods[m]))
        out["modules"][m] = {k: {"covered": v[0], "points": v[1], "percent": round(pct(v), 2)}
                             for k, v in mods[m].items()}
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
