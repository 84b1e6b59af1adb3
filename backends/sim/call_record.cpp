// Every text a call_record makes: the call, its history line, its event.
#include "call_record.hpp"

#include <fmt/format.h>

#include <baton/detail/validate.hpp>

#include "collective.hpp"

namespace baton::sim::detail {

namespace {

std::string tag_text(int tag) { return tag < 0 ? "any_tag" : std::to_string(tag); }

}  // namespace

call_record sent_call(const comm_state& comm, int dest, int source, int tag, std::string_view operation,
                      const std::source_location& sent_at, std::uint64_t message) {
    call_record call = make_call(call_kind::send, operation, comm, source, dest, tag, 0, sent_at);
    call.message = message;
    return call;
}

std::string describe(const call_record& call) {
    const comm_state& comm = *call.comm;
    const std::string peer = comm.peer(call.asked.rank);
    if (call.kind == call_kind::collective) {
        const std::string arguments = collective_arguments(*call.collective, peer);
        return fmt::format("{}({}{}comm={})", call.operation, arguments, arguments.empty() ? "" : ", ", comm.name);
    }
    return fmt::format("{}({}={}, tag={}, comm={})", call.operation, call.kind == call_kind::send ? "dest" : "source",
                       peer, tag_text(call.asked.tag), comm.name);
}

std::string describe_posted(const call_record& call) {
    return describe(call) + " posted at " + baton::detail::format_location(call.where);
}

std::string history_line(std::uint64_t step, const call_record& call, const std::string& comm) {
    std::string line = fmt::format("step {}: {}", step, call.operation);
    // The peer by its world rank, and in another communicator by its rank there too.
    const auto& peer = call.matched;
    const bool world = comm == "world";
    const std::string who = peer.world == proc_null ? "proc_null"
                            : world ? fmt::format("rank {}", peer.world)
                                    : fmt::format("rank {} (rank {} of {})", peer.world, peer.rank, comm);
    if (call.kind == call_kind::send)
        line += fmt::format(" to {}, tag {}", who, peer.tag);
    else if (call.kind == call_kind::receive)
        line += fmt::format(" from {}, tag {}", who, peer.tag);
    else if (peer.world >= 0)
        line += fmt::format(" (root {})", who);
    line += fmt::format(", {} B", call.bytes);
    if (!world && peer.world < 0) line += ", comm " + comm;
    return line + " at " + baton::detail::format_location(call.where);
}

event to_event(std::uint64_t step, const call_record& call) {
    return {step,         call.rank,  std::string(call.operation), call.matched.world,
            call.matched.tag, call.bytes, call.comm->name, baton::detail::format_location(call.where), call.message};
}

rank_list missing_from_collective(const comm_state& comm, std::uint64_t sequence) {
    rank_list missing;
    const auto slot = comm.collectives.find(sequence);
    if (slot == comm.collectives.end()) return missing;
    for (int r = 0; r < comm.size(); ++r)
        if (!slot->second.calls[static_cast<std::size_t>(r)]) missing.push_back(comm.world_rank(r));
    return missing;
}

rank_list awaited(const call_record& call, const comm_state& comm) {
    if (call.asked.rank >= 0) return {call.asked.world};
    if (call.asked.rank == proc_null) return {};
    rank_list others;
    for (const int world : comm.world_ranks)
        if (world != call.rank) others.push_back(world);
    return others;
}

}  // namespace baton::sim::detail
