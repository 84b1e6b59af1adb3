#!/usr/bin/env python3
"""Runs one example on thread, fiber and process ranks and checks that it prints the same bytes and
ends with the same status in all three (issue #13: same run, same bytes). The replay command in a
report names the context (--context fiber, --context process): that word is the only difference
allowed.

    same_in_every_context.py PROGRAM [ARGS...]
"""
import os
import re
import subprocess
import sys

CONTEXTS = ("thread", "fiber", "process")


def run(program, args, context):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    result = subprocess.run([program, *args, "--context", context], capture_output=True, env=env, timeout=120)
    # The replay line repeats the command, context included.
    stderr = re.sub(rb" --context (thread|fiber|process)", b"", result.stderr)
    stderr = re.sub(rb" --fiber-stack \d+", b"", stderr)
    return result.returncode, result.stdout, stderr


def main():
    program, args = sys.argv[1], sys.argv[2:]
    runs = {context: run(program, args, context) for context in CONTEXTS}
    status, stdout, stderr = runs["thread"]
    if not stdout and not stderr:
        sys.exit(f"{program} printed nothing on threads: nothing to compare")
    failed = False
    for context in CONTEXTS[1:]:
        other = runs[context]
        for name, ours, theirs in (("exit status", status, other[0]), ("standard output", stdout, other[1]),
                                   ("standard error", stderr, other[2])):
            if ours != theirs:
                failed = True
                print(f"{name} differs on {context} ranks:\n--- threads\n{ours!r}\n--- {context}\n{theirs!r}")
    if failed:
        sys.exit(1)
    print(f"the same {len(stdout)} + {len(stderr)} bytes and status {status} on {', '.join(CONTEXTS)}")


if __name__ == "__main__":
    main()
