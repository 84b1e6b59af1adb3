#!/usr/bin/env python3
"""Runs baton's benchmarks against the same programs in plain MPI (Open MPI's mpiexec, SimGrid's smpirun).

    scripts/bench-setup.sh     # once: installs hyperfine, Open MPI and SimGrid where missing
    bench/run.py               # every case, a few minutes on a 2-core machine
    bench/run.py --quick       # a smoke run: well under a minute after the build
    bench/run.py --only b,c    # some cases only
    bench/run.py --write       # also write bench/results.md (--output FILE: another file); with
                               # --only, only those cases' sections are rewritten, the others kept

It prints a markdown table per case to stdout (progress goes to stderr). It builds what it needs:
build-bench (buildtype=release, -Dbench=true, no MPI backend), build-bench-mpi (the same with
the MPI backend, for case e), and bench/ref_*.c with mpicc and smpicc. It installs nothing: a row
whose tool is missing is skipped, and says so.

The cases:
  (a) the seed's average program on 4 ranks, as a whole process: baton's examples/average (on
      threads, on fibers), bench/ref_average.c under mpiexec -n 4 and smpirun -np 4; and the same
      program inside one process, as a test runs it (many baton::sim::run calls);
  (b) ping-pong of 8 bytes between 2 ranks: time per round trip;
  (c) allreduce of one double at 4 to 16 384 ranks (100 000 on fibers): time per allreduce and the
      peak memory of the whole job, as far as each tool gets in bounded time;
  (d) broadcast of 1 MiB from rank 0 to 16 ranks, 100 times: the total time;
  (e) baton on its MPI backend against the plain MPI C API: bench/mpi_compare.cpp under mpiexec,
      which times both sides (and the plain side again, as a control) and prints medians;
  (f) exploration throughput: time per execution explored by baton::sim::explore;
  (g) soak: the RSS slope, in bytes per round, of a steady-state run (bench/soak.cpp: 8 ranks of
      random point-to-point traffic with wildcard receives, a split or dup every 50 rounds), on
      threads and on fibers: about 0 when nothing grows with the number of rounds;
  (h) allreduce at 100 000 fiber ranks under --schedule pct beside --schedule random: time per
      allreduce and peak memory;
  (i) process ranks (--context process) beside fibers and threads: the ping-pong of (b), the
      average program of (a) as a whole process, and allreduces at 1 024 process ranks (their
      broadcast is a row of (d)).
  (k) simulated time (--network): what it costs (an allreduce at 16 384 fiber ranks with it on and
      off; simulated messages per second on fibers), and what it predicts beside SimGrid SMPI's
      prediction for the same platform and algorithm, and beside Open MPI's measured times on this
      machine (--network shm, under mpiexec -n 2 and -n 4).

How each figure is measured:
  - (a) whole process: hyperfine (one warm-up run, then --runs N, no shell) gives the wall time
    from fork to exit, its median, min and max, and the mean user+system CPU time. One run before
    them, under bench/spawn.c, checks the output and gives the peak memory.
  - the other times: inside each program, on rank 0, with the wall clock around the timed loop
    after one untimed operation (bench/baton_allreduce: the mean over every rank of its own loop's
    time, since one rank's starts and ends wherever the schedule resumes it in the first and last
    of a collective's passes); the program prints "BENCH <name> <value>". A row is N separate
    runs (processes, or mpiexec/smpirun jobs): the median over them, with min and max. The plain
    MPI programs read the raw clock_gettime system call, since smpicc turns clock_gettime into
    simulated time: what is compared is real time.
  - "whole process", "its CPU time" and "peak memory" of those runs: each runs under
    bench/spawn.c, which forks it, waits with wait4 and reports the wall time, the user+system
    time and ru_maxrss (a child of Python would start with Python's peak memory). Under Open MPI
    every rank runs under spawn too: the job's peak is the sum of the ranks' plus mpiexec's (which
    may count a rank twice).
  - "floor" rows: bench/floor.cpp, what the machine costs without baton for what the simulator's
    design must do (threads handing the CPU round through semaphores; two fibers jumping to each
    other with Boost.Context; a switch into each of N fibers on stacks laid out as baton's and back,
    what an allreduce on N fiber ranks costs at least; a broadcast's copies).
  - (g) the RSS slope: rank 0 of bench/soak.cpp reads its process's resident set size
    (/proc/self/statm) every 200 rounds after a warm-up of a fifth of the rounds; the least-squares
    slope of those samples, in bytes per round. A row is N separate runs, as above.
  - CPU used by other processes: /proc/stat's busy time less this run's own, per case. Each case's
    section in bench/results.md says when, at which commit, by which command and under what load it
    was measured.
Every run has a timeout; a tool that times out or fails stops there, and its row says why.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORES = os.cpu_count() or 1
OMPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
FIBERS = {"BATON_CONTEXT": "fiber"}
PROCESSES = ["--context", "process"]
AVERAGE_OUTPUT = "Global average across all data: 10.5"
SETUP_HINT = "scripts/bench-setup.sh installs it"
CASES = "abcdefghijk"  # case_a ... case_k below


def log(text):
    print(text, file=sys.stderr, flush=True)


def last_line(text):
    """The last line of `text` that says something (Open MPI boxes its errors in dashes)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if not set(line) <= set("-= *")]
    return (useful or lines or [""])[-1][:200]


# ---- running one command ------------------------------------------------------------------------


@dataclass
class Run:
    why: str = ""  # why it failed; empty if it ran and printed what it should
    wall_s: float = None
    cpu_s: float = None
    rss_kb: int = None
    stdout: str = ""
    bench: dict = field(default_factory=dict)  # its "BENCH name value" lines


def session_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[3])  # after the name: state ppid pgrp session
    except (OSError, IndexError, ValueError):
        return None


def kill_session(sid):
    """Kills, each by its id, the processes of session `sid`: a run's own (start_new_session)."""
    for _ in range(3):
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and session_of(p) == sid]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)


def run(ctx, cmd, timeout, env=None, rank_rss=None, expect=None):
    """Runs `cmd` once under bench/spawn.c; kills its whole session after `timeout` seconds."""
    if rank_rss and os.path.exists(rank_rss):
        os.remove(rank_rss)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as report:
        proc = subprocess.Popen([ctx.spawn, "--report", report.name, "--"] + cmd, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, env={**os.environ, **(env or {})}, start_new_session=True)
        try:
            killed = proc.wait(timeout=timeout) is None
        except subprocess.TimeoutExpired:
            killed = True
        kill_session(proc.pid)  # on a time out, or what outlived it (an MPI daemon, say)
        proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        measured = dict(line.split() for line in report.read().splitlines() if len(line.split()) == 2)
    r = Run(stdout=stdout, bench={m[1]: float(m[2]) for m in re.finditer(r"^BENCH (\S+) (\S+)$", stdout, re.M)})
    r.wall_s = int(measured["wall_ns"]) / 1e9 if "wall_ns" in measured else None
    r.cpu_s = int(measured["cpu_us"]) / 1e6 if "cpu_us" in measured else None
    if "maxrss_kb" in measured:
        ranks = open(rank_rss).read().split() if rank_rss and os.path.exists(rank_rss) else []
        r.rss_kb = int(measured["maxrss_kb"]) + sum(int(kb) for kb in ranks)
    code = proc.returncode
    if killed:
        r.why = f"timeout after {timeout:g} s (killed)"
    elif code < 0:
        r.why = f"killed by {signal.Signals(-code).name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
    elif code != 0:
        r.why = f"exit status {code}: {last_line(stderr) or last_line(stdout)}"
    elif expect and expect not in stdout:
        r.why = f"wrong output (no {expect!r})"
    return r


def available_kb():
    """The memory the machine can give a new process now (MemAvailable), in KiB."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def cpu_busy_s():
    """CPU seconds the whole machine has been busy (every process, every core), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def cpu_own_s():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# ---- rows and tables ----------------------------------------------------------------------------


def fmt_us(us):
    if us is None:
        return "–"
    if us < 1:
        return f"{us * 1000:.0f} ns"
    for limit, unit, div in ((1e3, "µs", 1), (1e6, "ms", 1e3)):
        if us < limit:
            return f"{us / div:.3g} {unit}"
    return f"{us / 1e6:.3g} s"


def fmt_bytes(b):
    return "–" if b is None else f"{b:.1f} B"


def fmt_kb(kb):
    return f"{kb / 1024:.3g} MiB" if kb < 1024 * 1024 else f"{kb / 1024 / 1024:.3g} GiB"


@dataclass
class Row:
    """One tool on one configuration, over several runs."""
    tool: str
    config: str = ""          # the rank count, in (c)
    target: tuple = None      # (limit, in the figure's unit, or None for "it runs"; the text)
    rss_limit_kb: int = None  # and the peak memory the target allows, if it says
    reference: bool = False   # baton's row, that the others are divided by
    values: list = field(default_factory=list)  # the figure, one per run: in µs, unless fmt says otherwise
    runs: list = field(default_factory=list)    # the Run of each
    why: str = ""             # why the tool stopped here
    note: str = ""
    fmt: object = fmt_us      # how the figure is written

    def median(self):
        return statistics.median(self.values) if self.values else None


def measure(ctx, row, cmd, runs, timeout, metric=("per_op_us", 1), env=None, rank_rss=None):
    """Runs `cmd` `runs` times into `row`; a run's figure is its BENCH metric[0] times metric[1]."""
    name, scale = metric
    for i in range(runs):
        r = run(ctx, cmd, timeout, env, rank_rss)
        if not r.why and name not in r.bench:
            r.why = f"no BENCH {name} in its output"
        log(f"    {row.tool} {row.config} run {i + 1}/{runs}: "
            + (f"FAILED: {r.why}" if r.why else f"{row.fmt(r.bench[name] * scale)} (process {r.wall_s:.3f} s)"))
        if r.why:
            row.why = r.why
            return False
        row.values.append(r.bench[name] * scale)
        row.runs.append(r)
    return True


def hyperfine(ctx, row, cmd, runs, timeout, env=None, check_cmd=None, rank_rss=None):
    """Whole-process times of `cmd` from hyperfine, after one run (of check_cmd) under spawn that
    checks the output and gives the peak memory."""
    first = run(ctx, check_cmd or cmd, timeout, env, rank_rss, expect=AVERAGE_OUTPUT)
    if first.why or not ctx.hyperfine:
        row.why = first.why or f"hyperfine not found ({SETUP_HINT})"
        return
    with tempfile.NamedTemporaryFile("r", suffix=".json") as result:
        r = run(ctx, ["hyperfine", "-N", "--style", "none", "--warmup", "1", "--runs", str(runs),
                      "--export-json", result.name, shlex.join(cmd)], timeout * (runs + 1), env)
        if r.why:
            row.why = f"hyperfine: {r.why}"
            return
        times = json.load(result)["results"][0]
    row.values = [t * 1e6 for t in times["times"]]
    row.runs = [Run(wall_s=t, cpu_s=times["user"] + times["system"], rss_kb=first.rss_kb) for t in times["times"]]
    log(f"    {row.tool}: {fmt_us(row.median())} (hyperfine, {runs} runs)")


def median_of(row, name):
    """The median over a row's runs of a Run attribute, or of a BENCH figure."""
    return statistics.median(getattr(r, name) if hasattr(r, name) else r.bench[name] for r in row.runs)


def met(row):
    if not row.target:
        return ""
    limit, _ = row.target
    m = row.median()
    if limit is None:
        return "yes" if m is not None and not row.why else "**no**"
    if m is None:
        return "**no** (did not run)"
    time_ok = m <= limit
    verdict = f"{m / limit:.2g}× the target" if time_ok else f"{m / limit:.3g}× the target"
    if row.rss_limit_kb and row.runs:  # a target in time and memory: met when both are
        rss = median_of(row, "rss_kb") / row.rss_limit_kb
        if rss > 1:
            return f"**no**: memory {rss:.3g}× its target; time {verdict}"
        verdict += f", memory {rss:.2g}× its target"
    return f"yes ({verdict})" if time_ok else f"**no**: {verdict}"


def ratio(row, reference):
    if row.reference:
        return "1 (reference)" if row.values else "–"
    if not (reference and reference.values and row.values):
        return "–"
    x = row.median() / reference.median()
    return f"{x:.0f}×" if x >= 10 else f"{x:.2g}×"


def table(title, rows, metric, intro=""):
    """A case's markdown: the title, `intro`, then a line per row."""
    references = {r.config: r for r in rows if r.reference}
    by_config = any(r.config for r in rows)
    head = (["ranks"] if by_config else []) + [
        "tool", f"{metric} (median)", "min – max", "× baton", "whole process (median)", "its CPU time (median)",
        "peak memory (median)", "runs", "target", "met?"]
    lines = [f"## {title}", ""] + ([intro, ""] if intro else [])
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = ([r.config] if by_config else []) + [
            r.tool + (f" — stops: {r.why}" if r.why else "") + (f" ({r.note})" if r.note else ""),
            r.fmt(r.median()), f"{r.fmt(min(r.values))} – {r.fmt(max(r.values))}" if r.values else "–",
            ratio(r, references.get(r.config)),
            f"{median_of(r, 'wall_s'):.3g} s" if r.runs else "–",
            f"{median_of(r, 'cpu_s'):.3g} s" if r.runs else "–",
            fmt_kb(median_of(r, 'rss_kb')) if r.runs else "–",
            str(len(r.values)), r.target[1] if r.target else "", met(r)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---- the tools ----------------------------------------------------------------------------------


@dataclass
class Context:
    build: str
    quick: bool
    max_runs: int
    spawn: str = ""
    hyperfine: bool = False
    refs: dict = field(default_factory=dict)     # "ompi"/"smpi" -> directory of its ref_* programs
    missing: dict = field(default_factory=dict)  # "ompi"/"smpi"/"e" -> why it is not there
    mpi_compare: str = ""

    def runs(self, full, quick):
        n = quick if self.quick else full
        return max(1, min(n, self.max_runs)) if self.max_runs else n

    def baton(self, name):
        return os.path.join(self.build, "examples" if name == "average" else "bench", name)

    def rank_rss(self):
        return os.path.join(self.build, "bench-ref", "rank-rss.txt")

    def tool_cmd(self, tool, program, ranks, args, spawn_ranks=True):
        """bench/ref_<program>.c on `ranks` ranks under mpiexec ("ompi") or smpirun ("smpi")."""
        exe = [os.path.join(self.refs[tool], f"ref_{program}")] + args
        if tool == "ompi":
            each = [self.spawn, "--append-rss", self.rank_rss(), "--"] if spawn_ranks else []
            return ["mpiexec", "-n", str(ranks), "--oversubscribe"] + each + exe
        return ["smpirun", "-np", str(ranks), "-platform", smpi_platform(self.refs[tool], ranks),
                "-hostfile", os.path.join(self.refs[tool], f"hosts-{ranks}.txt"), "--log=root.thresh:warning"] + exe


def smpi_platform(directory, ranks):
    """A cluster of `ranks` hosts for smpirun (1 µs, 10 GB/s links), and its host file."""
    path = os.path.join(directory, f"cluster-{ranks}.xml")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                    f"<platform version=\"4.1\">\n<cluster id=\"bench\" prefix=\"host\" suffix=\"\" "
                    f"radical=\"0-{ranks - 1}\" speed=\"1Gf\" bw=\"10GBps\" lat=\"1us\"/>\n</platform>\n")
        with open(os.path.join(directory, f"hosts-{ranks}.txt"), "w") as f:
            f.write("".join(f"host{i}\n" for i in range(ranks)))
    return path


TOOL_NAMES = {"ompi": ("plain MPI, Open MPI mpiexec", "-n"), "smpi": ("plain MPI, SimGrid smpirun", "-np")}


def tool_row(ctx, tool, program, ranks, args, runs, timeout, metric=("per_op_us", 1), config="", whole=False):
    """The row of bench/ref_<program>.c under Open MPI or SimGrid (timed by hyperfine if `whole`),
    or of why it is not there."""
    name, flag = TOOL_NAMES[tool]
    row = Row(name if config else f"{name} {flag} {ranks}", config=config)
    env, rank_rss = (OMPI_ENV, ctx.rank_rss()) if tool == "ompi" else (None, None)
    if tool in ctx.missing:
        row.why = ctx.missing[tool]
    elif whole:
        hyperfine(ctx, row, ctx.tool_cmd(tool, program, ranks, args, spawn_ranks=False), runs, timeout, env,
                  ctx.tool_cmd(tool, program, ranks, args), rank_rss)
    else:
        measure(ctx, row, ctx.tool_cmd(tool, program, ranks, args), runs, timeout, metric, env, rank_rss)
    return row


# ---- building -----------------------------------------------------------------------------------


def meson_build(build_dir, options, targets):
    """Configures (once) and builds `targets` in `build_dir`; the error's text, or ""."""
    configure = ["meson", "configure", build_dir] if os.path.exists(os.path.join(build_dir, "build.ninja")) \
        else ["meson", "setup", build_dir, ROOT]
    for cmd in (configure + options, ["ninja", "-C", build_dir] + targets):
        log("  $ " + shlex.join(cmd))
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            errors = [line for line in (r.stdout + r.stderr).splitlines() if "error" in line.lower()]
            return (errors or [last_line(r.stdout + r.stderr)])[0]
    return ""


def compile_refs(ctx, tool, compiler, launcher, packages):
    """bench/ref_*.c with mpicc or smpicc, into build-bench/bench-ref/<tool>, where out of date."""
    if not (shutil.which(compiler) and shutil.which(launcher)):
        ctx.missing[tool] = f"{compiler} or {launcher} not found ({packages}: {SETUP_HINT})"
        log(f"  skipping the {tool} rows: {ctx.missing[tool]}")
        return
    out_dir = ctx.refs[tool] = os.path.join(ctx.build, "bench-ref", tool)
    os.makedirs(out_dir, exist_ok=True)
    common = os.path.join(ROOT, "bench", "ref_common.h")
    for source in sorted(f for f in os.listdir(os.path.join(ROOT, "bench")) if re.match(r"ref_\w+\.c$", f)):
        source = os.path.join(ROOT, "bench", source)
        exe = os.path.join(out_dir, os.path.basename(source)[:-2])
        if os.path.exists(exe) and os.path.getmtime(exe) >= max(os.path.getmtime(source), os.path.getmtime(common)):
            continue
        r = subprocess.run([compiler, "-O2", "-o", exe, source], capture_output=True, text=True, cwd=out_dir)
        if r.returncode != 0:
            ctx.missing[tool] = f"{compiler} failed on {os.path.basename(source)}: {last_line(r.stderr)}"
            return


def compile_spawn(ctx):
    """bench/spawn.c, which every run goes through, into build-bench/bench-ref."""
    os.makedirs(os.path.join(ctx.build, "bench-ref"), exist_ok=True)
    ctx.spawn = os.path.join(ctx.build, "bench-ref", "spawn")
    subprocess.run(["cc", "-O2", "-o", ctx.spawn, os.path.join(ROOT, "bench", "spawn.c")], check=True)


def build(ctx, cases):
    programs = ["baton_average_inprocess", "baton_pingpong", "baton_allreduce", "baton_bcast", "baton_explore", "floor",
                "soak", "baton_isend", "capi_pingpong"]
    # Cases that need only some of them build only those.
    needs = {"k": ["baton_pingpong", "baton_allreduce", "baton_bcast"]}
    if all(case in needs for case in cases):
        programs = sorted({p for case in cases for p in needs[case]})
    error = meson_build(ctx.build, ["--buildtype=release", "-Dbench=true", "-Dmpi=disabled"],
                        ["examples/average"] + [f"bench/{p}" for p in programs])
    if error:
        sys.exit(f"building baton's bench programs failed: {error}\n(to measure a commit instead of a work tree "
                 "that is mid-change: git worktree add /tmp/baton HEAD, and run /tmp/baton/bench/run.py)")
    compile_spawn(ctx)
    ctx.hyperfine = shutil.which("hyperfine") is not None
    if not ctx.hyperfine:
        log(f"  skipping the whole-process rows of (a): hyperfine not found ({SETUP_HINT})")
    compile_refs(ctx, "ompi", "mpicc", "mpiexec", "openmpi-bin libopenmpi-dev")
    compile_refs(ctx, "smpi", "smpicc", "smpirun", "libsimgrid-dev")
    if "e" in cases and "ompi" not in ctx.missing:
        mpi_build = ctx.build + "-mpi"
        error = meson_build(mpi_build, ["--buildtype=release", "-Dbench=true", "-Dmpi=enabled"], ["bench/mpi_compare"])
        if error:
            ctx.missing["e"] = f"building baton with its MPI backend failed: {error}"
        ctx.mpi_compare = os.path.join(mpi_build, "bench", "mpi_compare")
    elif "e" in cases:
        ctx.missing["e"] = ctx.missing["ompi"]


# ---- the cases ----------------------------------------------------------------------------------


def case_a(ctx):
    rows = [Row("baton, simulator: examples/average", target=(10_000, "≤ 10 ms"), reference=True),
            Row("baton, simulator on fibers: examples/average --context fiber")]
    for row, extra in zip(rows, ([], ["--context", "fiber"])):
        hyperfine(ctx, row, [ctx.baton("average"), "--ranks", "4"] + extra, ctx.runs(20, 5), 30)
    rows += [tool_row(ctx, tool, "average", 4, [], ctx.runs(7, 2), 60, whole=True) for tool in ("ompi", "smpi")]
    tables = [table("(a) the seed's average program on 4 ranks, whole process (fork to exit)", rows, "time",
                    "Timed by hyperfine, after one warm-up run; \"its CPU time\" is hyperfine's mean user+system "
                    "time, and the peak memory that of one more run, which also checks the output.")]

    runs_inside = 200 if ctx.quick else 2000
    rows = []
    for label, extra, env in (("as a test: ranks return their values", [], None),
                              ("printing as the example does (to /dev/null)", ["--print"], None),
                              ("on fibers, as a test", [], FIBERS)):
        row = Row(f"baton, sim::run in one process, {label}", target=None if rows else (100, "≤ 100 µs"),
                  reference=not rows)
        measure(ctx, row, [ctx.baton("baton_average_inprocess"), "--runs", str(runs_inside)] + extra,
                ctx.runs(5, 3), 120, env=env)
        rows.append(row)
    tables.append(table(f"(a) the same program inside one process: time per baton::sim::run on 4 ranks "
                        f"({runs_inside} runs per process, after one untimed run)", rows, "time per run"))
    return tables


def case_b(ctx):
    iters = 2_000 if ctx.quick else 100_000
    args = ["--iters", str(iters)]
    pingpong = [ctx.baton("baton_pingpong"), "--ranks", "2"] + args
    rows = [Row("baton, simulator (schedule random, the default)", target=(3, "≤ 3 µs"), reference=True),
            Row("baton, simulator (schedule round-robin)", target=(3, "≤ 3 µs")),
            Row("baton, simulator on fibers (--context fiber)", target=(0.5, "≤ 0.5 µs"))]
    for row, extra in zip(rows, ([], ["--schedule", "round-robin"], ["--context", "fiber"])):
        measure(ctx, row, pingpong + extra, ctx.runs(5, 2), 300)
    # The same ping-pong through the MPI C API (bench/ref_pingpong.c on baton's mpi.h), beside the
    # typed one on the same context: issue 15 asks for at most 1.2x.
    capi = [ctx.baton("capi_pingpong"), "--ranks", "2"] + args
    for typed, label, extra in ((rows[0], "", []), (rows[2], " on fibers", ["--context", "fiber"])):
        row = Row(f"baton, MPI C API (bench/ref_pingpong.c on baton's mpi.h){label}")
        measure(ctx, row, capi + extra, ctx.runs(5, 2), 300)
        if row.values and typed.values:
            row.note = f"{row.median() / typed.median():.2f}× the typed API's on the same context (target ≤ 1.2×)"
        rows.append(row)
    row = Row("floor, no baton: 2 threads handing the CPU to each other with std::binary_semaphore, "
              "2 hand-offs per round trip")
    measure(ctx, row, [ctx.baton("floor"), "handoff", "--threads", "2", "--rounds", str(iters)], ctx.runs(5, 2), 120,
            ("per_handoff_us", 2))
    rows.append(row)
    # What fiber ranks' hand-offs cost without baton: one Boost.Context jump each, as baton's fiber
    # ranks hand the CPU straight to one another; 2 per round trip are a blocked receive each way
    # (the random schedule also switches at some sends: about 3.7 hand-offs per round trip at seed 1).
    row = Row("floor, no baton: 2 Boost.Context fibers resuming each other, one jump per hand-off, "
              "2 hand-offs per round trip")
    measure(ctx, row, [ctx.baton("floor"), "fiber-pair", "--rounds", str(iters * 10)], ctx.runs(5, 2), 120,
            ("per_round_trip_us", 1))
    ompi = tool_row(ctx, "ompi", "pingpong", 2, args, ctx.runs(5, 2), 120)
    # Issue 17's target for fibers is relative: no slower than Open MPI's shared memory between two
    # processes, measured in the same run (the fixed 0.5 us is an older issue's).
    if rows[2].values and ompi.values:
        ratio = rows[2].median() / ompi.median()
        rows[2].note = (f"{ratio:.2f}× Open MPI's in this run (target ≤ 1×: "
                        f"{'met' if ratio <= 1 else '**missed**'})")
    rows += [row, ompi, tool_row(ctx, "smpi", "pingpong", 2, args, ctx.runs(3, 1), 300)]
    return [table(f"(b) ping-pong of 8 bytes between 2 ranks: time per round trip ({iters} round trips per run, "
                  "after one untimed)", rows, "per round trip")]


# (c): the rank counts, and the allreduces per run at each (enough to time, few enough to stay in budget).
C_ITERS = {"baton": {4: 5000, 64: 500, 256: 100, 1024: 20, 4096: 5, 16384: 3},
           "fiber": {4: 20000, 64: 2000, 256: 500, 1024: 100, 4096: 20, 16384: 5, 100000: 4, 1000000: 2},
           "ompi": {4: 5000, 64: 100, 256: 10, 1024: 3, 4096: 3},
           "smpi": {4: 5000, 64: 200, 256: 50, 1024: 5, 4096: 2}}
C_QUICK = {"baton": [4, 64, 1024], "fiber": [4, 64, 1024, 16384], "ompi": [4], "smpi": [4, 64, 1024]}
C_LABELS = {"baton": "baton, simulator", "fiber": "baton, simulator on fibers"}
C_TIMEOUT = {"baton": 120, "fiber": 120, "ompi": 180, "smpi": 180}
C_TARGETS = {("baton", 4096): (10_000, "≤ 10 ms"), ("fiber", 4096): (10_000, "≤ 10 ms"),
             ("baton", 16384): (None, "runs"), ("fiber", 100000): (30_000, "≤ 30 ms"),
             ("fiber", 1000000): (500_000, "≤ 0.5 s in ≤ 4 GiB")}
# Issue 17: the peak memory a row must stay within too (KiB), beside its time.
C_MEMORY_TARGETS = {("fiber", 1000000): 4 * 1024 * 1024}
# What a run at this many fiber ranks needs free to be tried at all (KiB): without it, the row says
# so instead of having the kernel kill the run (or the machine's other work) for memory.
C_MEMORY_NEEDED = {("fiber", 1000000): 6 * 1024 * 1024}
# A tool is not tried at the next size (4x the ranks) when a run would likely pass the timeout there:
# start-up can grow with the square of the ranks (Open MPI on 2 cores: about 4 s at 64 ranks, 40 s
# and more at 256, still in MPI_Init after 13 minutes at 1024), so the bound is 1/16 of the timeout.
C_GROWTH = 16


def c_runs(ctx, tool, p):
    """Runs at p ranks: fewer where one run is slow (Open MPI takes seconds to minutes to start 64+ ranks)."""
    if tool == "ompi":
        return ctx.runs(5, 2) if p <= 4 else ctx.runs(3, 1) if p <= 64 else 1
    return ctx.runs(5, 2) if p <= (256 if tool == "smpi" else 1024) else ctx.runs(3, 1)


def allreduce_row(ctx, tool, p, schedule=None):
    args = ["--iters", str(C_ITERS[tool][p])]
    if tool in TOOL_NAMES:
        return tool_row(ctx, tool, "allreduce", p, args, c_runs(ctx, tool, p), C_TIMEOUT[tool], config=str(p))
    row = Row(C_LABELS[tool] + (f", --schedule {schedule}" if schedule else ""), config=str(p),
              target=C_TARGETS.get((tool, p)), reference=tool == "baton",
              rss_limit_kb=None if schedule else C_MEMORY_TARGETS.get((tool, p)))
    if (needed := C_MEMORY_NEEDED.get((tool, p))) and (free := available_kb()) < needed:
        row.why = f"not run: it needs about {fmt_kb(needed)} of memory and the machine has {fmt_kb(free)} available"
        return row
    context = ["--context", "fiber"] if tool == "fiber" else []
    args += ["--schedule", schedule] if schedule else []
    measure(ctx, row, [ctx.baton("baton_allreduce"), "--ranks", str(p)] + context + args, c_runs(ctx, tool, p),
            C_TIMEOUT[tool])
    return row


def allreduce_rows(ctx, tool, sizes):
    """A tool's rows at growing rank counts, up to where it fails or would likely pass its timeout."""
    rows, stopped = [], ""
    for p in sizes:
        if stopped:
            rows.append(Row(C_LABELS.get(tool) or TOOL_NAMES[tool][0], config=str(p), why=stopped))
            continue
        row = allreduce_row(ctx, tool, p)
        rows.append(row)
        slowest = max((r.wall_s for r in row.runs), default=0)
        if row.why:
            stopped = row.why if tool in ctx.missing else f"not tried: stopped at {p} ranks"
        elif slowest * C_GROWTH > C_TIMEOUT[tool]:
            stopped = (f"not tried: a run at {p} ranks took {slowest:.0f} s; at 4× the ranks start-up may grow "
                       f"{C_GROWTH}×, past the {C_TIMEOUT[tool]} s timeout")
    return rows


def handoff_floor_row(ctx, p):
    """Each rank must have the CPU once per allreduce: P hand-offs between P threads."""
    row = Row("floor, no baton: P threads in a ring of std::binary_semaphore hand-offs, P hand-offs per allreduce",
              config=str(p))
    rounds = max(3, (20_000 if ctx.quick else 100_000) // p)
    if measure(ctx, row, [ctx.baton("floor"), "handoff", "--threads", str(p), "--rounds", str(rounds)],
               c_runs(ctx, "baton", p), 120, ("per_handoff_us", p)):
        row.note = (f"starting the {p} threads took {median_of(row, 'create_ms'):.3g} ms, ending them "
                    f"{median_of(row, 'join_ms'):.3g} ms")
    return row


# The fiber floor's passes per run at each rank count it is measured at (the largest fiber rows).
C_FIBER_FLOOR_PASSES = {16384: 20, 100000: 5, 1000000: 3}


def fiber_floor_row(ctx, p):
    """Each fiber rank must have the CPU once per allreduce: a switch into each of P fibers and back."""
    row = Row("floor, no baton: a switch into each of P Boost.Context fibers and back (stacks laid out as baton's, "
              "in rank order), one pass per allreduce", config=str(p))
    if (needed := C_MEMORY_NEEDED.get(("fiber", p))) and (free := available_kb()) < needed:
        row.why = f"not run: it needs about {fmt_kb(needed)} of memory and the machine has {fmt_kb(free)} available"
        return row
    if measure(ctx, row, [ctx.baton("floor"), "fiber-ring", "--fibers", str(p), "--passes", str(C_FIBER_FLOOR_PASSES[p])],
               c_runs(ctx, "fiber", p), C_TIMEOUT["fiber"], ("per_pass_us", 1)):
        row.note = (f"each pass in another random order, as baton's schedule picks ranks: "
                    f"{fmt_us(median_of(row, 'shuffled_per_pass_us'))}; the CPU time of a pass in rank order: "
                    f"{fmt_us(median_of(row, 'cpu_per_pass_us'))}; making the fibers took "
                    f"{median_of(row, 'create_ms'):.3g} ms")
    return row


# What one fiber rank's own memory costs when it is resumed: the cache lines a rank blocked in an
# allreduce touches from one allreduce to the next (its room, the frames it returns through and
# calls down through again, its stack's lowest line): 35.2 by callgrind at 10 000 fiber ranks with
# baton's read-ahead off (2026-12-01, the release build).
C_FIBER_OWN_LINES = 35


def fiber_footprint_row(ctx, p):
    """The fiber floor again, each fiber touching as many lines of its own stack as a resumed rank does,
    in random order as baton's schedule picks ranks: the floor of this design with this footprint."""
    row = Row(f"floor, no baton: as above, each fiber reading and writing {C_FIBER_OWN_LINES} cache lines of its own "
              "stack each time it runs (as many as a resumed rank touches), the loop reading them before it resumes a "
              "fiber and asking for the next fiber's first line, as baton does; each pass in another random order, "
              "as baton's schedule picks ranks", config=str(p))
    if (needed := C_MEMORY_NEEDED.get(("fiber", p))) and (free := available_kb()) < needed:
        row.why = f"not run: it needs about {fmt_kb(needed)} of memory and the machine has {fmt_kb(free)} available"
        return row
    if measure(ctx, row, [ctx.baton("floor"), "fiber-ring", "--fibers", str(p), "--passes", str(C_FIBER_FLOOR_PASSES[p]),
                          "--lines", str(C_FIBER_OWN_LINES)],
               c_runs(ctx, "fiber", p), C_TIMEOUT["fiber"], ("shuffled_per_pass_us", 1)):
        row.note = f"the same passes in rank order: {fmt_us(median_of(row, 'per_pass_us'))}"
    return row


def case_c(ctx):
    sizes = C_QUICK if ctx.quick else {tool: list(iters) for tool, iters in C_ITERS.items()}
    rows = [row for tool in sizes for row in allreduce_rows(ctx, tool, sizes[tool])]
    rows += [handoff_floor_row(ctx, p) for p in sizes["baton"]]
    rows += [fiber_floor_row(ctx, p) for p in sizes["fiber"] if p in C_FIBER_FLOOR_PASSES]
    rows += [fiber_footprint_row(ctx, p) for p in sizes["fiber"] if p in C_FIBER_FLOOR_PASSES and p >= 100000]
    rows.sort(key=lambda r: (int(r.config), not r.reference, r.tool.startswith("floor"), r.tool))
    intro = ("Allreduces per run: " + "; ".join(f"{t} " + ", ".join(f"{C_ITERS[t][p]} at {p}" for p in sizes[t])
                                                 for t in sizes)
             + ". Peak memory: one process for baton and SimGrid; for Open MPI the sum over the ranks plus mpiexec's.")
    return [table("(c) allreduce of one double: time per allreduce, and peak memory of the whole job", rows,
                  "per allreduce", intro)]


def case_d(ctx):
    args = ["--iters", "100", "--bytes", str(1 << 20)]
    total = ("total_ms", 1000)
    bcast = [ctx.baton("baton_bcast"), "--ranks", "16"] + args
    rows = [Row("baton, simulator", target=(50_000, "≤ 50 ms"), reference=True),
            Row("baton, simulator on fibers (--context fiber)"),
            Row("floor, no baton: the copies alone, 1 MiB memcpy into 15 buffers, 100 times, one thread")]
    copies = [ctx.baton("floor"), "memcpy", "--ranks", "16", "--bytes", str(1 << 20), "--iters", "100"]
    for row, cmd in zip(rows, (bcast, bcast + ["--context", "fiber"], copies)):
        measure(ctx, row, cmd, ctx.runs(5, 2), 120, total)
    # Issue 13: process ranks, against the fibers of this very run.
    fibers = rows[1]
    processes = Row("baton, process ranks (--context process)",
                    target=(2 * fibers.median(), "≤ 2× fibers") if fibers.values else None)
    measure(ctx, processes, bcast + PROCESSES, ctx.runs(5, 2), 300, total)
    rows.insert(2, processes)
    rows += [tool_row(ctx, tool, "bcast", 16, args, ctx.runs(5, 2), 120, total) for tool in ("ompi", "smpi")]
    return [table("(d) broadcast of 1 MiB from rank 0 to 16 ranks, 100 times: total time of the 100 (after one "
                  "untimed broadcast; a barrier before and after)", rows, "100 broadcasts",
                  "On process ranks the root's process writes its megabyte once into the shared payload area, "
                  "the engine copies it once into the root's block for the ranks, and every other rank's process "
                  "reads that one block (read-only to it): two copies more than fibers, and two process "
                  "wake-ups per call.")]


def mpi_compare_lines(ctx, ranks, iterations, runs, jobs):
    """The table lines of `jobs` runs of bench/mpi_compare.cpp on `ranks` ranks. Each job prints, per
    operation, the medians of its three sides and its median ratios; a line gives the median over the jobs."""
    # --oversubscribe only with more ranks than cores: it makes Open MPI yield the core while polling.
    cmd = ["mpiexec", "-n", str(ranks)] + (["--oversubscribe"] if ranks > CORES else []) + \
          [ctx.mpi_compare, "--iterations", str(iterations), "--runs", str(runs)]
    figures = {}  # operation -> per job, [plain, baton, again, baton/plain, again/plain]
    for _ in range(jobs):
        r = run(ctx, cmd, 300, OMPI_ENV)
        log(f"    mpi_compare on {ranks} ranks: " + (f"FAILED: {r.why}" if r.why else "ok"))
        if r.why:
            return [f"| {ranks} | mpi_compare — stops: {r.why} | – | – | – | – | – |"]
        for m in re.finditer(r"^(\S.*?)" + r"\s+([0-9.]+)" * 5 + r"$", r.stdout, re.M):
            figures.setdefault(m[1], []).append([float(m[i]) for i in range(2, 7)])
    lines = []
    for name, per_job in figures.items():
        columns = [[job[i] for job in per_job] for i in range(5)]
        ratios = [f"{statistics.median(c):.3f}" + (f" ({min(c):.3f}–{max(c):.3f})" if len(c) > 1 else "")
                  for c in columns[3:]]
        lines.append(f"| {ranks} | {name} | " + " | ".join(fmt_us(statistics.median(c)) for c in columns[:3])
                     + " | " + " | ".join(ratios) + " |")
    return lines


def case_e(ctx):
    title = "## (e) baton on its MPI backend against the plain MPI C API\n\n"
    if "e" in ctx.missing:
        return [title + "Not measured: " + ctx.missing["e"]]
    iterations, runs, jobs = (1000, 11, 1) if ctx.quick else (2000, 41, 5)
    lines = [line for ranks in (2, 4) for line in mpi_compare_lines(ctx, ranks, iterations, runs, jobs)]
    return [title + (
        f"bench/mpi_compare.cpp under `mpiexec -n N` (with `--oversubscribe` for more ranks than the {CORES} cores, "
        f"which makes Open MPI yield the core while polling), {jobs} job(s) per rank count. Each job runs three sides, "
        "each on its own duplicate of MPI_COMM_WORLD, in an order rotating from run to run: the plain MPI C code, "
        "baton, and the plain MPI C code again (the control: separate code doing the same, so that its ratio shows "
        f"what noise and code placement alone make). {runs} runs of {iterations} iterations per side; times are "
        "medians; a ratio is the median of the per-run ratios in a job, shown as the median over the jobs "
        "(lowest–highest job).\n\n"
        "| ranks | operation | plain MPI C | baton on MPI | plain MPI C again | baton ÷ plain | again ÷ plain |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(lines))]


def case_f(ctx):
    explorations = 200 if ctx.quick else 2000
    rows = []
    for program, label, extra in (
            ("average", f"the seed's average on 4 ranks, explored {explorations} times (1 execution each)",
             ["--explorations", str(explorations)]),
            ("race", "6 senders to 6 wildcard receives on rank 0: 720 executions", ["--senders", "6"])):
        for context, env in (("threads", None), ("fibers", FIBERS)):
            row = Row(f"baton, {label}, on {context}", reference=not rows,
                      target=(500, "≥ 2 000 per second") if program == "average" else None)
            measure(ctx, row, [ctx.baton("baton_explore"), "--program", program] + extra, ctx.runs(5, 2), 300, env=env)
            if row.values:
                row.note = f"{1e6 / row.median():,.0f} executions per second"
            rows.append(row)
    return [table("(f) exploration throughput: time per execution (schedule) explored, one core", rows,
                  "per execution")]


def case_g(ctx):
    rounds = 4_000 if ctx.quick else 20_000
    rows = []
    for context in ("thread", "fiber"):
        row = Row(f"baton, soak on {context}s", target=(8, "≤ 8 B/round"), fmt=fmt_bytes)
        if measure(ctx, row, [ctx.baton("soak"), "--context", context, "--rounds", str(rounds)], ctx.runs(3, 1),
                   120, ("rss_slope_b_per_round", 1)):
            row.note = (f"RSS {median_of(row, 'rss_start_mib'):.2f} MiB after the warm-up, "
                        f"{median_of(row, 'rss_end_mib'):.2f} MiB at the end")
        rows.append(row)
    return [table(f"(g) soak: RSS slope of a steady-state run, in bytes per round ({rounds} rounds on 8 ranks: "
                  "each rank sends to 2 random peers and takes 2 wildcard receives, a split or dup every 50 "
                  "rounds)", rows, "RSS slope per round",
                  "bench/soak.cpp; the slope is the least-squares fit of the resident set size, sampled every 200 "
                  "rounds after a warm-up of a fifth of the rounds. The target, ≤ 8 B/round, is a quarter of the "
                  "smallest leak that grows with the rounds: one 32-byte heap block per round (the leaks issue #11 "
                  "found cost 128 B per round and more). Below it are the RSS's page granularity (one 4 KiB page "
                  f"more halfway through the {rounds * 4 // 5} sampled rounds: {1.5 * 4096 / (rounds * 0.8):.2g} "
                  "B/round) and the heap and thread stacks settling: "
                  "on threads the RSS grows by 50–90 KiB over the first ~70 000 rounds, then levels off, and no "
                  "faster with 10× the split/dups or with one malloc arena (1–6 B/round over 20 000 rounds). A "
                  "leak per split/dup smaller than 400 B would stay under the target.")]


def case_h(ctx):
    p = 100_000
    rows = [allreduce_row(ctx, "fiber", p, schedule) for schedule in ("random", "pct")]
    random_row, pct_row = rows
    random_row.reference, random_row.target = True, None
    if random_row.values:
        pct_row.target = (3 * random_row.median(), "≤ 3× random")
    intro = (f"bench/baton_allreduce, {C_ITERS['fiber'][p]} allreduces per run, as in (c); the two schedules one "
             "after the other in the same run of bench/run.py. PCT keeps the runnable ranks ordered by priority, "
             "a tree of up to 100 000 entries updated at every step, where random picks in O(1): the target, ≤ 3× "
             "random's median, allows for that tree's cache misses. When PCT scanned every rank at each step, a run "
             "took 30× random's (33 s against 1.1 s).")
    return [table(f"(h) allreduce of one double at {p} fiber ranks under the PCT schedule, beside random", rows,
                  "per allreduce", intro)]


def case_i(ctx):
    iters = 2_000 if ctx.quick else 20_000
    pingpong = [ctx.baton("baton_pingpong"), "--ranks", "2", "--iters", str(iters)]
    rows = [Row("baton, process ranks (--context process)", target=(10, "≤ 10 µs"), reference=True),
            Row("baton, process ranks, --bind-to none"), Row("baton, fiber ranks"), Row("baton, thread ranks")]
    for row, extra in zip(rows, (PROCESSES, PROCESSES + ["--bind-to", "none"], ["--context", "fiber"], [])):
        measure(ctx, row, pingpong + extra, ctx.runs(5, 2), 300)
    # What the design costs at least: four calls per round trip, each a socket round trip.
    for where, extra in (("on one core, as baton binds them", []), ("wherever the OS puts them", ["--two-cores"])):
        row = Row(f"floor, no baton: 4 round trips of 32 bytes between two processes over a Unix socket, {where}")
        measure(ctx, row, [ctx.baton("floor"), "socket", "--rounds", str(iters)] + extra, ctx.runs(5, 2), 120,
                metric=("per_round_trip_us", 4))
        rows.append(row)
    tables = [table(f"(i) process ranks: ping-pong of 8 bytes, per round trip ({iters} round trips per run)", rows,
                    "per round trip", "Each call of a process rank is a message to the engine and its answer "
                    "over a Unix socket: a round trip of the ping-pong is four calls. The engine and the ranks' "
                    "processes share one core (--bind-to core, the default); with --bind-to none the OS places "
                    "them, and each hand-off may wake the other core.")]

    rows = [Row("baton, examples/average --context process", target=(15_000, "≤ 15 ms"), reference=True),
            Row("baton, examples/average (threads)")]
    for row, extra in zip(rows, (PROCESSES, [])):
        hyperfine(ctx, row, [ctx.baton("average"), "--ranks", "4"] + extra, ctx.runs(20, 5), 30)
    tables.append(table("(i) process ranks: the seed's average program on 4 ranks, whole process (fork to exit)",
                        rows, "time", "Timed by hyperfine as in (a); the processes are forked by the program."))

    # The 1 MiB broadcast on process ranks is a row of (d), beside fibers.

    p = 256 if ctx.quick else 1024
    allreduces = 3 if ctx.quick else 10
    row = Row("baton, process ranks (--context process)", config=str(p), target=(None, "runs"), reference=True)
    measure(ctx, row, [ctx.baton("baton_allreduce"), "--ranks", str(p), "--iters", str(allreduces)] + PROCESSES,
            ctx.runs(3, 1), 600)
    fiber_row = Row("baton, fiber ranks", config=str(p))
    measure(ctx, fiber_row, [ctx.baton("baton_allreduce"), "--ranks", str(p), "--iters", str(allreduces),
                             "--context", "fiber"], ctx.runs(3, 1), 600)
    tables.append(table(f"(i) process ranks: allreduce of one double at {p} ranks ({allreduces} per run), "
                        "and peak memory of the engine's process", [row, fiber_row], "per allreduce",
                        "Each allreduce is a call of every rank, each a message and its answer; the reduction is "
                        "applied by the process of a rank (its function object lives there), one message per step "
                        "of the fold. The machine's limit is the number of processes (`ulimit -u`) and their "
                        "memory: each forked rank shares the program's pages until it writes them."))
    return tables


# ---- the report ---------------------------------------------------------------------------------


def first_line(cmd):
    if not shutil.which(cmd[0]):
        return ""
    r = subprocess.run(cmd, capture_output=True, text=True)
    return ((r.stdout or r.stderr).strip().splitlines() or [""])[0]


def git(*args):
    return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()


def header():
    """The text before the sections: how the figures are measured (each section says when and where)."""
    return "\n".join([
        "# baton benchmarks\n",
        "Generated by `bench/run.py`, baton built with buildtype=release. Each section says when it was measured, at "
        "which commit, by which command, on what machine, and how much of the machine other processes used meanwhile "
        "(all the machine's busy time less the run's own, as a share of its cores): `bench/run.py --only g,h --write` "
        "measures cases (g) and (h) again and keeps the other sections as they are.\n",
        "Times are medians over the runs, with the fastest and slowest run; \"× baton\" is the tool's median divided by "
        "baton's (above 1: slower than baton). Per-operation times are measured inside the programs, on rank 0, around "
        "the timed loop (baton's allreduce: every rank's loop, their mean); \"whole process\" is fork to exit, and \"its CPU time\" the user and system time of the whole "
        "process (of every rank for Open MPI): on a busy machine, a process that waits for a core shows in its wall "
        "time, not its CPU time. Peak memory is the maximum resident set size: of the one process for baton and "
        "SimGrid; for Open MPI summed over the ranks, plus mpiexec's (which may count one rank twice). \"floor\" rows "
        "are what this machine costs, without baton, for what the simulator's design must do (threads handing the CPU "
        "to each other through semaphores; the copies a broadcast makes): baton cannot beat them without changing the "
        "design. Where a tool stops, the row says why. `bench/run.py --help` says how each figure is measured.\n"])


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    versions = "; ".join(v for v in map(first_line, (["g++", "--version"], ["mpiexec", "--version"],
                                                      ["smpirun", "-version"], ["hyperfine", "--version"])) if v)
    return f"{CORES} cores ({cpu}), {platform.system()} {platform.release()}; {versions}"


def provenance(argv, share, seconds):
    """The line under a case's title: when, at which commit, by which command, where, and how busy the machine was."""
    dirty = " plus uncommitted changes to the library" if git("status", "--porcelain", "--untracked-files=no", "--",
                                                               "include", "src", "backends") else ""
    now = datetime.datetime.now().astimezone()
    return (f"Measured on {now:%Y-%m-%d %H:%M %Z} at commit {git('rev-parse', '--short', 'HEAD')}{dirty} by "
            f"`{shlex.join(['bench/run.py'] + argv)}`, in {seconds:.0f} s. Machine: {machine()}. Other processes used "
            f"{share:.0%} of the {CORES} cores meanwhile" +
            (": **other work was running, so these times are pessimistic and noisy.**" if share > 0.1
             else ": the machine was otherwise close to idle."))


def sections_of(text):
    """A results file's sections by case: from the case's first "## (x)" title to the next case's."""
    titles = list(re.finditer(r"^## \((\w)\)", text, re.M))
    found = {}
    for title, end in zip(titles, [t.start() for t in titles[1:]] + [len(text)]):
        found[title[1]] = found.get(title[1], "") + text[title.start():end]
    return {case: section.strip() for case, section in found.items()}


def case_j(ctx):
    iters = 4 if ctx.quick else 10
    tables = []
    for context, env in (("threads", None), ("fibers", FIBERS)):
        cmd = [ctx.baton("baton_isend"), "--ranks", "2", "--iters", str(iters), "--bytes", str(64 << 20)]
        send = Row(f"baton, send on {context}", reference=True)
        measure(ctx, send, cmd + ["--mode", "send"], ctx.runs(5, 2), 300, env=env)
        isend = Row(f"baton, isend + wait on {context}",
                    target=(1.5 * send.median(), "≤ 1.5× send") if send.values else None)
        measure(ctx, isend, cmd + ["--mode", "isend"], ctx.runs(5, 2), 300, env=env)
        tables.append(table(f"(j) a 64 MiB message with isend + wait against send on {context}, per message "
                            f"({iters} per run, 2 ranks)", [send, isend], "per message",
                            "bench/baton_isend.cpp. An isend's buffer is checksummed (XXH3) when it is posted and "
                            "when it completes, to catch a change in between; before issue #14 that was a "
                            "byte-at-a-time FNV-1a loop, 1–2 s for 256 MiB." if context == "threads" else ""))
    return tables


# (k): the model of simulated time. A platform both simulators share: one link a node, LogGP's L
# split over the two private links SMPI's cluster puts on a route, o as SMPI's send and receive
# overheads (smpi/os, smpi/or), every message eager on both sides (SMPI: detached), no computing.
K_NET = {"latency_us": 1.0, "bandwidth_GBps": 12.5, "overhead_us": 0.3}
K_SIZES = [8, 64, 512, 4096, 32768, 262144, 4194304]
K_RANKS = [4, 64, 1024]


def k_baton_network(overhead_us=None):
    n = K_NET
    o = n["overhead_us"] if overhead_us is None else overhead_us
    return f"latency={n['latency_us']}us,bandwidth={n['bandwidth_GBps']}GB/s,overhead={o}us,gap={o}us"


def k_smpi_cmd(ctx, program, ranks, args, config, overhead_us=None):
    """bench/ref_<program>.c under smpirun on K_NET's cluster, with SMPI's simplest network model."""
    directory = ctx.refs["smpi"]
    path = os.path.join(directory, f"k-cluster-{ranks}.xml")
    n = K_NET
    with open(path, "w") as f:
        f.write("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                f"<platform version=\"4.1\">\n<cluster id=\"k\" prefix=\"host\" suffix=\"\" radical=\"0-{ranks - 1}\" "
                f"speed=\"1Gf\" bw=\"{n['bandwidth_GBps']}GBps\" lat=\"{n['latency_us'] / 2}us\"/>\n</platform>\n")
    hosts = os.path.join(directory, f"k-hosts-{ranks}.txt")
    with open(hosts, "w") as f:
        f.write("".join(f"host{i}\n" for i in range(ranks)))
    o = (n["overhead_us"] if overhead_us is None else overhead_us) * 1e-6
    return (["smpirun", "-np", str(ranks), "-platform", path, "-hostfile", hosts, "--log=root.thresh:warning",
             "--cfg=network/model:CM02", "--cfg=smpi/simulate-computation:no", f"--cfg=smpi/os:0:{o}:0",
             f"--cfg=smpi/or:0:{o}:0", "--cfg=smpi/send-is-detached-thresh:1073741824"]
            + [f"--cfg={c}" for c in config] + [os.path.join(directory, f"ref_{program}")] + args)


def k_pair(ctx, label, baton_cmd, other_cmd, other_env=None, runs=1, timeout=300, tolerance=0.05, why=""):
    """A row of baton's predicted time (BENCH wtime_per_op_us) beside another's, and their ratio."""
    ours, theirs = Row(f"{label}: baton"), Row(f"{label}: other")
    measure(ctx, ours, baton_cmd, 1, timeout, ("wtime_per_op_us", 1))
    if other_cmd is None:
        theirs.why = why
    else:
        measure(ctx, theirs, other_cmd, runs, timeout, ("wtime_per_op_us", 1), other_env)
    cells = [label, ours.fmt(ours.median()) if ours.values else f"— ({ours.why})",
             theirs.fmt(theirs.median()) if theirs.values else f"— ({theirs.why})"]
    if ours.values and theirs.values:
        off = ours.median() / theirs.median() - 1
        verdict = "met" if abs(off) <= tolerance else (why or "**missed**")
        cells += [f"{off:+.1%}", verdict]
    else:
        cells += ["", why]
    return "| " + " | ".join(cells) + " |"


def case_k(ctx):
    tables = []
    # What simulated time costs.
    fib = ctx.runs(5, 2)
    allreduce = [ctx.baton("baton_allreduce"), "--ranks", "16384", "--iters", "3", "--context", "fiber"]
    off = Row("baton on fibers, 16 384 ranks, simulated time off", reference=True)
    measure(ctx, off, allreduce, fib, 300)
    on = Row("the same with --network ib-hdr --compute-time zero",
             target=(1.5 * off.median(), "≤ 1.5× off") if off.values else None)
    measure(ctx, on, allreduce + ["--network", "ib-hdr", "--compute-time", "zero"], fib, 300)
    measured = Row("the same with --network ib-hdr (compute time measured)",
                   target=(1.5 * off.median(), "≤ 1.5× off") if off.values else None)
    measure(ctx, measured, allreduce + ["--network", "ib-hdr"], fib, 300)
    tables.append(table("(k) simulated time: an allreduce of one double at 16 384 fiber ranks, with it off and on, "
                        "per allreduce (3 per run)", [off, on, measured], "per allreduce"))
    iters = 20_000 if ctx.quick else 200_000
    pingpong = [ctx.baton("baton_pingpong"), "--ranks", "2", "--iters", str(iters), "--context", "fiber"]
    rows = []
    for label, extra in (("simulated time off", []),
                         ("--network shm --compute-time zero", ["--network", "shm", "--compute-time", "zero"]),
                         ("--network shm (compute time measured)", ["--network", "shm"])):
        row = Row(f"baton on fibers, ping-pong, {label}", fmt=lambda v: f"{v / 1e6:.2f} M/s")
        measure(ctx, row, pingpong + extra, ctx.runs(5, 2), 300)
        row.values = [2.0 / v * 1e6 for v in row.values]  # two messages a round trip
        if extra and row.values:
            row.note = "target ≥ 1 M/s: " + ("met" if row.median() >= 1e6 else "**missed**")
        rows.append(row)
    tables.append(table(f"(k) simulated messages per second on fibers (a ping-pong of 8 bytes, {iters} round trips "
                        "per run: two messages each)", rows, "messages per second"))

    # Against SimGrid SMPI.
    head = ["| case | baton predicts | SMPI predicts | baton − SMPI | within 5 % |", "|---|---:|---:|---:|---|"]
    lines = []
    if "smpi" in ctx.missing:
        lines.append(f"| every case | | | | not run: {ctx.missing['smpi']} |")
    else:
        net = ["--network", k_baton_network(), "--compute-time", "zero", "--eager-limit", "1073741824"]
        for size in K_SIZES:
            lines.append(k_pair(ctx, f"ping-pong {size} B, round trip",
                                [ctx.baton("baton_pingpong"), "--ranks", "2", "--iters", "20", "--bytes", str(size)] + net,
                                k_smpi_cmd(ctx, "pingpong", 2, ["--iters", "20", "--bytes", str(size)], [])))
        # SMPI charges a receive's overhead (smpi/or) where a non-blocking receive is posted, so it
        # overlaps the wait in the Sendrecv of each round; LogGP (and baton) charge it after the
        # message arrives. Without overheads the two models are the same.
        net0 = ["--network", k_baton_network(0), "--compute-time", "zero", "--eager-limit", "1073741824"]
        for ranks in (4, 64):  # where baton takes recursive doubling
            lines.append(k_pair(ctx, f"allreduce 8 B, {ranks} ranks, o = 0 (recursive doubling)",
                                [ctx.baton("baton_allreduce"), "--ranks", str(ranks), "--iters", "5",
                                 "--context", "fiber"] + net0,
                                k_smpi_cmd(ctx, "allreduce", ranks, ["--iters", "5"], ["smpi/allreduce:rdb"], 0)))
        for ranks in K_RANKS:
            ours = choose_note("allreduce", ranks, 8)
            smpi = {"recursive doubling": "rdb", "nonoverlapping": None}.get(ours)
            lines.append(k_pair(ctx, f"allreduce 8 B, {ranks} ranks ({ours})",
                                [ctx.baton("baton_allreduce"), "--ranks", str(ranks), "--iters", "5",
                                 "--context", "fiber"] + net,
                                k_smpi_cmd(ctx, "allreduce", ranks, ["--iters", "5"], [f"smpi/allreduce:{smpi}"])
                                if smpi else None,
                                why="" if smpi else "SMPI has no allreduce that is Open MPI's nonoverlapping "
                                                    "(a binomial reduce, then a k-nomial bcast)"))
        # A bcast lets its root go on at once on MPI (and SMPI): back-to-back bcasts overlap there,
        # while baton's collectives end for every rank at once, at the last one's arrival plus the
        # algorithm's time. The per-bcast times below differ by that overlap.
        for ranks, size in ((4, 4096), (64, 4096), (1024, 4096), (4, 524288)):
            ours = choose_note("bcast", ranks, size)
            smpi = {"binomial tree": "binomial_tree", "linear": "flattree"}.get(ours)
            why = "" if smpi else f"SMPI has no {ours} bcast (its trees are binomial, flat or SMP-aware)"
            if ours == "binary tree":
                why = ("SMPI's binary trees are ompi_split_bintree and SMP_binary, not Open MPI's plain binary "
                       "tree")
            lines.append(k_pair(ctx, f"bcast {size} B, {ranks} ranks ({ours})",
                                [ctx.baton("baton_bcast"), "--ranks", str(ranks), "--iters", "3", "--bytes", str(size),
                                 "--context", "fiber"] + net,
                                k_smpi_cmd(ctx, "bcast", ranks, ["--iters", "3", "--bytes", str(size)],
                                           [f"smpi/bcast:{smpi}"]) if smpi else None, why=why))
    n = K_NET
    tables.append("\n".join([
        "## (k) baton's prediction beside SimGrid SMPI's, for the same platform and algorithm (times by each one's "
        "simulated clock: deterministic, one run each)", "",
        f"Platform: L = {n['latency_us']} µs, {n['bandwidth_GBps']} GB/s, o = g = {n['overhead_us']} µs. baton: "
        f"`--network {k_baton_network()} --compute-time zero --eager-limit 1073741824`; SMPI 3.32: a cluster of one "
        f"host a rank whose private links have L/2 and the bandwidth (a route crosses two), "
        f"`--cfg=network/model:CM02` (no correction factors), `smpi/os` and `smpi/or` = o, every send detached "
        f"(eager), `smpi/simulate-computation:no`, and the algorithm baton takes at that size forced with "
        f"`smpi/allreduce:` or `smpi/bcast:`.", "",
        "Where the models are the same the two agree to 0.1 %: point-to-point for every size, recursive doubling "
        "without overheads, a linear bcast. Where they are not: (1) SMPI charges a receive's overhead (smpi/or) when "
        "a non-blocking receive is posted, so in the Sendrecv of each recursive-doubling round it overlaps the "
        "wait, while LogGP and baton charge it after the message arrives: with o = 0 on both sides the rows agree; "
        "(2) a bcast lets its root and inner ranks go on at once, so back-to-back bcasts overlap in SMPI (and MPI), "
        "while baton ends a collective for every rank at once (the last arrival plus the algorithm's time); "
        "(3) SMPI has no k-nomial tree, no plain binary tree and no nonoverlapping allreduce, which Open MPI's rules "
        "take at these sizes; (4) SMPI shares a link's bandwidth between messages that cross it at the same time "
        "(a contention model), baton does not: equal here, where no two messages share a link.", ""]
        + head + [line for line in lines if line]))

    # Against Open MPI on this machine: --network shm's prediction, and what mpiexec measures (by
    # MPI_Wtime, medians over separate jobs).
    head = ["| case | baton predicts (--network shm) | Open MPI measures (median) | baton − Open MPI | within 25 % |",
            "|---|---:|---:|---:|---|"]
    lines = []
    runs = ctx.runs(7, 2)
    shm = ["--network", "shm", "--compute-time", "zero"]
    if "ompi" in ctx.missing:
        lines.append(f"| every case | | | | not run: {ctx.missing['ompi']} |")
    else:
        for size in K_SIZES:
            iters = "2000" if size <= 4096 else ("200" if size <= 262144 else "20")
            args = ["--iters", iters, "--bytes", str(size)]
            lines.append(k_pair(ctx, f"ping-pong {size} B, round trip, -n 2",
                                [ctx.baton("baton_pingpong"), "--ranks", "2"] + args + shm,
                                ctx.tool_cmd("ompi", "pingpong", 2, args), OMPI_ENV, runs, 120, 0.25))
        for ranks in (2, 4):
            # More ranks than cores: each message waits for its receiver to be scheduled, which
            # no network model predicts; shm is not fitted to these rows.
            crowded = ranks > CORES
            label = f", -n {ranks}" + (f" ({ranks} ranks on {CORES} cores: oversubscribed, not fitted)" if crowded else "")
            why = "oversubscribed: the ranks wait for a core, not for the network" if crowded else ""
            lines.append(k_pair(ctx, "allreduce 8 B" + label,
                                [ctx.baton("baton_allreduce"), "--ranks", str(ranks), "--iters", "2000"] + shm,
                                ctx.tool_cmd("ompi", "allreduce", ranks, ["--iters", "2000"]), OMPI_ENV, runs, 120, 0.25,
                                why))
            lines.append(k_pair(ctx, "bcast 1 MiB" + label,
                                [ctx.baton("baton_bcast"), "--ranks", str(ranks), "--iters", "50"] + shm,
                                ctx.tool_cmd("ompi", "bcast", ranks, ["--iters", "50"]), OMPI_ENV, runs, 120, 0.25,
                                why))
    tables.append("\n".join([
        "## (k) baton's prediction with --network shm beside Open MPI's times on this machine (mpiexec, "
        "--oversubscribe on 2 cores)", "",
        "baton: the bench program with `--network shm --compute-time zero` (its simulated clock, BENCH "
        "wtime_per_op_us; the default --eager-limit, 64 KiB). Open MPI: bench/ref_*.c under `mpiexec -n N`, "
        "timed by MPI_Wtime on rank 0 (the bcast: the last rank's), the median of separate jobs. `shm` is fitted "
        "to Open MPI's ping-pong at -n 2 (bench/calibrate_shm.py: L and bandwidth in three size ranges, where "
        "Open MPI's vader transport changes protocol, within 8 % of each size from 64 B to 4 MiB when fitted, "
        "23 % at 8 B), so the ping-pong rows "
        "test the fit against a new measurement. The allreduce and bcast rows test the collective algorithms "
        "on top of it; where one misses by more than the ping-pong does, it is for a reason the model leaves out "
        "on purpose: "
        "an allreduce of 8 bytes on 2 ranks is Open MPI's recursive doubling, one MPI_Sendrecv and a reduction, "
        "which costs about 100 ns more than a blocking send's one way (a posted receive, two requests to wait "
        "for, the operation), while baton charges one step, as LogGP does (−20 % on some runs); a 1 MiB bcast on 2 "
        "ranks repeated 50 times from the same buffer is a stream of one-way copies of bytes that no other core "
        "has just written, while `shm` is fitted to a ping-pong, each of whose messages copies bytes the other "
        "core has just written: on this machine (2026-12-01, a plain MPI_Send/MPI_Recv loop of 50 messages) a "
        "stream of 1 MiB messages took 69–97 µs a message against 119–124 µs one way in a ping-pong (128 KiB: "
        "8–10 µs against 17; 4 MiB, beyond the caches: 413–491 µs against 425–516). LogGP has one time per "
        "size, not one per cache state, so baton predicts the ping-pong's time for the bcast (+60 to +70 %). "
        "`shm` was fitted at one hour of one day (backends/sim/network_model.cpp): this VM's memory speed "
        "drifts by tens of per cent from hour to hour (6.6 GB/s above 32 KiB at 05:55, 9.5 at 10:42 the same "
        "day), which the ping-pong rows show first. The ranks are processes that poll: with more ranks than the cores other work leaves "
        "free, a message waits for its receiver to be scheduled, which costs far more than the transfer. The "
        "-n 4 rows run 4 ranks on this machine's 2 cores, so they measure that wait, not the network: `shm` is "
        "not fitted to them and they are not expected to meet the target. The -n 2 rows say how close `shm` "
        "is only where the machine was quiet enough: see the load line above.", ""] + head + lines))
    return tables


def choose_note(kind, ranks, size):
    """The algorithm baton takes (backends/sim/collective_algorithms.cpp), as bench/run.py needs it to force SMPI's:
    read from the table here, kept in step by hand."""
    if kind == "allreduce":
        if ranks < 8:
            return "recursive doubling"  # a ring below 16 bytes, but one double is fewer elements than ranks
        if ranks < 128:
            return "recursive doubling"
        if 512 <= ranks < 2048 and size < 2048:
            return "nonoverlapping"
        return "recursive doubling"
    if ranks < 8:
        if size >= 1048576:
            return "chain"
        return "binomial tree" if 2048 <= size < 8192 else ("linear" if 8192 <= size else "binary tree")
    if ranks < 128:
        return "k-nomial tree"
    return "k-nomial tree" if size < 524288 else "scatter-allgather"


def write_results(path, head, sections):
    """Writes `head` and `sections` to `path`, keeping the sections already there of the cases not run now."""
    kept = sections_of(open(path).read()) if os.path.exists(path) else {}
    merged = {**kept, **sections}
    with open(path, "w") as f:
        f.write(head + "\n" + "\n\n".join(merged[case] for case in sorted(merged)) + "\n")
    log(f"written to {path}" + (f" (kept the sections of case(s) {', '.join(sorted(set(kept) - set(sections)))})"
                                if set(kept) - set(sections) else ""))


def others_share(busy_before, own_before, seconds):
    """The share of the machine's CPU that other processes used over the last `seconds`."""
    others = (cpu_busy_s() - busy_before) - (cpu_own_s() - own_before)
    return max(0.0, others) / (seconds * CORES) if seconds > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer runs, sizes and iterations")
    parser.add_argument("--only", default=",".join(CASES), help=f"comma-separated cases to run, of {','.join(CASES)}")
    parser.add_argument("--runs", type=int, help="at most this many runs per row")
    parser.add_argument("--write", action="store_true",
                        help="also write the tables to bench/results.md, keeping the sections of the cases not run")
    parser.add_argument("--output", help="the same, to this file")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"),
                        help="meson build directory (default: build-bench; case e adds -mpi)")
    args = parser.parse_args()
    cases = args.only.split(",")
    if any(c not in list(CASES) for c in cases):
        parser.error(f"--only {args.only}: the cases are {', '.join(CASES)}")

    ctx = Context(build=os.path.abspath(args.build_dir), quick=args.quick, max_runs=args.runs)
    log("== building ==")
    build(ctx, cases)
    sections = {}
    started = time.perf_counter()
    for case in sorted(set(cases)):
        log(f"== case {case} ==")
        t0, busy0, own0 = time.perf_counter(), cpu_busy_s(), cpu_own_s()
        title, rest = "\n\n".join(globals()[f"case_{case}"](ctx)).split("\n", 1)
        seconds = time.perf_counter() - t0
        sections[case] = f"{title}\n\n{provenance(sys.argv[1:], others_share(busy0, own0, seconds), seconds)}\n{rest}"
        log(f"  case {case}: {seconds:.0f} s")
    log(f"the whole run took {time.perf_counter() - started:.0f} s (after the build)")
    head = header()
    print(head + "\n" + "\n\n".join(sections.values()) + "\n")
    for path in [os.path.join(ROOT, "bench", "results.md")] * args.write + [args.output] * bool(args.output):
        write_results(path, head, sections)


if __name__ == "__main__":
    main()
