#!/usr/bin/env python3
"""Adds a readable view of the machine to an FST of lpu_top (as written by lpu-lockstep --wave / RtlHarness).

    fst_view.py in.fst out.fst

The RTL keeps the stream registers and the per-position dispatch signals as flat vectors (sr_e_q of
gen_sr[p].u_streams is streams x lanes bytes; issue, s_status packed arrays of lpu_isa_pkg::slice_issue_t and
slice_status_t, one element per position), which GTKWave cannot split. This
script copies the trace (fst2vcd), adds a scope
`lpu_view` with one signal per architectural register, named by slice, and writes the result back (vcd2fst):

    lpu_view.cycle                       program cycle (lpu_top.cycle_q), running, done, error
    lpu_view.q_<SLICE>.pc / .valid / .insn / .halted / .parked     per queue (and the MXM load queues, when present)
    lpu_view.E_<SLICE>.E<s>              R[E][s][position of SLICE], lanes bytes (lane 0 = the rightmost byte)
    lpu_view.W_<SLICE>.W<s>              R[W][s][...]
    lpu_view.s_<SLICE>.busy / .err / .code   slice state (busy = results or state updates still in flight)

Slice names are those of isa::ArchConfig::sliceName (MXM_W SXM_W MEM_W<k> VXM MEM_E<k> SXM_E MXM_E), so one GTKWave
save file (tb/waves/lpu.gtkw) fits both configurations. All original signals are kept.
"""
import os
import re
import subprocess
import sys
import tempfile


def slice_names(positions, vxm):
    names = []
    for p in range(positions):
        if p == 0:
            names.append("MXM_W")
        elif p == positions - 1:
            names.append("MXM_E")
        elif p == 1:
            names.append("SXM_W")
        elif p == positions - 2:
            names.append("SXM_E")
        elif p == vxm:
            names.append("VXM")
        elif p < vxm:
            names.append(f"MEM_W{vxm - 1 - p}")
        else:
            names.append(f"MEM_E{p - vxm - 1}")
    return names


class Ids:
    def __init__(self, used):
        self.used = used
        self.n = 0

    def next(self):
        while True:
            self.n += 1
            k, s = self.n, ""
            while k:
                k, r = divmod(k - 1, 94)
                s = chr(33 + r) + s
            s = "~~" + s  # well clear of what fst2vcd hands out first
            if s not in self.used:
                self.used.add(s)
                return s


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    vcd = subprocess.run(["fst2vcd", src], check=True, capture_output=True, text=True).stdout
    lines = vcd.split("\n")

    # ---- Header: paths -> (id, width).
    scope, path_of, width_of, used = [], {}, {}, set()
    end_defs = None
    var_re = re.compile(r"^\$var\s+(\S+)\s+(\d+)\s+(\S+)\s+(\S+)")
    for i, line in enumerate(lines):
        if line.startswith("$scope"):
            scope.append(line.split()[2])
        elif line.startswith("$upscope"):
            scope.pop()
        elif line.startswith("$var"):
            m = var_re.match(line)
            if m:
                _, w, ident, name = m.groups()
                path_of[".".join(scope + [name])] = ident
                width_of[ident] = int(w)
                used.add(ident)
        elif line.startswith("$enddefinitions"):
            end_defs = i
            break
    if end_defs is None:
        sys.exit("fst_view: no $enddefinitions in the trace")

    def find(suffix):
        for p, ident in path_of.items():
            if p.endswith(suffix):
                return ident
        return None

    top = "lpu_top.lpu_top."
    need = {k: find(top + k) for k in ("gen_sr[0].u_streams.sr_e_q", "issue", "q_halted", "q_parked",
                                       "s_status", "cycle_q", "running_q", "done_q", "error_q", "ld_issue",
                                       "ld_halted", "ld_parked")}
    params = {k: find(top + k) for k in ("Lanes", "StreamsPerDir", "Positions", "VxmPosition")}
    if any(v is None for v in params.values()) or need["gen_sr[0].u_streams.sr_e_q"] is None:
        sys.exit("fst_view: not an lpu_top trace (parameters or gen_sr[0].u_streams.sr_e_q missing)")

    # ---- Values: first pass over the body to learn the parameters (dumped at the first time step).
    value = {}

    def parse_change(line):
        if not line:
            return None
        c = line[0]
        if c in "bB":
            bits, ident = line[1:].split()
            return ident, bits
        if c in "rRsS":
            return None
        if c in "01xXzZ":
            return line[1:], c
        return None

    body = lines[end_defs + 1:]
    for line in body:
        ch = parse_change(line)
        if ch and ch[0] in params.values():
            value[ch[0]] = ch[1]
        if all(p in value for p in params.values()):
            break
    P = {k: int(value[v], 2) for k, v in params.items()}
    lanes, S, positions, vxm = P["Lanes"], P["StreamsPerDir"], P["Positions"], P["VxmPosition"]
    names = slice_names(positions, vxm)
    vb = 8 * lanes
    # Element layouts (lpu_isa_pkg, packed: the first field is the most significant):
    #   slice_issue_t  {valid, insn}                      insn = the element but its top bit
    #   slice_status_t {busy, err, code (4 bits), info}   info = the element but its top 6 bits
    issue_w = width_of[need["issue"]] // positions if need["issue"] else 0
    status_w = width_of[need["s_status"]] // positions if need["s_status"] else 0

    # pc of every queue: gen_pos[p].u_queue.pc_q
    pcs = {}
    for p in range(positions):
        ident = find(f"{top}gen_pos[{p}].u_queue.pc_q")
        if ident:
            pcs[p] = ident

    # ---- New variables.
    ids = Ids(used)
    decl = ["$scope module lpu_view $end"]
    derived = []  # (new id, source id, lsb, width)

    def add(name, src, lsb, width, kind="wire"):
        if src is None:
            return
        ident = ids.next()
        rng = f" [{width - 1}:0]" if width > 1 else ""
        decl.append(f"$var {kind} {width} {ident} {name}{rng} $end")
        derived.append((ident, src, lsb, width))

    add("cycle", need["cycle_q"], 0, 64)
    add("running", need["running_q"], 0, 1)
    add("done", need["done_q"], 0, 1)
    add("error", need["error_q"], 0, 1)
    for p, n in enumerate(names):
        decl.append(f"$scope module q_{n} $end")
        if p in pcs:
            add("pc", pcs[p], 0, width_of[pcs[p]])
        add("valid", need["issue"], issue_w * p + issue_w - 1, 1)
        add("insn", need["issue"], issue_w * p, issue_w - 1)
        add("halted", need["q_halted"], p, 1)
        add("parked", need["q_parked"], p, 1)
        decl.append("$upscope $end")
    for k, n in enumerate(("MXM_W_LOAD", "MXM_E_LOAD")):
        if need["ld_issue"] is None:
            break
        decl.append(f"$scope module q_{n} $end")
        add("valid", need["ld_issue"], issue_w * k + issue_w - 1, 1)
        add("insn", need["ld_issue"], issue_w * k, issue_w - 1)
        add("halted", need["ld_halted"], k, 1)
        add("parked", need["ld_parked"], k, 1)
        decl.append("$upscope $end")
    # Stream registers: R[d][*][p] is sr_<d>_q of gen_sr[p].u_streams (one lpu_streams per position).
    for d, reg in (("E", "sr_e_q"), ("W", "sr_w_q")):
        for p, n in enumerate(names):
            decl.append(f"$scope module {d}_{n} $end")
            src = find(f"{top}gen_sr[{p}].u_streams.{reg}")
            for s in range(S):
                add(f"{d}{s}", src, s * vb, vb)
            decl.append("$upscope $end")
    for p, n in enumerate(names):
        decl.append(f"$scope module s_{n} $end")
        add("busy", need["s_status"], status_w * p + status_w - 1, 1)
        add("err", need["s_status"], status_w * p + status_w - 2, 1)
        add("code", need["s_status"], status_w * p + status_w - 6, 4)
        decl.append("$upscope $end")
    decl.append("$upscope $end")

    by_src = {}
    for d in derived:
        by_src.setdefault(d[1], []).append(d)

    def full(src, bits):
        w = width_of[src]
        if len(bits) < w:
            pad = bits[0] if bits[0] in "xXzZ" else "0"
            bits = pad * (w - len(bits)) + bits
        return bits

    def field(bits, lsb, width):
        # bits is MSB first
        hi = len(bits) - lsb
        return bits[hi - width:hi]

    # ---- Body: copy, and after every time step emit the derived changes.
    out = lines[:end_defs] + decl + [lines[end_defs]]
    last = {}
    changed = set()

    def flush():
        for src in changed:
            for ident, _, lsb, width in by_src.get(src, ()):
                v = field(value[src], lsb, width)
                if last.get(ident) == v:
                    continue
                last[ident] = v
                out.append(f"{v}{ident}" if width == 1 else f"b{v} {ident}")
        changed.clear()

    for line in body:
        if line.startswith("#"):
            flush()
            out.append(line)
            continue
        out.append(line)
        ch = parse_change(line)
        if ch and ch[0] in by_src:
            value[ch[0]] = full(ch[0], ch[1])
            changed.add(ch[0])
    flush()

    with tempfile.TemporaryDirectory() as tmp:
        v = os.path.join(tmp, "view.vcd")
        with open(v, "w") as f:
            f.write("\n".join(out))
        subprocess.run(["vcd2fst", v, dst], check=True, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
