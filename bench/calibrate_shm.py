#!/usr/bin/env python3
"""Measures Open MPI's ping-pong on this machine and fits baton's `--network shm` preset to it.

    bench/calibrate_shm.py [--runs N] [--build-dir DIR] [--bounds B1,B2,...]
    bench/calibrate_shm.py --round-trips 8=0.830,64=0.978,...   # fit figures measured before (µs)

Runs bench/ref_pingpong.c under `mpiexec -n 2` (two ranks on this machine's two cores: not
oversubscribed) for each size of SIZES, N separate jobs each (default 7), and takes the median of
the round trips MPI_Wtime measured. Half a round trip is one message: in baton's model (LogGP, as
backends/sim/sim_clock.hpp says) 2o + L + bytes / bandwidth, with o the preset's (80 ns, from bench
(b)'s 8-byte round trip) and L and the bandwidth fitted, by least squares of the relative error,
in each range of sizes that BOUNDS cut: Open MPI changes protocol there, so one line through every
size misses each range by tens of per cent (SimGrid SMPI's network factors are cut the same way).

--round-trips fits round trips measured before (bytes=microseconds, e.g. the Open MPI column of
bench/results.md's (k) table) instead of measuring. It prints each size's measured and fitted
time, and the preset's line for backends/sim/network_model.cpp. It builds nothing but bench/ref_pingpong.c (with mpicc) and
bench/spawn.c. Run it on an otherwise idle machine: it prints how much of the machine other
processes used meanwhile.
"""

import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py: its runner, its Open MPI programs)

OVERHEAD_NS = 80  # o in the preset: not separable from L by a ping-pong, so kept
SIZES = [8, 64, 256, 512, 1024, 2048, 3072, 4000, 4096, 6144, 8192, 16384, 32768, 65536, 131072, 262144,
         524288, 1048576, 2097152, 4194304]
# Where Open MPI 4.1.4's vader transport changes protocol (ompi_info --param btl vader --level 9):
# up to its 4 KiB eager limit, which counts the headers (ob1's match header, vader's fragment
# header: taken as 32 bytes), a message is copied through a shared-memory fragment; above it comes
# a rendezvous, and the data moves by one CMA copy (process_vm_readv). Above 32 KiB (vader's
# max_send_size and rndv_eager_limit) the time per byte changes again: the copies leave the
# caches' reach for both directions' buffers.
BOUNDS = [4064, 32768]


def fit(points):
    """L (s) and bandwidth (B/s) of the line 2o + L + m / bandwidth through (m, t) with the least
    squared relative error."""
    o2 = 2 * OVERHEAD_NS * 1e-9
    # Weighted least squares of t - 2o = a + b m, weight 1 / t^2 (relative error).
    w = [1 / t ** 2 for _, t in points]
    sw = sum(w)
    sm = sum(wi * m for wi, (m, _) in zip(w, points))
    st = sum(wi * (t - o2) for wi, (_, t) in zip(w, points))
    smm = sum(wi * m * m for wi, (m, _) in zip(w, points))
    smt = sum(wi * m * (t - o2) for wi, (m, t) in zip(w, points))
    det = sw * smm - sm * sm
    b = (sw * smt - sm * st) / det if len(points) > 1 and det > 0 else 0
    if b <= 0:  # flat within the noise: all latency
        b = 1e-12
    a = (st - b * sm) / sw
    if a < 0:  # no negative latency: the best line through L = 0
        a, b = 0.0, smt / smm
    return a, 1 / b


def model(ranges, m):
    for up_to, latency, bandwidth in ranges:
        if m <= up_to:
            break
    return 2 * OVERHEAD_NS * 1e-9 + latency + m / bandwidth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="jobs per size (default 7)")
    parser.add_argument("--build-dir", default=os.path.join(bench.ROOT, "build-bench"),
                        help="where bench-ref/ goes (default: build-bench)")
    parser.add_argument("--bounds", help=f"comma-separated range bounds in bytes (default {','.join(map(str, BOUNDS))})")
    parser.add_argument("--round-trips", help="bytes=microseconds,...: fit these instead of measuring")
    args = parser.parse_args()
    bounds = [int(b) for b in args.bounds.split(",")] if args.bounds else BOUNDS
    if args.round_trips:
        try:
            given = dict(item.split("=") for item in args.round_trips.split(","))
            one_way = {int(m): float(t) / 2 * 1e-6 for m, t in sorted(given.items(), key=lambda i: int(i[0]))}
        except ValueError:
            parser.error(f"--round-trips {args.round_trips}: expected bytes=microseconds,...")
        report(one_way, bounds, "round trips given with --round-trips")
        return 0

    ctx = bench.Context(build=os.path.abspath(args.build_dir), quick=False, max_runs=args.runs)
    bench.compile_spawn(ctx)
    bench.compile_refs(ctx, "ompi", "mpicc", "mpiexec", "openmpi-bin libopenmpi-dev")
    if "ompi" in ctx.missing:
        sys.exit(f"calibrate_shm: {ctx.missing['ompi']}")

    started, busy, own = time.perf_counter(), bench.cpu_busy_s(), bench.cpu_own_s()
    one_way = {}
    for size in SIZES:
        iters = 2000 if size <= 8192 else (200 if size <= 262144 else 20)
        row = bench.Row(f"ping-pong {size} B")
        cmd = ctx.tool_cmd("ompi", "pingpong", 2, ["--iters", str(iters), "--bytes", str(size)], spawn_ranks=False)
        if not bench.measure(ctx, row, cmd, args.runs, 120, ("wtime_per_op_us", 1), bench.OMPI_ENV):
            sys.exit(f"calibrate_shm: {size} bytes: {row.why}")
        one_way[size] = statistics.median(row.values) / 2 * 1e-6
    share = bench.others_share(busy, own, time.perf_counter() - started)
    report(one_way, bounds, f"Open MPI ping-pong under mpiexec -n 2, median of {args.runs} jobs a size, "
                            f"{time.strftime('%Y-%m-%d %H:%M %Z')}; other processes used {share:.0%} of the cores meanwhile")
    return 0


def report(one_way, bounds, source):
    """Fits the ranges to `one_way` (bytes -> seconds) and prints the table and the preset."""
    ranges, lower = [], 0
    for up_to in bounds + [None]:
        points = [(m, t) for m, t in one_way.items() if m > lower and (up_to is None or m <= up_to)]
        latency, bandwidth = fit(points)
        ranges.append((up_to if up_to is not None else float("inf"), latency, bandwidth))
        lower = up_to

    print(f"# {source}")
    print("| bytes | Open MPI one way | fitted (2o + L + m / bandwidth) | fitted − measured |")
    print("|---:|---:|---:|---:|")
    for m, t in one_way.items():
        f = model(ranges, m)
        print(f"| {m} | {t * 1e9:.0f} ns | {f * 1e9:.0f} ns | {f / t - 1:+.1%} |")
    print("\n# the preset for backends/sim/network_model.cpp (latency ns, bandwidth bytes/s):")
    lines = []
    for up_to, latency, bandwidth in ranges:
        limit = "std::numeric_limits<std::size_t>::max()" if up_to == float("inf") else str(up_to)
        lines.append(f"{{{limit}, {latency * 1e9:.0f} * ns, {bandwidth / 1e6:.0f}'000'000}}")
    print(f'{{"shm", {ranges[0][1] * 1e9:.0f} * ns, {OVERHEAD_NS} * ns, {OVERHEAD_NS} * ns, '
          f"{ranges[0][2] / 1e6:.0f}'000'000,\n {{" + ",\n  ".join(lines) + "}}}")


if __name__ == "__main__":
    sys.exit(main())
