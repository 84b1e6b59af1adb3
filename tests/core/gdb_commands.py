#!/usr/bin/env python3
"""baton's gdb commands (tools/gdb/baton_gdb.py, which gdb loads from the program's
.debug_gdb_scripts section) on the deadlock example stopped by --break-at, on thread and fiber
ranks: the stop shows the program's frame, `baton ranks` gives every rank's line (the deadlock
report's), `baton rank N` switches to rank N's thread at its frame in the program (thread ranks,
which `info threads` names) or prints its line (fiber ranks), `baton step` goes to the next step, `baton break-at 3` runs the program again to step 3.

Usage: gdb_commands.py GDB DEADLOCK_PROGRAM
Exit 77 (skipped) when this machine does not let gdb run a program (no ptrace) or gdb has no Python."""
import re
import subprocess
import sys

gdb, program = sys.argv[1:]
failures = []


def check(condition, what, seen):
    if not condition:
        failures.append(f"{what}; gdb said:\n{seen}")


for context in ("thread", "fiber"):
    done = subprocess.run(
        [gdb, "-nx", "-batch", "-iex", "set auto-load safe-path /", "-ex", "run", "-ex", "baton ranks",
         "-ex", "baton rank 0", "-ex", "info threads", "-ex", "baton step", "-ex", "baton break-at 3", "-ex", "baton ranks", "-ex", "kill",
         "--args", program, "--ranks", "3", "--break-at", "5", "--context", context],
        capture_output=True, text=True, timeout=120)
    seen = done.stdout + done.stderr
    if "ptrace" in seen and "not permitted" in seen:
        print("skipped: this machine does not let gdb run a program (ptrace)")
        sys.exit(77)
    if "Python scripting is not supported" in seen:
        print("skipped: this gdb has no Python")
        sys.exit(77)
    check(re.search(r"baton: --break-at stopped this rank; its frame in the program:\n#\d+ .* at [^\n]*"
                    r"examples/deadlock\.cpp:18\n", seen), f"{context}: the stop is not shown in the program's frame", seen)
    check("baton: the ranks, as the run stands\n  at step 5: 1 blocked, 2 running or ready, 0 finished\n"
          "  rank 0: recv(source=2, tag=0, comm=world) at examples/deadlock.cpp:18, waiting for rank 2\n"
          "  rank 1: ready to run, waiting for its turn\n  rank 2: running\n" in seen,
          f"{context}: baton ranks", seen)
    check(re.search(r"baton: rank \d runs now, at step 6\n", seen), f"{context}: baton step", seen)
    check("the ranks, as the run stands\n  at step 3: " in seen, f"{context}: baton break-at 3 (a new run)", seen)
    if context == "thread":
        check(re.search(r"\[rank 0: thread \d+\]\n#\d+ .* at [^\n]*examples/deadlock\.cpp:18\n", seen),
              "thread: baton rank 0 is not at its frame in the program", seen)
        check(all(re.search(rf'Thread 0x[0-9a-f]+ \(LWP \d+\) "rank {r}"', seen) for r in range(3)),
              "thread: info threads does not name the ranks", seen)
    else:
        check("baton: no thread is rank 0 here: fiber ranks share the run's thread" in seen,
              "fiber: baton rank 0 does not say why there is no thread", seen)

if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print("gdb: --break-at shown in the program's frame; baton ranks; baton rank 0; on threads and fibers")
