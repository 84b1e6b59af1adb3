// MPI's point-to-point calls and their requests, on the rank's backend.
#include <baton/errors.hpp>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

MPI_Request keep(rank_state& rank, std::unique_ptr<backend::request_impl> request) {
    return rank.requests.keep(std::move(request));
}

// The request a handle names (null for MPI_REQUEST_NULL), or a usage_error.
backend::request_impl* request_of(const call& c, const MPI_Request* handle) {
    if (!handle) detail::throw_usage(c.comm, c.name, "the request pointer is NULL", c.where);
    if (*handle == MPI_REQUEST_NULL) return nullptr;
    backend::request_impl* pending = c.rank.requests.find(*handle);
    if (!pending)
        detail::throw_usage(c.comm, c.name,
                            "request " + std::to_string(*handle) + " is not a pending request (completed, freed or never made)",
                            c.where);
    return pending;
}

// A blocking send in one of MPI's modes (MPI_Send, MPI_Ssend, ...): the backend's call for it.
int send_in_mode(std::string_view name, void (backend::comm_impl::*mode)(backend::send_view, int, int, backend::location),
                 const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype, int dest, int tag,
                 MPI_Comm comm) {
    const call c(name, site, comm);
    c.check_peer(dest, "dest", false);
    c.check_tag(tag, false);
    (c.comm.*mode)(c.send_view(buf, count, datatype), dest, tag, c.where);
    return MPI_SUCCESS;
}

// A status for a null request: what MPI_Wait on MPI_REQUEST_NULL gives (an empty status).
constexpr status empty_status{any_source, any_tag, 0};

}  // namespace

extern "C" int baton_MPI_Send_at(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype,
                                 int dest, int tag, MPI_Comm comm) {
    return send_in_mode("MPI_Send", &backend::comm_impl::send, site, buf, count, datatype, dest, tag, comm);
}
BATON_MPI_WITHOUT_SITE(MPI_Send, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                       (buf, count, datatype, dest, tag, comm))

extern "C" int baton_MPI_Ssend_at(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype,
                                  int dest, int tag, MPI_Comm comm) {
    return send_in_mode("MPI_Ssend", &backend::comm_impl::ssend, site, buf, count, datatype, dest, tag, comm);
}
BATON_MPI_WITHOUT_SITE(MPI_Ssend, (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm),
                       (buf, count, datatype, dest, tag, comm))

extern "C" int baton_MPI_Recv_at(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype, int source,
                                 int tag, MPI_Comm comm, MPI_Status* status) {
    const call c("MPI_Recv", site, comm);
    c.check_peer(source, "source", true);
    c.check_tag(tag, true);
    put_status(status, c.comm.recv(c.recv_buffer(buf, count, datatype), source, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Recv,
                       (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Status* status),
                       (buf, count, datatype, source, tag, comm, status))

// As MPI_Sendrecv is defined (MPI-3.1 §3.10): a send and a receive started together, then both
// completed, so two ranks exchanging with each other never deadlock.
extern "C" int baton_MPI_Sendrecv_at(const baton_mpi_where* site, const void* sendbuf, int sendcount,
                                     MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf, int recvcount,
                                     MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
                                     MPI_Status* status) {
    const call c("MPI_Sendrecv", site, comm);
    c.check_peer(dest, "dest", false);
    c.check_tag(sendtag, false);
    c.check_peer(source, "source", true);
    c.check_tag(recvtag, true);
    const auto out = c.send_view(sendbuf, sendcount, sendtype);
    const auto in = c.recv_buffer(recvbuf, recvcount, recvtype);
    detail::check_disjoint(c.comm, out, in, c.name, c.where);
    auto sent = c.comm.isend(out, dest, sendtag, c.where);
    put_status(status, c.comm.recv(in, source, recvtag, c.where));
    sent->wait(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Sendrecv,
                       (const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag,
                        void* recvbuf, int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
                        MPI_Status* status),
                       (sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag,
                        comm, status))

extern "C" int baton_MPI_Isend_at(const baton_mpi_where* site, const void* buf, int count, MPI_Datatype datatype,
                                  int dest, int tag, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Isend", site, comm);
    c.check_peer(dest, "dest", false);
    c.check_tag(tag, false);
    if (!request) detail::throw_usage(c.comm, c.name, "the request pointer is NULL", c.where);
    *request = keep(c.rank, c.comm.isend(c.send_view(buf, count, datatype), dest, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Isend,
                       (const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, dest, tag, comm, request))

extern "C" int baton_MPI_Irecv_at(const baton_mpi_where* site, void* buf, int count, MPI_Datatype datatype, int source,
                                  int tag, MPI_Comm comm, MPI_Request* request) {
    const call c("MPI_Irecv", site, comm);
    c.check_peer(source, "source", true);
    c.check_tag(tag, true);
    if (!request) detail::throw_usage(c.comm, c.name, "the request pointer is NULL", c.where);
    *request = keep(c.rank, c.comm.irecv(c.recv_buffer(buf, count, datatype), source, tag, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Irecv,
                       (void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Request* request),
                       (buf, count, datatype, source, tag, comm, request))

extern "C" int baton_MPI_Wait_at(const baton_mpi_where* site, MPI_Request* request, MPI_Status* status) {
    const call c("MPI_Wait", site, MPI_COMM_WORLD);
    auto* pending = request_of(c, request);
    if (!pending) {
        put_status(status, empty_status);
        return MPI_SUCCESS;
    }
    const baton::status done = pending->wait(c.where);
    c.rank.requests.take(*request);
    *request = MPI_REQUEST_NULL;
    put_status(status, done);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Wait, (MPI_Request* request, MPI_Status* status), (request, status))

extern "C" int baton_MPI_Test_at(const baton_mpi_where* site, MPI_Request* request, int* flag, MPI_Status* status) {
    const call c("MPI_Test", site, MPI_COMM_WORLD);
    if (!flag) detail::throw_usage(c.comm, c.name, "the flag pointer is NULL", c.where);
    auto* pending = request_of(c, request);
    if (!pending) {
        *flag = 1;
        put_status(status, empty_status);
        return MPI_SUCCESS;
    }
    const auto done = pending->test(c.where);
    *flag = done.has_value();
    if (done) {
        c.rank.requests.take(*request);
        *request = MPI_REQUEST_NULL;
        put_status(status, *done);
    }
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Test, (MPI_Request* request, int* flag, MPI_Status* status), (request, flag, status))

// Each request in turn, as MPI_Waitall may: a wait never depends on the order of the others.
extern "C" int baton_MPI_Waitall_at(const baton_mpi_where* site, int count, MPI_Request requests[],
                                    MPI_Status statuses[]) {
    const call c("MPI_Waitall", site, MPI_COMM_WORLD);
    const std::size_t n = c.count(count);
    if (n > 0 && !requests) detail::throw_usage(c.comm, c.name, "the array of requests is NULL", c.where);
    for (std::size_t i = 0; i < n; ++i)
        baton_MPI_Wait_at(site, &requests[i], statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE : &statuses[i]);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Waitall, (int count, MPI_Request requests[], MPI_Status statuses[]),
                       (count, requests, statuses))

extern "C" int baton_MPI_Get_count_at(const baton_mpi_where* site, const MPI_Status* status, MPI_Datatype datatype,
                                      int* count) {
    const call c("MPI_Get_count", site, MPI_COMM_WORLD);
    if (!status || !count) detail::throw_usage(c.comm, c.name, "the status or count pointer is NULL", c.where);
    const std::size_t element = type_of(c.comm, datatype, c.name, c.where).size;
    *count = status->baton_bytes % element == 0 ? static_cast<int>(status->baton_bytes / element) : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_count, (const MPI_Status* status, MPI_Datatype datatype, int* count),
                       (status, datatype, count))
