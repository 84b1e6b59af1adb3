// Point-to-point and new communicators on MPI.
#include "comm.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include <baton/status.hpp>

#include "datatypes.hpp"
#include "current_call.hpp"
#include "request.hpp"

namespace baton::mpi::detail {

namespace {

// A probe's status: in bytes, as every status is (MPI's probe does not know the element type);
// MPI_Get_elements_x, as MPI_Get_count's int cannot hold more than 2 GiB.
status probed(const MPI_Status& mpi_status) {
    MPI_Count bytes = 0;
    MPI_Get_elements_x(&mpi_status, MPI_BYTE, &bytes);
    return received_status(mpi_status, static_cast<std::size_t>(bytes < 0 ? 0 : bytes));
}

// Whether a receive filled the fixed buffer `into`: the one glance a short receive gives its
// status (received_count says why Open MPI's byte count is read directly).
bool filled(const MPI_Status& mpi_status, const backend::recv_buffer& into) {
#if defined(OPEN_MPI) && OPEN_MPI
    return mpi_status._ucount == into.count * into.type.size;
#else
    const int capacity = static_cast<int>(into.count);
    return received_count(mpi_status, transfer_type(into.type), into.type.size, capacity) == capacity;
#endif
}

}  // namespace

short_arguments short_args;

mpi_comm::mpi_comm(MPI_Comm handle, std::string name, bool owned, const settings& options)
    : comm_(std::make_shared<comm_info>()), handle_(handle), settings_(options) {
    comm_->handle = handle;
    comm_->name = std::move(name);
    comm_->owned = owned;
    MPI_Comm_rank(handle, &comm_->rank);
    MPI_Comm_size(handle, &comm_->size);
    MPI_Comm_rank(MPI_COMM_WORLD, &comm_->world_rank);
    grid_ = cartesian_grid_of(handle);
}

std::string mpi_comm::described(std::string_view operation, std::string_view arguments) const {
    if (arguments.empty()) return fmt::format("{}(comm={})", operation, comm_->name);
    return fmt::format("{}({}, comm={})", operation, arguments, comm_->name);
}

// ---- Point-to-point ------------------------------------------------------------------------

void mpi_comm::send(const backend::send_view& data, int dest, int tag, backend::location where) {
    const MPI_Datatype type = native_types[static_cast<int>(data.type.kind)];
    if (type == MPI_DATATYPE_NULL || !short_send(data)) [[unlikely]]
        return send_general(data, dest, tag, where);  // a jump: the same arguments in the same registers
    send_short(data, type, dest, tag, where);
}

void mpi_comm::send_general(const backend::send_view& data, int dest, int tag, backend::location where) {
    if (short_send(data)) return send_short(data, struct_type(data.type.size), dest, tag, where);
    blocking_send(data, dest, tag, settings_.synchronous_sends ? send_kind::synchronous : send_kind::standard, "send",
                  where);
}

// The short path: MPI_Send, nothing else to decide. What an error names goes to memory (short_args
// and the note) before the call, so that nothing is kept in a register across it.
inline void mpi_comm::send_short(const backend::send_view& data, MPI_Datatype type, int dest, int tag,
                                 const backend::location& where) {
    short_args.comm = this;  // field by field: `op` is not a send's
    short_args.buffer = &data;
    short_args.peer = dest;
    short_args.tag = tag;
    const short_call in_call("send", where);
    const int code = MPI_Send(data.data, static_cast<int>(data.count), type, mpi_dest(dest), tag, handle_);
    if (code != MPI_SUCCESS) [[unlikely]]
        short_send_failed(code);
}

void mpi_comm::short_send_failed(int code) {
    const backend::location where = note.where.load(std::memory_order_relaxed);
    short_args.comm->send_failed(code, short_args.peer, short_args.tag, "send", where);
}

void mpi_comm::send_failed(int code, int dest, int tag, const char* operation, const backend::location& where) const {
    raise(code, *comm_, described(operation, fmt::format("dest={}, tag={}", shown_rank(dest), tag)), where);
}

void mpi_comm::blocking_send(const backend::send_view& data, int dest, int tag, send_kind kind,
                             const char* operation, const backend::location& where) {
    const current_call in_call(operation, where);
    if (!nothing_deferred()) {
        mpi_request::start_send(comm_, data, dest, tag, kind, operation, where)->wait(where);
        return;
    }
    const int count = to_int(data.count, *comm_, operation, where);
    profile_bytes(operation, where, data.count * data.type.size, 0);
    const MPI_Datatype type = transfer_type(data.type);
    const int to = mpi_dest(dest);
    const int code = mpi_calls(kind).blocking(data.data, count, type, to, tag, comm_->handle);
    if (code != MPI_SUCCESS) [[unlikely]]
        send_failed(code, dest, tag, operation, where);
}

std::string mpi_comm::recv_context(int source, int tag, const backend::location& where) const {
    return fmt::format("{}: {} at {}", who(*comm_),
                       described("recv", fmt::format("source={}, tag={}", shown_rank(source), shown_tag(tag))),
                       baton::detail::format_location(where));
}

void mpi_comm::recv_failed(int code, const MPI_Status& mpi_status, int capacity, const backend::recv_buffer& into,
                           int source, int tag, const backend::location& where) const {
    int error_class = code;
    MPI_Error_class(code, &error_class);
    std::rethrow_exception(mpi_error(code, recv_context(source, tag, where),
                                     error_class == MPI_ERR_TRUNCATE ? truncation_detail(mpi_status, capacity, into) : ""));
}

status mpi_comm::recv(const backend::recv_buffer& into, int source, int tag, backend::location where) {
    const MPI_Datatype type = native_types[static_cast<int>(into.type.kind)];
    if (type == MPI_DATATYPE_NULL || !short_recv(into, source)) [[unlikely]]
        return recv_general(into, source, tag, where);  // a jump: the same arguments in the same registers
    return recv_short(into, type, source, tag, where);
}

// The short path: a fixed buffer, one MPI_Recv with the capacity as count; a full buffer's status
// is read here, anything else (an error, fewer elements) by short_recv_finished. What that needs
// goes to memory before the call (short_args, the note), and the buffer is read back from there
// after it, so that only the status's address is kept in a register across the call.
inline status mpi_comm::recv_short(const backend::recv_buffer& into, MPI_Datatype type, int source, int tag,
                                   const backend::location& where) {
    short_args.comm = this;
    short_args.buffer = &into;
    short_args.peer = source;
    short_args.tag = tag;
    const short_call in_call("recv", where);
    MPI_Status mpi_status;
    const int code = MPI_Recv(into.data, static_cast<int>(into.count), type, mpi_source(source), mpi_tag(tag),
                              handle_, &mpi_status);
    const auto& given = *static_cast<const backend::recv_buffer*>(short_args.buffer);
    if (code == MPI_SUCCESS && filled(mpi_status, given)) [[likely]]
        return {mpi_status.MPI_SOURCE, mpi_status.MPI_TAG, given.count * given.type.size};
    return short_recv_finished(code, mpi_status);
}

status mpi_comm::short_recv_finished(int code, const MPI_Status& mpi_status) {
    const backend::location where = note.where.load(std::memory_order_relaxed);
    const auto& into = *static_cast<const backend::recv_buffer*>(short_args.buffer);
    return short_args.comm->recv_finished(code, mpi_status, static_cast<int>(into.count), into, short_args.peer,
                                          short_args.tag, where);
}

status mpi_comm::recv_finished(int code, const MPI_Status& mpi_status, int capacity, const backend::recv_buffer& into,
                               int source, int tag, const backend::location& where) {
    if (code != MPI_SUCCESS) [[unlikely]]
        recv_failed(code, mpi_status, capacity, into, source, tag, where);
    const int count = received_count(mpi_status, transfer_type(into.type), into.type.size, capacity);
    if (count == MPI_UNDEFINED) [[unlikely]]
        std::rethrow_exception(not_whole_elements(mpi_status, into, recv_context(source, tag, where)));
    profile_bytes("recv", where, 0, static_cast<std::size_t>(count) * into.type.size);
    return received_status(mpi_status, static_cast<std::size_t>(count) * into.type.size);
}

status mpi_comm::recv_general(const backend::recv_buffer& into, int source, int tag, backend::location where) {
    if (short_recv(into, source)) return recv_short(into, struct_type(into.type.size), source, tag, where);
    const current_call in_call("recv", where);
    if (!nothing_deferred()) [[unlikely]]
        return mpi_request::start_receive(comm_, into, source, tag, "recv", where)->wait(where);
    const MPI_Datatype type = transfer_type(into.type);
    MPI_Status mpi_status;
    if (source == proc_null) [[unlikely]] {
        // Nothing comes: MPI_Recv returns at once; a resizable buffer holds the nothing that came.
        if (into.resizable()) into.resize(into.container, 0);
        check(MPI_Recv(nullptr, 0, type, MPI_PROC_NULL, mpi_tag(tag), comm_->handle, &mpi_status), *comm_, where,
              [&] { return described("recv", fmt::format("source=proc_null, tag={}", shown_tag(tag))); });
        return received_status(mpi_status, 0);
    }
    if (!into.resizable()) {
        // A fixed buffer: one MPI_Recv with the capacity as count.
        const int capacity = to_int(into.count, *comm_, "recv", where);
        const int code = MPI_Recv(into.data, capacity, type, mpi_source(source), mpi_tag(tag), comm_->handle, &mpi_status);
        return recv_finished(code, mpi_status, capacity, into, source, tag, where);
    }
    // A resizable container: a matched probe tells the size, then that very message is received.
    MPI_Message message = MPI_MESSAGE_NULL;
    int code = MPI_Mprobe(mpi_source(source), mpi_tag(tag), comm_->handle, &message, &mpi_status);
    if (code != MPI_SUCCESS) [[unlikely]]
        std::rethrow_exception(mpi_error(code, recv_context(source, tag, where)));
    const matched_room room = make_room(message, mpi_status, into, type);
    if (room.failed()) [[unlikely]]
        std::rethrow_exception(room_failure(room, into, recv_context(source, tag, where)));
    code = MPI_Mrecv(room.data, room.count, type, &message, &mpi_status);
    if (code != MPI_SUCCESS) [[unlikely]]
        std::rethrow_exception(mpi_error(code, recv_context(source, tag, where)));
    profile_bytes("recv", where, 0, static_cast<std::size_t>(room.count) * into.type.size);
    return received_status(mpi_status, static_cast<std::size_t>(room.count) * into.type.size);
}

std::unique_ptr<backend::request_impl> mpi_comm::isend(backend::send_view data, int dest, int tag,
                                                       backend::location where) {
    return starting_send(data, dest, tag, settings_.synchronous_sends ? send_kind::synchronous : send_kind::standard,
                         "isend", where);
}

// ---- Point-to-point: per-call send modes -----------------------------------------------------

void mpi_comm::ssend(const backend::send_view& data, int dest, int tag, backend::location where) {
    blocking_send(data, dest, tag, send_kind::synchronous, "ssend", where);
}

std::unique_ptr<backend::request_impl> mpi_comm::issend(backend::send_view data, int dest, int tag,
                                                        backend::location where) {
    return starting_send(data, dest, tag, send_kind::synchronous, "issend", where);
}

std::unique_ptr<backend::request_impl> mpi_comm::starting_send(const backend::send_view& data, int dest, int tag,
                                                               send_kind kind, const char* operation,
                                                               const backend::location& where) {
    const current_call in_call(operation, where);
    if (!nothing_deferred()) progress();
    return mpi_request::start_send(comm_, data, dest, tag, kind, operation, where);
}

std::unique_ptr<backend::request_impl> mpi_comm::irecv(backend::recv_buffer into, int source, int tag,
                                                       backend::location where) {
    const current_call in_call("irecv", where);
    if (!nothing_deferred()) progress();
    return mpi_request::start_receive(comm_, into, source, tag, "irecv", where);
}

// ---- Persistent requests ----------------------------------------------------------------------

std::unique_ptr<backend::persistent_impl> mpi_comm::send_init(backend::send_view data, int dest, int tag,
                                                              bool synchronous, backend::location where) {
    const current_call in_call(synchronous ? "ssend_init" : "send_init", where);
    return std::make_unique<mpi_persistent>(comm_, data, dest, tag, synchronous || settings_.synchronous_sends, where);
}

std::unique_ptr<backend::persistent_impl> mpi_comm::recv_init(backend::recv_buffer into, int source, int tag,
                                                              backend::location where) {
    const current_call in_call("recv_init", where);
    return std::make_unique<mpi_persistent>(comm_, into, source, tag, where);
}

status mpi_comm::probe(int source, int tag, backend::location where) {
    const current_call in_call("probe", where);
    auto call = [&] {
        return described("probe", fmt::format("source={}, tag={}", shown_rank(source), shown_tag(tag)));
    };
    MPI_Status mpi_status;
    while (!nothing_deferred() && source != proc_null) {
        progress();
        if (nothing_deferred()) break;
        int found = 0;
        check(MPI_Iprobe(mpi_source(source), mpi_tag(tag), comm_->handle, &found, &mpi_status), *comm_, where, call);
        if (found && !claimed_by_deferred(comm_.get(), mpi_status.MPI_SOURCE, mpi_status.MPI_TAG))
            return probed(mpi_status);
    }
    check(MPI_Probe(mpi_source(source), mpi_tag(tag), comm_->handle, &mpi_status), *comm_, where, call);
    return probed(mpi_status);
}

std::optional<status> mpi_comm::iprobe(int source, int tag, backend::location where) {
    const current_call in_call("iprobe", where);
    if (!nothing_deferred()) progress();
    int found = 0;
    MPI_Status mpi_status;
    check(MPI_Iprobe(mpi_source(source), mpi_tag(tag), comm_->handle, &found, &mpi_status), *comm_, where, [&] {
        return described("iprobe", fmt::format("source={}, tag={}", shown_rank(source), shown_tag(tag)));
    });
    if (found && source == proc_null) return probed(mpi_status);  // no message a receive could claim
    if (!found || claimed_by_deferred(comm_.get(), mpi_status.MPI_SOURCE, mpi_status.MPI_TAG)) return std::nullopt;
    return probed(mpi_status);
}

// ---- New communicators ---------------------------------------------------------------------

std::unique_ptr<backend::comm_impl> mpi_comm::split(int color, int key, backend::location where) {
    const current_call in_call("split", where);
    if (!nothing_deferred()) progress();
    MPI_Comm made = MPI_COMM_NULL;
    check(MPI_Comm_split(comm_->handle, color == undefined ? MPI_UNDEFINED : color, key, &made), *comm_, where,
          [&] { return described("split", fmt::format("color={}, key={}", color, key)); });
    const int number = ++children_;
    if (made == MPI_COMM_NULL) return nullptr;
    return std::make_unique<mpi_comm>(made, fmt::format("{}.split{}(color={})", comm_->name, number, color), true,
                                      settings_);
}

std::unique_ptr<backend::comm_impl> mpi_comm::dup(backend::location where) {
    const current_call in_call("dup", where);
    if (!nothing_deferred()) progress();
    MPI_Comm made = MPI_COMM_NULL;
    check(MPI_Comm_dup(comm_->handle, &made), *comm_, where, [&] { return described("dup", ""); });
    const int number = ++children_;
    return std::make_unique<mpi_comm>(made, fmt::format("{}.dup{}", comm_->name, number), true, settings_);
}

// MPI's own groups say who is in the communicator, translated into world ranks.
std::vector<int> mpi_comm::members() const {
    MPI_Group mine = MPI_GROUP_NULL, world = MPI_GROUP_NULL;
    MPI_Comm_group(comm_->handle, &mine);
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    std::vector<int> ranks(static_cast<std::size_t>(comm_->size)), worlds(ranks.size());
    for (std::size_t r = 0; r < ranks.size(); ++r) ranks[r] = static_cast<int>(r);
    MPI_Group_translate_ranks(mine, comm_->size, ranks.data(), world, worlds.data());
    MPI_Group_free(&mine);
    MPI_Group_free(&world);
    return worlds;
}

// A duplicate of MPI's MPI_COMM_SELF: MPI_Comm_dup on it involves this process alone.
std::unique_ptr<backend::comm_impl> mpi_comm::self(backend::location where) {
    const current_call in_call("self", where);
    MPI_Comm made = MPI_COMM_NULL;
    check(MPI_Comm_dup(MPI_COMM_SELF, &made), *comm_, where, [&] { return described("self", ""); });
    return std::make_unique<mpi_comm>(made, fmt::format("self({})", comm_->world_rank), true, settings_);
}

// ---- Ending the job ----------------------------------------------------------------------------

void mpi_comm::abort(int code, backend::location where) {
    // The line the simulator prints, before Open MPI's own report; what the rank printed first.
    std::cout << std::flush;
    std::fflush(nullptr);
    std::cerr << "baton: " << aborted(comm_->world_rank, code, baton::detail::format_location(where)).what()
              << std::endl;
    MPI_Abort(comm_->handle, code);
    std::_Exit(code);  // MPI_Abort does not return; if an MPI library did, this process ends anyway
}

}  // namespace baton::mpi::detail
