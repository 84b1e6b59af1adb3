#!/usr/bin/env python3
"""Runs a program and compares its standard error with a golden file, byte for byte, after
writing the program's path in the replay command as PROGRAM.

    compare.py GOLDEN -- program [arguments...]
"""
import os
import subprocess
import sys

golden, command = sys.argv[1], sys.argv[3:]
env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=50)
got = done.stderr.replace("replay: " + command[0] + " ", "replay: PROGRAM ")
expected = open(golden).read()
if done.returncode == 0 or got != expected:
    sys.stdout.write(f"exit status {done.returncode}\n--- expected ({golden})\n{expected}--- got\n{got}")
    sys.exit(1)
