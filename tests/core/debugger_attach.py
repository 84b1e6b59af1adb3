#!/usr/bin/env python3
"""--break-at on process ranks, with a real debugger: the rank that runs at the step stops in its
own process and says which one; gdb attached to that process sees SIGTRAP there, with the user's
frame on the stack; once gdb lets go, the run ends as it would have without stopping.

Usage: debugger_attach.py GDB PROGRAM STEP SOURCE_NAME [ARGS...]
Exit 77 (skipped) when this machine does not let a debugger attach (no ptrace permission)."""
import re
import subprocess
import sys

gdb, program, step, source_name, *args = sys.argv[1:]

plain = subprocess.run([program, *args], capture_output=True, text=True, timeout=120)
assert plain.returncode == 0, plain.stderr

run = subprocess.Popen([program, *args, "--break-at", step], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
try:
    # The engine says which process stops, then that process waits for a debugger.
    said = run.stderr.readline()
    found = re.match(r"^baton: --break-at (\d+): rank (\d+) runs at this step, in process (\d+); it stops there "
                     r"with SIGTRAP once a debugger is attached to it \(gdb -p (\d+)\)$", said)
    assert found, f"expected the process to attach to, got {said!r}"
    assert found[1] == step and found[3] == found[4], said
    pid = int(found[3])
    with open(f"/proc/{pid}/stat") as stat:
        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
    assert parent == run.pid, f"process {pid} is not a child of the program ({run.pid}) but of {parent}"

    debugger = subprocess.run([gdb, "-nx", "-batch", "-p", str(pid), "-ex", "continue", "-ex", "backtrace"],
                              capture_output=True, text=True, timeout=120)
    seen = debugger.stdout + debugger.stderr
    if "ptrace: Operation not permitted" in seen:
        print("skipped: this machine does not let a debugger attach (ptrace)")
        run.kill()
        sys.exit(77)
    assert "Program received signal SIGTRAP" in seen, seen
    assert re.search(rf" at [^ ]*{re.escape(source_name)}:\d+\n", seen), f"no frame in {source_name}:\n{seen}"
    assert "detached" in seen, seen

    out, err = run.communicate(timeout=120)
except BaseException:
    run.kill()
    raise
assert run.returncode == 0, err
assert out == plain.stdout, f"with the stop:\n{out}\nwithout:\n{plain.stdout}"
print(f"rank {found[2]} stopped in process {pid}; gdb saw SIGTRAP in {source_name}; the run went on and printed the same")
