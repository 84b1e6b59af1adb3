// --strict-buffers (options::strict_buffers): exact checks of pending isend and irecv buffers.
//
// By default a pending request's buffer is checked by a checksum at completion (request.cpp): a
// write that puts the old bytes back, and any read of an irecv's buffer, go unseen. With strict
// buffers the pages wholly inside a pending buffer are protected with mprotect: read-only for an
// isend (MPI lets a program read a buffer it is sending), no access at all for an irecv. The first
// write (or irecv read) faults; the SIGSEGV handler (process_exit.cpp calls on_fault first)
// records which rank touched which request's buffer, the address and the call stack, gives the
// pages their access back and lets the instruction run again. The request reports it when it
// completes, with the line of the access (addr2line on the recorded frames).
//
// Only whole pages are protected: a buffer's first and last partial pages, and buffers smaller
// than a page, stay with the checksum. At most `slots` buffers are protected at once (the rest
// get the checksum too). A system call that touches a protected page fails with EFAULT instead
// of faulting (read(2) into a pending isend's buffer, write(2) from a pending irecv's).
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace baton::sim::detail::strict_buffers {

inline constexpr int slots = 1024;

// What a protected buffer saw before it was released.
struct access {
    enum kind { read, write, unknown };  // unknown: the CPU does not say (only x86-64 does here)
    bool seen = false;
    kind what = unknown;
    int rank = -1;               // the simulated rank running when it faulted
    std::uintptr_t address = 0;  // the byte touched
    std::uintptr_t pc = 0;       // the instruction that touched it
    static constexpr int max_frames = 24;
    std::uintptr_t frames[max_frames] = {};  // the handler's backtrace, through the faulting frame
    int frame_count = 0;
};

// Protects the pages wholly inside [data, data + bytes): read-only, or (`no_access`) not even
// that. Returns the slot to release, or -1 when nothing was protected: no whole page, no slot
// free, memory that is not plainly writable, or pages another pending buffer protects differently.
int protect(const void* data, std::size_t bytes, bool no_access);
// Gives the slot's pages their access back (those another protected buffer covers keep its
// protection) and returns what it saw.
access release(int slot);
// Where the access was made, from its frames: "app.cpp:14 (in work(int))", or the function and
// offset in its binary when there is no line to be had. A source file whose path ends with
// `source_hint` (the request's own file, as reports name it) is named as that.
std::string where(const access& seen, std::string_view source_hint);

// From the fatal-signal handler, async-signal-safe: true when the fault was an access to a
// protected buffer, now recorded and allowed (the faulting instruction runs again on return).
bool on_fault(int signal, siginfo_t* info, void* context) noexcept;

}  // namespace baton::sim::detail::strict_buffers
