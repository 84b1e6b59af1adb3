// MPI's point-to-point calls that send, receive and probe, on the rank's backend (requests.cpp
// completes the requests they make).
#include <vector>

#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

using blocking_send = void (backend::comm_impl::*)(const backend::send_view&, int, int, backend::location);
using starting_send = std::unique_ptr<backend::request_impl> (backend::comm_impl::*)(backend::send_view, int, int,
                                                                                    backend::location);

// A call that sends to `dest` with `tag`: the checks every one makes.
void check_destination(const call& c, int dest, int tag) {
    c.check_peer(dest, "dest", false);
    c.check_tag(tag, false);
}
void check_source(const call& c, int source, int tag) {
    c.check_peer(source, "source", true);
    c.check_tag(tag, true);
}

// The direct path of a blocking send or receive: a call whose arguments are all common ones (a
// buffer of the program's in a predefined datatype, a rank and a tag in range or a wildcard the
// call allows) goes straight to the backend, as the typed API's send and recv do, without a call
// object (whose staged messages and buffer spans are for derived datatypes and calls with two
// buffers). Any other call, and so every report, goes the full way: its own checks in their
// order, so its errors are what they were. Only the errors that come first both ways are raised
// here (a call before MPI_Init, a handle that is no communicator). `peer` is checked last, once
// the communicator's size is known; a null result is the full way.
inline backend::comm_impl* direct_p2p(std::string_view name, std::source_location where, MPI_Comm handle, int peer,
                                      bool wildcard) {
    rank_state& rank = current(name, where);
    backend::comm_impl& comm = comm_of(rank, handle, name, where);
    return common_peer(peer, size_of(rank, handle, comm), wildcard) ? &comm : nullptr;
}
// A blocking send in one of MPI's modes (MPI_Send, MPI_Ssend, MPI_Bsend, MPI_Rsend), the full way.
// Out of line, so that the direct path's frame stays small.
template <blocking_send mode>
[[gnu::noinline]] int send_checked(std::string_view name, const baton_mpi_where* site, const void* buf, int count,
                                   MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    const call c(name, site, comm);
    check_destination(c, dest, tag);
    (c.comm.*mode)(c.send_view(buf, count, datatype), dest, tag, c.where);
    return MPI_SUCCESS;
}
// The same, the direct path when it can. The mode is a template argument, so that each entry
// point calls its backend method directly and inlines this.
template <blocking_send mode>
int send_in_mode(std::string_view name, const baton_mpi_where* site, const void* buf, int count,
                 MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    const type_desc* elements = common_buffer(buf, count, datatype);
    if (!elements || !common_tag(tag, false)) [[unlikely]]
        return send_checked<mode>(name, site, buf, count, datatype, dest, tag, comm);
    const backend::send_view view{buf, static_cast<std::size_t>(count), *elements};
    const std::source_location where = location_of(site);
    backend::comm_impl* on = direct_p2p(name, where, comm, dest, false);
    if (!on) [[unlikely]]
        return send_checked<mode>(name, site, buf, count, datatype, dest, tag, comm);
    (on->*mode)(view, dest, tag, where);
    return MPI_SUCCESS;
}

// MPI_Recv, the full way (out of line, as send_checked).
[[gnu::noinline]] int recv_checked(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype,
                                   int source, int tag, MPI_Comm comm, MPI_Status* status) {
    const call c("MPI_Recv", site, comm);
    check_source(c, source, tag);
    put_status(status, c.received(c.comm.recv(c.p2p_recv_buffer(buf, count, datatype), source, tag, c.where)));
    return MPI_SUCCESS;
}

// A send that starts a request, in one of MPI's modes (MPI_Isend, MPI_Issend, MPI_Ibsend, MPI_Irsend).
template <starting_send mode>
int start_in_mode(std::string_view name, const baton_mpi_where* site, const void* buf, int count,
                  MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request* request) {
    const call c(name, site, comm);
    check_destination(c, dest, tag);
    *request_output(c, request) = keep_request(c, (c.comm.*mode)(c.send_view(buf, count, datatype), dest, tag, c.where));
    return MPI_SUCCESS;
}

// A persistent send (MPI_Send_init, MPI_Ssend_init): made inactive, started by MPI_Start. In a
// derived datatype it sends from its staged bytes, which each MPI_Start packs again.
int persistent_send(std::string_view name, bool synchronous, const baton_mpi_where* site, const void* buf, int count,
                    MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request* request) {
    const call c(name, site, comm);
    check_destination(c, dest, tag);
    *request_output(c, request) =
        keep_request(c, nullptr, c.comm.send_init(c.send_view(buf, count, datatype), dest, tag, synchronous, c.where));
    return MPI_SUCCESS;
}

}  // namespace

// The blocking sends, one per mode.
#define BATON_MPI_BLOCKING_SEND(mode, method)                                                                        \
    BATON_MPI_BODY(MPI_##mode)(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype, \
                                     int dest, int tag, MPI_Comm comm) {                                             \
        return send_in_mode<&backend::comm_impl::method>("MPI_" #mode, site, buf, count, datatype, dest, tag, comm); \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##mode, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm), \
                           (buf, count, datatype, dest, tag, comm))
BATON_MPI_BLOCKING_SEND(Send, send)
BATON_MPI_BLOCKING_SEND(Ssend, ssend)
BATON_MPI_BLOCKING_SEND(Bsend, bsend)
BATON_MPI_BLOCKING_SEND(Rsend, rsend)

// The sends that start a request, one per mode.
#define BATON_MPI_STARTING_SEND(mode, method)                                                                        \
    BATON_MPI_BODY(MPI_##mode)(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype, \
                                     int dest, int tag, MPI_Comm comm, MPI_Request* request) {                       \
        return start_in_mode<&backend::comm_impl::method>("MPI_" #mode, site, buf, count, datatype, dest, tag, comm,         \
                             request);                                                                               \
    }                                                                                                                \
    BATON_MPI_WITHOUT_SITE(MPI_##mode,                                                                               \
                           (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,      \
                            MPI_Request* request),                                                                   \
                           (buf, count, datatype, dest, tag, comm, request))
BATON_MPI_STARTING_SEND(Isend, isend)
BATON_MPI_STARTING_SEND(Issend, issend)
BATON_MPI_STARTING_SEND(Ibsend, ibsend)
BATON_MPI_STARTING_SEND(Irsend, irsend)

BATON_MPI_BODY(MPI_Recv)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype, int source,
                         int tag, MPI_Comm comm, MPI_Status* status) {
    const type_desc* elements = common_buffer(buf, count, datatype);
    if (!elements || !common_tag(tag, true)) [[unlikely]]
        return recv_checked(site, buf, count, datatype, source, tag, comm, status);
    const backend::recv_buffer into{buf, static_cast<std::size_t>(count), *elements};
    const std::source_location where = location_of(site);
    backend::comm_impl* on = direct_p2p("MPI_Recv", where, comm, source, true);
    if (!on) [[unlikely]]
        return recv_checked(site, buf, count, datatype, source, tag, comm, status);
    put_status(status, on->recv(into, source, tag, where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Recv,
                       (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Status* status),
                       (buf, count, datatype, source, tag, comm, status))

BATON_MPI_BODY(MPI_Irecv)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype, int source,
                          int tag, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Irecv", site, comm);
    check_source(c, source, tag);
    *request_output(c, request) = keep_request(c, c.comm.irecv(c.p2p_recv_buffer(buf, count, datatype), source, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Irecv,
                       (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, source, tag, comm, request))

// As MPI_Sendrecv is defined (MPI-3.1 §3.10): a send and a receive started together, then both
// completed, so two ranks exchanging with each other never deadlock.
BATON_MPI_BODY(MPI_Sendrecv)(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                             MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf, int recvcount,
                             MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
                             MPI_Status* status) {
    const call c("MPI_Sendrecv", site, comm);
    check_destination(c, dest, sendtag);
    check_source(c, source, recvtag);
    const auto out = c.send_view(sendbuf, sendcount, sendtype);
    const auto in = c.p2p_recv_buffer(recvbuf, recvcount, recvtype);
    auto sent = c.comm.isend(out, dest, sendtag, c.where);
    put_status(status, c.received(c.comm.recv(in, source, recvtag, c.where)));
    sent->wait(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Sendrecv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag,
                        void* recvbuf, int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
                        MPI_Status* status),
                       (sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag,
                        comm, status))

// The buffer is sent from a copy (of its packed form for a derived datatype), then received into.
BATON_MPI_BODY(MPI_Sendrecv_replace)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype,
                                     int dest, int sendtag, int source, int recvtag, MPI_Comm comm,
                                     MPI_Status* status) {
    const call c("MPI_Sendrecv_replace", site, comm);
    check_destination(c, dest, sendtag);
    check_source(c, source, recvtag);
    const auto in = c.p2p_recv_buffer(buf, count, datatype);
    const auto* bytes = static_cast<const std::byte*>(in.data);
    const std::vector<std::byte> copy(bytes, bytes + in.count * in.type.size);
    auto sent = c.comm.isend({copy.data(), in.count, in.type}, dest, sendtag, c.where);
    put_status(status, c.received(c.comm.recv(in, source, recvtag, c.where)));
    sent->wait(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Sendrecv_replace,
                       (void* buf, int count, MPI_Datatype datatype, int dest, int sendtag, int source, int recvtag,
                        MPI_Comm comm, MPI_Status* status),
                       (buf, count, datatype, dest, sendtag, source, recvtag, comm, status))

BATON_MPI_BODY(MPI_Probe)(const baton_mpi_where* site, int source, int tag, MPI_Comm comm, MPI_Status* status) {
    const call c("MPI_Probe", site, comm);
    check_source(c, source, tag);
    put_status(status, c.comm.probe(source, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Probe, (int source, int tag, MPI_Comm comm, MPI_Status* status),
                       (source, tag, comm, status))

BATON_MPI_BODY(MPI_Iprobe)(const baton_mpi_where* site, int source, int tag, MPI_Comm comm, int* flag,
                           MPI_Status* status) {
    const call c("MPI_Iprobe", site, comm);
    check_source(c, source, tag);
    if (!flag) fail(MPI_ERR_ARG, c.comm, c.name, "the flag pointer is NULL", c.where);
    const auto found = c.comm.iprobe(source, tag, c.where);
    *flag = found.has_value();
    if (found) put_status(status, *found);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Iprobe, (int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status),
                       (source, tag, comm, flag, status))

// The attached buffer's room is the backend's to keep; MPI_Buffer_detach gives the program's own
// address back, as MPI does.
BATON_MPI_BODY(MPI_Buffer_attach)(const baton_mpi_where* site, void* buffer, int size) {
    const call c("MPI_Buffer_attach", site, MPI_COMM_WORLD);
    c.comm.attach_buffer(c.count(size), c.where);
    c.rank.attached_buffer = buffer;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Buffer_attach, (void* buffer, int size), (buffer, size))

BATON_MPI_BODY(MPI_Buffer_detach)(const baton_mpi_where* site, void* buffer_addr, int* size) {
    const call c("MPI_Buffer_detach", site, MPI_COMM_WORLD);
    if (!buffer_addr || !size) fail(MPI_ERR_ARG, c.comm, c.name, "the address or size pointer is NULL", c.where);
    *size = static_cast<int>(c.comm.detach_buffer(c.where));
    *static_cast<void**>(buffer_addr) = c.rank.attached_buffer;
    c.rank.attached_buffer = nullptr;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Buffer_detach, (void* buffer_addr, int* size), (buffer_addr, size))

BATON_MPI_BODY(MPI_Send_init)(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype,
                              int dest, int tag, MPI_Comm comm, MPI_Request* request) {
    return persistent_send("MPI_Send_init", false, site, buf, count, datatype, dest, tag, comm, request);
}
BATON_MPI_WITHOUT_SITE(MPI_Send_init,
                       (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, dest, tag, comm, request))

BATON_MPI_BODY(MPI_Ssend_init)(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype,
                               int dest, int tag, MPI_Comm comm, MPI_Request* request) {
    return persistent_send("MPI_Ssend_init", true, site, buf, count, datatype, dest, tag, comm, request);
}
BATON_MPI_WITHOUT_SITE(MPI_Ssend_init,
                       (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, dest, tag, comm, request))

BATON_MPI_BODY(MPI_Recv_init)(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype,
                              int source, int tag, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Recv_init", site, comm);
    check_source(c, source, tag);
    // In a derived datatype, each completion unpacks as far as its status says.
    *request_output(c, request) =
        keep_request(c, nullptr, c.comm.recv_init(c.p2p_recv_buffer(buf, count, datatype), source, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Recv_init,
                       (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, source, tag, comm, request))

BATON_MPI_BODY(MPI_Get_count)(const baton_mpi_where* site, const MPI_Status* status, MPI_Datatype datatype,
                              int* count) {
    const call c("MPI_Get_count", site, MPI_COMM_WORLD);
    if (!status || !count) fail(MPI_ERR_ARG, c.comm, c.name, "the status or count pointer is NULL", c.where);
    const std::size_t element = datatype >= first_derived_type ? c.committed_type(datatype)->size
                                                               : type_of(c.comm, datatype, c.name, c.where).size;
    *count = status->baton_bytes % element == 0 ? static_cast<int>(status->baton_bytes / element) : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_count, (const MPI_Status* status, MPI_Datatype datatype, int* count),
                       (status, datatype, count))

// Predefined elements, however many whole elements of `datatype` they make.
BATON_MPI_BODY(MPI_Get_elements)(const baton_mpi_where* site, const MPI_Status* status, MPI_Datatype datatype,
                                 int* count) {
    if (datatype < first_derived_type) return MPI_Get_count_body(site, status, datatype, count);
    const call c("MPI_Get_elements", site, MPI_COMM_WORLD);
    if (!status || !count) fail(MPI_ERR_ARG, c.comm, c.name, "the status or count pointer is NULL", c.where);
    *count = static_cast<int>(elements_in(*c.committed_type(datatype), status->baton_bytes));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_elements, (const MPI_Status* status, MPI_Datatype datatype, int* count),
                       (status, datatype, count))
