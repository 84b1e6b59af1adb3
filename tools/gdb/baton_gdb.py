# gdb commands for programs built with baton (issue 18), loaded by gdb from the program itself
# (its .debug_gdb_scripts section, once gdb's auto-load safe-path allows the program: see the
# README, "Debugging"), or by hand: `source tools/gdb/baton_gdb.py`.
#
#   baton ranks     every rank: running, ready, blocked (in which call, at which line of the
#                   program, waiting for whom) or finished: a deadlock report's lines, at any stop
#   baton rank N    rank N's thread (thread and process ranks are named "rank N"), at its frame in
#                   the program's own code; on fiber ranks, which share one thread, rank N's line
#   baton frame     the innermost frame of the program's own code in the current thread
#   baton step      run to the next scheduling point: which rank runs now, at which step, and
#                   where in the program it is
#   baton break-at STEP, baton replay TOKEN
#                   run the program again with --break-at STEP or --replay TOKEN (its other
#                   arguments kept; a seed or schedule given is dropped: a token fixes them)
#
# A stop of --break-at (SIGTRAP raised inside baton) selects the program's frame by itself.
import functools
import re
import shlex

import gdb

# Frames that are not the program's own: baton's, the C++ library's and Boost's, the C library's.
NOT_THE_PROGRAMS = re.compile(r"^(baton::|std::|boost::|__|_Unwind|jump_fcontext|make_fcontext|ontop_fcontext)")


# baton's own source folders, under the folder its sources were built from.
BATON_FOLDERS = ("backends/", "include/baton/", "launch/", "src/", "capi/src/")


@functools.lru_cache(maxsize=None)
def baton_sources():
    """The absolute folders of baton's own sources, from where the function gdb asks was built
    (once per session: every frame walk asks)."""
    try:
        where = gdb.lookup_global_symbol("baton_debug_ranks").symtab.fullname()
    except (AttributeError, gdb.error):
        return ()
    if "backends/common/" not in where:
        return ()
    root = where[: where.rfind("backends/common/")]
    return tuple(root + folder for folder in BATON_FOLDERS)


def is_programs(frame):
    """Whether `frame` runs the program's own code: with source, not in a system library's object
    (the C and C++ libraries, Boost), not baton's (its namespace, or its source folders)."""
    symtab = frame.find_sal().symtab
    if symtab is None or NOT_THE_PROGRAMS.match(frame.name() or ""):
        return False
    where = symtab.objfile.filename if symtab.objfile is not None else ""
    if where.startswith(("/lib", "/usr/lib")) or symtab.filename.startswith("/usr/"):
        return False
    ours = baton_sources()
    return not (ours and symtab.fullname().startswith(ours))


def programs_frame(frame):
    """The innermost frame at or above `frame` that is the program's own code, or None."""
    while frame is not None and not is_programs(frame):
        frame = frame.older()
    return frame


def select_programs_frame(quiet=False):
    try:
        found = programs_frame(gdb.newest_frame())
    except gdb.error:
        found = None
    if found is None:
        if not quiet:
            print("baton: no frame of the program's own code in this thread")
        return False
    found.select()
    if not quiet:
        gdb.execute("frame", to_string=False)
    return True


def ranks_report():
    try:
        return gdb.parse_and_eval("(const char*)baton_debug_ranks()").string()
    except gdb.error as e:
        return f"baton: cannot ask the program ({e}); is it a baton program, stopped, with its symbols?"


class Baton(gdb.Command):
    """Commands for programs built with baton: baton ranks, baton rank N, baton frame, baton step,
    baton break-at STEP, baton replay TOKEN [STEP]."""

    def __init__(self):
        super().__init__("baton", gdb.COMMAND_USER, prefix=True)


class BatonRanks(gdb.Command):
    """Every rank of the run: running, ready, blocked (call, line, whom it waits for) or finished."""

    def __init__(self):
        super().__init__("baton ranks", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print(ranks_report())


class BatonRank(gdb.Command):
    """baton rank N: switch to rank N's thread, at its frame in the program's own code."""

    def __init__(self):
        super().__init__("baton rank", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            rank = int(arg)
        except ValueError:
            raise gdb.GdbError("usage: baton rank N (a rank number)")
        wanted = f"rank {rank}"
        for thread in gdb.selected_inferior().threads():
            if thread.name == wanted:
                thread.switch()
                print(f"[rank {rank}: thread {thread.num}]")
                select_programs_frame()
                return
        # Fiber ranks share one thread; a process rank is a process of its own.
        lines = [line for line in ranks_report().splitlines() if line.strip().startswith(wanted + ":")]
        print("\n".join(lines) if lines else f"baton: rank {rank} is not in the run's report")
        print(f"baton: no thread is rank {rank} here: fiber ranks share the run's thread, and a process "
              f"rank is a process of its own (gdb -p PID)")


class BatonFrame(gdb.Command):
    """Select the innermost frame of the program's own code in the current thread."""

    def __init__(self):
        super().__init__("baton frame", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        select_programs_frame()


def raised_by_baton(frame):
    """Whether the program stopped at a signal raised by one of baton's functions a few frames
    above (--break-at's SIGTRAP, which gdb reports as a plain stop, not a signal event)."""
    if not any(word in (frame.name() or "") for word in ("kill", "raise")):
        return False
    for _ in range(8):
        if frame is None:
            return False
        if (frame.name() or "").startswith("baton::"):
            return True
        frame = frame.older()
    return False


class BatonStep(gdb.Command):
    """Run to the next scheduling point, and say which rank runs then and where."""

    def __init__(self):
        super().__init__("baton step", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        # Every rank that runs again does so through engine::resumed: stop when it returns. The
        # breakpoint goes however the command ends (gdb deletes a temporary one only when hit).
        entered = gdb.Breakpoint("baton::sim::detail::engine::resumed", internal=True, temporary=True)
        entered.silent = True
        try:
            gdb.execute("continue", to_string=True)
        finally:
            stopped_elsewhere = entered.is_valid()
            if stopped_elsewhere:
                entered.delete()
        if not gdb.selected_inferior().pid:
            print("baton: the run ended before another rank ran")
            return
        if stopped_elsewhere:
            print("baton: the program stopped before the next scheduling point")
            return
        returned = gdb.FinishBreakpoint(gdb.newest_frame(), internal=True)
        returned.silent = True
        gdb.execute("continue", to_string=True)
        rank = int(gdb.parse_and_eval("baton::sim::running_rank()"))
        step = re.search(r"at step (\d+)", ranks_report())
        print(f"baton: rank {rank} runs now" + (f", at step {step[1]}" if step else ""))
        if select_programs_frame(quiet=True):
            gdb.execute("frame")
        else:
            print("baton: it is starting: none of the program's code has run in it yet")


# The options a new run replaces, with the value each takes.
REPLACED = ("--break-at", "--replay", "--seed", "--schedule")


def program_args():
    """The arguments gdb runs the program with (`show args`: gdb.parameter("args") is empty for
    arguments given by `gdb --args`)."""
    shown = gdb.execute("show args", to_string=True)
    quoted = re.search(r'"(.*)"\.?\s*$', shown, re.S)
    return quoted[1] if quoted else (gdb.parameter("args") or "")


def rerun(extra):
    words = gdb.string_to_argv(program_args())
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in REPLACED:
            skip = True
        elif not word.startswith(tuple(option + "=" for option in REPLACED)):
            kept.append(word)
    gdb.execute("run " + " ".join(shlex.quote(word) for word in kept + extra))


class BatonBreakAt(gdb.Command):
    """baton break-at STEP: run the program again, stopping at step STEP (--break-at)."""

    def __init__(self):
        super().__init__("baton break-at", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip().isdigit():
            raise gdb.GdbError("usage: baton break-at STEP (a step number, as reports give them)")
        rerun(["--break-at", arg.strip()])


class BatonReplay(gdb.Command):
    """baton replay TOKEN [STEP]: run the program again as the report's replay token says
    (--replay), stopping at step STEP if given."""

    def __init__(self):
        super().__init__("baton replay", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words or len(words) > 2 or (len(words) == 2 and not words[1].isdigit()):
            raise gdb.GdbError("usage: baton replay TOKEN [STEP] (the token a report's replay line gives)")
        rerun(["--replay", words[0]] + (["--break-at", words[1]] if len(words) == 2 else []))


def on_stop(event):
    # --break-at raises SIGTRAP inside baton, frames below the program's call: show the call.
    if isinstance(event, gdb.BreakpointEvent):
        return
    try:
        if raised_by_baton(gdb.newest_frame()) and select_programs_frame(quiet=True):
            print("baton: --break-at stopped this rank; its frame in the program:")
            gdb.execute("frame")
    except gdb.error:
        pass


# Once per gdb session, however many objects carry the script.
if not getattr(gdb, "baton_commands_loaded", False):
    gdb.baton_commands_loaded = True
    Baton()
    BatonRanks()
    BatonRank()
    BatonFrame()
    BatonStep()
    BatonBreakAt()
    BatonReplay()
    gdb.events.stop.connect(on_stop)
