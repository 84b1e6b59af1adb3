#!/usr/bin/env python3
"""Runs a program and compares its standard error with a golden file, byte for byte, after
writing the program's path in the replay command as PROGRAM.

    compare.py GOLDEN [--replay-flags FLAGS] -- program [arguments...]

--replay-flags: the run is on other rank contexts than the golden file's (threads), whose replay
commands name them: FLAGS ("--context process") stand before the program's last argument in every
replay command expected.
"""
import os
import re
import subprocess
import sys

golden = sys.argv[1]
separator = sys.argv.index("--")
options, command = sys.argv[2:separator], sys.argv[separator + 1:]
replay_flags = options[options.index("--replay-flags") + 1] if "--replay-flags" in options else ""
env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=50)
got = done.stderr.replace("replay: " + command[0] + " ", "replay: PROGRAM ")
expected = open(golden).read()
if replay_flags:
    expected = re.sub(r"^(.*replay: PROGRAM .*) (\S+)$", lambda m: f"{m[1]} {replay_flags} {m[2]}", expected,
                      flags=re.MULTILINE)
if done.returncode == 0 or got != expected:
    sys.stdout.write(f"exit status {done.returncode}\n--- expected ({golden})\n{expected}--- got\n{got}")
    sys.exit(1)
