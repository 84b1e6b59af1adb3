#!/usr/bin/env python3
"""Checks that baton refuses a program at compile time, and says why.

    refused.py --source FILE.cpp --include DIR [--pch HEADER] -- COMPILER [ARGS...]

FILE.cpp compiles as it is: the accepted counterparts of what it refuses (so that a missing header
or a typo cannot pass for a refusal). Each line `// refused N: TEXT` in it names a variant: the
file compiled with -DREFUSED=N must fail with a static assertion whose message holds TEXT. The
compiler only checks syntax and types (-fsyntax-only): nothing is linked or run. --pch: a header
included first, which g++ reads precompiled from HEADER.gch (baton.hpp, parsed once for the suite).
"""
import argparse
import re
import subprocess
import sys


def compile_file(compiler, include, source, pch, define=None):
    command = compiler + ['-std=c++20', '-fsyntax-only', '-I', include, source]
    if pch is not None:
        command += ['-include', pch]
    if define is not None:
        command.append(f'-DREFUSED={define}')
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return result.returncode, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--source', required=True)
    parser.add_argument('--include', required=True)
    parser.add_argument('--pch')
    parser.add_argument('compiler', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    compiler = args.compiler[1:] if args.compiler[:1] == ['--'] else args.compiler

    with open(args.source, encoding='utf-8') as f:
        variants = re.findall(r'^// refused (\d+): (.+)$', f.read(), re.MULTILINE)
    if not variants:
        print(f'refused.py: {args.source} names no variant (// refused N: TEXT)', file=sys.stderr)
        return 1

    failed = 0
    status, output = compile_file(compiler, args.include, args.source, args.pch)
    if status != 0:
        print(f'FAIL: {args.source} does not compile as it is:\n{output}', file=sys.stderr)
        failed += 1
    for number, text in variants:
        status, output = compile_file(compiler, args.include, args.source, args.pch, number)
        # The compilers say "static assertion failed: TEXT" (g++) or "static assertion failed due
        # to requirement '...': TEXT" (clang); the message may be split over lines by neither.
        asserted = [line for line in output.splitlines() if 'static assertion failed' in line]
        if status == 0:
            print(f'FAIL: variant {number} compiles; it must be refused with: {text}', file=sys.stderr)
            failed += 1
        elif not any(text in line for line in asserted):
            print(f'FAIL: variant {number} is refused, but not with: {text}\n{output}', file=sys.stderr)
            failed += 1
        else:
            print(f'variant {number}: refused with {text!r}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
