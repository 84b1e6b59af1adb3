#!/usr/bin/env python3
"""Checks --profile and --profile-json of a program against what the run's event log records.

    profile_check.py --golden FILE [--update] -- PROGRAM [FLAGS...]

1. With --network shm --compute-time zero (every figure deterministic) and --trace: the JSON
   parses, and each call site's calls and bytes equal the trace's events at that site (sends and
   collectives where they were called, receives where they were posted), per rank.
2. The text report is the same for seeds 1, 2 and 3, and equals the golden file byte for byte.
3. The JSON holds the numbers the text shows (the sites' calls, the total time).
4. With compute time measured: each rank's end is its time in calls plus its computing, and rank 0's
   tenfold computing shows as load imbalance.
5. A --profile-json that cannot be written is one `baton:` line and exit status 2; --profile with
   --explore is refused the same way.
FLAGS (e.g. --context fiber) are added to every run.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

BASE = ['--ranks', '4', '--network', 'shm', '--compute-time', 'zero']
failures = []


def run(command):
    env = {k: v for k, v in os.environ.items() if not k.startswith('BATON_')}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    return done.returncode, done.stdout, done.stderr


def expect(condition, what):
    if not condition:
        failures.append(what)
    return condition


def profile_text(stderr):
    """The profile's lines: from its header to the end."""
    lines = stderr.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith('baton: profile of '):
            return ''.join(lines[i:])
    return ''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--golden', required=True)
    parser.add_argument('--update', action='store_true')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    program, flags = command[0], command[1:]

    with tempfile.TemporaryDirectory() as scratch:
        profile_path = os.path.join(scratch, 'profile.json')
        trace_path = os.path.join(scratch, 'trace.json')
        status, _, err = run([program] + BASE + ['--profile', '--profile-json', profile_path, '--trace', trace_path] + flags)
        expect(status == 0, f'the profiled run exited with {status}:\n{err}')
        with open(profile_path) as f:
            profile = json.load(f)
        with open(trace_path) as f:
            trace = json.load(f)

        # 1. Calls and bytes per site and rank against the event log.
        events = collections.defaultdict(lambda: [0, 0])  # (rank, operation, location) -> [events, bytes]
        rank_of_tid = {}
        for e in trace if isinstance(trace, list) else trace['traceEvents']:
            if e.get('ph') == 'M' and e.get('name') == 'thread_name':
                rank_of_tid[e['tid']] = int(e['args']['name'].split()[1])
        for e in trace if isinstance(trace, list) else trace['traceEvents']:
            if e.get('ph') == 'X' and e.get('cat') == 'baton':
                key = (rank_of_tid[e['tid']], e['name'], e['args']['location'])
                events[key][0] += 1
                events[key][1] += e['args']['bytes']
        profiled = {}
        for site in profile['sites']:
            for r in site['ranks']:
                key = (r['rank'], site['operation'], f"{site['file']}:{site['line']}")
                profiled[key] = (r['calls'], r['bytes_sent'] + r['bytes_received'])
        expect(len(events) > 0, 'the trace has no events')
        for key, (count, moved) in events.items():
            expect(key in profiled and profiled[key] == (count, moved),
                   f'rank {key[0]} {key[1]} at {key[2]}: the event log has {count} calls and {moved} bytes, '
                   f'the profile {profiled.get(key)}')
        # Every other site is a call that makes no event (wait, test), and moves no bytes.
        for key, (count, moved) in profiled.items():
            if key not in events:
                expect(moved == 0 and key[1] in ('wait', 'test', 'wait_any', 'wait_some', 'test_any', 'test_some', 'test_all'),
                       f'rank {key[0]} {key[1]} at {key[2]} is in the profile ({count} calls, {moved} bytes) '
                       f'and not in the event log')
        expect(profile['ranks'] == 4 if isinstance(profile['ranks'], int) else len(profile['ranks']) == 4,
               'the JSON does not have 4 ranks')
        expect(profile['simulated'] is True and profile['time_source'] == 'simulated (network shm)',
               f"the JSON's time source is {profile['time_source']}")

        # 2. Deterministic across seeds, and the golden text.
        texts = []
        for seed in ('1', '2', '3'):
            status, _, err = run([program] + BASE + ['--profile', '--seed', seed] + flags)
            expect(status == 0, f'--seed {seed} exited with {status}:\n{err}')
            texts.append(profile_text(err))
        expect(texts[0] != '', 'no profile on stderr')
        expect(texts[0] == texts[1] == texts[2], 'the profile differs between seeds:\n' + '\n---\n'.join(texts))
        if args.update:
            with open(args.golden, 'w') as f:
                f.write(texts[0])
        with open(args.golden) as f:
            golden = f.read()
        expect(texts[0] == golden, f'the profile differs from {args.golden}:\n{texts[0]}\n--- expected ---\n{golden}')

        # 3. The text's site lines hold the JSON's calls, in the JSON's order.
        site_lines = [line.split() for line in texts[0].splitlines() if re.match(r'^  \S+:\d+  ', line)]
        shown = [(fields[0], fields[1], int(fields[2])) for fields in site_lines]
        from_json = [(f"{s['file']}:{s['line']}", s['operation'], s['calls']) for s in profile['sites']][:len(shown)]
        expect(shown == from_json, f'the text shows {shown}, the JSON {from_json}')
        total = max(r['end_seconds'] for r in profile['ranks'])
        expect(abs(profile['total_seconds'] - total) <= 1e-12 * max(1.0, total), 'total_seconds is not the last end')
        expect(profile['critical_path']['end_seconds'] == total, 'the critical path is not the rank that ended last')

        # 4. With compute time measured (fiber ranks share a thread, whose CPU clock counts every
        # rank), each rank's end is its time in calls plus its computing: nothing else moves a clock.
        status, _, err = run([program, '--ranks', '4', '--network', 'shm', '--profile-json', profile_path] + flags)
        expect(status == 0, f'the run with measured compute time exited with {status}:\n{err}')
        with open(profile_path) as f:
            measured = json.load(f)
        for r in measured['ranks']:
            parts = r['call_seconds'] + r['compute_seconds']
            expect(abs(r['end_seconds'] - parts) <= 1e-9 * max(1e-6, r['end_seconds']),
                   f"rank {r['rank']} ended at {r['end_seconds']} s, after {parts} s in calls and computing")
        expect(measured['load_imbalance'] > 1.5,
               f"rank 0 computes 10 times as much: a load imbalance of {measured['load_imbalance']}")

        # 5. Bad uses: one baton: line and status 2.
        status, _, err = run([program] + BASE + ['--profile-json', os.path.join(scratch, 'missing', 'p.json')] + flags)
        lines = [line for line in err.splitlines() if line.startswith('baton:') and 'simulated time' not in line]
        expect(status == 2 and len(lines) == 1 and '--profile-json' in lines[0],
               f'an unwritable --profile-json: status {status}, stderr:\n{err}')
        status, _, err = run([program, '--ranks', '2', '--profile', '--explore', '10'] + flags)
        expect(status == 2 and err.count('baton:') == 1 and '--profile' in err and '--explore' in err,
               f'--profile with --explore: status {status}, stderr:\n{err}')

    for failure in failures:
        print('FAIL:', failure)
    print(f'{len(failures)} failures' if failures else 'all checks passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
