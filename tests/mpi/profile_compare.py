#!/usr/bin/env python3
"""--profile under mpiexec against the simulator: the same calls and bytes per call site and rank.

    profile_compare.py --mpiexec PATH -n N -- PROGRAM [ARGS...]

Runs PROGRAM under `mpiexec -n N` with --profile --profile-json, and on the simulator with
--ranks N --profile-json; passes when the two JSON files have the same sites with the same calls,
bytes sent and bytes received on every rank, and rank 0 alone printed the profile's header on MPI.
The times differ (MPI_Wtime against the simulator's clock) and are not compared.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def counts(profile):
    out = {}
    for site in profile['sites']:
        for r in site['ranks']:
            out[(r['rank'], f"{site['file']}:{site['line']}", site['operation'])] = (
                r['calls'], r['bytes_sent'], r['bytes_received'])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mpiexec', required=True)
    parser.add_argument('-n', type=int, required=True)
    parser.add_argument('program', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ['--'] else args.program
    env = {k: v for k, v in os.environ.items() if not k.startswith('BATON_')}
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        on_mpi, on_sim = os.path.join(scratch, 'mpi.json'), os.path.join(scratch, 'sim.json')
        mpi = subprocess.run([args.mpiexec, '--oversubscribe', '-n', str(args.n)] + program +
                             ['--profile', '--profile-json', on_mpi], capture_output=True, text=True, env=env,
                             timeout=100, start_new_session=True)
        sim = subprocess.run(program + ['--ranks', str(args.n), '--profile-json', on_sim], capture_output=True,
                             text=True, env=env, timeout=100)
        if mpi.returncode != 0 or sim.returncode != 0:
            print(f'mpiexec: status {mpi.returncode}\n{mpi.stderr}\nsimulator: status {sim.returncode}\n{sim.stderr}')
            return 1
        headers = [line for line in mpi.stderr.splitlines() if line.startswith('baton: profile of ')]
        expected = f'baton: profile of {args.n} ranks on MPI, time real (MPI_Wtime): total '
        if len(headers) != 1 or not headers[0].startswith(expected):
            failures.append(f'the profile header on MPI: {headers}, expected one starting {expected!r}')
        with open(on_mpi) as f:
            mpi_profile = json.load(f)
        with open(on_sim) as f:
            sim_profile = json.load(f)
        if mpi_profile['backend'] != 'mpi' or sim_profile['backend'] != 'simulator':
            failures.append(f"backends: {mpi_profile['backend']} and {sim_profile['backend']}")
        a, b = counts(mpi_profile), counts(sim_profile)
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                failures.append(f'rank {key[0]} {key[2]} at {key[1]}: (calls, sent, received) '
                                f'{a.get(key)} on MPI, {b.get(key)} on the simulator')
        if not a:
            failures.append('no call sites in the profile')
    for failure in failures:
        print('FAIL:', failure)
    print(f'{len(failures)} failures' if failures else f'the same calls and bytes on {args.n} ranks')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
