#!/usr/bin/env python3
"""The same MPI C program, built with Open MPI's mpi.h and with baton's, prints the same lines:
under mpiexec -n N, and on N simulated ranks. Lines are compared sorted: under mpiexec the ranks'
output interleaves in no fixed order.

Usage: same_as_mpiexec.py --mpiexec PATH -n N MPI_BUILD BATON_BUILD"""
import argparse
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument('--mpiexec', required=True)
parser.add_argument('-n', type=int, required=True)
parser.add_argument('mpi_build')
parser.add_argument('baton_build')
args = parser.parse_args()

real = subprocess.run([args.mpiexec, '--oversubscribe', '-n', str(args.n), args.mpi_build], capture_output=True,
                      text=True, timeout=120, stdin=subprocess.DEVNULL)
simulated = subprocess.run([args.baton_build, '--ranks', str(args.n)], capture_output=True, text=True, timeout=120)
for name, done in (('mpiexec', real), ('baton', simulated)):
    if done.returncode != 0:
        sys.exit(f'{name} run failed ({done.returncode}):\n{done.stderr}')
if sorted(real.stdout.splitlines()) != sorted(simulated.stdout.splitlines()):
    sys.exit(f'different output\nmpiexec:\n{real.stdout}\nbaton:\n{simulated.stdout}')
print(f'the same {len(real.stdout.splitlines())} lines under mpiexec -n {args.n} and on {args.n} simulated ranks')
