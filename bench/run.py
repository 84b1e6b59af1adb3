#!/usr/bin/env python3
"""Builds and runs baton's benchmarks against plain MPI (Open MPI's mpiexec, SimGrid's smpirun).

    bench/run.py            # everything, about 5-10 minutes on a 2-core machine
    bench/run.py --quick    # a smoke run, about a minute
    bench/run.py --only b,c # some cases only
    bench/run.py --rev HEAD # measure a commit (exported with git archive) instead of the work tree

Writes bench/results.md (a markdown table per case: median over several runs, min-max, the ratio
to baton, the target and whether it is met) and prints it.

The cases (from the benchmark issue):
  (a) the seed's average program on 4 ranks, as a whole process (baton's examples/average, the
      same program in plain MPI under mpiexec and under smpirun), and inside one process as a
      test runs it (many baton::sim::run calls);
  (b) ping-pong of an 8-byte message between 2 ranks, 100 000 round trips: time per round trip;
  (c) allreduce of one double at 4 ... 4096 ranks (16 384 for baton): time per allreduce and
      the peak memory of the whole job, as far as each tool gets in bounded time;
  (d) broadcast of 1 MiB to 16 ranks, 100 times: total time;
  (e) baton on its MPI backend against plain MPI: runs bench/mpi_compare.cpp (written
      separately) when it exists, from a build with the MPI backend (build-bench-mpi);
  (f) exploration throughput (not yet: baton has no exploration).

How things are measured:
  - per-operation times are taken inside each program, on rank 0, with the wall clock around the
    timed loop after one untimed operation (programs print "BENCH <name> <value>"). The plain-MPI
    programs read the clock with the raw clock_gettime system call, because smpicc turns
    clock_gettime into simulated time; what is compared here is what each tool costs in real time;
  - every command runs under bench/spawn.c, a small C program that forks it, waits for it with
    wait4 and reports the wall time from fork to exit ("whole process") and the peak resident
    memory (ru_maxrss). From Python, every child would start with Python's peak memory;
  - peak memory of a job: for one process (baton, SimGrid) its ru_maxrss; for Open MPI every
    rank runs under spawn too, and the job's figure is the sum of the ranks' peaks plus what
    wait4 gives for mpiexec (the larger of mpiexec's own and its largest rank's, so one rank may
    count twice). Shared library pages count in every rank; spawn's own ~1 MiB in every process.
Every run has a timeout; a run that times out, fails to start or is killed stops that tool for
that case, and the table says where and why.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
BATON_PROGRAMS = ["baton_average_inprocess", "baton_pingpong", "baton_allreduce", "baton_bcast", "baton_explore", "floor"]
REF_PROGRAMS = ["average", "pingpong", "allreduce", "bcast"]
OMPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}

# ---- running one command ------------------------------------------------------------------------


class Outcome:
    """One run of one command."""

    def __init__(self):
        self.ok = False
        self.why = ""          # why it failed: "timeout after 60 s", "exit status 1: ...", ...
        self.wall_s = None     # fork to exit
        self.maxrss_kb = None  # of the whole job (see the module docstring)
        self.cpu_s = None      # user + system time of the whole job
        self.stdout = ""
        self.stderr = ""
        self.bench = {}        # BENCH name -> value, from stdout


def session_members(sid):
    """Every process of session `sid` (our child's: it was started with start_new_session)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:  # fields after the name: state ppid pgrp session ...
                pids.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return pids


def kill_session(sid):
    # Only processes of the session we created for this run, each by its id.
    for _ in range(3):
        members = session_members(sid)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.2)


def run_command(cmd, timeout, spawn, env=None, rank_rss_file=None, keep_stdout=True):
    """Runs `cmd` (a list) under bench/spawn.c, in a session of its own; kills that whole session
    after `timeout` seconds."""
    out = Outcome()
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    if rank_rss_file and os.path.exists(rank_rss_file):
        os.remove(rank_rss_file)
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se, \
            tempfile.NamedTemporaryFile("r", prefix="bench-spawn-") as report:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen([spawn, "--report", report.name, "--"] + cmd, stdin=subprocess.DEVNULL,
                                    stdout=so if keep_stdout else subprocess.DEVNULL, stderr=se, env=full_env,
                                    start_new_session=True)
        except OSError as e:
            out.why = f"failed to start: {e}"
            return out
        timed_out = threading.Event()

        def on_timeout():
            timed_out.set()
            kill_session(proc.pid)

        timer = threading.Timer(timeout, on_timeout)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        out.wall_s = time.perf_counter() - start
        kill_session(proc.pid)  # leftovers (an MPI daemon that outlived mpiexec, say)
        so.seek(0)
        se.seek(0)
        out.stdout = so.read().decode(errors="replace")
        out.stderr = se.read().decode(errors="replace")
        measured = dict(line.split() for line in report.read().splitlines() if len(line.split()) == 2)
    if "wall_ns" in measured:
        out.wall_s = int(measured["wall_ns"]) / 1e9
    if "cpu_us" in measured:
        out.cpu_s = int(measured["cpu_us"]) / 1e6
    if "maxrss_kb" in measured:
        out.maxrss_kb = int(measured["maxrss_kb"])
        if rank_rss_file:
            ranks = []
            if os.path.exists(rank_rss_file):
                with open(rank_rss_file) as f:
                    ranks = [int(line) for line in f if line.strip().isdigit()]
            out.maxrss_kb += sum(ranks)
    for m in re.finditer(r"^BENCH (\S+) (\S+)$", out.stdout, re.M):
        out.bench[m.group(1)] = float(m.group(2))
    code = proc.returncode
    if timed_out.is_set():
        out.why = f"timeout after {timeout:g} s (killed)"
    elif code < 0:
        name = signal.Signals(-code).name
        out.why = f"killed by {name}" + (" (the out-of-memory killer?)" if -code == signal.SIGKILL else "")
    elif code != 0:
        out.why = f"exit status {code}: {last_line(out.stderr) or last_line(out.stdout)}"
    else:
        out.ok = True
    return out


def busy_cpu_s():
    """CPU seconds the whole machine has been busy (all processes, all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_s():
    """CPU seconds used by this script and every benchmark process it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def last_line(text):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    # Open MPI's errors come in boxes of dashes; keep a line that says something.
    useful = [line for line in lines if not set(line) <= set("-= *")]
    return (useful or lines)[-1][:200]


# ---- statistics and formatting ------------------------------------------------------------------


def fmt_time_us(us):
    if us is None:
        return "–"
    if us < 1:
        return f"{us * 1000:.0f} ns"
    if us < 1000:
        return f"{us:.3g} µs"
    if us < 1e6:
        return f"{us / 1000:.3g} ms"
    return f"{us / 1e6:.3g} s"


def fmt_mem_kb(kb):
    if kb is None:
        return "–"
    if kb < 1024 * 1024:
        return f"{kb / 1024:.3g} MiB"
    return f"{kb / 1024 / 1024:.3g} GiB"


def fmt_ratio(x):
    if x is None:
        return "–"
    if x >= 10:
        return f"{x:.0f}×"
    return f"{x:.2g}×"


class Row:
    """One line of a table: one tool on one configuration, over several runs."""

    def __init__(self, case, tool, config="", unit_name="", target_us=None, target_text=""):
        self.case, self.tool, self.config = case, tool, config
        self.unit_name = unit_name      # what the metric is, e.g. "per round trip"
        self.values_us = []             # the metric, in microseconds, one per successful run
        self.walls_s = []
        self.rss_kb = []
        self.cpu_s = []
        self.benches = []               # every run's BENCH values
        self.why = ""                   # set when the tool stopped here
        self.note = ""
        self.target_us = target_us
        self.target_text = target_text
        self.is_baton_reference = False

    def median(self):
        return statistics.median(self.values_us) if self.values_us else None

    def summary(self):
        if not self.values_us:
            return "–", "–"
        return fmt_time_us(self.median()), f"{fmt_time_us(min(self.values_us))} – {fmt_time_us(max(self.values_us))}"

    def met(self):
        if self.target_text == "":
            return ""
        if self.target_us is None:  # "runs" targets
            return "yes" if self.values_us and not self.why else "**no**"
        m = self.median()
        if m is None:
            return "**no** (did not run)"
        if m <= self.target_us:
            return f"yes ({m / self.target_us:.2g}× the target)"
        return f"**no**: {m / self.target_us:.3g}× the target"


def measure(row, spawn, make_cmd, runs, timeout, metric, env=None, rank_rss_file=None, expect=None, log=None,
            keep_stdout=True):
    """Runs make_cmd() `runs` times; `metric(outcome)` gives the value in µs. Returns True if all ran."""
    for i in range(runs):
        out = run_command(make_cmd(), timeout, spawn, env=env, rank_rss_file=rank_rss_file, keep_stdout=keep_stdout)
        if out.ok and expect and expect not in out.stdout:
            out.ok, out.why = False, f"wrong output (no {expect!r})"
        value = metric(out) if out.ok else None
        if out.ok and value is None:
            out.ok, out.why = False, "no BENCH line in its output: " + last_line(out.stderr)
        if log:
            log(f"    {row.tool} {row.config} run {i + 1}/{runs}: "
                + (f"{fmt_time_us(value)} (process {out.wall_s:.3f} s, {fmt_mem_kb(out.maxrss_kb)})" if out.ok
                   else f"FAILED: {out.why} after {out.wall_s or 0:.1f} s"))
        if not out.ok:
            row.why = out.why
            return False
        row.values_us.append(value)
        row.walls_s.append(out.wall_s)
        row.rss_kb.append(out.maxrss_kb)
        row.cpu_s.append(out.cpu_s)
        row.benches.append(out.bench)
    return True


def median_of(row, name):
    values = [b[name] for b in row.benches if name in b]
    return statistics.median(values) if values else None


# ---- the benchmark ------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.log_lines = []
        self.tables = []   # (title, markdown)
        self.notes = []
        self.loads = []    # (case, load before, load after)
        self.build_dir = None
        self.source = ROOT
        self.ref_dir = None
        self.spawn = None
        self.overall_share = 0.0
        self.have_ompi = self.have_smpi = False
        self.ompi_why = self.smpi_why = ""

    def log(self, text):
        print(text, flush=True)
        self.log_lines.append(text)

    # ---- building ----

    def sh(self, cmd, **kw):
        self.log("  $ " + " ".join(cmd))
        return subprocess.run(cmd, **kw)

    def prepare_source(self):
        if not self.args.rev:
            self.build_dir = os.path.abspath(self.args.build_dir or os.path.join(ROOT, "build-bench"))
            return
        sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", self.args.rev], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.source = os.path.join(ROOT, f"build-bench-{sha}-src")
        self.build_dir = os.path.abspath(self.args.build_dir or os.path.join(ROOT, f"build-bench-{sha}"))
        if os.path.isdir(self.source):
            shutil.rmtree(self.source)
        os.makedirs(self.source)
        # A read-only export of the commit; then this work tree's bench/ on top of it.
        archive = subprocess.run(["git", "-C", ROOT, "archive", sha], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", self.source], input=archive, check=True)
        shutil.copytree(BENCH_DIR, os.path.join(self.source, "bench"), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("results*.md", "__pycache__"))
        options = os.path.join(self.source, "meson_options.txt")
        text = open(options).read() if os.path.exists(options) else ""
        if "'bench'" not in text:
            with open(options, "a") as f:
                f.write("option('bench', type : 'boolean', value : false)\n")
        build = os.path.join(self.source, "meson.build")
        if "subdir('bench')" not in open(build).read():
            with open(build, "a") as f:
                f.write("if get_option('bench')\n  subdir('bench')\nendif\n")
        self.log(f"measuring commit {sha} (exported to {self.source})")

    def build_baton(self):
        opts = ["--buildtype=release", "-Dbench=true"]
        options_file = os.path.join(self.source, "meson_options.txt")
        if os.path.exists(options_file) and re.search(r"option\('mpi'", open(options_file).read()):
            # The MPI backend is not needed for (a)-(d); (e) builds it in a directory of its own.
            opts.append("-Dmpi=disabled")
        if not os.path.exists(os.path.join(self.build_dir, "build.ninja")):
            r = self.sh(["meson", "setup", self.build_dir, self.source] + opts, capture_output=True, text=True)
        else:
            r = self.sh(["meson", "configure", self.build_dir] + opts, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"meson failed:\n{r.stdout}\n{r.stderr}")
        targets = ["examples/average"] + [f"bench/{p}" for p in BATON_PROGRAMS]
        r = self.sh(["ninja", "-C", self.build_dir, "-j", "2"] + targets, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("building baton's bench programs failed (the work tree may be mid-change; "
                     "`bench/run.py --rev HEAD` measures the last commit):\n" + r.stdout[-4000:] + r.stderr[-2000:])

    def ensure_tool(self, program, packages):
        if shutil.which(program):
            return True
        if self.args.no_install or os.geteuid() != 0:
            return False
        self.log(f"  {program} is missing: installing {' '.join(packages)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        r = subprocess.run(["apt-get", "install", "-y", "-q"] + packages, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q"] + packages, env=env, capture_output=True)
        return shutil.which(program) is not None

    def build_spawn(self):
        """bench/spawn.c: times each command and measures its peak memory (see its comment)."""
        self.ref_dir = os.path.join(self.build_dir, "bench-ref")
        os.makedirs(self.ref_dir, exist_ok=True)
        src = os.path.join(self.source, "bench", "spawn.c")
        self.spawn = os.path.join(self.ref_dir, "spawn")
        if not os.path.exists(self.spawn) or os.path.getmtime(self.spawn) < os.path.getmtime(src):
            compiler = shutil.which("cc") or shutil.which("gcc")
            r = self.sh([compiler or "cc", "-O2", "-o", self.spawn, src], capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("compiling bench/spawn.c failed:\n" + r.stderr)

    def build_refs(self):
        for flavour, compiler, packages in (("ompi", "mpicc", ["libopenmpi-dev", "openmpi-bin"]),
                                            ("smpi", "smpicc", ["libsimgrid-dev"])):
            if not self.ensure_tool(compiler, packages):
                why = f"{compiler} not found (install {' '.join(packages)})"
                setattr(self, f"{flavour}_why", why)
                self.log(f"  {flavour}: {why}")
                continue
            out_dir = os.path.join(self.ref_dir, flavour)
            os.makedirs(out_dir, exist_ok=True)
            ok = True
            for prog in REF_PROGRAMS:
                src = os.path.join(self.source, "bench", f"ref_{prog}.c")
                exe = os.path.join(out_dir, f"ref_{prog}")
                deps = [src, os.path.join(self.source, "bench", "ref_common.h")]
                if os.path.exists(exe) and all(os.path.getmtime(exe) >= os.path.getmtime(d) for d in deps):
                    continue
                r = self.sh([compiler, "-O2", "-o", exe, src], capture_output=True, text=True, cwd=out_dir)
                if r.returncode != 0:
                    setattr(self, f"{flavour}_why", f"{compiler} failed on ref_{prog}.c: {last_line(r.stderr)}")
                    ok = False
                    break
            setattr(self, f"have_{flavour}", ok)
        for flavour in ("ompi", "smpi"):
            if flavour not in self.args.tools.split(","):
                setattr(self, f"have_{flavour}", False)
                setattr(self, f"{flavour}_why", "skipped (--tools)")
        if self.have_ompi and not shutil.which("mpiexec"):
            self.have_ompi, self.ompi_why = False, "mpiexec not found"
        if self.have_smpi and not shutil.which("smpirun"):
            self.have_smpi, self.smpi_why = False, "smpirun not found"

    # ---- commands ----

    def baton(self, name):
        sub = "examples" if name == "average" else "bench"
        return os.path.join(self.build_dir, sub, name)

    def ref(self, flavour, prog):
        return os.path.join(self.ref_dir, flavour, f"ref_{prog}")

    def ompi_cmd(self, prog, ranks, args, rss_file):
        return (["mpiexec", "-n", str(ranks), "--oversubscribe",
                 self.spawn, "--append-rss", rss_file, "--", self.ref("ompi", prog)] + args)

    def smpi_platform(self, ranks):
        d = os.path.join(self.ref_dir, "smpi")
        platform_file = os.path.join(d, f"cluster-{ranks}.xml")
        hostfile = os.path.join(d, f"hosts-{ranks}.txt")
        if not os.path.exists(platform_file):
            with open(platform_file, "w") as f:
                f.write("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                        "<platform version=\"4.1\">\n"
                        f"<cluster id=\"bench\" prefix=\"host\" suffix=\"\" radical=\"0-{ranks - 1}\" speed=\"1Gf\" "
                        "bw=\"10GBps\" lat=\"1us\"/>\n</platform>\n")
            with open(hostfile, "w") as f:
                f.write("".join(f"host{i}\n" for i in range(ranks)))
        return platform_file, hostfile

    def smpi_cmd(self, prog, ranks, args):
        platform_file, hostfile = self.smpi_platform(ranks)
        return (["smpirun", "-np", str(ranks), "-platform", platform_file, "-hostfile", hostfile,
                 "--log=root.thresh:warning", self.ref("smpi", prog)] + args)

    def rss_file(self):
        return os.path.join(self.build_dir, "bench-ref", "rank-rss.txt")

    def runs(self, full, quick):
        n = quick if self.quick else full
        return max(1, min(n, self.args.runs)) if self.args.runs else n

    def no_tool_row(self, row, flavour):
        row.why = getattr(self, f"{flavour}_why") or "not available"
        return row

    # ---- tables ----

    def table(self, title, rows, metric_header, intro=""):
        baton_rows = {r.config: r for r in rows if r.is_baton_reference}
        lines = []
        if intro:
            lines += [intro, ""]
        has_config = any(r.config for r in rows)
        head = (["ranks"] if has_config else []) + ["tool", metric_header + " (median)", "min – max", "× baton",
                                                      "whole process (median)", "its CPU time (median)",
                                                      "peak memory (median)", "runs",
                                                      "target", "met?"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for r in rows:
            if r.why == "skipped (--tools)" or (r.tool.startswith("floor") and "floor" not in self.args.tools):
                continue
            median, spread = r.summary()
            ref = baton_rows.get(r.config)
            ratio = None
            if ref and ref.median() and r.median() is not None:
                ratio = r.median() / ref.median()
            tool = r.tool + (f" — stops: {r.why}" if r.why else "") + (f" ({r.note})" if r.note else "")
            cells = ([r.config] if has_config else []) + [
                tool, median, spread, fmt_ratio(ratio) if not r.is_baton_reference and ratio else
                ("1 (reference)" if r.is_baton_reference and r.values_us else "–"),
                f"{statistics.median(r.walls_s):.3g} s" if r.walls_s else "–",
                f"{statistics.median(c for c in r.cpu_s if c is not None):.3g} s"
                if any(c is not None for c in r.cpu_s) else "–",
                fmt_mem_kb(statistics.median(r.rss_kb)) if r.rss_kb else "–",
                str(len(r.values_us)), r.target_text or "", r.met()]
            lines.append("| " + " | ".join(cells) + " |")
        self.tables.append((title, "\n".join(lines)))
        self.log("\n" + title + "\n" + "\n".join(lines) + "\n")

    def case(self, name, fn):
        busy_before, own_before = busy_cpu_s(), own_cpu_s()
        t0 = time.perf_counter()
        self.log(f"\n== case {name} ==")
        fn()
        elapsed = time.perf_counter() - t0
        others = (busy_cpu_s() - busy_before) - (own_cpu_s() - own_before)
        share = max(0.0, others) / (elapsed * (os.cpu_count() or 1)) if elapsed > 0 else 0.0
        self.loads.append((name, share, elapsed))
        self.log(f"  case {name}: {elapsed:.0f} s; other processes used {share:.0%} of the machine's CPU meanwhile")

    def reference_rows(self, case, program, ranks, args, metric, ompi, smpi, expect=None):
        """The plain-MPI rows of a case: bench/ref_<program>.c under Open MPI and under SMPI, each
        (runs, timeout), or a row saying why the tool is missing."""
        rows = []
        r = Row(case, f"plain MPI, Open MPI mpiexec -n {ranks}")
        if self.have_ompi:
            measure(r, self.spawn, lambda: self.ompi_cmd(program, ranks, args, self.rss_file()), ompi[0], ompi[1],
                    metric, env=OMPI_ENV, rank_rss_file=self.rss_file(), expect=expect, log=self.log)
        else:
            self.no_tool_row(r, "ompi")
        rows.append(r)
        r = Row(case, f"plain MPI, SimGrid smpirun -np {ranks}")
        if self.have_smpi:
            measure(r, self.spawn, lambda: self.smpi_cmd(program, ranks, args), smpi[0], smpi[1], metric,
                    expect=expect, log=self.log)
        else:
            self.no_tool_row(r, "smpi")
        rows.append(r)
        return rows

    # ---- (a) ----

    def case_a(self):
        rows = []
        expect = "Global average across all data: 10.5"
        r = Row("a", "baton, simulator: examples/average", target_us=10_000, target_text="≤ 10 ms")
        r.is_baton_reference = True
        measure(r, self.spawn, lambda: [self.baton("average"), "--ranks", "4"], self.runs(20, 5), 30,
                lambda o: o.wall_s * 1e6, expect=expect, log=self.log)
        rows.append(r)
        r = Row("a", "baton, simulator on fibers: examples/average --context fiber")
        measure(r, self.spawn, lambda: [self.baton("average"), "--ranks", "4", "--context", "fiber"], self.runs(20, 5),
                30, lambda o: o.wall_s * 1e6, expect=expect, log=self.log)
        rows.append(r)
        rows += self.reference_rows("a", "average", 4, [], lambda o: o.wall_s * 1e6, (self.runs(7, 2), 60),
                                    (self.runs(7, 2), 60), expect=expect)
        self.table("(a) the seed's average program on 4 ranks, whole process (fork to exit)", rows,
                   "time")

        runs_inside = 200 if self.quick else 2000
        rows = []
        for label, extra, target, env in (
                ("as a test: ranks return their values", [], True, None),
                ("printing as the example does (to /dev/null)", ["--print"], False, None),
                ("on fibers, as a test", [], False, {"BATON_CONTEXT": "fiber"})):
            r = Row("a", f"baton, sim::run in one process, {label}", target_us=100 if target else None,
                    target_text="≤ 100 µs" if target else "")
            r.is_baton_reference = target
            measure(r, self.spawn, lambda: [self.baton("baton_average_inprocess"), "--runs", str(runs_inside)] + extra,
                    self.runs(5, 3), 120, lambda o: o.bench.get("per_op_us"), env=env, log=self.log)
            rows.append(r)
        self.table(f"(a) the same program inside one process: time per baton::sim::run on 4 ranks "
                   f"({runs_inside} runs per process, after one untimed run)", rows, "time per run")

    # ---- (b) ----

    def case_b(self):
        iters = 10_000 if self.quick else 100_000
        rows = []
        args = ["--iters", str(iters)]
        per = lambda o: o.bench.get("per_op_us")
        r = Row("b", "baton, simulator (schedule random, the default)", target_us=3, target_text="≤ 3 µs")
        r.is_baton_reference = True
        measure(r, self.spawn, lambda: [self.baton("baton_pingpong"), "--ranks", "2"] + args, self.runs(5, 2), 300, per,
                log=self.log)
        rows.append(r)
        r = Row("b", "baton, simulator (schedule round-robin)", target_us=3, target_text="≤ 3 µs")
        measure(r, self.spawn, lambda: [self.baton("baton_pingpong"), "--ranks", "2", "--schedule", "round-robin"] + args,
                self.runs(5, 2), 300, per, log=self.log)
        rows.append(r)
        r = Row("b", "baton, simulator on fibers (--context fiber)", target_us=0.5, target_text="≤ 0.5 µs")
        measure(r, self.spawn, lambda: [self.baton("baton_pingpong"), "--ranks", "2", "--context", "fiber"] + args,
                self.runs(5, 2), 300, per, log=self.log)
        rows.append(r)
        r = Row("b", "floor, no baton: 2 threads handing the CPU to each other with std::binary_semaphore, "
                     "2 hand-offs per round trip")
        "floor" in self.args.tools and measure(r, self.spawn, lambda: [self.baton("floor"), "handoff", "--threads", "2", "--rounds", str(iters)],
                self.runs(5, 2), 120, lambda o: o.bench["per_handoff_us"] * 2 if "per_handoff_us" in o.bench else None,
                log=self.log)
        rows.append(r)
        rows += self.reference_rows("b", "pingpong", 2, args, per, (self.runs(5, 2), 120),
                                    (self.runs(3, 1), 300))
        self.table(f"(b) ping-pong of 8 bytes between 2 ranks: time per round trip ({iters} round trips "
                   f"per run, after one untimed)", rows, "per round trip")

    # ---- (c) ----

    def case_c(self):
        if self.quick:
            sizes = {"baton": [4, 64, 1024], "fiber": [4, 64, 1024, 16384], "ompi": [4, 64],
                     "smpi": [4, 64, 1024]}
        else:
            sizes = {"baton": [4, 64, 256, 1024, 4096, 16384], "fiber": [4, 64, 256, 1024, 4096, 16384, 100000],
                     "ompi": [4, 64, 256, 1024, 4096], "smpi": [4, 64, 256, 1024, 4096]}
        # Allreduces per run, by size: enough to time, few enough to stay in the time budget.
        iters = {"baton": {4: 5000, 64: 500, 256: 100, 1024: 20, 4096: 5, 16384: 3},
                 "fiber": {4: 20000, 64: 2000, 256: 500, 1024: 100, 4096: 20, 16384: 5, 100000: 2},
                 "ompi": {4: 5000, 64: 100, 256: 10, 1024: 3, 4096: 3},
                 "smpi": {4: 5000, 64: 200, 256: 50, 1024: 5, 4096: 2}}
        # Runs per size (fewer where one run is slow: Open MPI needs 1-3 minutes to start 256 ranks
        # on 2 cores), and the timeout of one run.
        def runs(p, tool="baton"):
            if tool == "ompi":
                return self.runs(5, 2) if p <= 4 else self.runs(3, 1) if p <= 64 else 1
            return self.runs(5, 2) if p <= (1024 if tool in ("baton", "fiber") else 256) else self.runs(3, 1)
        timeout = {"baton": 120, "fiber": 120, "ompi": 180, "smpi": 180}
        # A tool is not tried at the next size (4x the ranks) when a run there would likely exceed the
        # timeout: start-up can grow with the square of the ranks (Open MPI on 2 cores: about 4 s at 64
        # ranks, 46-166 s at 256; at 1024, tried by hand, still in MPI_Init after 13 minutes with a
        # load average of 850), so the bound is 1/16 of the timeout.
        growth = 16
        per = lambda o: o.bench.get("per_op_us")
        rows = []
        for tool in ("baton", "fiber", "ompi", "smpi"):
            stopped = None
            for p in sizes[tool]:
                label = {"baton": "baton, simulator", "fiber": "baton, simulator on fibers",
                         "ompi": "plain MPI, Open MPI mpiexec", "smpi": "plain MPI, SimGrid smpirun"}[tool]
                target = None
                if tool in ("baton", "fiber") and p == 4096:
                    target = (10_000, "≤ 10 ms")
                elif tool == "baton" and p == 16384:
                    target = (None, "runs")
                elif tool == "fiber" and p == 100000:
                    target = (None, "runs, in a few GiB")
                r = Row("c", label, config=str(p), target_us=target[0] if target else None,
                        target_text=target[1] if target else "")
                r.is_baton_reference = tool == "baton"
                rows.append(r)
                if stopped:
                    r.why = stopped
                    continue
                if tool not in ("baton", "fiber") and not getattr(self, f"have_{tool}"):
                    self.no_tool_row(r, tool)
                    continue
                args = ["--iters", str(iters[tool][p])]
                if tool in ("baton", "fiber"):
                    context = ["--context", "fiber"] if tool == "fiber" else []
                    cmd = lambda p=p, args=args, context=context: [self.baton("baton_allreduce"), "--ranks", str(p)] + \
                        context + args
                    ok = measure(r, self.spawn, cmd, runs(p), timeout[tool], per, log=self.log)
                elif tool == "ompi":
                    cmd = lambda p=p, args=args: self.ompi_cmd("allreduce", p, args, self.rss_file())
                    ok = measure(r, self.spawn, cmd, runs(p, tool), timeout[tool], per, env=OMPI_ENV,
                                 rank_rss_file=self.rss_file(),
                                 log=self.log)
                else:
                    cmd = lambda p=p, args=args: self.smpi_cmd("allreduce", p, args)
                    ok = measure(r, self.spawn, cmd, runs(p, tool), timeout[tool], per, log=self.log)
                if not ok:
                    stopped = f"not tried: stopped at {p} ranks"
                elif max(r.walls_s) * growth > timeout[tool]:
                    stopped = (f"not tried: a run at {p} ranks took {max(r.walls_s):.0f} s; at 4× the ranks "
                               f"start-up may grow {growth}×, past the {timeout[tool]} s timeout")
        # The floor: each rank must get the CPU at least once per allreduce, so P hand-offs.
        for p in sizes["baton"]:
            r = Row("c", "floor, no baton: P threads in a ring of std::binary_semaphore hand-offs, "
                         "P hand-offs per allreduce", config=str(p))
            rounds = max(3, (20000 if self.quick else 100000) // p)
            ok = "floor" in self.args.tools and measure(r, self.spawn, lambda p=p, rounds=rounds: [self.baton("floor"), "handoff", "--threads", str(p),
                                                                    "--rounds", str(rounds)],
                         runs(p), 120, lambda o, p=p: o.bench["per_handoff_us"] * p if "per_handoff_us" in o.bench
                         else None, log=self.log)
            if ok:
                r.note = (f"starting the {p} threads took {median_of(r, 'create_ms'):.3g} ms, ending them "
                          f"{median_of(r, 'join_ms'):.3g} ms")
            rows.append(r)
        rows.sort(key=lambda r: (int(r.config), not r.is_baton_reference, r.tool.startswith("floor"), r.tool))
        self.table("(c) allreduce of one double: time per allreduce, and peak memory of the whole job", rows,
                   "per allreduce",
                   intro="Allreduces per run: " + "; ".join(
                       f"{t} " + ", ".join(f"{iters[t][p]} at {p}" for p in sizes[t]) for t in sizes)
                   + ". Peak memory: one process for baton and SimGrid; for Open MPI the sum over the ranks "
                     "plus mpiexec's.")

    # ---- (d) ----

    def case_d(self):
        rows = []
        args = ["--iters", "100", "--bytes", str(1 << 20)]
        total = lambda o: o.bench.get("total_ms") * 1000 if "total_ms" in o.bench else None
        r = Row("d", "baton, simulator", target_us=50_000, target_text="≤ 50 ms")
        r.is_baton_reference = True
        measure(r, self.spawn, lambda: [self.baton("baton_bcast"), "--ranks", "16"] + args, self.runs(5, 2), 120, total,
                log=self.log)
        rows.append(r)
        r = Row("d", "baton, simulator on fibers (--context fiber)")
        measure(r, self.spawn, lambda: [self.baton("baton_bcast"), "--ranks", "16", "--context", "fiber"] + args,
                self.runs(5, 2), 120, total, log=self.log)
        rows.append(r)
        r = Row("d", "floor, no baton: the copies alone, 1 MiB memcpy into 15 buffers, 100 times, one thread")
        "floor" in self.args.tools and measure(r, self.spawn, lambda: [self.baton("floor"), "memcpy", "--ranks", "16", "--bytes", str(1 << 20),
                                        "--iters", "100"], self.runs(5, 2), 120, total, log=self.log)
        rows.append(r)
        rows += self.reference_rows("d", "bcast", 16, args, total, (self.runs(5, 2), 120),
                                    (self.runs(5, 2), 120))
        self.table("(d) broadcast of 1 MiB from rank 0 to 16 ranks, 100 times: total time of the 100 "
                   "(after one untimed broadcast; a barrier before and after)", rows, "100 broadcasts")

    # ---- (f) ----

    def case_f(self):
        explorations = 200 if self.quick else 2000
        rows = []
        per_s = lambda o: 1e6 / o.bench["executions_per_s"] if "executions_per_s" in o.bench else None
        for program, label, extra in (
                ("average", f"the seed's average on 4 ranks, explored {explorations} times (1 execution each)",
                 ["--explorations", str(explorations)]),
                ("race", "6 senders to 6 wildcard receives on rank 0: 720 executions", ["--senders", "6"])):
            for context, env in (("threads", None), ("fibers", {"BATON_CONTEXT": "fiber"})):
                r = Row("f", f"baton, {label}, on {context}",
                        target_us=500 if program == "average" else None,
                        target_text="≥ 2 000 per second" if program == "average" else "")
                r.is_baton_reference = program == "average" and context == "threads"
                measure(r, self.spawn, lambda program=program, extra=extra: [self.baton("baton_explore"), "--program",
                                                                             program] + extra,
                        self.runs(5, 2), 300, per_s, env=env, log=self.log)
                if r.values_us:
                    r.note = f"{1e6 / statistics.median(r.values_us):,.0f} executions per second"
                rows.append(r)
        self.table("(f) exploration throughput: time per execution (schedule) explored, one core", rows,
                   "per execution")

    # ---- (e) ----

    def case_e(self):
        """baton on its MPI backend against the same program in the plain MPI C API.

        bench/mpi_compare.cpp is written separately: one program, registered in tests/mpi/meson.build,
        that runs both sides in one mpiexec job and prints a table of medians. It needs baton built
        with its MPI backend, so this builds it in a build directory of its own (the MPI backend may
        be mid-change; a build that fails is reported here and does not stop the other cases).
        """
        title = "(e) baton on its MPI backend against the plain MPI C API"
        program = os.path.join(self.source, "bench", "mpi_compare.cpp")
        if not os.path.exists(program):
            self.tables.append((title, "Not measured yet: bench/mpi_compare.cpp does not exist."))
            return
        if not self.have_ompi:
            self.tables.append((title, "Not measured: Open MPI is missing: " + self.ompi_why))
            return
        options_file = os.path.join(self.source, "meson_options.txt")
        if not (os.path.exists(options_file) and re.search(r"option\('mpi'", open(options_file).read())):
            self.tables.append((title, "Not measured: the source measured has no MPI backend (no 'mpi' option); "
                                       "run `bench/run.py --only e` on a work tree that has one."))
            return
        build = self.build_dir + "-mpi"
        opts = ["--buildtype=release", "-Dmpi=enabled"]
        if not os.path.exists(os.path.join(build, "build.ninja")):
            r = self.sh(["meson", "setup", build, self.source] + opts, capture_output=True, text=True)
        else:
            r = self.sh(["meson", "configure", build] + opts, capture_output=True, text=True)
        if r.returncode == 0:
            r = self.sh(["ninja", "-C", build, "-j", "2", "tests/mpi/mpi_compare"], capture_output=True, text=True)
        if r.returncode != 0:
            self.tables.append((title, "Not measured: building baton with its MPI backend and tests/mpi/mpi_compare "
                                       f"failed: {last_line(r.stdout + r.stderr)}"))
            return
        # Each job runs the three sides (plain MPI, baton, plain MPI again as the control) in
        # rotating order, `runs` times `iterations` calls each, and prints medians; the table
        # gives the median over `jobs` jobs and the range the jobs spanned.
        iterations, runs, jobs = (1000, 11, 1) if self.quick else (2000, 41, 5)
        rows = []
        for ranks in (2, 4):
            per_operation = {}  # name -> list of (plain, baton, again, baton/plain, again/plain)
            stopped = None
            for _ in range(jobs):
                # --oversubscribe only where needed (more ranks than cores): with it Open MPI yields
                # the core while it polls, which is not how a job on cores of its own runs.
                over = ["--oversubscribe"] if ranks > (os.cpu_count() or 1) else []
                out = run_command(["mpiexec", "-n", str(ranks)] + over +
                                  [os.path.join(build, "tests", "mpi", "mpi_compare"),
                                   "--iterations", str(iterations), "--runs", str(runs)], 300, self.spawn, env=OMPI_ENV)
                if not out.ok:
                    stopped = out.why
                    break
                for line in out.stdout.splitlines():
                    m = re.match(r"^(\S.*?)" + r"\s+([0-9.]+)" * 5 + r"$", line)
                    if m:
                        per_operation.setdefault(m.group(1), []).append([float(m.group(i)) for i in range(2, 7)])
            self.log(f"    mpi_compare on {ranks} ranks: " + (f"FAILED: {stopped}" if stopped else "ok"))
            if stopped:
                rows.append(f"| {ranks} | mpi_compare — stops: {stopped} | – | – | – | – | – |")
                continue
            for name, figures in per_operation.items():
                column = lambda i: [f[i] for f in figures]
                spread = lambda i: (f"{statistics.median(column(i)):.3f} ({min(column(i)):.3f}–{max(column(i)):.3f})"
                                    if len(figures) > 1 else f"{figures[0][i]:.3f}")
                rows.append(f"| {ranks} | {name} | {fmt_time_us(statistics.median(column(0)))} | "
                            f"{fmt_time_us(statistics.median(column(1)))} | {fmt_time_us(statistics.median(column(2)))} | "
                            f"{spread(3)} | {spread(4)} |")
        body = (f"bench/mpi_compare.cpp under `mpiexec -n N` (with `--oversubscribe` for more ranks than the "
                f"{os.cpu_count()} cores, which makes Open MPI yield the core while polling), {jobs} job(s) per rank count. Each job "
                f"runs three sides, each on its own duplicate of MPI_COMM_WORLD, in an order rotating from run to run: "
                f"the plain MPI C code, baton, and the plain MPI C code again (the control: separate code doing the "
                f"same, so that its ratio shows what noise and code placement alone make). {runs} runs of "
                f"{iterations} iterations per side; times are medians; a ratio is the median of the per-run ratios in "
                f"a job, shown as the median over the jobs (lowest–highest job).\n\n"
                "| ranks | operation | plain MPI C | baton on MPI | plain MPI C again | baton ÷ plain | again ÷ plain |\n"
                "|---|---|---|---|---|---|---|\n"
                + "\n".join(rows))
        self.tables.append((title, body))
        self.log("\n" + title + "\n" + body + "\n")

    # ---- results ----

    def write(self):
        now = datetime.datetime.now().astimezone()
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", self.args.rev or "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = ""
        if not self.args.rev:
            status = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "include", "src", "backends"],
                                    capture_output=True, text=True).stdout
            if status.strip():
                dirty = " plus uncommitted changes to the library in the work tree"
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
        except OSError:
            pass
        versions = []
        for cmd in (["g++", "--version"], ["mpiexec", "--version"], ["smpirun", "-version"]):
            if shutil.which(cmd[0]):
                v = subprocess.run(cmd, capture_output=True, text=True)
                versions.append(last_line((v.stdout or v.stderr).splitlines()[0] if (v.stdout or v.stderr) else ""))
        parts = [f"# baton benchmarks\n",
                 f"Generated by `{' '.join(['bench/run.py'] + sys.argv[1:])}` on {now:%Y-%m-%d %H:%M %Z}: "
                 f"baton at commit {commit}{dirty}, built with buildtype=release. "
                 f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
                 f"{'; '.join(versions)}.\n",
                 "Times are medians over the runs, with the fastest and slowest run; \"× baton\" is the tool's "
                 "median divided by baton's (above 1: slower than baton). Per-operation times are measured inside "
                 "the programs, on rank 0, around the timed loop; \"whole process\" is fork to exit, and \"its CPU time\" "
                 "the user and system time of the whole process (of every rank for Open MPI): on a busy machine, a "
                 "process that waits for a core shows in its wall time, not its CPU time. Peak memory is "
                 "the maximum resident set size: of the one process for baton and SimGrid; for Open MPI summed "
                 "over the ranks, plus mpiexec's (which may count one rank twice). \"floor\" rows are what this "
                 "machine costs, without baton, for what the simulator's design must do (threads handing the CPU "
                 "to each other through semaphores; the copies a broadcast makes): baton cannot beat them without "
                 "changing the design. Where a tool stops, the row says why.\n"]
        if self.args.append:
            parts.pop()
        busy = [c for c, share, d in self.loads if share > 0.1 and d >= 1]
        if self.overall_share > 0.1 and not busy:
            busy = ["all"]
        load_text = "; ".join(f"({c}) {share:.0%} during its {d:.0f} s" for c, share, d in self.loads if d >= 1)
        load_text += ("; " if load_text else "") + f"the whole run {self.overall_share:.0%}"
        parts.append("CPU used by other processes (all the machine's busy time less this run's own), as a share of "
                     f"the {os.cpu_count()} cores: {load_text}. "
                     + (f"**Other work was running on this machine during case(s) {', '.join(busy)}, so those "
                        "times are pessimistic and noisy.**" if busy else
                        "The machine was otherwise close to idle.") + "\n")
        for note in self.notes:
            parts.append(note + "\n")
        for title, body in self.tables:
            parts.append(f"## {title}\n\n{body}\n")
        text = "\n".join(parts)
        out = self.args.output or os.path.join(BENCH_DIR, "results.md")
        if self.args.append and os.path.exists(out):
            text = text.replace("# baton benchmarks\n", f"# Rerun, {now:%H:%M}\n", 1).replace("\n## ", "\n### ")
            text = open(out).read().rstrip("\n") + "\n\n" + text
        with open(out, "w") as f:
            f.write(text)
        print("\n" + text)
        print(f"written to {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument("--only", help="comma-separated cases to run, of a,b,c,d,e,f (default: all)")
    parser.add_argument("--runs", type=int, help="at most this many runs per row")
    parser.add_argument("--rev", help="measure this commit (exported with git archive) instead of the work tree")
    parser.add_argument("--build-dir", help="meson build directory (default: build-bench, or build-bench-SHA with --rev)")
    parser.add_argument("--output", help="where to write the markdown (default: bench/results.md)")
    parser.add_argument("--append", action="store_true",
                        help="add this run's tables at the end of the output file (to rerun some rows) instead of "
                             "replacing it")
    parser.add_argument("--tools", default="baton,floor,ompi,smpi",
                        help="which rows to run besides baton's, of floor, ompi, smpi (default: all)")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install a missing MPI")
    args = parser.parse_args()
    cases = (args.only or "a,b,c,d,e,f").split(",")
    bad = [c for c in cases if c not in "abcdef" or len(c) != 1]
    if bad:
        parser.error(f"unknown case {bad[0]!r}: the cases are a, b, c, d, e, f")

    bench = Bench(args)
    started = time.perf_counter()
    busy_start, own_start = busy_cpu_s(), own_cpu_s()
    bench.log("== building ==")
    bench.prepare_source()
    bench.build_baton()
    bench.build_spawn()
    bench.build_refs()
    for c in "abcdef":
        if c in cases:
            bench.case(c, getattr(bench, f"case_{c}"))
    elapsed = time.perf_counter() - started
    others = (busy_cpu_s() - busy_start) - (own_cpu_s() - own_start)
    bench.overall_share = max(0.0, others) / (elapsed * (os.cpu_count() or 1))
    bench.notes.append(f"The whole run took {elapsed:.0f} s.")
    bench.write()


if __name__ == "__main__":
    main()
