#!/usr/bin/env python3
"""scripts/setup.sh on a machine without apt: it must install nothing, print what to install and
the plain meson commands, and exit 1 without a stack of errors.

  setup_without_apt.py SOURCE_ROOT

Runs setup.sh with a PATH that has every program of this machine but apt-get and dpkg-query (so
no Debian tooling), and checks what it prints and that it made no build directory.
"""
import os
import subprocess
import sys
import tempfile

source = os.path.abspath(sys.argv[1])
hidden = {'apt-get', 'apt', 'dpkg-query', 'dpkg', 'sudo'}
with tempfile.TemporaryDirectory() as bin_dir:
    for directory in os.environ.get('PATH', '').split(':') + ['/usr/bin', '/bin']:
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = os.path.join(directory, name)
            link = os.path.join(bin_dir, name)
            if name not in hidden and not os.path.exists(link) and os.access(target, os.X_OK):
                os.symlink(target, link)
    build = os.path.join(bin_dir, 'build-never-made')
    done = subprocess.run(['bash', os.path.join(source, 'scripts', 'setup.sh'), build],
                          env=dict(os.environ, PATH=bin_dir), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    out = done.stdout + done.stderr
    failures = []
    if done.returncode != 1:
        failures.append(f'exit status {done.returncode}, not 1')
    for wanted in ('not a Debian or Ubuntu machine', 'libboost-context-dev', 'fmt >= 8',
                   'meson setup build && ninja -C build'):
        if wanted not in out:
            failures.append(f'does not say {wanted!r}')
    if 'command not found' in out or 'installing' in out:
        failures.append('tried to run or install something')
    if os.path.exists(build):
        failures.append('made a build directory')
    print(out)
    if failures:
        print('FAILED: ' + '; '.join(failures))
        sys.exit(1)
    print('ok: setup.sh without apt printed the instructions and exited 1')
