#!/usr/bin/env python3
"""Runs a program and compares its standard error with a golden file, byte for byte, after
writing the program's path in the replay command as PROGRAM. With --context KIND the program runs
on those ranks, and the replay command's `--context KIND` (the one difference allowed between
contexts) is left out before comparing: the golden files are the same for every context.

    compare.py GOLDEN [--context KIND] -- program [arguments...]
"""
import os
import re
import subprocess
import sys

golden, separator = sys.argv[1], sys.argv.index("--")
context = sys.argv[3] if sys.argv[2:4] and sys.argv[2] == "--context" and separator == 4 else None
command = sys.argv[separator + 1:]
if context:  # right after the program: its own arguments stay last
    command[1:1] = ["--context", context]
env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=50)
got = done.stderr.replace("replay: " + command[0] + " ", "replay: PROGRAM ")
if context:  # fibers' stack size is part of their replay command too
    got = re.sub(r" --context " + context + r"( --fiber-stack \d+)?", "", got)
expected = open(golden).read()
if done.returncode == 0 or got != expected:
    sys.stdout.write(f"exit status {done.returncode}\n--- expected ({golden})\n{expected}--- got\n{got}")
    sys.exit(1)
