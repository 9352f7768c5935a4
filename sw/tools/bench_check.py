#!/usr/bin/env python3
"""Checks a benchmark's JSON (sw/tools/bench.sh): valid JSON, the expected keys with sane values.

    bench_check.py model|gemm|rtl|serial|decode|fpga FILE.json

model  lpu_model_bench: a row per configuration of sw/isa/arch.toml (with and without an observer), cycles,
       seconds and cycles_per_s > 0.
gemm   lpu_compiler_bench: every row compiled (but those marked must_compile false), ran, was correct and its
       cycles_predicted equals cycles_measured;
       every configuration of arch.toml has a gemm and a matvec row; every configuration with a layer row has a
       token row (cycles_per_token > 0 and its source).
rtl    lpu_rtl_bench: each verilated configuration (a configuration of arch.toml) has busy and copy loads with
       positive speeds and no lockstep mismatch.
serial lpu_serial_bench: transfers with positive payload_bytes_per_s, the stories260K load time, a
       measurement over lpu-board-sim whose line bytes per word match the frame sizes, and the decode's line
       bytes (decode: stories260K at 3 Mbaud, decode_tiny_board_sim): the load and per token, by kind.
decode lpu_decode_bench: positions with cycles_predicted, programs, compile_ms, max_queue_words (<= queue_depth)
       and tokens_per_s; measured steps equal to the prediction; sram_bytes; the full run every cache row.
fpga   sw/tools/bitstream.sh: fmax_mhz, target_mhz, luts, luts_total, ffs, dsps, brams, seconds,
       tokens_per_s_estimate, cycles_per_token(_source).
Exit status 1 with one line per problem.
"""
import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def configs():
    return list(tomllib.load(open(ROOT / "sw/isa/arch.toml", "rb"))["config"])


def need(row, keys, where, problems, positive=()):
    for k in keys:
        if k not in row:
            problems.append(f"{where}: no '{k}'")
    for k in positive:
        if k in row and not (isinstance(row[k], (int, float)) and row[k] > 0):
            problems.append(f"{where}: {k} = {row[k]!r}, expected > 0")


def check_model(j, problems):
    rows = j.get("benchmarks") or []
    if not rows:
        problems.append("no benchmarks")
    for i, r in enumerate(rows):
        need(r, ["config", "observer", "cycles", "seconds", "cycles_per_s"], f"row {i}", problems,
             positive=["cycles", "seconds", "cycles_per_s"])
    for c in configs():
        if not any(r.get("config") == c for r in rows):
            problems.append(f"no row for configuration {c}")


def check_gemm(j, problems):
    rows = j.get("benchmarks") or []
    if not rows:
        problems.append("no benchmarks")
    for r in rows:
        where = f"{r.get('config')} {r.get('name')}"
        need(r, ["group", "config", "name"], where, problems)
        if "error" in r:
            if r.get("must_compile", True):
                problems.append(f"{where}: {r['error']}")
        elif r.get("group") == "token":
            need(r, ["cycles_per_token", "cycles_per_token_source"], where, problems,
                 positive=["cycles_per_token"])
        else:
            need(r, ["cycles_predicted", "cycles_measured", "macs", "utilization", "correct"], where, problems,
                 positive=["cycles_measured", "macs", "utilization"])
            if r.get("correct") is not True:
                problems.append(f"{where}: wrong result")
            if r.get("cycles_predicted") != r.get("cycles_measured"):
                problems.append(f"{where}: predicted {r.get('cycles_predicted')} "
                                f"!= measured {r.get('cycles_measured')}")
    for c in configs():
        for g in ("gemm", "matvec"):
            if not any(r.get("config") == c and r.get("group") == g and "error" not in r for r in rows):
                problems.append(f"no {g} row for configuration {c}")
        if any(r.get("config") == c and r.get("group") == "layer" for r in rows) and \
                not any(r.get("config") == c and r.get("group") == "token" for r in rows):
            problems.append(f"no token row for configuration {c}")


def check_rtl(j, problems):
    cfgs = j.get("configs") or {}
    if not cfgs:
        problems.append("no configurations")
    for c, loads in cfgs.items():
        if c not in configs():
            problems.append(f"unknown configuration {c}")
        for load in ("busy", "copy"):
            r = loads.get(load)
            if r is None:
                problems.append(f"{c}: no {load} load")
                continue
            need(r, ["programs_run", "cycles_per_program", "rtl_cycles_per_s", "model_cycles_per_s",
                     "lockstep_cycles_per_s", "lockstep_mismatches"], f"{c} {load}", problems,
                 positive=["programs_run", "cycles_per_program", "rtl_cycles_per_s", "model_cycles_per_s",
                           "lockstep_cycles_per_s"])
            if r.get("lockstep_mismatches", 0) != 0:
                problems.append(f"{c} {load}: {r['lockstep_mismatches']} lockstep mismatches")


def check_serial(j, problems):
    rows = j.get("transfers") or []
    if not rows:
        problems.append("no transfers")
    for i, r in enumerate(rows):
        need(r, ["name", "payload_bytes", "line_bytes", "frames", "payload_bytes_per_s", "efficiency"],
             f"transfer {i}", problems, positive=["payload_bytes", "line_bytes", "payload_bytes_per_s"])
    need(j.get("stories260K_load") or {}, ["weight_bytes", "sram_words", "seconds_at_line_rate"], "stories260K_load",
         problems, positive=["weight_bytes", "sram_words", "seconds_at_line_rate"])
    m = j.get("measured") or {}
    need(m, ["sram_words", "line_bytes_per_word", "wall_seconds"], "measured", problems,
         positive=["sram_words", "line_bytes_per_word", "wall_seconds"])
    if m and not m.get("matches_computed"):
        problems.append("measured: line bytes per word differ from the frame sizes")
    for key in ("decode", "decode_tiny_board_sim"):
        d = j.get(key)
        if not isinstance(d, dict):
            problems.append(f"no '{key}'")
            continue
        need(d, ["shape", "tokens", "programs_per_token", "cycles_per_token", "load", "per_token"], key, problems,
             positive=["tokens", "programs_per_token", "cycles_per_token"])
        need(d.get("load") or {}, ["line_bytes", "sram_write_bytes", "seconds_at_line_rate"], f"{key}.load",
             problems, positive=["line_bytes", "sram_write_bytes"])
        t = d.get("per_token") or {}
        kinds = ["imem_bytes", "sram_write_bytes", "sram_read_bytes", "run_and_poll_bytes"]
        need(t, kinds + ["polls", "frames", "line_bytes", "seconds_at_line_rate"], f"{key}.per_token", problems,
             positive=kinds + ["polls", "line_bytes"])
        if all(isinstance(t.get(k), (int, float)) for k in kinds + ["line_bytes"]) and \
                abs(sum(t[k] for k in kinds) - t["line_bytes"]) > 1e-6 * t["line_bytes"]:
            problems.append(f"{key}.per_token: the kinds do not add up to line_bytes")


def check_decode(j, problems):
    need(j, ["config", "cache_rows", "queue_depth", "clock_mhz", "positions", "measured", "sram_bytes"], "decode",
         problems, positive=["cache_rows", "queue_depth", "clock_mhz"])
    rows = j.get("positions") or []
    if not rows:
        problems.append("no positions")
    for r in rows:
        where = f"position {r.get('position')}"
        need(r, ["position", "cycles_predicted", "programs", "compile_ms", "max_queue_words", "tokens_per_s"], where,
             problems, positive=["cycles_predicted", "programs", "tokens_per_s"])
        if r.get("max_queue_words", 0) > j.get("queue_depth", 0):
            problems.append(f"{where}: a queue of {r.get('max_queue_words')} words")
    if len(rows) > 2 and len(rows) != j.get("cache_rows"):
        problems.append(f"{len(rows)} positions, expected every one of {j.get('cache_rows')} cache rows")
    if not j.get("measured"):
        problems.append("no measured steps")
    for m in j.get("measured") or []:
        if m.get("cycles_measured") != m.get("cycles_predicted") or not m.get("cycles_measured"):
            problems.append(f"position {m.get('position')}: measured {m.get('cycles_measured')}, "
                            f"predicted {m.get('cycles_predicted')}")
    need(j.get("sram_bytes") or {}, ["weights", "caches", "activations", "free", "total"], "sram_bytes", problems)


def check_fpga(j, problems):
    need(j, ["fmax_mhz", "target_mhz", "luts", "luts_total", "ffs", "dsps", "brams", "seconds",
             "tokens_per_s_estimate", "cycles_per_token", "cycles_per_token_source"], "fpga", problems,
         positive=["target_mhz", "luts_total"])


def main():
    kinds = {"model": check_model, "gemm": check_gemm, "rtl": check_rtl, "serial": check_serial, "decode": check_decode,
             "fpga": check_fpga}
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(f"usage: bench_check.py {'|'.join(kinds)} FILE.json")
    kind, path = sys.argv[1:]
    try:
        j = json.load(open(path))
    except (OSError, ValueError) as e:
        print(f"bench_check: {path}: {e}", file=sys.stderr)
        return 1
    problems = []
    kinds[kind](j, problems)
    for p in problems:
        print(f"bench_check: {path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
