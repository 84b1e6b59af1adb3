// Each rank's last few calls, for the reports that show what a rank did before it got stuck or
// failed. Every call of every rank is kept, so keeping one must cost little: a small ring per
// rank, overwritten in place, without allocation. On fiber ranks each ring lives in its rank's
// room (contexts.hpp), at the top of the rank's own stack: at a million ranks the rings (400 bytes
// each) would otherwise be 380 MiB of their own, and every call a cache and TLB miss.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <source_location>
#include <string>
#include <vector>

#include "call_record.hpp"
#include "comm_state.hpp"
#include "contexts.hpp"
#include "prefetch.hpp"
#include "process_exit.hpp"

namespace baton::sim::detail {

class call_history {
public:
    static constexpr std::size_t kept = 3;

    call_history() = default;
    call_history(const call_history&) = delete;
    call_history& operator=(const call_history&) = delete;
    ~call_history();

    // The bytes a rank's calls take in its room.
    static std::size_t room_bytes();
    // Room for `ranks` ranks, made once (last_note() pointers are kept): in `rooms` when they are
    // big enough (they must outlive this history), else its own.
    void make_room(int ranks, const rank_rooms& rooms = {});

    // `call` was made (or, a receive, matched) at scheduler step `step`.
    void add(std::uint64_t step, const call_record& call) {
        auto& rank = of(call.rank);
        if (++rank.newest == kept) rank.newest = 0;  // no division: every call comes here
        ++rank.calls;
        auto& entry = rank.ring[rank.newest];
        entry.step = step;
        entry.call = call;
        entry.call.comm = nullptr;  // the history outlives the call and maybe its communicator
        entry.call.collective = nullptr;
        entry.comm = call.comm->label;
        rank.last = {call.operation, call.where.file_name(), static_cast<unsigned>(call.where.line())};
    }

    // Reads the lines `rank`'s next add() writes before the rank is resumed (prefetch.hpp): the
    // entry after its newest, and the line with the ring's own fields (read first). Of the ring's
    // six lines one call writes three or four; the others hold older calls, which only a report
    // reads, and reading them at every resumption was lines for nothing (issue 17).
    void read_ahead(int rank) const {
        const auto& r = of(rank);
        touch_lines(&r.ring[r.newest + 1 == kept ? 0 : r.newest + 1], sizeof(entry));
    }

    // `rank`'s newest call, or null before its first.
    const call_record* newest(int rank) const {
        const auto& r = of(rank);
        return r.calls == 0 ? nullptr : &r.ring[r.newest].call;
    }
    // The same, as plain data a signal handler can read (process_exit.hpp).
    const last_call_note* last_note(int rank) const { return &of(rank).last; }
    // `rank`'s calls as report lines, newest first. `blocked_in` is the call it is blocked in, if
    // any: a send or collective is kept when it starts, so the newest may be that very call, which
    // the report shows already.
    std::vector<std::string> lines(int rank, const std::source_location* blocked_in) const;

private:
    struct entry {
        std::uint64_t step = 0;
        call_record call;  // without its communicator
        shared_name comm;  // but with its name
    };
    struct rank_calls {
        std::array<entry, kept> ring;
        std::size_t newest = kept - 1;  // where call number `calls` is in `ring`
        std::uint64_t calls = 0;
        last_call_note last;
    };
    rank_calls& of(int rank) const { return *std::launder(reinterpret_cast<rank_calls*>(rooms_.of(rank))); }

    rank_rooms rooms_;            // where each rank's calls are: in the rank's room, or in own_
    std::vector<rank_calls> own_;  // without rooms (thread ranks)
    int in_rooms_ = 0;            // how many were made in rooms_ (and must be destroyed there)
};

}  // namespace baton::sim::detail
