#!/usr/bin/env python3
"""In a build without the MPI backend, asking for it is a clear error (status 2), not a crash.

    no_mpi.py PROGRAM
"""
import os
import subprocess
import sys

program = sys.argv[1]
checks = [
    ('--backend mpi', [program, '--backend', 'mpi'], {}),
    ('BATON_BACKEND=mpi', [program], {'BATON_BACKEND': 'mpi'}),
    ('started by mpiexec', [program], {'OMPI_COMM_WORLD_SIZE': '2'}),
]
failed = False
for name, command, extra in checks:
    env = dict(os.environ, **extra)
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=20)
    ok = result.returncode == 2 and 'no MPI backend' in result.stderr and '-Dmpi=enabled' in result.stderr
    print(f'{name}: status {result.returncode}, stderr: {result.stderr.strip()}')
    if not ok:
        print(f'  FAILED: expected status 2 and a message naming the missing MPI backend')
        failed = True
sys.exit(1 if failed else 0)
