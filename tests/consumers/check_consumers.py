#!/usr/bin/env python3
"""baton as someone else's project uses it: installed, or as a meson subproject.

  check_consumers.py installed --build DIR --prefix P --libdir L --cxx C++...
      `meson install` of the build DIR into a staging folder, then tests/consumers/average.cpp built
      against it with pkg-config (c++ prog.cpp $(pkg-config --cflags --libs baton)) and with CMake
      (CMakeLists.txt here: find_package(baton) and baton::baton); each program must print 10.5.
      Then the seed's average in plain MPI C (bench/ref_average.c) built with the installed
      baton-mpicc, and tests/capi/exchange.cpp with baton-mpicxx, each run on 4 simulated ranks.
  check_consumers.py subproject --source SRC --cxx C++...
      a copy of parent/ (a user's meson project) with baton in subprojects/baton, configured,
      built and tested: `dependency('baton')` must resolve to the subproject, and its `meson test`
      must run the parent's one test and none of baton's.

Exit status 0 when all is well, 77 (meson's "skipped") when a tool it needs (pkg-config, cmake)
is missing, 1 with the failing command's output otherwise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = 'average: 10.5'


def run(cmd, env=None, cwd=None):
    """Runs cmd; on failure prints what it said and exits 1."""
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        print(f"FAILED ({done.returncode}): {' '.join(cmd)}\n{done.stdout}")
        sys.exit(1)
    return done.stdout


def need(*tools):
    for tool in tools:
        if shutil.which(tool) is None:
            print(f'skipped: {tool} is not installed')
            sys.exit(77)


def expect_average(program, env=None):
    out = run([program, '--ranks', '4'], env=env)
    if EXPECTED not in out.splitlines():
        print(f'FAILED: {program} --ranks 4 printed {out!r}, not {EXPECTED!r}')
        sys.exit(1)
    print(f'ok: {program} --ranks 4 printed {EXPECTED}')


def installed(args, work):
    need('pkg-config', 'cmake')
    stage = os.path.join(work, 'stage')
    run(['meson', 'install', '-C', args.build, '--no-rebuild', '--destdir', stage])
    prefix = stage + args.prefix
    libdir = os.path.join(prefix, args.libdir)
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(libdir, 'pkgconfig'),
               LD_LIBRARY_PATH=libdir)  # for a shared libbaton (-Ddefault_library=shared|both)
    # baton.pc names its prefix relative to itself (pkgconfig.relocatable, the project's default);
    # a build configured with it off names the final prefix, which is pointed at the staging one.
    pc = os.path.join(libdir, 'pkgconfig', 'baton.pc')
    with open(pc) as f:
        lines = f.read().splitlines()
    with open(pc, 'w') as f:
        f.write('\n'.join(f'prefix={prefix}' if line.startswith('prefix=') and '${pcfiledir}' not in line else line
                          for line in lines) + '\n')

    # pkg-config, as the README shows it.
    flags = run(['pkg-config', '--cflags', '--libs', 'baton'], env=env).split()
    program = os.path.join(work, 'average-pkg-config')
    run(args.cxx + [os.path.join(HERE, 'average.cpp'), '-o', program] + flags, env=env)
    expect_average(program, env)

    # CMake, with the five-line CMakeLists.txt beside this script.
    build = os.path.join(work, 'cmake-build')
    # meson's compiler may come behind a launcher (ccache c++): CMake takes that apart.
    launcher = args.cxx[:-1]
    cmake_cxx = [f'-DCMAKE_CXX_COMPILER={args.cxx[-1]}']
    if launcher:
        cmake_cxx.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={';'.join(launcher)}")
    run(['cmake', '-S', HERE, '-B', build, f'-DCMAKE_PREFIX_PATH={prefix}', *cmake_cxx,
         '-DCMAKE_BUILD_TYPE=Release'], env=env)
    run(['cmake', '--build', build], env=env)
    expect_average(os.path.join(build, 'average'), env)

    # Unmodified MPI programs, with the installed wrappers (which find their paths themselves).
    source = os.path.dirname(os.path.dirname(HERE))
    bindir = os.path.join(prefix, 'bin')
    c_program = os.path.join(work, 'ref-average')
    run([os.path.join(bindir, 'baton-mpicc'), os.path.join(source, 'bench', 'ref_average.c'), '-o', c_program])
    expect_line(c_program, 'Global average across all data: 10.5')
    cxx_program = os.path.join(work, 'exchange')
    run([os.path.join(bindir, 'baton-mpicxx'), os.path.join(source, 'tests', 'capi', 'exchange.cpp'), '-o', cxx_program],
        env=dict(os.environ, BATON_CXX=args.cxx[-1]))
    expect_line(cxx_program, 'sum of ranks: 6')


def expect_line(program, line):
    out = run([program, '--ranks', '4'])
    if line not in out.splitlines():
        print(f'FAILED: {program} --ranks 4 printed {out!r}, not {line!r}')
        sys.exit(1)
    print(f'ok: {program} --ranks 4 printed {line}')


def subproject(args, work):
    parent = os.path.join(work, 'parent')
    os.makedirs(os.path.join(parent, 'subprojects'))
    for name in ('meson.build', '../average.cpp'):
        shutil.copy(os.path.join(HERE, 'parent', name), parent)
    os.symlink(os.path.abspath(args.source), os.path.join(parent, 'subprojects', 'baton'))
    build = os.path.join(work, 'parent-build')
    env = dict(os.environ, CXX=' '.join(args.cxx))
    # baton's options as a parent passes them: the MPI backend is not needed here. The parent's
    # build type is plain (no -g, no -O) and its subprojects are built as unity builds (meson's
    # -Dunity=subprojects, a parent's own choice): what is checked is how baton resolves, builds
    # and stays out of the parent's tests as a subproject, and this build of its library was the
    # suite's longest test (57 s alone, 31 s as a unity build, on this machine idle).
    run(['meson', 'setup', build, parent, '-Dbaton:mpi=disabled', '--buildtype=plain', '-Dunity=subprojects'], env=env)
    run(['meson', 'test', '-C', build], env=env)
    with open(os.path.join(build, 'meson-logs', 'testlog.json')) as log:
        names = [json.loads(line)['name'] for line in log if line.strip()]
    if names != ['average on 4 simulated ranks']:
        print(f"FAILED: the parent's meson test ran {names}, not only its own test")
        sys.exit(1)
    print(f"ok: the parent's meson test ran only its own test: {names[0]}")
    expect_average(os.path.join(build, 'average'))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('how', choices=['installed', 'subproject'])
    parser.add_argument('--build', help='the build directory to install from')
    parser.add_argument('--prefix')
    parser.add_argument('--libdir')
    parser.add_argument('--source', help="baton's source tree")
    parser.add_argument('--cxx', nargs='+', required=True, help='the C++ compiler, as meson runs it')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='baton-consumers-')
    try:
        (installed if args.how == 'installed' else subproject)(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
