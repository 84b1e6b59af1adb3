#!/usr/bin/env python3
"""Prints the ninja targets the tests of a meson build directory need, for the suites given.

  suite_targets.py BUILD --suite core --no-suite context-variants

What `meson test --suite core` builds before it runs them, for a build started ahead of the tests
(.ci/run builds the next phase's targets while the tests of the one before run)."""
import argparse
import json
import os
import subprocess


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('build')
    parser.add_argument('--suite', action='append', default=[])
    parser.add_argument('--no-suite', action='append', default=[])
    args = parser.parse_args()

    def introspect(what):
        return json.loads(subprocess.run(['meson', 'introspect', args.build, what], check=True,
                                         stdout=subprocess.PIPE, text=True).stdout)

    def suites_of(test):  # introspection lists each suite as 'project:name'
        return {suite.split(':', 1)[-1] for suite in test['suite']}

    wanted = set()
    for test in introspect('--tests'):
        suites = suites_of(test)
        if args.suite and not suites & set(args.suite):
            continue
        if suites & set(args.no_suite):
            continue
        wanted.update(test['depends'])
    build = os.path.abspath(args.build)
    for target in introspect('--targets'):
        if target['id'] in wanted:
            for path in target['filename']:
                print(os.path.relpath(path, build))


if __name__ == '__main__':
    main()
