# gdb commands for programs built with baton (issue 18), loaded by gdb from the program itself
# (its .debug_gdb_scripts section, once gdb's auto-load safe-path allows the program: see the
# README, "Debugging"), or by hand: `source tools/gdb/baton_gdb.py`.
#
#   baton ranks     every rank: running, ready, blocked (in which call, at which line of the
#                   program, waiting for whom) or finished: a deadlock report's lines, at any stop
#   baton rank N    rank N's thread (thread ranks are named "rank N"), at its frame in the
#                   program's own code; a process rank's process (named "rank N" too) is attached
#                   as another inferior first; a fiber rank that is not running: its line and its
#                   stack as it was when it last gave the CPU up
#   baton frame     the innermost frame of the program's own code in the current thread
#   baton step      run to the next scheduling point: which rank runs now, at which step, and
#                   where in the program it is
#   baton break-at STEP, baton replay TOKEN
#                   run the program again with --break-at STEP or --replay TOKEN (its other
#                   arguments kept; a seed or schedule given is dropped: a token fixes them)
#
# A stop of --break-at (SIGTRAP raised inside baton) selects the program's frame by itself, and
# `step` steps over baton's functions (gdb's skip), from one line of the program to its next.
import functools
import os
import re
import shlex
import struct

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


# The processes of process ranks that `baton rank N` attached, by process id: the number of the
# inferior of the engine's process they were attached from.
attached_from = {}


def ask_program(expression, convert):
    """`convert` of the value of `expression`, a call of one of baton's functions, in the engine's
    process (not in a rank's process that `baton rank N` attached), with no other thread or
    process running meanwhile: gdb would run them all during the call once schedule-multiple is
    on, and a rank's process waiting for a debugger would then stop in the middle of it."""
    thread, frame = gdb.selected_thread(), gdb.selected_frame()
    engine = attached_from.get(gdb.selected_inferior().pid)
    locking = gdb.parameter("scheduler-locking")
    try:
        if engine is not None:  # its first thread (Python's switch, unlike `inferior N`, prints nothing)
            inferior = next(i for i in gdb.inferiors() if i.num == engine)
            min(inferior.threads(), key=lambda t: t.num).switch()
        gdb.execute("set scheduler-locking on", to_string=True)
        return convert(gdb.parse_and_eval(expression))
    finally:
        gdb.execute(f"set scheduler-locking {locking}", to_string=True)
        if engine is not None:
            thread.switch()
        if frame.is_valid():
            frame.select()


def ranks_report():
    try:
        return ask_program("(const char*)baton_debug_ranks()", lambda value: value.string())
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


def rank_lines(rank):
    """Rank `rank`'s lines of `baton ranks`: its state (the call it is blocked in, with the line of
    the program) and the calls it made before, if the report shows them."""
    lines = ranks_report().splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(f"rank {rank}:"):
            indent = len(line) - len(line.lstrip())
            block = [line]
            for after in lines[i + 1:]:
                if len(after) - len(after.lstrip()) <= indent:
                    break
                block.append(after)
            return block
    return []


def thread_named(name):
    """The thread called `name` in any process gdb debugs (a thread rank's, or a process rank's
    main thread once attached)."""
    for inferior in gdb.inferiors():
        for thread in inferior.threads():
            if thread.name == name:
                return thread
    return None


def rank_process(rank):
    """The process id of process rank `rank`: a child of a process gdb debugs, named "rank N"."""
    parents = {inferior.pid for inferior in gdb.inferiors() if inferior.pid}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        name, rest = stat[stat.find("(") + 1: stat.rfind(")")], stat[stat.rfind(")") + 1:].split()
        if name == f"rank {rank}" and int(rest[1]) in parents:
            return int(entry)
    return None


def attach_as_inferior(pid):
    """Attaches gdb to process `pid` as a new inferior, which it selects; the error's text if it
    cannot (the inferior selected before stays selected)."""
    before = gdb.selected_inferior()
    engine = attached_from.get(before.pid, before.num)
    gdb.execute("add-inferior", to_string=True)
    added = max(gdb.inferiors(), key=lambda inferior: inferior.num)
    try:
        gdb.execute(f"inferior {added.num}", to_string=True)
        gdb.execute(f"attach {pid}", to_string=True)
    except gdb.error as e:
        gdb.execute(f"inferior {before.num}", to_string=True)
        gdb.execute(f"remove-inferiors {added.num}", to_string=True)
        return str(e)
    attached_from[pid] = engine
    # The engine answers a rank's calls: `continue` must run them all, not the selected one alone.
    gdb.execute("set schedule-multiple on")
    return None


def running_rank():
    """The rank that runs now, as `baton ranks` says."""
    running = re.search(r"^  rank (\d+): running$", ranks_report(), re.M)
    return int(running[1]) if running else -1


def fiber_context(rank):
    """Where fiber rank `rank` saved its registers when it last gave the CPU up, asked of the
    thread the fiber run is on (the selected one first); 0 if none has it."""
    ask = f"(unsigned long)baton_debug_fiber_context({rank})"
    try:
        context = ask_program(ask, int)
    except gdb.error:
        return 0
    if context:
        return context
    selected = gdb.selected_thread()
    try:
        for thread in gdb.selected_inferior().threads():
            if thread != selected:
                thread.switch()
                if context := ask_program(ask, int):
                    return context
    except gdb.error:
        pass
    finally:
        selected.switch()
    return 0


# Boost.Context's jump_fcontext on x86_64 saves, from the saved stack pointer up: the SSE and x87
# control words (8 bytes), r12, r13, r14, r15, rbx, rbp, then the return address its call pushed;
# the fiber's stack pointer is past them.
SAVED_REGISTERS = ("r12", "r13", "r14", "r15", "rbx", "rbp", "rip")


def fiber_backtrace(context):
    """The backtrace of a fiber whose registers were saved at `context`: gdb unwinds from them by
    giving the selected thread those registers for as long as `backtrace` takes, then its own
    back (the fiber's stack is memory of this process like any other)."""
    if gdb.selected_inferior().architecture().name() != "i386:x86-64":
        return None
    words = struct.unpack("<8Q", bytes(gdb.selected_inferior().read_memory(context, 64)))
    theirs = dict(zip(SAVED_REGISTERS, words[1:]))
    # The pc of the call itself rather than the return address after it: gdb then names the line
    # of the switch in frame 0 (as it does for every outer frame) instead of whatever follows it.
    theirs["rip"] -= 1
    theirs["rsp"] = context + 64
    level = gdb.selected_frame().level()

    def set_registers(values):
        for register, value in values.items():
            gdb.newest_frame().select()  # a register of frame 0 is the thread's own
            gdb.execute(f"set ${register} = {value}", to_string=True)

    gdb.newest_frame().select()
    ours = {register: int(gdb.parse_and_eval(f"(unsigned long)${register}")) for register in theirs}
    try:
        set_registers(theirs)
        return gdb.execute("backtrace", to_string=True)
    finally:
        set_registers(ours)
        frame = gdb.newest_frame()
        for _ in range(level):
            frame = frame.older() or frame
        frame.select()


class BatonRank(gdb.Command):
    """baton rank N: switch to rank N's thread, at its frame in the program's own code. A process
    rank's process is attached as another inferior first; for a fiber rank that is not running,
    its line and its stack as it was when it last gave the CPU up."""

    def __init__(self):
        super().__init__("baton rank", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            rank = int(arg)
        except ValueError:
            raise gdb.GdbError("usage: baton rank N (a rank number)")
        thread = thread_named(f"rank {rank}")
        if thread is not None:
            thread.switch()
            where = f"thread {thread.num}" if len(gdb.inferiors()) == 1 else \
                f"process {thread.inferior.pid}, thread {thread.inferior.num}.{thread.num}"
            print(f"[rank {rank}: {where}]")
            select_programs_frame()
            return
        lines = rank_lines(rank)
        print("\n".join(lines) if lines else f"baton: rank {rank} is not in the run's report")
        pid = rank_process(rank)
        if pid is not None:
            self.attach(rank, pid)
        elif running_rank() == rank:
            select_programs_frame()
        elif context := fiber_context(rank):
            stack = fiber_backtrace(context)
            if stack is None:
                print(f"baton: rank {rank} is a fiber; its stack is shown on x86_64 only")
            else:
                print(f"baton: rank {rank} is a fiber that is not running; its stack as it was when it last gave the "
                      "CPU up (gdb cannot select these frames):")
                print(stack, end="")
        elif lines:
            print(f"baton: no thread, process or fiber of rank {rank} is there to show")

    @staticmethod
    def attach(rank, pid):
        # This gdb debugs the engine's process (or another rank's): a process rank's own code and
        # frames are in its own process.
        engine = attached_from.get(gdb.selected_inferior().pid, gdb.selected_inferior().num)
        print(f"baton: rank {rank} is process {pid}, a process of its own; attaching to it as another inferior "
              f"(`inferior {engine}` is the engine's process again)")
        failed = attach_as_inferior(pid)
        if failed:
            print(f"baton: cannot attach to it here ({failed}); look at it with gdb -p {pid}")
            return
        thread = thread_named(f"rank {rank}")
        if thread is not None:
            thread.switch()
            print(f"[rank {rank}: process {pid}, thread {thread.inferior.num}.{thread.num}]")
        select_programs_frame()


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
        rank = running_rank()
        step = re.search(r"at step (\d+)", ranks_report())
        print(f"baton: rank {rank} runs now" + (f", at step {step[1]}" if step else ""))
        if select_programs_frame(quiet=True):
            gdb.execute("frame")
        elif (pid := rank_process(rank)) is not None:
            print(f"baton: it runs in process {pid}, a process of its own: `baton rank {rank}` attaches to it")
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


def stopped_for_process_rank(frame):
    """Whether the engine's process stopped because a process rank stops for a debugger."""
    for _ in range(8):
        if frame is None:
            return False
        if "process_ranks::stop_for_debugger" in (frame.name() or ""):
            return True
        frame = frame.older()
    return False


def on_stop(event):
    # --break-at raises SIGTRAP inside baton, frames below the program's call: show the call.
    if isinstance(event, gdb.BreakpointEvent):
        return
    try:
        newest = gdb.newest_frame()
        if not raised_by_baton(newest):
            return
        if select_programs_frame(quiet=True):
            print("baton: --break-at stopped this rank; its frame in the program:")
            gdb.execute("frame")
        elif stopped_for_process_rank(newest):
            rank = running_rank()
            print(f"baton: stopped in the engine's process: rank {rank} runs in a process of its own, which waits "
                  f"for a debugger; `baton rank {rank}` attaches to it, `baton ranks` shows the whole run")
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
    # `step` on a line that calls baton goes to the program's next line, over baton's frames (a
    # call is a dozen of them, and more where a rank hands the CPU to another), not into them.
    gdb.execute("skip -rfunction ^baton::", to_string=True)
