#!/usr/bin/env python3
"""Runs an example program and checks what it printed and how it exited.

    check_output.py [checks...] -- program [arguments...]

Every check that fails is reported, with the command and everything it printed; the exit status
is then 1. The program runs with no BATON_* variables from the caller's environment (so that a
BATON_RANKS in the shell cannot change a test), plus those given with --env.
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import threading

TIMEOUT = 30  # seconds per run; meson's own timeout is the outer bound


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add('--status', default='0', help="expected exit status: a number, or 'nonzero' (default 0)")
    add('--env', action='append', default=[], metavar='NAME=VALUE', help='set in the environment of the program')
    add('--line', action='append', default=[], metavar='TEXT', help='stdout has this exact line')
    add('--regex', action='append', default=[], metavar='RE', help='stdout has a match of RE (^ and $ match at lines)')
    add('--count', action='append', default=[], nargs=2, metavar=('RE', 'N'),
        help='exactly N lines of stdout match RE')
    add('--stderr-line', action='append', default=[], metavar='TEXT', help='stderr has this exact line')
    add('--stderr-regex', action='append', default=[], metavar='RE', help='stderr has a match of RE')
    add('--stderr-count', action='append', default=[], nargs=2, metavar=('RE', 'N'),
        help='exactly N lines of stderr match RE')
    add('--quiet', action='store_true', help='stderr is empty')
    add('--define', action='append', default=[], nargs=3, metavar=('NAME', 'FILE', 'TEXT'),
        help='in every pattern, {NAME} stands for the number of the first line of FILE that contains TEXT')
    add('--twice', action='store_true', help='a second run prints the same stdout and stderr, byte for byte')
    add('--same-as', action='append', default=[], metavar='SPEC',
        help='running the program with SPEC instead of its arguments prints the same stdout and stderr; '
             'SPEC is shell words, NAME=VALUE words set environment variables and the rest are arguments')
    add('--replay', action='store_true',
        help="running the command in stderr's 'replay:' line prints the same stdout and stderr")
    add('--signal', choices=['INT', 'TERM'],
        help='send the program this signal once it has printed the --after line (a stuck run, interrupted)')
    add('--after', metavar='TEXT', help='with --signal: the stdout line to wait for before sending it')
    add('command', nargs=argparse.REMAINDER, help='-- program [arguments...]')
    options = parser.parse_args()
    if options.command[:1] == ['--']:
        options.command = options.command[1:]
    if not options.command:
        parser.error('no command given (put it after --)')
    return options


def environment(assignments):
    env = {name: value for name, value in os.environ.items() if not name.startswith('BATON_')}
    for assignment in assignments:
        name, _, value = assignment.partition('=')
        env[name] = value
    return env


class Run:
    def __init__(self, command, env, signal=None, after=None):
        self.command = command
        self.env_shown = ' '.join(f'{name}={value}' for name, value in sorted(env.items())
                                  if name.startswith('BATON_'))
        if signal:
            self.interrupt(env, signal, after)
            return
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT)
            self.status, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as e:
            self.status, self.stdout, self.stderr = None, e.stdout or b'', e.stderr or b''

    def interrupt(self, env, signal_name, after):
        """Runs the command until it prints `after`, then sends it SIGINT or SIGTERM."""
        process = subprocess.Popen(self.command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        hang = threading.Timer(TIMEOUT, process.kill)  # for a hang only: the line comes at once
        hang.start()
        printed = b''
        for line in iter(process.stdout.readline, b''):
            printed += line
            if line.decode('utf-8', errors='replace').rstrip('\n') == after:
                process.send_signal(getattr(signal, 'SIG' + signal_name))
                break
        rest, self.stderr = process.communicate()
        hang.cancel()
        self.stdout = printed + rest
        self.status = process.returncode

    def shown(self):
        return ((self.env_shown + ' ') if self.env_shown else '') + shlex.join(self.command)

    def text(self, stream):
        return (self.stdout if stream == 'stdout' else self.stderr).decode('utf-8', errors='replace')


def line_number(path, text):
    with open(path, encoding='utf-8') as source:
        for number, line in enumerate(source, start=1):
            if text in line:
                return number
    raise SystemExit(f'check_output.py: no line of {path} contains {text!r}')


def main():
    options = parse_arguments()
    definitions = {name: str(line_number(path, text)) for name, path, text in options.define}

    def expand(pattern):
        for name, value in definitions.items():
            pattern = pattern.replace('{' + name + '}', value)
        return pattern

    base_env = environment(options.env)
    first = Run(options.command, base_env, options.signal, options.after)
    failures = []

    if first.status is None:
        failures.append(f'did not finish within {TIMEOUT} seconds')
    elif options.status == 'nonzero':
        if first.status == 0:
            failures.append('exit status 0, expected a failure')
    elif first.status != int(options.status):
        failures.append(f'exit status {first.status}, expected {options.status}')

    for stream, lines, regexes, counts in (
            ('stdout', options.line, options.regex, options.count),
            ('stderr', options.stderr_line, options.stderr_regex, options.stderr_count)):
        text = first.text(stream)
        present = set(text.splitlines())
        for line in map(expand, lines):
            if line not in present:
                failures.append(f'{stream} has no line {line!r}')
        for regex in map(expand, regexes):
            if not re.search(regex, text, re.MULTILINE):
                failures.append(f'{stream} has no match of {regex!r}')
        for regex, expected in counts:
            regex = expand(regex)
            found = sum(1 for line in text.splitlines() if re.search(regex, line))
            if found != int(expected):
                failures.append(f'{found} lines of {stream} match {regex!r}, expected {expected}')
    if options.quiet and first.stderr:
        failures.append('stderr is not empty')

    # Runs that must print exactly what the first run printed.
    reruns = []
    if options.twice:
        reruns.append(('the same command again', options.command, base_env))
    for spec in options.same_as:
        words = shlex.split(spec)
        assignments = [w for w in words if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*=.*', w)]
        arguments = [w for w in words if w not in assignments]
        reruns.append((f'--same-as {spec!r}', options.command[:1] + arguments,
                       environment(options.env + assignments)))
    if options.replay:
        replay = re.search(r'^\s*replay: (.*)$', first.text('stderr'), re.MULTILINE)
        if replay:
            reruns.append(('the replay command', shlex.split(replay.group(1)), base_env))
        else:
            failures.append("stderr has no 'replay:' line")
    for what, command, env in reruns:
        again = Run(command, env)
        for stream in ('stdout', 'stderr'):
            if again.text(stream) != first.text(stream):
                failures.append(f'{what} ({again.shown()}) printed another {stream}:\n'
                                + indent(again.text(stream)))
        if again.status != first.status:
            failures.append(f'{what} ({again.shown()}) exited with {again.status}, not {first.status}')

    if failures:
        print(f'FAILED: {first.shown()}')
        for failure in failures:
            print(f'  - {failure}')
        print(f'exit status: {first.status}\nstdout:\n{indent(first.text("stdout"))}\nstderr:\n'
              f'{indent(first.text("stderr"))}')
        return 1
    print(f'ok: {first.shown()}')
    return 0


def indent(text):
    return '\n'.join('    | ' + line for line in text.splitlines()) or '    (empty)'


if __name__ == '__main__':
    sys.exit(main())
