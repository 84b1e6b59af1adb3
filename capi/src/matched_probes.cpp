// Matched probes (MPI_Mprobe, MPI_Improbe) and the receives of what they matched (MPI_Mrecv,
// MPI_Imrecv), on the backends' probe and receive.
//
// Why a receive of the probed (source, tag) gets the probed message: MPI's messages do not
// overtake one another (MPI-3.1 §3.5): of the messages from one source with one tag on one
// communicator, a receive naming exactly that source and tag matches the earliest still pending,
// which is the one the probe found (a probe reports the message a receive would match). A rank's
// calls run one after another, so nothing of this rank matches between the probe and MPI_Mrecv
// unless the program itself posts another receive that could take it in between (MPI would give
// that one the next message instead; baton gives it the probed one: a program doing so with a
// wildcard receive is rare, and the message handle still completes with the message after it).
// A wildcard probe (MPI_ANY_SOURCE, MPI_ANY_TAG) is where the choice among senders is made, so
// the scheduler and an exploration see one match, the probe's; the receive then names it exactly.
#include <string>

#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

MPI_Message* message_output(const call& c, MPI_Message* message) {
    if (!message) detail::throw_usage(c.comm, c.name, "the message pointer is NULL", c.where);
    return message;
}

// The message handle a probe returns for what it found (`found.source` is MPI_PROC_NULL when it
// probed MPI_PROC_NULL: MPI_MESSAGE_NO_PROC, which a receive completes at once).
MPI_Message keep_message(const call& c, MPI_Comm comm, const baton::status& found) {
    if (found.source == proc_null) return MPI_MESSAGE_NO_PROC;
    auto entry = std::make_unique<matched_message>();
    entry->comm = comm;
    entry->source = found.source;
    entry->tag = found.tag;
    return c.rank.messages.keep(std::move(entry), c.made_here());
}

// What a receive of `*message` takes: the probed message's communicator, source and tag; the
// handle becomes MPI_MESSAGE_NULL, as MPI says. A handle received already, or never made by a
// matched probe, is reported.
matched_message take_message(rank_state& rank, MPI_Message* message, std::string_view operation,
                             const std::source_location& where) {
    if (!message) detail::throw_usage(rank.world, operation, "the message pointer is NULL", where);
    if (*message == MPI_MESSAGE_NO_PROC) {
        *message = MPI_MESSAGE_NULL;
        return {MPI_COMM_WORLD, proc_null, any_tag};
    }
    auto entry = rank.messages.take(*message);
    if (!entry)
        detail::throw_usage(rank.world, operation,
                            *message == MPI_MESSAGE_NULL
                                ? std::string("the message is MPI_MESSAGE_NULL (already received, or no matched probe "
                                              "found one)")
                                : "message " + std::to_string(*message) +
                                      " was never returned by a matched probe or was received already",
                            where);
    *message = MPI_MESSAGE_NULL;
    return *entry;
}

}  // namespace

BATON_MPI_BODY(MPI_Mprobe)(const baton_mpi_where* site, int source, int tag, MPI_Comm comm,
                                   MPI_Message* message, MPI_Status* status) {
    const call c("MPI_Mprobe", site, comm);
    c.check_peer(source, "source", true);
    c.check_tag(tag, true);
    message_output(c, message);
    const baton::status found = c.comm.probe(source, tag, c.where);
    *message = keep_message(c, comm, found);
    put_status(status, found);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Mprobe, (int source, int tag, MPI_Comm comm, MPI_Message* message, MPI_Status* status),
                       (source, tag, comm, message, status))

BATON_MPI_BODY(MPI_Improbe)(const baton_mpi_where* site, int source, int tag, MPI_Comm comm, int* flag,
                                    MPI_Message* message, MPI_Status* status) {
    const call c("MPI_Improbe", site, comm);
    c.check_peer(source, "source", true);
    c.check_tag(tag, true);
    message_output(c, message);
    if (!flag) detail::throw_usage(c.comm, c.name, "the flag pointer is NULL", c.where);
    const auto found = c.comm.iprobe(source, tag, c.where);
    *flag = found.has_value();
    if (!found) return MPI_SUCCESS;
    *message = keep_message(c, comm, *found);
    put_status(status, *found);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Improbe,
                       (int source, int tag, MPI_Comm comm, int* flag, MPI_Message* message, MPI_Status* status),
                       (source, tag, comm, flag, message, status))

BATON_MPI_BODY(MPI_Mrecv)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype,
                                  MPI_Message* message, MPI_Status* status) {
    const auto where = location_of(site);
    const matched_message m = take_message(current("MPI_Mrecv", where), message, "MPI_Mrecv", where);
    const call c("MPI_Mrecv", site, m.comm);
    put_status(status, c.received(c.comm.recv(c.p2p_recv_buffer(buf, count, datatype), m.source, m.tag, c.where)));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Mrecv, (void* buf, int count, MPI_Datatype datatype, MPI_Message* message,
                                   MPI_Status* status),
                       (buf, count, datatype, message, status))

BATON_MPI_BODY(MPI_Imrecv)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype,
                                   MPI_Message* message, MPI_Request* request) {
    const auto where = location_of(site);
    const matched_message m = take_message(current("MPI_Imrecv", where), message, "MPI_Imrecv", where);
    const call c("MPI_Imrecv", site, m.comm);
    *request_output(c, request) =
        keep_request(c, c.comm.irecv(c.p2p_recv_buffer(buf, count, datatype), m.source, m.tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Imrecv, (void* buf, int count, MPI_Datatype datatype, MPI_Message* message,
                                    MPI_Request* request),
                       (buf, count, datatype, message, request))
