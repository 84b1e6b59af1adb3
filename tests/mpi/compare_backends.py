#!/usr/bin/env python3
"""Runs a baton program on the simulator and under mpiexec with the same number of ranks and
compares what they print.

    compare_backends.py --mpiexec PATH -n N [--ignore REGEX]... [--expect-hang SECONDS]
                        -- PROGRAM [ARGS...]

The simulator run is `PROGRAM --backend sim --ranks N ARGS`, the MPI run
`mpiexec --oversubscribe -n N PROGRAM ARGS` (baton picks MPI by itself under mpiexec). They agree
when both succeed or both fail, their stdout lines are the same once sorted (ranks print in any
order on MPI), leaving out lines matching an --ignore REGEX (output that depends on the schedule),
and, when they fail, they report the same rank failures ("baton: rank R failed: ...").

--expect-hang: the program deadlocks. The simulator must say so at once; under mpiexec it must
still be running after SECONDS (MPI cannot tell), and is then killed.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_mpi import mpiexec_command, run  # noqa: E402

LAUNCHER_VARIABLES = ('OMPI_', 'PMI_', 'PMIX_', 'MPI_LOCALNRANKS')


def plain_environment():
    return {k: v for k, v in os.environ.items() if not k.startswith(LAUNCHER_VARIABLES)}


def lines(text, ignore):
    return sorted(line for line in text.splitlines() if not any(re.search(p, line) for p in ignore))


def failures(stderr):
    return sorted(set(re.findall(r'^baton: rank \d+ failed: .*$', stderr, re.MULTILINE)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mpiexec', required=True)
    parser.add_argument('-n', type=int, required=True)
    parser.add_argument('--ignore', action='append', default=[])
    parser.add_argument('--expect-hang', type=float)
    parser.add_argument('--timeout', type=float, default=60)
    parser.add_argument('program', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ['--'] else args.program

    sim_command = [program[0], '--backend', 'sim', '--ranks', str(args.n)] + program[1:]
    sim_status, sim_out, sim_err, sim_timed_out = run(sim_command, args.timeout, plain_environment())
    mpi_timeout = args.expect_hang if args.expect_hang else args.timeout
    mpi_status, mpi_out, mpi_err, mpi_timed_out = run(mpiexec_command(args.mpiexec, args.n, program), mpi_timeout)

    print(f'simulator: {" ".join(sim_command)} -> status {sim_status}')
    print(f'MPI:       mpiexec -n {args.n} {" ".join(program)} -> '
          f'{"still running after %g s" % mpi_timeout if mpi_timed_out else "status %s" % mpi_status}')
    problems = []
    if sim_timed_out:
        problems.append('the simulator run did not finish')
    if args.expect_hang:
        if 'deadlock' not in sim_err or sim_status == 0:
            problems.append('the simulator did not report a deadlock')
        if not mpi_timed_out:
            problems.append('the MPI run ended, but the program deadlocks')
    else:
        if mpi_timed_out:
            problems.append(f'the MPI run did not finish in {mpi_timeout} s')
        elif (sim_status == 0) != (mpi_status == 0):
            problems.append(f'exit status {sim_status} on the simulator but {mpi_status} on MPI')
        sim_lines, mpi_lines = lines(sim_out, args.ignore), lines(mpi_out, args.ignore)
        if sim_lines != mpi_lines:
            problems.append('stdout differs (sorted lines):\n' + '\n'.join(
                [f'  only on the simulator: {line}' for line in sim_lines if line not in mpi_lines] +
                [f'  only on MPI:           {line}' for line in mpi_lines if line not in sim_lines]))
        if sim_status != 0:
            print(f'failures: simulator {failures(sim_err)}, MPI {failures(mpi_err)}')
            if failures(sim_err) != failures(mpi_err):
                problems.append('the ranks failed differently')
        print(f'{len(sim_lines)} lines compared')
    for problem in problems:
        print('MISMATCH: ' + problem)
    if problems:
        print('--- simulator stdout ---\n' + sim_out + '--- simulator stderr ---\n' + sim_err)
        print('--- MPI stdout ---\n' + mpi_out + '--- MPI stderr ---\n' + mpi_err)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
