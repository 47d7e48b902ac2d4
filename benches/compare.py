#!/usr/bin/env python3
"""Runs weft, SPIN and loom on the benchmark models and writes
docs/performance.md. Called by benches/compare.sh (which builds weft and
installs SPIN first); `python3 benches/compare.py --help` lists the options.

Every run is one process at a time, under a wall-time cap and an
address-space cap; wall time is measured here and peak memory is the
maximum resident set size the kernel reports for the process (wait4). Every
figure in the generated table comes from the runs of this invocation.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHES = os.path.join(ROOT, "benches")
WEFT = os.path.join(ROOT, "target", "release", "weft")
LOOM_DIR = os.path.join(BENCHES, "loom")
LOOM = os.path.join(LOOM_DIR, "target", "release", "weft-bench-loom")
TEMPLATE = os.path.join(BENCHES, "performance.template.md")
BEGIN = "<!-- generated:begin (benches/compare.sh rewrites everything down to generated:end) -->"
END = "<!-- generated:end -->"

# ---------------------------------------------------------------------------
# The weft configurations, in one place. Each is (name, extra flags); a
# configuration whose flags `weft check --help` does not list is skipped,
# with a note in the table. Every configuration also gets WEFT_BASE: SPIN's
# safety run has no counterpart of weft's liveness checks (livelock,
# starvation), so they are skipped everywhere.
WEFT_BASE = ["check", "--format", "json", "--skip", "livelock,starvation"]
WEFT_CONFIGS = [
    ("weft", []),
    ("weft -j1", ["--jobs", "1"]),
    ("weft -j2", ["--jobs", "2"]),
    # no partial-order or symmetry reduction: the raw successor generation,
    # and the big searches that show the per-state memory and --jobs
    ("weft no-red -j1", ["--no-reduction", "--no-symmetry", "--jobs", "1"]),
    ("weft no-red -j2", ["--no-reduction", "--no-symmetry", "--jobs", "2"]),
    ("weft exact", ["--exact"]),
]
# The configuration whose time is compared with SPIN and loom.
WEFT_MAIN = "weft"

# SPIN: `spin -a`, `gcc -O2 -DSAFETY` (a safety search: assertions and invalid
# end states, no cycle detection), then `./pan`; with its partial-order
# reduction (the default) and without (-DNOREDUCE).
SPIN_CONFIGS = [("spin", []), ("spin no-red", ["-DNOREDUCE"])]


def sizes(*dicts):
    return [dict(d) for d in dicts]


# The models: the weft program, its Promela twin, its loom twin (None: no
# twin), and the sizes of each mode. `loom` says whether loom runs at a size
# (at most 4 spawned threads, finite executions only).
MODELS = [
    {
        "name": "counter_locked",
        "weft": "counter_locked.weft",
        "pml": "counter_locked.pml",
        "loom": "counter_locked",
        "quick": sizes(*({"N": n} for n in (2, 3, 4, 6, 8))),
        "full": sizes(*({"N": n} for n in range(2, 11))),
        "loom_ok": lambda s: s["N"] <= 4,
    },
    {
        "name": "counter_racy",
        "weft": "counter_racy.weft",
        "pml": "counter_racy.pml",
        "loom": "counter_racy",
        "quick": sizes(*({"N": n} for n in (2, 3, 4))),
        "full": sizes(*({"N": n} for n in range(2, 8))),
        "loom_ok": lambda s: s["N"] <= 4,
    },
    {
        "name": "philosophers",
        "weft": "philosophers_ordered.weft",
        "pml": "philosophers_ordered.pml",
        "loom": "philosophers",
        "quick": sizes(*({"N": n} for n in (3, 4, 5, 6)), {"N": 3, "ROUNDS": 1}),
        "full": sizes(*({"N": n} for n in range(3, 11)), {"N": 3, "ROUNDS": 1}, {"N": 4, "ROUNDS": 1}),
        "loom_ok": lambda s: s.get("ROUNDS", 0) >= 1 and s["N"] <= 4,
    },
    {
        "name": "peterson",
        "weft": "peterson.weft",
        "pml": "peterson.pml",
        "loom": "peterson",
        "quick": sizes({"ROUNDS": 0}, {"ROUNDS": 1}),
        "full": sizes({"ROUNDS": 0}, {"ROUNDS": 1}, {"ROUNDS": 2}),
        "loom_ok": lambda s: s["ROUNDS"] >= 1,
    },
    {
        "name": "bakery",
        "weft": "bakery.weft",
        "pml": "bakery.pml",
        "loom": "bakery",
        "quick": sizes({"N": 2, "ROUNDS": 1}, {"N": 3, "ROUNDS": 1}),
        "full": sizes({"N": 2, "ROUNDS": 1}, {"N": 2, "ROUNDS": 2}, {"N": 3, "ROUNDS": 1}, {"N": 3, "ROUNDS": 2}),
        "loom_ok": lambda s: True,
    },
    {
        "name": "bounded_buffer",
        "weft": "bounded_buffer.weft",
        "pml": "bounded_buffer.pml",
        "loom": "bounded_buffer",
        "quick": sizes({"P": 1, "C": 1}, {"P": 2, "C": 2}, {"P": 3, "C": 3}, {"P": 1, "C": 1, "ROUNDS": 1}),
        "full": sizes(
            *({"P": n, "C": n} for n in range(1, 5)),
            {"P": 1, "C": 1, "ROUNDS": 1},
            {"P": 1, "C": 1, "ROUNDS": 2},
            {"P": 2, "C": 2, "ROUNDS": 1},
        ),
        "loom_ok": lambda s: s.get("ROUNDS", 0) >= 1 and s["P"] + s["C"] <= 4,
    },
]

MODES = {
    "quick": {"cap": 20.0, "loom_cap": 20.0},
    "full": {"cap": 120.0, "loom_cap": 120.0},
}


# ---------------------------------------------------------------------------
# Running one process under caps.


def cpu_stat():
    """The machine's CPU time so far in clock ticks, all CPUs together:
    (the part the hypervisor gave to other guests, all of it); None where
    /proc/stat does not say."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal
    ticks = [int(x) for x in fields[1:9]]
    return ticks[7], sum(ticks)


def steal_share(before, after):
    """The share of the machine's CPU time stolen between two cpu_stat()s."""
    if not before or not after or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


class Run:
    """One measured process: wall seconds, peak RSS in bytes, output, how it ended."""

    def __init__(self, wall, rss, code, out, err, capped):
        self.wall, self.rss, self.code, self.out, self.err, self.capped = wall, rss, code, out, err, capped


def run(cmd, cap, mem_bytes, cwd=None):
    """Runs `cmd` with a wall-time cap (the process group is killed) and an
    address-space cap; returns a Run."""

    def limit():
        if mem_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))

    out_f = tempfile.TemporaryFile()
    err_f = tempfile.TemporaryFile()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_f, stderr=err_f, preexec_fn=limit, start_new_session=True)
    capped = threading.Event()

    def kill():
        capped.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(cap, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    out = out_f.read().decode(errors="replace")
    err = err_f.read().decode(errors="replace")
    return Run(wall, usage.ru_maxrss * 1024, proc.returncode, out, err, capped.is_set())


# ---------------------------------------------------------------------------
# The tools.


def weft_flags_available():
    help_text = subprocess.run([WEFT, "check", "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"--[a-z][a-z-]*", help_text))


def defines(size, style):
    if style == "weft":
        return [a for k, v in size.items() for a in ("-D", f"{k}={v}")]
    if style == "spin":
        return [f"-D{k}={v}" for k, v in size.items()]
    return [f"{k}={v}" for k, v in size.items()]


def run_weft(model, size, flags, cap, mem):
    path = os.path.join(BENCHES, "programs", model["weft"])
    # weft's own --timeout stops the search with its statistics so far; the
    # hard cap (a little later) kills it if that does not work.
    cmd = [WEFT] + WEFT_BASE + flags + ["--timeout", str(cap)] + defines(size, "weft") + [path]
    r = run(cmd, cap + 10, mem)
    res = {"wall": r.wall, "rss": r.rss}
    if r.capped:
        res.update(verdict="> cap", capped=True)
        return res
    try:
        report = json.loads(r.out)
    except json.JSONDecodeError:
        low = (r.err + r.out).lower()
        oom = "memory" in low or r.code in (-6, 134, -9, 137)
        res.update(verdict="out of memory" if oom else f"failed (exit {r.code})", failed=True, detail=(r.err or r.out)[-300:])
        return res
    stats = report.get("stats") or {}
    kinds = sorted({v["kind"] for v in report.get("violations", []) if v.get("severity") == "error"})
    verdict = report.get("verdict", "?")
    if verdict == "inconclusive":
        res["capped"] = True
        verdict = "> cap"
    elif kinds:
        verdict = "errors: " + ", ".join(kinds)
    res.update(
        verdict=verdict,
        ok=report.get("verdict") in ("ok", "warnings"),
        errors=bool(kinds),
        states=stats.get("states"),
        search=(stats.get("elapsed_ms") or 0) / 1000.0,
        store_bytes=stats.get("store_bytes"),
    )
    return res


# Target 2 on a shared machine: a search without reduction of at least
# RATE_MIN_STATES states runs RATE_ROUNDS times in each tool, weft's
# one-worker run and pan without reduction in alternation (weft, pan, weft,
# pan, ...), and each tool's fastest search time gives its states/s. The
# host's other load only ever slows a run down, and it drifts by up to 2x
# within minutes: runs of the two tools far apart in time would compare
# the host's moods, not the tools.
RATE_ROUNDS = 3
RATE_MIN_STATES = 100_000

# Target 7 on a shared two-core machine: each model's largest size, if its
# search without reduction has >= 100,000 states, is run again ROUNDS times, in turns: one worker alone,
# two workers, and two one-worker searches at once. The last says what the
# machine's two cores do together: if each of two independent searches takes
# 1.3x as long as one alone, no scheme can make two workers more than
# 2 / 1.3 = 1.54x faster than one. Minimum over rounds (the host's other
# load only ever slows a run down).
PARALLEL_ROUNDS = 7
PARALLEL_MIN_STATES = 100_000


def parallel_check(model, size, cap, mem):
    one = dict(WEFT_CONFIGS)["weft no-red -j1"]
    two = dict(WEFT_CONFIGS)["weft no-red -j2"]

    def cmd(flags):
        path = os.path.join(BENCHES, "programs", model["weft"])
        return [WEFT] + WEFT_BASE + flags + defines(size, "weft") + [path]

    alone, both, paired = [], [], []
    # How much of the machine other guests took meanwhile: two workers need
    # both CPUs, so they suffer from it most.
    start = cpu_stat()
    for _ in range(PARALLEL_ROUNDS):
        alone.append(run(cmd(one), cap, mem).wall)
        both.append(run(cmd(two), cap, mem).wall)
        pair = []
        threads = [threading.Thread(target=lambda: pair.append(run(cmd(one), cap, mem).wall)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        paired.append(sum(pair) / len(pair))
    j1, j2, p = min(alone), min(both), min(paired)
    steal = steal_share(start, cpu_stat())
    return {"j1": j1, "j2": j2, "paired": p, "speedup": j1 / j2, "ceiling": 2 * j1 / p, "rounds": PARALLEL_ROUNDS, "steal": steal}


def run_spin(model, size, flags, cap, mem, hint_states, between=None):
    """spin -a, gcc -O2, ./pan: end-to-end time is the sum of the three."""
    pml = os.path.join(BENCHES, "promela", model["pml"])
    mem_mb = mem // (1 << 20)
    # Hash table: 2^w slots, sized from weft's state count for the same size
    # (pan touches all of it, so an oversized table costs time: 2^28 slots
    # take 3 s); without reduction SPIN stores several times more states than
    # with it, so its table gets 4 times more slots. DFS stack: -m, from the
    # same count, grown tenfold and the run repeated if pan says it was too
    # small (a cyclic model's depth can reach half its states).
    factor = 8 if "-DNOREDUCE" in flags else 2
    w = 18 if not hint_states else min(27, max(18, math.ceil(math.log2(hint_states * factor))))
    depth = 100_000 if not hint_states else int(min(20_000_000, max(100_000, hint_states // 4)))
    res = {"w": w}
    with tempfile.TemporaryDirectory(prefix="weft-bench-spin-") as tmp:
        total = 0.0
        a = run(["spin"] + defines(size, "spin") + ["-a", pml], cap, 0, cwd=tmp)
        total += a.wall
        if a.code != 0:
            res.update(verdict=f"spin -a failed: {(a.out + a.err).strip()[-200:]}", failed=True, wall=total)
            return res
        c = run(["gcc", "-O2", "-DSAFETY", f"-DMEMLIM={mem_mb}"] + flags + ["-o", "pan", "pan.c"], cap, 0, cwd=tmp)
        total += c.wall
        if c.code != 0:
            res.update(verdict="gcc failed", failed=True, wall=total, detail=c.err[-300:])
            return res
        while True:
            remaining = max(1.0, cap - total)
            p = run(["./pan", f"-m{depth}", f"-w{w}"], remaining, mem + (256 << 20), cwd=tmp)
            if not p.capped and "max search depth too small" in p.out and depth < 100_000_000:
                depth *= 10
                total += p.wall  # the retry is part of SPIN's end-to-end time
                res["retries"] = res.get("retries", 0) + 1
                continue
            break
        total += p.wall
        res.update(wall=total, rss=p.rss, pan_wall=p.wall, depth=depth)
        # target 2 compares search rates: on a big search without
        # reduction, pan runs RATE_ROUNDS times, each after a run of weft
        # (`between`), and the fastest counts; the end-to-end time stays
        # the first run's
        elapsed = lambda out: float(m.group(1)) if (m := re.search(r"pan: elapsed time ([\d.e+]+)", out)) else None
        fastest = elapsed(p.out)
        if "-DNOREDUCE" in flags and (hint_states or 0) >= RATE_MIN_STATES and not p.capped and fastest is not None:
            for _ in range(RATE_ROUNDS - 1):
                if between:
                    between()
                again = elapsed(run(["./pan", f"-m{depth}", f"-w{w}"], cap, mem + (256 << 20), cwd=tmp).out)
                if again is not None:
                    fastest = min(fastest, again)
            res["rounds"] = RATE_ROUNDS
        m = re.search(r"^\s*(\d+) states, stored", p.out, re.M)
        states = int(m.group(1)) if m else None
        res["states"] = states
        if p.capped:
            res.update(verdict="> cap", capped=True)
            return res
        if "reached -DMEMLIM bound" in p.out or "out of memory" in p.out:
            res.update(verdict="out of memory", capped=True)
            return res
        m = re.search(r"errors: (\d+)", p.out)
        if not m:
            res.update(verdict=f"pan failed (exit {p.code})", failed=True, detail=(p.out + p.err)[-300:])
            return res
        errors = int(m.group(1))
        kinds = []
        if "assertion violated" in p.out:
            kinds.append("assertion")
        if "invalid end state" in p.out and errors and "invalid end state (" in p.out:
            kinds.append("deadlock")
        if errors and not kinds:
            kinds.append("error")
        verdict = "errors: " + ", ".join(kinds) if errors else "ok"
        res.update(
            verdict=verdict,
            ok=errors == 0,
            errors=errors > 0,
            search=fastest,
            truncated="max search depth too small" in p.out,
        )
        if res["truncated"]:
            res["verdict"] += " (depth-limited)"
        return res


def run_loom(model, size, cap, mem):
    r = run([LOOM, model["loom"]] + defines(size, "loom"), cap, mem)
    res = {"wall": r.wall, "rss": r.rss}
    done = re.search(r"^executions: (\d+)", r.out, re.M)
    if r.capped or not done:
        progress = re.findall(r"progress: (\d+) executions", r.err)
        res["states"] = int(progress[-1]) if progress else None
        if r.capped:
            res.update(verdict="> cap", capped=True, at_least=True)
        else:
            low = r.err.lower() + r.out.lower()
            kind = "deadlock" if "deadlock" in low else f"crashed (exit {r.code})"
            res.update(verdict=f"errors: {kind}" if kind == "deadlock" else kind, errors=kind == "deadlock", at_least=True)
        return res
    res["states"] = int(done.group(1))
    m = re.search(r"^elapsed: ([\d.]+)", r.out, re.M)
    res["search"] = float(m.group(1)) if m else None
    if "verdict: ok" in r.out:
        res.update(verdict="ok", ok=True, errors=False)
    else:
        msg = r.out[r.out.find("panicked:") :]
        if "Causality violation" in msg:
            kind = "data-race"
        elif "deadlock" in msg.lower():
            kind = "deadlock"
        elif "final:" in msg:
            kind = "final"
        elif "invariant:" in msg:
            kind = "invariant"
        elif "assertion:" in msg:
            kind = "assertion"
        else:
            kind = "panic"
        res.update(verdict=f"errors: {kind}", ok=False, errors=True)
    return res


# ---------------------------------------------------------------------------
# The table.


def fmt_int(n):
    return "" if n is None else f"{n:,}"


def fmt_s(x):
    if x is None:
        return ""
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(x, lower_bound=False):
    if x is None:
        return ""
    s = f"{x:.2g}x"
    return ("< " + s) if lower_bound else s


def size_label(size):
    return " ".join(f"{k}={v}" for k, v in size.items())


def rate(res):
    states = res.get("states")
    if not states or res.get("capped") or res.get("failed"):
        return None
    t = res.get("search") or res.get("pan_wall") or res.get("wall")
    if not t:
        t = res.get("wall")
    return states / t if t else None


def rows_for(results):
    """Markdown rows of the main table."""
    lines = [
        "| model | size | tool / config | verdict | states | time s | search s | states/s | peak MB | bytes/state | store B/state | weft/SPIN time | weft/loom time |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in results:
        spin_main = entry["runs"].get("spin")
        loom = entry["runs"].get("loom")
        for tool, res in entry["runs"].items():
            if res.get("skipped"):
                lines.append(f"| {entry['model']} | {size_label(entry['size'])} | {tool} | skipped: {res['skipped']} | | | | | | | | | |")
                continue
            states = res.get("states")
            states_s = fmt_int(states)
            if tool == "loom" and states is not None:
                states_s = ("≥ " if res.get("at_least") else "") + states_s + " exec"
            elif res.get("capped") and states is not None:
                states_s = "≥ " + states_s
            r = rate(res)
            rss = res.get("rss")
            # below 10,000 states the fixed memory of the process is all there is to see
            bps = rss / states if rss and states and states >= 10_000 and not res.get("capped") and tool != "loom" else None
            # weft's own count of its visited set (fingerprint table), from its JSON
            store = res.get("store_bytes")
            sbps = store / states if store and states and states >= 10_000 else None
            ratio_spin = ratio_loom = ""
            if tool.startswith("weft") and not res.get("capped") and not res.get("failed"):
                if spin_main and spin_main.get("wall") and not spin_main.get("failed"):
                    ratio_spin = fmt_ratio(res["wall"] / spin_main["wall"], lower_bound=bool(spin_main.get("capped")))
                if loom and loom.get("wall") and not loom.get("failed"):
                    ratio_loom = fmt_ratio(res["wall"] / loom["wall"], lower_bound=bool(loom.get("capped")))
            time_s = fmt_s(res.get("wall"))
            if res.get("capped"):
                time_s = "> " + fmt_s(res.get("cap", res.get("wall")))
            lines.append(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    entry["model"],
                    size_label(entry["size"]),
                    tool,
                    res.get("verdict", ""),
                    states_s,
                    time_s,
                    fmt_s(res.get("search")) if not res.get("capped") else "",
                    fmt_int(int(r)) if r else "",
                    f"{rss / 1e6:.1f}" if rss else "",
                    f"{bps:.0f}" if bps else "",
                    f"{sbps:.1f}" if sbps else "",
                    ratio_spin,
                    ratio_loom,
                )
            )
    return lines


def verdict_class(res):
    if res is None or res.get("skipped") or res.get("capped") or res.get("failed"):
        return None
    if res.get("ok"):
        return "ok"
    if res.get("errors"):
        return "errors"
    return None


def targets(results, flags_ok, cfg):
    """The targets of issue 7, each computed from the runs: met, missed (by
    how much) or not measured."""
    out = []

    def line(name, status, detail):
        out.append(f"| {name} | {status} | {detail} |")

    # 1. end-to-end time at most SPIN's (with its reduction) on every model
    worst, n, missed = None, 0, []
    for e in results:
        w, s = e["runs"].get(WEFT_MAIN), e["runs"].get("spin")
        if not w or not s or w.get("failed") or s.get("failed") or w.get("skipped"):
            continue
        if w.get("capped"):
            missed.append((float("inf"), e))
            continue
        n += 1
        ratio = w["wall"] / s["wall"]
        if ratio > 1:
            missed.append((ratio, e))
        if worst is None or ratio > worst[0]:
            worst = (ratio, e)
    if n == 0 and not missed:
        line("1. end-to-end time <= SPIN's (POR), every model", "not measured", "")
    elif missed:
        missed.sort(key=lambda x: -x[0])
        top = ", ".join(
            f"{e['model']} {size_label(e['size'])}: {'capped' if r == float('inf') else f'{r:.2g}x'}" for r, e in missed[:4]
        )
        line("1. end-to-end time <= SPIN's (POR), every model", "**missed**", f"{len(missed)} of {n + sum(1 for r, _ in missed if r == float('inf'))} model sizes slower; worst: {top}")
    else:
        line("1. end-to-end time <= SPIN's (POR), every model", "met", f"worst ratio {worst[0]:.2g}x ({worst[1]['model']} {size_label(worst[1]['size'])})")

    # 2. raw states/s at least 2x SPIN's per core (one thread of weft against
    # pan without reduction, on searches of at least 100,000 states)
    one_core = "weft no-red -j1" if "weft no-red -j1" in flags_ok else WEFT_MAIN
    best = None
    ratios = []
    for e in results:
        w, s = e["runs"].get(one_core), e["runs"].get("spin no-red")
        rw, rs = (rate(w) if w else None), (rate(s) if s else None)
        if rw and rs and w["states"] >= 100_000 and s["states"] >= 100_000:
            ratios.append((rw / rs, e))
    if not ratios:
        line("2. raw states/s >= 2x SPIN's, per core", "not measured", "no search of at least 100,000 states finished in both tools")
    else:
        ratios.sort(key=lambda x: x[0])
        lo = ratios[0]
        status = "met" if lo[0] >= 2 else "**missed**"
        detail = f"`{one_core}` vs `spin no-red`, searches >= 100,000 states, fastest of {RATE_ROUNDS} search times each, the tools in alternation: lowest {lo[0]:.2f}x ({lo[1]['model']} {size_label(lo[1]['size'])}), highest {ratios[-1][0]:.2f}x"
        if lo[0] < 2:
            detail += f"; short of 2x by a factor {2 / lo[0]:.2g}"
        line("2. raw states/s >= 2x SPIN's, per core", status, detail)

    # 3. at most 16 bytes per stored state: the visited set's own size
    # (weft's stats.store_bytes) per state, on each model's largest finished
    # search with fingerprints (any configuration but --exact); the peak RSS
    # per state, which adds the frontier and the process, is shown beside it
    per_model = {}
    for e in results:
        for name, w in e["runs"].items():
            if not name.startswith("weft") or name == "weft exact":
                continue
            if w and w.get("states") and w.get("store_bytes") and not w.get("capped") and not w.get("failed"):
                if e["model"] not in per_model or w["states"] > per_model[e["model"]][0]:
                    per_model[e["model"]] = (w["states"], w["store_bytes"] / w["states"], (w.get("rss") or 0) / w["states"], name, e)
    big = [v for v in per_model.values() if v[0] >= 100_000]
    if not big:
        line("3. <= 16 bytes per stored state", "not measured", "no weft search of at least 100,000 states")
    else:
        worst = max(big, key=lambda x: x[1])
        rss_worst = max(big, key=lambda x: x[2])
        status = "met" if worst[1] <= 16 else "**missed**"
        line(
            "3. <= 16 bytes per stored state",
            status,
            f"visited set per state on each model's largest search (>= 100,000 states): worst {worst[1]:.1f} B ({worst[4]['model']} {size_label(worst[4]['size'])}, `{worst[3]}`)"
            + (f", {worst[1] / 16:.1f}x the target" if worst[1] > 16 else "")
            + f"; peak RSS per state (frontier and process included): worst {rss_worst[2]:.0f} B ({rss_worst[4]['model']} {size_label(rss_worst[4]['size'])})",
        )

    # 4. locked counter N=9 in under a second with symmetry
    e = next((e for e in results if e["model"] == "counter_locked" and e["size"].get("N") == 9), None)
    sym = any("--no-symmetry" in flags for name, flags in WEFT_CONFIGS if name in flags_ok)
    if not e or not e["runs"].get(WEFT_MAIN) or e["runs"][WEFT_MAIN].get("failed"):
        line("4. locked counter N=9 < 1 s with symmetry", "not measured", "N=9 is in the full mode only")
    else:
        w = e["runs"][WEFT_MAIN]
        t = w["wall"]
        note = " with symmetry" if sym else " (this weft has no symmetry reduction: `--no-symmetry` is not a flag yet)"
        status = "met" if (not w.get("capped") and t < 1) else "**missed**"
        line("4. locked counter N=9 < 1 s with symmetry", status, f"{t:.2f} s, {fmt_int(w.get('states'))} states{note}" + (f"; {t:.2g}x the target" if t >= 1 else ""))

    # 5. the 4+4 bounded buffer completes
    e = next((e for e in results if e["model"] == "bounded_buffer" and e["size"].get("P") == 4 and e["size"].get("C") == 4 and not e["size"].get("ROUNDS")), None)
    if not e or not e["runs"].get(WEFT_MAIN):
        line("5. bounded buffer 4+4 completes", "not measured", "P=C=4 is in the full mode only")
    else:
        w = e["runs"][WEFT_MAIN]
        done = not w.get("capped") and not w.get("failed")
        s = e["runs"].get("spin", {})
        line(
            "5. bounded buffer 4+4 completes",
            "met" if done else "**missed**",
            f"weft: {w.get('verdict')}, {fmt_int(w.get('states'))} states in {w['wall']:.1f} s (cap {cfg['cap']:.0f} s); SPIN: {s.get('verdict', '')}, {fmt_int(s.get('states'))} states",
        )

    # 6. state counts with POR no higher than SPIN's POR
    worse, n = [], 0
    for e in results:
        w, s = e["runs"].get(WEFT_MAIN), e["runs"].get("spin")
        if not w or not s or not w.get("states") or not s.get("states") or w.get("capped") or s.get("capped"):
            continue
        if verdict_class(w) != "ok" or verdict_class(s) != "ok":
            continue  # SPIN stops at its first error: the counts do not compare
        n += 1
        if w["states"] > s["states"]:
            worse.append((w["states"] / s["states"], e))
    if n == 0:
        line("6. states (POR) <= SPIN's (POR)", "not measured", "")
    elif worse:
        worse.sort(key=lambda x: -x[0])
        top = ", ".join(f"{e['model']} {size_label(e['size'])}: {r:.2g}x" for r, e in worse[:4])
        line("6. states (POR) <= SPIN's (POR)", "**missed**", f"{len(worse)} of {n} model sizes (error-free, both finished) store more states; worst: {top}")
    else:
        line("6. states (POR) <= SPIN's (POR)", "met", f"all {n} error-free model sizes")

    # 7. --jobs 2 at least 1.7x faster than --jobs 1 on the largest models
    checked = [e for e in results if e.get("parallel")]
    if "weft no-red -j2" not in flags_ok or "weft no-red -j1" not in flags_ok:
        line("7. `--jobs 2` >= 1.7x faster than `--jobs 1`", "not measured", "`--jobs` is not a flag of this weft")
    elif checked:
        lo = min(checked, key=lambda e: e["parallel"]["speedup"])
        hi = max(checked, key=lambda e: e["parallel"]["speedup"])
        cl = min(checked, key=lambda e: e["parallel"]["ceiling"])
        ch = max(checked, key=lambda e: e["parallel"]["ceiling"])
        share = min(e["parallel"]["speedup"] / e["parallel"]["ceiling"] for e in checked)
        rounds = lo["parallel"]["rounds"]
        lab = lambda e: f"{e['model']} {size_label(e['size'])}"
        detail = (
            f"`weft no-red` -j1 over -j2, best of {rounds} each, each model's largest size if >= {PARALLEL_MIN_STATES:,} states: "
            f"lowest {lo['parallel']['speedup']:.2f}x ({lab(lo)}), highest {hi['parallel']['speedup']:.2f}x ({lab(hi)}); "
            f"this machine's ceiling, two one-worker searches at once: {cl['parallel']['ceiling']:.2f}x ({lab(cl)}) to {ch['parallel']['ceiling']:.2f}x ({lab(ch)}); "
            f"two workers reach at least {share:.0%} of it"
        )
        stolen = [e["parallel"]["steal"] for e in checked if e["parallel"].get("steal") is not None]
        if stolen:
            detail += f"; other guests of the host took {min(stolen):.0%} to {max(stolen):.0%} of this machine's CPU time during these runs (`steal` in /proc/stat)"
        line("7. `--jobs 2` >= 1.7x faster than `--jobs 1`", "met" if lo["parallel"]["speedup"] >= 1.7 else "**missed**", detail)
    else:
        sp = []
        for e in results:
            a, b = e["runs"].get("weft no-red -j1"), e["runs"].get("weft no-red -j2")
            if a and b and a.get("states") and not a.get("capped") and not b.get("capped") and a["states"] >= 100_000:
                sp.append((a["wall"] / b["wall"], e))
        if not sp:
            line("7. `--jobs 2` >= 1.7x faster than `--jobs 1`", "not measured", "no search of at least 100,000 states")
        else:
            lo = min(sp, key=lambda x: x[0])
            hi = max(sp, key=lambda x: x[0])
            line("7. `--jobs 2` >= 1.7x faster than `--jobs 1`", "met" if lo[0] >= 1.7 else "**missed**", f"`weft no-red` -j1 over -j2, searches >= 100,000 states: lowest {lo[0]:.2f}x ({lo[1]['model']} {size_label(lo[1]['size'])}), highest {hi[0]:.2f}x ({hi[1]['model']} {size_label(hi[1]['size'])})")

    # 8. at least 100x faster than loom with the same verdict
    rs, diff = [], []
    for e in results:
        w, l = e["runs"].get(WEFT_MAIN), e["runs"].get("loom")
        if not w or not l or l.get("skipped") or w.get("capped") or w.get("failed"):
            continue
        vw, vl = verdict_class(w), verdict_class(l)
        if vl is not None and vw != vl:
            diff.append(e)
        speed = l["wall"] / w["wall"]
        rs.append((speed, bool(l.get("capped")), e))
    # Both tools start in milliseconds: on a model loom finishes in under a
    # second the ratio measures process start-up, so the target is judged
    # where loom has work to do, and the small ones are listed apart.
    big = [r for r in rs if r[2]["runs"]["loom"]["wall"] >= 1.0]
    small = [r for r in rs if r[2]["runs"]["loom"]["wall"] < 1.0]
    if not big:
        line("8. >= 100x faster than loom, same verdict", "not measured", "no model where loom needs a second or more")
    else:
        lo = min(big, key=lambda x: x[0])
        status = "met" if lo[0] >= 100 and not diff else "**missed**"
        detail = f"where loom needs >= 1 s ({len(big)} runs, loom capped on {sum(1 for r in big if r[1])}): lowest speed-up {'> ' if lo[1] else ''}{lo[0]:.3g}x ({lo[2]['model']} {size_label(lo[2]['size'])})"
        if lo[0] < 100:
            detail += f", {100 / lo[0]:.2g}x short"
        if small:
            detail += f"; {len(small)} runs where loom needs under 1 s (start-up bound): speed-ups {min(r[0] for r in small):.2g}x to {max(r[0] for r in small):.2g}x"
        if diff:
            detail += "; verdicts differ on " + ", ".join(f"{e['model']} {size_label(e['size'])}" for e in diff)
        line("8. >= 100x faster than loom, same verdict", status, detail)
    return ["| target | status | measured |", "|---|---|---|"] + out


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def tool_versions():
    spin = subprocess.run(["spin", "-V"], capture_output=True, text=True).stdout.strip()
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    weft = subprocess.run([WEFT, "--version"], capture_output=True, text=True).stdout.strip()
    loom = ""
    lock = os.path.join(LOOM_DIR, "Cargo.lock")
    if os.path.exists(lock):
        m = re.search(r'name = "loom"\nversion = "([^"]+)"', open(lock).read())
        loom = f"loom {m.group(1)}" if m else ""
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"weft": weft, "spin": spin, "gcc": gcc, "loom": loom, "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release()}


def generated_section(results, cfg, flags_ok, skipped, versions, started, finished):
    commit = git("rev-parse", "--short=12", "HEAD")
    # only changes to weft's own sources make the measured build differ from the commit
    sources = ["src", "crates", "grammar", "Cargo.toml", "Cargo.lock"]
    dirty = " (with uncommitted changes to weft's sources)" if git("status", "--porcelain", "--untracked-files=no", "--", *sources) else ""
    subject = git("log", "-1", "--format=%s")
    lines = [
        BEGIN,
        "",
        f"## Results ({cfg['mode']} mode, {started} to {finished} UTC)",
        "",
        f"- weft: `{versions['weft']}`, commit `{commit}`{dirty} on branch `{git('rev-parse', '--abbrev-ref', 'HEAD')}` ({subject})",
        f"  (branched from main at `{git('merge-base', '--fork-point', 'main') or git('merge-base', 'HEAD', 'main')}`)" if git("rev-parse", "--verify", "-q", "main") else "",
        f"- SPIN: {versions['spin']}; {versions['gcc']}; {versions['loom']}",
        f"- machine: {versions['cpu']}, {versions['cores']} cores, Linux {versions['kernel']}",
        f"- caps: {cfg['cap']:.0f} s per weft or SPIN run (SPIN: spin -a + gcc + pan together), {cfg['loom_cap']:.0f} s per loom run, {cfg['mem_gb']:g} GB of address space per process",
        f"- host load: other guests of the host took {cfg['steal']:.0%} of this machine's CPU time during the run (`steal` in /proc/stat; the timings are only as steady as this is low)" if cfg.get("steal") is not None else None,
        f"- command: `bash benches/compare.sh {' '.join(cfg['argv'])}`".rstrip() + "",
        "",
    ]
    lines = [line for line in lines if line is not None]
    if skipped:
        lines.append("Weft configurations skipped (their flag is not in `weft check --help` of this build):")
        for name, flags in skipped:
            lines.append(f"- `{name}`: `{' '.join(flags)}`")
        lines.append("")
    lines += ["### Targets (issue 7), computed from the table below", ""]
    lines += targets(results, flags_ok, cfg)
    lines += ["", "### Table", ""]
    lines += rows_for(results)
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_doc(path, section):
    if os.path.exists(path):
        text = open(path).read()
    else:
        text = open(TEMPLATE).read()
    if BEGIN in text and END in text:
        head = text[: text.index(BEGIN)]
        tail = text[text.index(END) + len(END) :].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes and short caps (a few minutes)")
    ap.add_argument("--cap", type=float, help="seconds per weft or SPIN run (quick 20, full 120)")
    ap.add_argument("--loom-cap", type=float, help="seconds per loom run (quick 20, full 120)")
    ap.add_argument("--mem-gb", type=float, default=8.0, help="address-space cap per process, GB (default 8)")
    ap.add_argument("--only", action="append", help="only this model (repeatable)")
    ap.add_argument("--no-loom", action="store_true", help="do not build or run the loom twins")
    ap.add_argument("--no-spin", action="store_true", help="do not run SPIN")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "performance.md"))
    ap.add_argument("--json", default=os.path.join(BENCHES, "results.json"), help="where to write the raw results")
    ap.add_argument("--install-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    mode = "quick" if args.quick else "full"
    cfg = dict(MODES[mode])
    cfg["mode"] = mode
    if args.cap:
        cfg["cap"] = args.cap
    if args.loom_cap:
        cfg["loom_cap"] = args.loom_cap
    cfg["mem_gb"] = args.mem_gb
    cfg["argv"] = sys.argv[1:]
    mem = int(args.mem_gb * (1 << 30))

    available = weft_flags_available()
    flags_ok, skipped = [], []
    for name, flags in WEFT_CONFIGS:
        needed = [f for f in flags if f.startswith("--")]
        if all(f in available for f in needed):
            flags_ok.append(name)
        else:
            skipped.append((name, flags))
    use_loom = not args.no_loom
    if use_loom:
        print("compare: building the loom twins (release)", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=LOOM_DIR, check=True)

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    stat_start = cpu_stat()
    versions = tool_versions()
    results = []
    for model in MODELS:
        if args.only and model["name"] not in args.only:
            continue
        for size in model[mode]:
            entry = {"model": model["name"], "size": size, "runs": {}}
            label = f"{model['name']} {size_label(size)}"
            for name, flags in WEFT_CONFIGS:
                if name not in flags_ok:
                    continue
                res = run_weft(model, size, flags, cfg["cap"], mem)
                res["cap"] = cfg["cap"]
                entry["runs"][name] = res
                print(f"{label:32} {name:12} {res.get('verdict', ''):36} {fmt_int(res.get('states')):>14} states {res['wall']:8.2f} s", file=sys.stderr)
            hint = None
            for name in ("weft no-red -j1", WEFT_MAIN):
                r = entry["runs"].get(name)
                if r and r.get("states") and not r.get("capped"):
                    hint = r["states"]
                    break
            if hint is None and any(r.get("capped") for r in entry["runs"].values()):
                hint = 1 << 27
            # target 2: weft's one-worker run again between pan's runs
            one = entry["runs"].get("weft no-red -j1")
            between = None
            if one and (one.get("states") or 0) >= RATE_MIN_STATES and not one.get("capped"):

                def between(one=one, flags=dict(WEFT_CONFIGS)["weft no-red -j1"]):
                    again = run_weft(model, size, flags, cfg["cap"], mem)
                    if again.get("search") is not None:
                        one["search"] = min(one["search"], again["search"])
                        one["rounds"] = one.get("rounds", 1) + 1

            if not args.no_spin:
                for name, flags in SPIN_CONFIGS:
                    res = run_spin(model, size, flags, cfg["cap"], mem, hint, between if "-DNOREDUCE" in flags else None)
                    res["cap"] = cfg["cap"]
                    entry["runs"][name] = res
                    print(f"{label:32} {name:12} {res.get('verdict', ''):36} {fmt_int(res.get('states')):>14} states {res.get('wall', 0):8.2f} s", file=sys.stderr)
            if use_loom and model.get("loom") and model["loom_ok"](size):
                res = run_loom(model, size, cfg["loom_cap"], mem)
                res["cap"] = cfg["loom_cap"]
                entry["runs"]["loom"] = res
                print(f"{label:32} {'loom':12} {res.get('verdict', ''):36} {fmt_int(res.get('states')):>14} exec   {res['wall']:8.2f} s", file=sys.stderr)
            results.append(entry)
        # target 7: the model's largest search without reduction
        mine = [e for e in results if e["model"] == model["name"]]

        def big(e):
            a, b = e["runs"].get("weft no-red -j1"), e["runs"].get("weft no-red -j2")
            ok = a and b and not a.get("capped") and not b.get("capped")
            return (a.get("states") or 0) if ok else 0

        largest = max(mine, key=big, default=None)
        if largest and big(largest) >= PARALLEL_MIN_STATES:
            largest["parallel"] = p = parallel_check(model, largest["size"], cfg["cap"], mem)
            label = f"{model['name']} {size_label(largest['size'])}"
            print(f"{label:32} {'-j2 check':12} speed-up {p['speedup']:.2f}x, two searches at once {p['ceiling']:.2f}x", file=sys.stderr)

    finished = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    cfg["steal"] = steal_share(stat_start, cpu_stat())
    section = generated_section(results, cfg, flags_ok, skipped, versions, started, finished)
    write_doc(args.out, section)
    with open(args.json, "w") as f:
        json.dump({"config": cfg, "versions": versions, "commit": git("rev-parse", "HEAD"), "skipped": skipped, "results": results}, f, indent=1, default=str)
    print(f"compare: wrote {os.path.relpath(args.out, ROOT)} and {os.path.relpath(args.json, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
