#!/usr/bin/env python3
"""Draw a schedule trace (lpu compile --trace: Chrome trace-event JSON) as an SVG timeline.

    trace_svg.py sched.json out.svg [--title TEXT] [--cycle-px N]

One row per queue in the trace's own order (thread_sort_index), x = cycle (1 cycle = 1 trace microsecond).
Each event (a run of `insn; repeat n, d, s`, or one instruction) is a bar over the cycles it spans, coloured by its
graph node and labelled with the instruction mnemonic where it fits. Queues with no events are left out. Plain SVG,
no dependencies, so docs can be regenerated anywhere:

    build/bin/lpu compile sw/compiler/graphs/matmul_requant_relu.json -o /tmp/p.lpb --trace /tmp/s.json
    python3 sw/compiler/tools/trace_svg.py /tmp/s.json docs/img/matmul_requant_relu.svg
"""
import argparse
import html
import json
import sys

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise ValueError(f"{path}: expected a trace-event list or an object with 'traceEvents'")
    names, order, spans, title = {}, {}, [], ""
    for e in events:
        ph = e.get("ph")
        if ph == "M" and e.get("name") == "thread_name":
            names[e["tid"]] = e["args"]["name"]
        elif ph == "M" and e.get("name") == "thread_sort_index":
            order[e["tid"]] = e["args"]["sort_index"]
        elif ph == "M" and e.get("name") == "process_name":
            title = e["args"]["name"]
        elif ph == "X":
            for key in ("tid", "ts", "dur"):
                if key not in e:
                    raise ValueError(f"{path}: event {e.get('name')!r} has no '{key}'")
            spans.append(e)
    return names, order, spans, title


def render(names, order, spans, title, cycle_px):
    used = sorted({e["tid"] for e in spans}, key=lambda t: (order.get(t, t), t))
    if not used:
        raise ValueError("the trace has no events")
    end = max(e["ts"] + e["dur"] for e in spans)
    nodes = []
    for e in spans:
        node = e.get("args", {}).get("node", e.get("cat", ""))
        if node not in nodes:
            nodes.append(node)
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(nodes)}
    left, top, row_h, bar_h = 110, 40, 22, 16
    width = left + end * cycle_px + 20
    height = top + len(used) * row_h + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="16" font-size="13">{html.escape(title)} — dispatches in cycles 0..{end - 1}</text>']
    # Cycle grid every 5 cycles, labels every 10.
    for c in range(0, end + 1, 5):
        x = left + c * cycle_px
        out.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{top + len(used) * row_h}" '
                   f'stroke="{"#bbb" if c % 10 == 0 else "#e5e5e5"}"/>')
        if c % 10 == 0:
            out.append(f'<text x="{x}" y="{top - 10}" text-anchor="middle">{c}</text>')
    for row, tid in enumerate(used):
        y = top + row * row_h
        out.append(f'<text x="{left - 6}" y="{y + bar_h - 4}" text-anchor="end">'
                   f'{html.escape(names.get(tid, str(tid)))}</text>')
        for e in (e for e in spans if e["tid"] == tid):
            x, w = left + e["ts"] * cycle_px, max(e["dur"] * cycle_px - 1, 2)
            args = e.get("args", {})
            node = args.get("node", e.get("cat", ""))
            tip = html.escape(f'cycle {e["ts"]}..{e["ts"] + e["dur"] - 1}: {args.get("insn", e["name"])} ({node})')
            out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{bar_h}" rx="2" fill="{colour[node]}">'
                       f'<title>{tip}</title></rect>')
            label = e["name"]
            if len(label) * 7 + 4 <= w:
                out.append(f'<text x="{x + 3}" y="{y + bar_h - 4}" fill="white">{html.escape(label)}</text>')
    # Legend: graph nodes.
    y = top + len(used) * row_h + 24
    x = left
    for n in nodes:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour[n]}"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{html.escape(n or "?")}</text>')
        x += 16 + 8 * max(len(n), 1) + 16
    out.append(f'<text x="{x}" y="{y}" fill="#666">x: cycle; one row per instruction queue</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("svg")
    ap.add_argument("--title", default=None)
    ap.add_argument("--cycle-px", type=int, default=14)
    a = ap.parse_args()
    try:
        names, order, spans, title = load(a.trace)
        svg = render(names, order, spans, a.title or title, a.cycle_px)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as err:
        print(f"trace_svg: {err}", file=sys.stderr)
        return 1
    with open(a.svg, "w", encoding="utf-8") as f:
        f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
