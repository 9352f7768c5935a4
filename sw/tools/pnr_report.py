#!/usr/bin/env python3
"""Verdict and summary of a nextpnr-ecp5 run (sw/tools/bitstream.sh): resources and Fmax from its --report JSON.

    pnr_report.py report.json --target MHZ --out fpga.json [--lut-percent 80] [--compiler-json c.json
                  --config ulx3s] [--board ulx3s] [--seed 1] [--synth-seconds S] [--pnr-seconds S]
    pnr_report.py --set-seconds fpga.json S          (after packing: the whole flow's wall time)
    pnr_report.py pack.json --pack-only --out fit.json [--lut-percent 80]
                                                    (nextpnr --pack-only: resources only, no timing)

Prints LUT/FF/DSP/EBR use (nextpnr's utilisation: TRELLIS_COMB, TRELLIS_FF, MULT18X18D, DP16KD) against the
device and its limit, each clock's Fmax against its constraint and the worst path of the slowest clock. Exit
status 1 when the LUTs exceed --lut-percent of the TRELLIS_COMB sites, the DSPs or EBRs exceed the device
(156 / 208 on the LFE5U-85F), or any clock misses its constraint. The JSON (--out) is written either way.

tokens_per_s_estimate = fmax_mhz * 1e6 / cycles_per_token, where cycles_per_token is the "token" row of
lpu_compiler_bench's JSON (--compiler-json) for --config: the compiler's predicted cycles of one token's
matrix-vector products (its cycles_per_token_source says what is in and what is not).

--pack-only judges the report of `nextpnr-ecp5 --pack-only` (seconds, not the half hour of placement): its
TRELLIS_COMB count is the one placement will see (logic LUT4s, 2 per CCU2C carry, 6 per DPR16X4 LUT RAM, plus
the pass-through LUTs packing adds in front of flip-flops), so the same limits apply; Fmax is not judged.
"""
import argparse
import json
import sys

# What the flow may use, and the label of each nextpnr utilisation entry.
RESOURCES = [  # (json key, nextpnr bel type, label)
    ("luts", "TRELLIS_COMB", "LUT (TRELLIS_COMB)"),
    ("ffs", "TRELLIS_FF", "FF (TRELLIS_FF)"),
    ("dsps", "MULT18X18D", "DSP (MULT18X18D)"),
    ("brams", "DP16KD", "EBR (DP16KD)"),
]


def token_cycles(path, config):
    """(cycles_per_token, source) from lpu_compiler_bench's JSON, or (None, why not)."""
    try:
        rows = json.load(open(path))["benchmarks"]
    except (OSError, ValueError, KeyError) as e:
        return None, f"no compiler benchmark ({path}: {e})"
    for r in rows:
        if r.get("group") == "token" and r.get("config") == config:
            source = r["cycles_per_token_source"]
            return r["cycles_per_token"], f"lpu_compiler_bench --quick, config {config}: {source}"
    return None, f"no token row for config {config} in {path}"


def set_seconds(path, seconds):
    j = json.load(open(path))
    j["seconds"] = seconds
    json.dump(j, open(path, "w"), indent=1)
    open(path, "a").write("\n")
    return 0


def finish(out, failures, path, label):
    """Writes the summary JSON (the verdict included) and prints one line per failure."""
    out["ok"] = not failures
    out["failures"] = failures
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for msg in failures:
        print(f"  {label}: {msg}", file=sys.stderr)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--set-seconds":
        return set_seconds(sys.argv[2], int(sys.argv[3]))
    ap = argparse.ArgumentParser(description="Resources and Fmax of a nextpnr-ecp5 report against the limits.")
    ap.add_argument("report")
    ap.add_argument("--target", type=float, help="target clock in MHz (required unless --pack-only)")
    ap.add_argument("--out", required=True, help="summary JSON to write")
    ap.add_argument("--lut-percent", type=float, default=80.0, help="LUT limit, percent of TRELLIS_COMB sites")
    ap.add_argument("--compiler-json", help="lpu_compiler_bench JSON with a token row")
    ap.add_argument("--config", default="ulx3s", help="configuration of the token row")
    ap.add_argument("--board", default="ulx3s")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--synth-seconds", type=int, default=0)
    ap.add_argument("--pnr-seconds", type=int, default=0)
    ap.add_argument("--pack-only", action="store_true", help="report of nextpnr --pack-only: resources only")
    a = ap.parse_args()
    if a.target is None and not a.pack_only:
        ap.error("--target is required (the clock to judge Fmax against)")

    try:
        rep = json.load(open(a.report))
    except (OSError, ValueError) as e:
        sys.exit(f"pnr_report: cannot read {a.report}: {e}")
    util = rep.get("utilization", {})
    out = {"board": a.board, "device": "LFE5U-85F CABGA381 speed 6", "seed": a.seed, "target_mhz": a.target}
    failures = []

    print(f"  {'resource':<20}{'used':>9}{'limit':>9}{'device':>9}{'use':>7}")
    for key, bel, label in RESOURCES:
        u = util.get(bel, {"used": 0, "available": 0})
        used, total = u["used"], u["available"]
        limit = int(total * a.lut_percent / 100) if key == "luts" else total
        out[key], out[key + "_total"], out[key + "_limit"] = used, total, limit
        pct = 100 * used / total if total else 0
        print(f"  {label:<20}{used:>9,}{limit:>9,}{total:>9,}{pct:>6.1f}%")
        if key != "ffs" and used > limit:
            failures.append(f"{label} {used:,} > {limit:,}"
                            + (f" ({a.lut_percent:g}% of {total:,})" if key == "luts" else ""))

    if a.pack_only:
        out["stage"] = "pack"
        out["synth_seconds"] = a.synth_seconds
        finish(out, failures, a.out, "does not fit")
        return 1 if failures else 0

    clocks = {name: {"achieved_mhz": c["achieved"], "constraint_mhz": c["constraint"]}
              for name, c in rep.get("fmax", {}).items()}
    out["clocks"] = clocks
    if not clocks:
        failures.append("no clock in the timing report (is the clock constrained?)")
        out["fmax_mhz"] = None
    else:
        # The core clock: the fastest constraint (the PLL output; the 25 MHz input only feeds the PLL).
        core = max(clocks, key=lambda n: clocks[n]["constraint_mhz"])
        out["fmax_mhz"] = clocks[core]["achieved_mhz"]
        out["core_clock"] = core
        for name, c in sorted(clocks.items()):
            ok = c["achieved_mhz"] >= c["constraint_mhz"]
            print(f"  Fmax {name}: {c['achieved_mhz']:.2f} MHz against {c['constraint_mhz']:g} MHz "
                  f"({'PASS' if ok else 'FAIL'})")
            if not ok:
                failures.append(f"clock {name} at {c['achieved_mhz']:.2f} MHz < {c['constraint_mhz']:g} MHz")
        if abs(clocks[core]["constraint_mhz"] - a.target) > 0.01:
            print(f"  note: the core clock is constrained to {clocks[core]['constraint_mhz']:g} MHz "
                  "(from its PLL), "
                  f"not the target {a.target:g} MHz")
        if out["fmax_mhz"] < a.target and clocks[core]["achieved_mhz"] >= clocks[core]["constraint_mhz"]:
            failures.append(f"Fmax {out['fmax_mhz']:.2f} MHz < target {a.target:g} MHz")
        # Worst register-to-register path of the core clock.
        paths = [p for p in rep.get("critical_paths", [])
                 if p.get("from") == "posedge " + core and p.get("to") == "posedge " + core]
        if paths and paths[0]["path"]:
            p = paths[0]["path"]
            delay = sum(s["delay"] for s in p)
            logic = sum(s["delay"] for s in p if s["type"] != "routing")
            first, last = p[0]["from"]["cell"], p[-1]["to"]["cell"]
            out["critical_path"] = {"ns": delay, "logic_ns": logic, "routing_ns": delay - logic,
                                    "from": first, "to": last, "steps": len(p)}
            print(f"  critical path: {delay:.2f} ns ({logic:.2f} logic, {delay - logic:.2f} routing, "
                  f"{len(p)} steps): {first[:50]} -> {last[:50]}")

    cpt, source = (None, "lpu_compiler_bench not run") if not a.compiler_json else token_cycles(a.compiler_json,
                                                                                                 a.config)
    out["cycles_per_token"] = cpt
    out["cycles_per_token_source"] = source
    out["tokens_per_s_estimate"] = (out["fmax_mhz"] * 1e6 / cpt) if cpt and out["fmax_mhz"] else None
    if out["tokens_per_s_estimate"]:
        print(f"  tokens/s estimate: {out['tokens_per_s_estimate']:,.0f} (Fmax {out['fmax_mhz']:.2f} MHz / "
              f"{cpt} cycles per token, matrix-vector products only)")
    out["synth_seconds"], out["pnr_seconds"] = a.synth_seconds, a.pnr_seconds
    out["seconds"] = a.synth_seconds + a.pnr_seconds
    finish(out, failures, a.out, "FAIL")
    if failures:
        print(f"pnr_report: FAILED: {'; '.join(failures)}", file=sys.stderr)
        return 1
    print(f"  fits and meets timing: LUT {out['luts']:,} <= {out['luts_limit']:,}, Fmax {out['fmax_mhz']:.2f} MHz "
          f">= {a.target:g} MHz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
