#!/usr/bin/env python3
"""Runs a program under mpiexec with a time limit, for `meson test`.

    run_mpi.py --mpiexec PATH -n N [--timeout S] [--expect-failure REGEX [--expect-status N]]
               [--expect-stdout REGEX] [--expect-stderr-once REGEX] [--reject-stderr REGEX]
               -- PROGRAM [ARGS...]

Passes when the program exits with status 0 (or, with --expect-failure, when it exits with a
non-zero status, that one with --expect-status, and its stderr matches REGEX), its stdout matches every --expect-stdout, its
stderr matches every --expect-stderr-once exactly once (what one rank of the job says) and no
--reject-stderr. A program still running after the time limit is
killed with its whole process group, so that a hung MPI job never outlives its test.
"""
import argparse
import os
import re
import signal
import subprocess
import sys


def mpiexec_command(mpiexec, ranks, program):
    # --oversubscribe: more ranks than the machine's cores are fine for tests.
    return [mpiexec, '--oversubscribe', '-n', str(ranks)] + program


def run(command, timeout, env=None):
    """Returns (status, stdout, stderr, timed_out)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
        return process.returncode, out, err, False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return None, out, err, True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mpiexec', required=True)
    parser.add_argument('-n', type=int, required=True)
    parser.add_argument('--timeout', type=float, default=100)
    parser.add_argument('--expect-failure', metavar='REGEX')
    parser.add_argument('--expect-status', type=int, metavar='N')
    parser.add_argument('--expect-stdout', metavar='REGEX', action='append', default=[])
    parser.add_argument('--expect-stderr-once', metavar='REGEX', action='append', default=[])
    parser.add_argument('--reject-stderr', metavar='REGEX', action='append', default=[])
    parser.add_argument('program', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ['--'] else args.program
    status, out, err, timed_out = run(mpiexec_command(args.mpiexec, args.n, program), args.timeout)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if timed_out:
        print(f'run_mpi.py: killed after {args.timeout} s', file=sys.stderr)
        return 1
    for pattern in args.expect_stdout:
        if not re.search(pattern, out, re.MULTILINE):
            print(f'run_mpi.py: stdout does not match {pattern!r}', file=sys.stderr)
            return 1
    for pattern in args.expect_stderr_once:
        found = len(re.findall(pattern, err, re.MULTILINE))
        if found != 1:
            print(f'run_mpi.py: stderr matches {pattern!r} {found} times, not once', file=sys.stderr)
            return 1
    for pattern in args.reject_stderr:
        if re.search(pattern, err, re.MULTILINE):
            print(f'run_mpi.py: stderr matches {pattern!r}', file=sys.stderr)
            return 1
    if args.expect_failure:
        if status == 0:
            print('run_mpi.py: expected a failure, but the job succeeded', file=sys.stderr)
            return 1
        if args.expect_status is not None and status != args.expect_status:
            print(f'run_mpi.py: the job exited with status {status}, not {args.expect_status}', file=sys.stderr)
            return 1
        if not re.search(args.expect_failure, err, re.MULTILINE):
            print(f'run_mpi.py: stderr does not match {args.expect_failure!r}', file=sys.stderr)
            return 1
        return 0
    return 0 if status == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
