#!/usr/bin/env python3
"""baton's gdb commands (tools/gdb/baton_gdb.py, which gdb loads from the program's
.debug_gdb_scripts section) on the deadlock example stopped by --break-at, on thread, fiber and
process ranks: the stop shows the program's frame, `baton ranks` gives every rank's line (the
deadlock report's), `baton rank N` switches to rank N's thread at its frame in the program
(thread ranks, which `info threads` names), shows its line and whole stack (a fiber rank that is
not running), or attaches to its process as another inferior, at its frame in the program
(process ranks, where gdb stops in the engine's process and `info threads` shows only the
engine's threads); `baton step` goes to the next step, `baton break-at 3` runs the program again
to step 3. And `step` on a line that sends (the ring example) goes to the program's next line,
over baton's frames, on thread and fiber ranks.

Usage: gdb_commands.py thread|fiber|process|step GDB DEADLOCK_PROGRAM RING_PROGRAM
Exit 77 (skipped) when this machine does not let gdb run a program (no ptrace) or gdb has no Python."""
import re
import subprocess
import sys

case, gdb, program, ring = sys.argv[1:]
failures = []


def check(condition, what, seen):
    if not condition:
        failures.append(f"{what}; gdb said:\n{seen}")


def run_gdb(commands, args):
    command = [gdb, "-nx", "-batch", "-iex", "set auto-load safe-path /"]
    for c in commands:
        command += ["-ex", c]
    done = subprocess.run(command + ["--args", *args], capture_output=True, text=True, timeout=120)
    seen = done.stdout + done.stderr
    if "ptrace" in seen and "not permitted" in seen and "received signal SIGTRAP" not in seen:
        print("skipped: this machine does not let gdb run a program (ptrace)")
        sys.exit(77)
    if "Python scripting is not supported" in seen:
        print("skipped: this gdb has no Python")
        sys.exit(77)
    return seen


STOP_IN_PROGRAM = (r"baton: --break-at stopped this rank; its frame in the program:\n#\d+ .* at [^\n]*"
                   r"examples/deadlock\.cpp:18\n")
RANKS_AT_STEP_5 = ("baton: the ranks, as the run stands\n  at step 5: 1 blocked, 2 running or ready, 0 finished\n"
                   "  rank 0: recv(source=2, tag=0, comm=world) at examples/deadlock.cpp:18, waiting for rank 2\n"
                   "  rank 1: ready to run, waiting for its turn\n  rank 2: running\n")
RANK_0_LINE = "  rank 0: recv(source=2, tag=0, comm=world) at examples/deadlock.cpp:18, waiting for rank 2\n"

if case in ("thread", "fiber"):
    context = case
    seen = run_gdb(["run", "baton ranks", "baton rank 0", "info threads", "baton step", "baton break-at 3",
                    "baton ranks", "kill"],
                   [program, "--ranks", "3", "--break-at", "5", "--context", context])
    check(re.search(STOP_IN_PROGRAM, seen), f"{context}: the stop is not shown in the program's frame", seen)
    check(RANKS_AT_STEP_5 in seen, f"{context}: baton ranks", seen)
    check(re.search(r"baton: rank \d runs now, at step 6\n", seen), f"{context}: baton step", seen)
    check("the ranks, as the run stands\n  at step 3: " in seen, f"{context}: baton break-at 3 (a new run)", seen)
    if context == "thread":
        check(re.search(r"\[rank 0: thread \d+\]\n#\d+ .* at [^\n]*examples/deadlock\.cpp:18\n", seen),
              "thread: baton rank 0 is not at its frame in the program", seen)
        check(all(re.search(rf'Thread 0x[0-9a-f]+ \(LWP \d+\) "rank {r}"', seen) for r in range(3)),
              "thread: info threads does not name the ranks", seen)
    else:
        # The whole stack of a fiber that is not running, down to the program's call.
        check(re.search(re.escape(RANK_0_LINE) + r"baton: rank 0 is a fiber that is not running; its stack as it "
                        r"was when it last gave the CPU up \(gdb cannot select these frames\):\n"
                        r"(#\d+ [^\n]*\n)*#\d+ [^\n]*operator\(\) [^\n]* at [^\n]*"
                        r"examples/deadlock\.cpp:18\n", seen),
              "fiber: baton rank 0 does not show its stack down to the program's call", seen)

# Process ranks: gdb debugs the engine's process, which stops when the rank does; that rank's
# process waits for a debugger. `baton rank N` attaches to a rank's process, at its frame in the
# program. (Not `continue` then: the engine may find the deadlock before rank 2, which looks for a
# debugger ten times a second, stops.)
if case == "process":
    seen = run_gdb(["run", "baton ranks", "info threads", "baton rank 0", "baton rank 2", "info inferiors"],
                   [program, "--ranks", "3", "--break-at", "5", "--context", "process"])
    check(re.search(r"baton: --break-at 5: rank 2 runs at this step, in process (\d+); it stops there with SIGTRAP "
                    r"once a debugger is attached to it \(gdb -p \1\)\n", seen),
          "process: the rank's process is not named", seen)
    check("baton: stopped in the engine's process: rank 2 runs in a process of its own, which waits for a debugger; "
          "`baton rank 2` attaches to it, `baton ranks` shows the whole run\n" in seen,
          "process: the engine's stop does not say what to do", seen)
    check(RANKS_AT_STEP_5 in seen, "process: baton ranks", seen)
    threads = re.search(r"\n +Id +Target Id +Frame *\n((?:[ *] +\d+ +Thread [^\n]*\n)+)", seen)
    check(threads and not re.search(r'"rank \d"', threads[1]) and '"deadlock"' in threads[1],
          "process: info threads shows other than the engine's threads", seen)
    attach_refused = re.search(r"baton: cannot attach to it here \(([^\n]*)\)", seen)
    if attach_refused:  # attaching to a child's child may be refused where running a program is not
        print(f"process ranks: gdb could not attach to a rank's process ({attach_refused[1]}): not checked")
    attaching = (r"baton: rank {rank} is process (\d+), a process of its own; attaching to it as another inferior "
                 r"\(`inferior 1` is the engine's process again\)\n(?:[^\n]*\n)*?\[rank {rank}: process \1, "
                 r"thread {inferior}\.1\]\n#\d+ [^\n]*operator\(\) [^\n]* at [^\n]*examples/deadlock\.cpp:18\n")
    check(attach_refused or re.search(re.escape(RANK_0_LINE) + attaching.format(rank=0, inferior=2), seen),
          "process: baton rank 0 is not attached, at its frame in the program", seen)
    check(attach_refused or re.search("  rank 2: running\n" + attaching.format(rank=2, inferior=3), seen),
          "process: baton rank 2 is not attached, at its frame in the program", seen)

# `step` over a send: from the ring example's line 51 to its next line, 52, not into baton.
for context in ("thread", "fiber") if case == "step" else ():
    seen = run_gdb(["break ring.cpp:51", "run", "step", "kill"], [ring, "--ranks", "3", "--context", context])
    check(re.search(r"\n52\t +world\.recv\(token, left, token_tag\);", seen),
          f"{context}: step over world.send does not land on the next line", seen)

if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print({"thread": "threads: --break-at shown in the program's frame; baton ranks; baton rank 0 switches thread",
       "fiber": "fibers: --break-at shown in the program's frame; baton ranks; baton rank 0 shows its whole stack",
       "process": "processes: the engine stops; baton ranks; info threads; baton rank 0 and 2 attach their processes",
       "step": "step over world.send lands on the next line, on threads and fibers"}[case])
