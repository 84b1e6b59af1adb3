// The buffered and ready send modes on MPI (issue 14): the rank's bsend buffer, which the backend
// allocates and owns (MPI_Buffer_attach / MPI_Buffer_detach), MPI_Bsend, MPI_Ibsend, MPI_Rsend
// and MPI_Irsend. A bsend that does not fit is MPI's MPI_ERR_BUFFER, a usage_error (errors.cpp).
#include <vector>

#include <fmt/format.h>

#include <baton/communicator.hpp>
#include <baton/errors.hpp>

#include "comm.hpp"
#include "current_call.hpp"

namespace baton::mpi::detail {

// A program sizes its buffer with baton::bsend_overhead, the simulator's count: this MPI must
// need no more for each message, or a buffer the simulator found large enough would not be.
static_assert(MPI_BSEND_OVERHEAD <= static_cast<int>(baton::bsend_overhead),
              "this MPI's MPI_BSEND_OVERHEAD is larger than baton::bsend_overhead");

namespace {

// The one buffer of this process (MPI's is per process), aligned for any element type.
std::vector<std::max_align_t>& attached() {
    static std::vector<std::max_align_t> buffer;
    return buffer;
}
bool is_attached = false;

}  // namespace

void mpi_comm::attach_buffer(std::size_t bytes, backend::location where) {
    const current_call in_call("attach_buffer", where);
    auto& buffer = attached();
    if (is_attached)
        throw usage_error(describe_failure(
            *comm_, "attach_buffer", where,
            fmt::format("a buffer of {} bytes is attached already; detach_buffer first, as MPI holds one per process",
                        buffer.size() * sizeof(std::max_align_t))));
    const int size = to_int(bytes, *comm_, "attach_buffer", where);
    buffer.resize((bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    check(MPI_Buffer_attach(buffer.data(), size), *comm_, where, [&] { return described("attach_buffer", ""); });
    is_attached = true;
}

std::size_t mpi_comm::detach_buffer(backend::location where) {
    const current_call in_call("detach_buffer", where);
    if (!is_attached)
        throw usage_error(describe_failure(*comm_, "detach_buffer", where, "no buffer is attached (attach_buffer)"));
    if (!nothing_deferred()) progress();  // a receive of this rank's own bsend may be among them
    void* address = nullptr;
    int size = 0;
    // Waits until every message in the buffer has been sent on.
    check(MPI_Buffer_detach(&address, &size), *comm_, where, [&] { return described("detach_buffer", ""); });
    is_attached = false;
    attached().clear();
    attached().shrink_to_fit();
    return static_cast<std::size_t>(size);
}

// MPI wants a buffer for every bsend, but Open MPI 4.1 sends one it can pass on at once without
// any: refused here as on the simulator, so that a program missing its attach_buffer fails on
// every backend, not only where MPI happens to need the room.
void mpi_comm::require_bsend_buffer(std::string_view operation, const backend::location& where) const {
    if (is_attached) return;
    throw usage_error(describe_failure(*comm_, operation, where,
                                       "a bsend needs an attached buffer, and none is attached (attach_buffer)"));
}

void mpi_comm::bsend(const backend::send_view& data, int dest, int tag, backend::location where) {
    if (dest != proc_null) require_bsend_buffer("bsend", where);
    blocking_send(data, dest, tag, send_kind::buffered, "bsend", where);
}

std::unique_ptr<backend::request_impl> mpi_comm::ibsend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    if (dest != proc_null) require_bsend_buffer("ibsend", where);
    return starting_send(data, dest, tag, send_kind::buffered, "ibsend", where);
}

void mpi_comm::rsend(const backend::send_view& data, int dest, int tag, backend::location where) {
    blocking_send(data, dest, tag, send_kind::ready, "rsend", where);
}

std::unique_ptr<backend::request_impl> mpi_comm::irsend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    return starting_send(data, dest, tag, send_kind::ready, "irsend", where);
}

}  // namespace baton::mpi::detail
