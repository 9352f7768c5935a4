#!/usr/bin/env python3
"""Writes tb/waves/lpu.gtkw, the GTKWave save file for traces made by lpu-lockstep --wave (make wave).

    python3 tb/waves/make_gtkw.py > tb/waves/lpu.gtkw

Signals come from the lpu_view scope that tb/waves/fst_view.py adds (one signal per architectural register, named
by slice) plus the host port and run control of lpu_top. Groups: run control and host port; one group per queue
(pc, dispatch valid and word, halted, parked); stream registers eastward and westward, one group per slice; slice
state by kind (MEM, VXM, SXM, MXM). Slices and streams of the ulx3s and small configurations are listed, plus streams 8..15
of large; GTKWave skips names a trace does not have, so the file opens both configurations' traces (large's further
MEM slices are in the signal tree under lpu_view).
"""
HEX, DEC, BIN = "@22", "@24", "@28"
SLICES = ["MXM_W", "SXM_W", "MEM_W2", "MEM_W1", "MEM_W0", "VXM", "MEM_E0", "MEM_E1", "MEM_E2", "SXM_E", "MXM_E"]
QUEUES = SLICES + ["MXM_W_LOAD", "MXM_E_LOAD"]
OPEN_STREAM_GROUPS = {"MEM_W0", "VXM", "MEM_E0"}
V = "lpu_view."
T = "lpu_top.lpu_top."
out = []


def group(name, body, collapsed=False):
    out.append("@c00200" if collapsed else "@800200")
    out.append(f"-{name}")
    body()
    out.append("@1401200" if collapsed else "@1000200")
    out.append(f"-{name}")


def sig(fmt, name):
    out.append(fmt)
    out.append(name)


def run_control():
    sig(DEC, V + "cycle[63:0]")
    for s in ("running", "done", "error"):
        sig(BIN, V + s)
    sig(DEC, T + "err_code_q[3:0]")
    sig(DEC, T + "err_cycle_q[31:0]")
    sig(HEX, T + "err_where_q[31:0]")
    sig(BIN, T + "start_req_q")
    sig(BIN, "lpu_top.clk_i")
    sig(BIN, "lpu_top.host_req_i")
    sig(BIN, "lpu_top.host_we_i")
    sig(HEX, "lpu_top.host_addr_i[11:0]")
    sig(HEX, "lpu_top.host_wdata_i[31:0]")
    sig(HEX, "lpu_top.host_rdata_o[31:0]")


def queue(q):
    def body():
        if not q.endswith("_LOAD"):
            sig(DEC, f"{V}q_{q}.pc[9:0]")   # ulx3s, small: 512-word queues
            sig(DEC, f"{V}q_{q}.pc[11:0]")  # large: 4096-word queues
        sig(BIN, f"{V}q_{q}.valid")
        sig(HEX, f"{V}q_{q}.insn[31:0]")
        sig(BIN, f"{V}q_{q}.halted")
        sig(BIN, f"{V}q_{q}.parked")
    return body


def streams(d, s):
    def body():
        for i in range(16):
            sig(HEX, f"{V}{d}_{s}.{d}{i}[63:0]")   # ulx3s: 8 lanes
            sig(HEX, f"{V}{d}_{s}.{d}{i}[127:0]")  # small: 16 lanes
            sig(HEX, f"{V}{d}_{s}.{d}{i}[511:0]")  # large: 64 lanes
    return body


def slices(kind):
    def body():
        for s in SLICES:
            if s.startswith(kind):
                sig(BIN, f"{V}s_{s}.busy")
                sig(BIN, f"{V}s_{s}.err")
                sig(DEC, f"{V}s_{s}.code[3:0]")
    return body


out.append("[*] openlpu: lpu_top with the lpu_view scope of tb/waves/fst_view.py (tb/waves/make_gtkw.py writes this)")
out.append("[*] stream registers: lane 0 is the rightmost byte; one program cycle = one clock (2 time units)")
out.append("[size] 1600 1000")
out.append("[sst_width] 280")
out.append("[signals_width] 300")
out.append("[sst_expanded] 1")
group("run control and host port", run_control)
group("queues: pc, dispatch, halted, parked", lambda: [group(f"queue {q}", queue(q), collapsed=q not in
                                                            ("MEM_W0", "VXM", "MEM_E0", "MEM_E1"))
                                                      for q in QUEUES])
for d, title in (("E", "streams eastward R[E][s][slice]"), ("W", "streams westward R[W][s][slice]")):
    group(title, lambda d=d: [group(f"{d} at {s}", streams(d, s), collapsed=s not in OPEN_STREAM_GROUPS)
                              for s in SLICES])
group("slices: busy, error", lambda: [group(k, slices(k), collapsed=True) for k in ("MEM", "VXM", "SXM", "MXM")])
print("\n".join(out))
