#include "request.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include <baton/detail/validate.hpp>
#include <baton/errors.hpp>

#include "current_call.hpp"
#include "datatypes.hpp"
#include "ops.hpp"

namespace baton::mpi::detail {

namespace {

// Every deferred receive of this process, in the order posted. Only the thread that runs the
// rank calls MPI, so no lock.
std::list<mpi_request*>& deferred_list() {
    static std::list<mpi_request*> list;
    return list;
}

// Takes a matched message off MPI's queue when it cannot go where it was meant to.
void discard(MPI_Message& message, const MPI_Status& mpi_status) {
    int bytes = 0;
    MPI_Get_count(&mpi_status, MPI_BYTE, &bytes);
    std::vector<std::byte> scratch(bytes > 0 ? static_cast<std::size_t>(bytes) : 1);
    MPI_Mrecv(scratch.data(), bytes, MPI_BYTE, &message, MPI_STATUS_IGNORE);
}

}  // namespace

matched_room make_room(MPI_Message& message, const MPI_Status& mpi_status, const backend::recv_buffer& into,
                       MPI_Datatype type) {
    matched_room room;
    room.source = mpi_status.MPI_SOURCE;
    room.tag = mpi_status.MPI_TAG;
    room.count = received_count(mpi_status, type, into.type.size);
    if (room.count == MPI_UNDEFINED) {
        MPI_Get_elements_x(&mpi_status, MPI_BYTE, &room.bytes);
        discard(message, mpi_status);
        return room;
    }
    try {
        room.data = into.resize(into.container, static_cast<std::size_t>(room.count));
    } catch (...) {
        discard(message, mpi_status);
        room.resize_error = std::current_exception();
    }
    return room;
}

std::exception_ptr room_failure(const matched_room& room, const backend::recv_buffer& into,
                                const std::string& context) {
    if (room.resize_error) return room.resize_error;
    const bool whole = room.bytes % static_cast<MPI_Count>(into.type.size) == 0;
    const std::string what = fmt::format(
        "{}: the message from rank {} (tag {}) has {} bytes, {}", context, room.source, room.tag, room.bytes,
        whole ? fmt::format("more elements than an MPI {}.{} count can carry", MPI_VERSION, MPI_SUBVERSION)
              : fmt::format("not a whole number of {} ({} bytes each): the sender sent another type",
                            into.type.name, into.type.size));
    if (whole) return std::make_exception_ptr(usage_error(what));
    return std::make_exception_ptr(type_mismatch_error(what));
}

std::exception_ptr not_whole_elements(const MPI_Status& mpi_status, const backend::recv_buffer& into,
                                      const std::string& context) {
    return std::make_exception_ptr(type_mismatch_error(fmt::format(
        "{}: the message from rank {} (tag {}) is not a whole number of {} ({} bytes each): the sender sent "
        "another type",
        context, mpi_status.MPI_SOURCE, mpi_status.MPI_TAG, into.type.name, into.type.size)));
}

std::string truncation_detail(const MPI_Status& mpi_status, int capacity, const backend::recv_buffer& into) {
    return fmt::format("the message from rank {} (tag {}) is longer than the {} elements of {} the receive buffer "
                       "holds",
                       mpi_status.MPI_SOURCE, mpi_status.MPI_TAG, capacity, into.type.name);
}

std::size_t deferred_receives = 0;

namespace {

// The deferred list's size is now `n`.
void count_deferred(std::size_t n) {
    deferred_receives = n;
    set_hook(deferred_hook, n != 0);
}

}  // namespace

void progress() {
    auto& list = deferred_list();
    for (auto it = list.begin(); it != list.end();) {
        mpi_request* receive = *it;
        bool behind = false;
        for (auto earlier = list.begin(); earlier != it && !behind; ++earlier)
            behind = (*earlier)->overlaps(*receive);
        if (receive->try_start(behind, list.begin(), it))
            it = list.erase(it);
        else
            ++it;
    }
    count_deferred(list.size());
}

bool claimed_by_deferred(const comm_info* comm, int source, int tag) {
    for (const mpi_request* receive : deferred_list())
        if (receive->accepts(comm, source, tag)) return true;
    return false;
}


int wait_progressing(MPI_Request& request, MPI_Status* mpi_status) {
    while (!nothing_deferred()) {
        progress();
        int done = 0;
        const int code = MPI_Test(&request, &done, mpi_status);
        if (code != MPI_SUCCESS || done) return code;
    }
    return MPI_Wait(&request, mpi_status);
}

mpi_request::mpi_request(std::shared_ptr<const comm_info> comm, kind k, std::string_view operation, int peer,
                         int tag, const backend::location& posted_at)
    : comm_(std::move(comm)), kind_(k), operation_(operation), peer_(peer), tag_(tag), posted_at_(posted_at),
      phase_(k == kind::receive ? phase::deferred : phase::active) {}

std::unique_ptr<mpi_request> mpi_request::start_collective(std::shared_ptr<const comm_info> comm,
                                                           std::string_view operation, const backend::location& where,
                                                           const std::function<int(MPI_Request*)>& post,
                                                           std::shared_ptr<const void> kept) {
    std::unique_ptr<mpi_request> request(new mpi_request(std::move(comm), kind::collective, operation, -1, -1, where));
    request->kept_ = std::move(kept);
    const int code = post(&request->handle_);
    if (code != MPI_SUCCESS) {
        request->phase_ = phase::done;
        raise(code, *request->comm_, operation, where);
    }
    return request;
}

std::unique_ptr<mpi_request> mpi_request::start_send(std::shared_ptr<const comm_info> comm,
                                                     const backend::send_view& data, int dest, int tag,
                                                     send_kind kind, std::string_view operation,
                                                     const backend::location& where, MPI_Request persistent) {
    std::unique_ptr<mpi_request> request(new mpi_request(std::move(comm), kind::send, operation, dest, tag, where));
    const comm_info& info = *request->comm_;
    request->count_ = to_int(data.count, info, operation, where);
    profile_bytes(operation.data(), where, data.count * data.type.size, 0);
    request->type_ = transfer_type(data.type);
    request->buffer_.type = data.type;  // a send has no buffer to receive into: its type gives the status's bytes
    request->persistent_ = persistent;
    const int to = mpi_dest(dest);
    int code = MPI_SUCCESS;
    if (persistent != MPI_REQUEST_NULL) {
        request->handle_ = persistent;
        code = MPI_Start(&request->handle_);
    } else {
        code = mpi_calls(kind).starting(data.data, request->count_, request->type_, to, tag, info.handle, &request->handle_);
    }
    if (code != MPI_SUCCESS) {
        request->phase_ = phase::done;
        std::rethrow_exception(mpi_error(code, who(info) + ": " + request->describe()));
    }
    return request;
}

std::unique_ptr<mpi_request> mpi_request::start_receive(std::shared_ptr<const comm_info> comm,
                                                        const backend::recv_buffer& into, int source, int tag,
                                                        std::string_view operation, const backend::location& where,
                                                        MPI_Request persistent) {
    std::unique_ptr<mpi_request> request(
        new mpi_request(std::move(comm), kind::receive, operation, source, tag, where));
    const comm_info& info = *request->comm_;
    request->buffer_ = into;
    request->persistent_ = persistent;
    request->type_ = transfer_type(into.type);
    if (!into.resizable()) request->count_ = to_int(into.count, info, operation, where);
    auto& list = deferred_list();
    if (source == proc_null) {
        // It takes no message, so it need not wait its turn behind deferred receives: posted at
        // once, it completes at once; a resizable buffer holds the nothing that came.
        if (into.resizable()) into.resize(into.container, 0);
        request->count_ = 0;
        const int code = MPI_Irecv(nullptr, 0, request->type_, MPI_PROC_NULL, mpi_tag(tag), info.handle,
                                   &request->handle_);
        if (code != MPI_SUCCESS) request->fail(mpi_error(code, who(info) + ": " + request->describe()));
        else request->phase_ = phase::active;
        return request;
    }
    if (list.empty()) {
        // The usual case: a fixed buffer is posted, a resizable one matched if its message is here.
        if (request->try_start(false, list.end(), list.end())) return request;
        request->slot_ = list.insert(list.end(), request.get());
        count_deferred(list.size());
        return request;
    }
    // Behind other deferred receives: in the list, and started (with them) in posting order.
    request->slot_ = list.insert(list.end(), request.get());
    count_deferred(list.size());
    progress();
    return request;
}

mpi_request::~mpi_request() {
    if (phase_ == phase::deferred) {
        deferred_list().erase(slot_);
        count_deferred(deferred_list().size());
        return;
    }
    if (phase_ != phase::active) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    // A request dropped while pending is waited for here: a call of the program's, for the watchdog.
    const current_call in_call("a request's destructor (waiting for it)", posted_at_, current_call::not_profiled);
    if (kind_ == kind::receive) {
        MPI_Cancel(&handle_);
        MPI_Wait(&handle_, MPI_STATUS_IGNORE);
    } else if (kind_ == kind::collective && std::uncaught_exceptions() > 0) {
        finish_while_unwinding();
    } else if (std::uncaught_exceptions() > 0) {
        // A persistent request's activation is let go with the persistent request (mpi_persistent
        // frees it, and MPI frees an active one once it completes).
        if (persistent_ == MPI_REQUEST_NULL) MPI_Request_free(&handle_);
    } else {
        wait_progressing(handle_, MPI_STATUS_IGNORE);
    }
}

// A non-blocking collective let go while an exception unwinds. MPI allows neither freeing nor
// cancelling one (MPI-3.1 5.12: erroneous), and its buffers go with the unwinding (the program's
// result variable, the request's copy of a temporary input), so MPI must be done with it before
// this returns. It completes once every rank has started it, which the others usually have: this
// rank's exception came after its own start, and they run the same code. So it is waited for,
// progressing, a while. One the others never start (they wait for this rank elsewhere) would
// hang the job where the exception would have ended it: then the job is aborted, saying why.
void mpi_request::finish_while_unwinding() {
    constexpr auto grace = std::chrono::seconds(2);
    const auto until = std::chrono::steady_clock::now() + grace;
    do {
        progress();
        int done = 0;
        if (MPI_Test(&handle_, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done) return;
        std::this_thread::yield();
    } while (std::chrono::steady_clock::now() < until);
    std::cout << std::flush;
    const std::string why = fmt::format(
        "baton: {}: its {} was still pending when an exception unwound past it, and the other ranks had not "
        "completed it {} s later: MPI can neither cancel nor free a pending non-blocking collective (MPI-3.1 "
        "5.12), and its buffers go with the unwinding, so the job is aborted (wait for the request before "
        "leaving its scope, or catch the exception inside it)\n",
        who(*comm_), describe(), grace.count());
    std::fputs(why.c_str(), stderr);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);  // MPI_Abort does not return
}

bool mpi_request::accepts(const comm_info* comm, int source, int tag) const {
    return comm == comm_.get() && (peer_ < 0 || source < 0 || peer_ == source) &&
           (tag_ < 0 || tag < 0 || tag_ == tag);
}

bool mpi_request::overlaps(const mpi_request& later) const { return accepts(later.comm_.get(), later.peer_, later.tag_); }

std::string mpi_request::describe() const {
    if (kind_ == kind::collective)
        return fmt::format("{}(comm={}) posted at {}", operation_, comm_->name, baton::detail::format_location(posted_at_));
    return fmt::format("{}({}={}, tag={}, comm={}) posted at {}", operation_,
                       kind_ == kind::receive ? "source" : "dest", shown_rank(peer_), shown_tag(tag_), comm_->name,
                       baton::detail::format_location(posted_at_));
}

void mpi_request::fail(std::exception_ptr failure) {
    phase_ = phase::done;
    failure_ = std::move(failure);
}

bool mpi_request::try_start(bool behind, std::list<mpi_request*>::const_iterator first,
                            std::list<mpi_request*>::const_iterator self) {
    const comm_info& info = *comm_;
    const int source = mpi_source(peer_), tag = mpi_tag(tag_);
    if (!behind && !buffer_.resizable()) {
        int code = MPI_SUCCESS;
        if (persistent_ != MPI_REQUEST_NULL) {
            handle_ = persistent_;
            code = MPI_Start(&handle_);
        } else {
            code = MPI_Irecv(buffer_.data, count_, type_, source, tag, info.handle, &handle_);
        }
        if (code != MPI_SUCCESS)
            fail(mpi_error(code, who(info) + ": " + describe()));
        else
            phase_ = phase::active;
        return true;
    }
    int found = 0;
    MPI_Status mpi_status;
    if (behind) {
        // An earlier deferred receive could take some of this one's messages: take the first
        // message this one accepts only if none of the earlier ones accepts it.
        int code = MPI_Iprobe(source, tag, info.handle, &found, &mpi_status);
        if (code != MPI_SUCCESS) {
            fail(mpi_error(code, who(info) + ": " + describe()));
            return true;
        }
        if (!found) return false;
        for (auto earlier = first; earlier != self; ++earlier)
            if ((*earlier)->accepts(comm_.get(), mpi_status.MPI_SOURCE, mpi_status.MPI_TAG)) return false;
    }
    MPI_Message message = MPI_MESSAGE_NULL;
    // The same message the probe saw, if there was one: only this thread takes messages.
    int code = MPI_Improbe(source, tag, info.handle, &found, &message, &mpi_status);
    if (code != MPI_SUCCESS) {
        fail(mpi_error(code, who(info) + ": " + describe()));
        return true;
    }
    if (!found) return false;
    void* into = buffer_.data;
    int count = count_;  // a fixed buffer's capacity: MPI reports a longer message as truncated
    if (buffer_.resizable()) {
        const matched_room room = make_room(message, mpi_status, buffer_, type_);
        if (room.failed()) {
            fail(room_failure(room, buffer_, who(info) + ": " + describe()));
            return true;
        }
        into = room.data;
        count = count_ = room.count;
    }
    code = MPI_Imrecv(into, count, type_, &message, &handle_);
    if (code != MPI_SUCCESS)
        fail(mpi_error(code, who(info) + ": " + describe()));
    else
        phase_ = phase::active;
    return true;
}

void mpi_request::finish(int code, const MPI_Status& mpi_status) {
    phase_ = phase::done;
    handle_ = MPI_REQUEST_NULL;
    const comm_info& info = *comm_;
    if (code != MPI_SUCCESS) {
        int error_class = code;
        MPI_Error_class(code, &error_class);
        std::string detail;
        if (error_class == MPI_ERR_TRUNCATE && kind_ == kind::receive)
            detail = truncation_detail(mpi_status, count_, buffer_);
        fail(mpi_error(code, who(info) + ": " + describe(), detail));
        return;
    }
    if (kind_ == kind::send) {
        result_ = {peer_, tag_, static_cast<std::size_t>(count_) * buffer_.type.size};
        return;
    }
    if (kind_ == kind::collective) {
        if (reduction_ && reduction_->failure()) return fail(reduction_->failure());
        result_ = {};
        return;
    }
    int cancelled = 0;
    MPI_Test_cancelled(&mpi_status, &cancelled);
    if (cancelled) {
        result_ = {peer_, tag_, 0, true};
        return;
    }
    if (buffer_.resizable()) {
        result_ = received_status(mpi_status, static_cast<std::size_t>(count_) * buffer_.type.size);
        profile_bytes(operation_.data(), posted_at_, 0, result_.bytes);
        return;
    }
    const int count = received_count(mpi_status, type_, buffer_.type.size, count_);
    if (count == MPI_UNDEFINED) [[unlikely]] {
        fail(not_whole_elements(mpi_status, buffer_, who(info) + ": " + describe()));
        return;
    }
    result_ = received_status(mpi_status, static_cast<std::size_t>(count) * buffer_.type.size);
    profile_bytes(operation_.data(), posted_at_, 0, result_.bytes);
}

// MPI wants the handles (and statuses, indices) side by side: on the stack for a few, so that
// waiting allocates nothing.
template <class T>
class side_by_side {
public:
    side_by_side(std::size_t n, const T& value) : n_(n) {
        if (n > few_.size()) many_.resize(n);
        std::fill_n(data(), n, value);
    }
    T* data() { return many_.empty() ? few_.data() : many_.data(); }
    std::span<T> all() { return {data(), n_}; }

private:
    std::size_t n_;
    std::array<T, 16> few_;
    std::vector<T> many_;
};

status mpi_request::take_result() {
    if (failure_) std::rethrow_exception(failure_);
    return result_;
}

bool mpi_request::poll() {
    if (phase_ == phase::deferred) progress();
    if (phase_ == phase::active) {
        int done = 0;
        MPI_Status mpi_status;
        const int code = MPI_Test(&handle_, &done, &mpi_status);
        if (code != MPI_SUCCESS || done) finish(code, mpi_status);
    }
    return phase_ == phase::done;
}

status mpi_request::wait(backend::location where) {
    const current_call in_call("wait", where);
    while (phase_ != phase::done) {
        if (phase_ == phase::active && nothing_deferred()) {
            MPI_Status mpi_status;
            const int code = MPI_Wait(&handle_, &mpi_status);
            finish(code, mpi_status);
            break;
        }
        if (phase_ == phase::active) progress();  // keep the other deferred receives going
        poll();
    }
    return take_result();
}

std::optional<status> mpi_request::test(backend::location where) {
    const current_call in_call("test", where);
    if (phase_ == phase::active && !nothing_deferred()) progress();
    if (!poll()) return std::nullopt;
    return take_result();
}

std::size_t mpi_request::wait_any(std::span<backend::request_impl* const> requests, status& result,
                                  backend::location where) {
    const current_call in_call("wait_any", where);
    side_by_side<MPI_Request> handle_array(requests.size(), MPI_REQUEST_NULL);
    const std::span<MPI_Request> handles = handle_array.all();
    auto at = [&](std::size_t i) { return static_cast<mpi_request*>(requests[i]); };
    while (true) {
        if (!nothing_deferred()) progress();
        bool any_deferred = false;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            mpi_request* request = at(i);
            if (!request) continue;
            if (request->phase_ == phase::done) {
                result = request->take_result();
                return i;
            }
            any_deferred = any_deferred || request->deferred();
            handles[i] = request->phase_ == phase::active ? request->handle_ : MPI_REQUEST_NULL;
        }
        int index = MPI_UNDEFINED, done = 0;
        MPI_Status mpi_status;
        int code;
        if (!any_deferred && nothing_deferred()) {
            code = MPI_Waitany(static_cast<int>(handles.size()), handles.data(), &index, &mpi_status);
            done = 1;
        } else {
            code = MPI_Testany(static_cast<int>(handles.size()), handles.data(), &index, &done, &mpi_status);
        }
        if (index != MPI_UNDEFINED && (done || code != MPI_SUCCESS)) {
            mpi_request* request = at(static_cast<std::size_t>(index));
            request->finish(code, mpi_status);
            result = request->take_result();
            return static_cast<std::size_t>(index);
        }
        if (code != MPI_SUCCESS) raise(code, *comm_, "wait_any", posted_at_);
    }
}

}  // namespace baton::mpi::detail

namespace baton::mpi::detail {

void mpi_request::complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                               std::vector<completed>& done, backend::location where) {
    static constexpr const char* names[] = {"wait_some", "test_any", "test_some", "test_all"};
    const char* name = names[static_cast<std::size_t>(how)];
    const current_call in_call(name, where);
    const int n = static_cast<int>(requests.size());
    side_by_side<MPI_Request> handles(requests.size(), MPI_REQUEST_NULL);
    side_by_side<MPI_Status> statuses(requests.size(), MPI_Status{});
    side_by_side<int> indices(requests.size(), MPI_UNDEFINED);
    auto at = [&](std::size_t i) { return static_cast<mpi_request*>(requests[i]); };
    // What MPI completed in one call: the error code of each, if the call failed in some.
    auto finish_each = [&](int code, int count, const int* which) {
        for (int k = 0; k < count; ++k) {
            const auto i = static_cast<std::size_t>(which ? which[k] : k);
            mpi_request* request = at(i);
            if (!request || request->phase_ != phase::active) continue;
            const MPI_Status& st = statuses.data()[which ? k : i];
            const int each = code == MPI_ERR_IN_STATUS ? st.MPI_ERROR : code;
            if (each == MPI_ERR_PENDING) continue;  // not complete (MPI_Testall's)
            request->finish(each, st);
        }
    };
    while (true) {
        if (!nothing_deferred()) progress();
        bool any_deferred = false, any_done = false;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            mpi_request* request = at(i);
            handles.data()[i] = request && request->phase_ == phase::active ? request->handle_ : MPI_REQUEST_NULL;
            if (!request) continue;
            any_deferred = any_deferred || request->deferred();
            any_done = any_done || request->phase_ == phase::done;  // failed before MPI had it
        }
        int code = MPI_SUCCESS;
        if (how == completion_rule::test_all) {
            // All or nothing: a deferred receive has no message yet, so not all are complete.
            if (any_deferred) return;
            int flag = 0;
            code = MPI_Testall(n, handles.data(), &flag, statuses.data());
            if (!flag && code == MPI_SUCCESS) return;
            finish_each(code, n, nullptr);
        } else if (how == completion_rule::test_any) {
            if (!any_done) {
                int index = MPI_UNDEFINED, flag = 0;
                code = MPI_Testany(n, handles.data(), &index, &flag, statuses.data());
                if (index != MPI_UNDEFINED && (flag || code != MPI_SUCCESS)) {
                    at(static_cast<std::size_t>(index))->finish(code, statuses.data()[0]);
                    code = MPI_SUCCESS;  // the request's error, which take_result throws
                }
            }
        } else if (!any_done) {
            // MPI_Waitsome may block only while no receive is deferred (request.hpp, "progress").
            const bool blocks = how == completion_rule::wait_some && !any_deferred && nothing_deferred();
            int count = 0;
            code = blocks ? MPI_Waitsome(n, handles.data(), &count, indices.data(), statuses.data())
                          : MPI_Testsome(n, handles.data(), &count, indices.data(), statuses.data());
            if (count != MPI_UNDEFINED) finish_each(code, count, indices.data());
        }
        if (code != MPI_SUCCESS && code != MPI_ERR_IN_STATUS) raise(code, *comm_, name, posted_at_);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            mpi_request* request = at(i);
            if (!request || request->phase_ != phase::done) continue;
            done.push_back({i, request->take_result()});
            if (how == completion_rule::test_any) return;
        }
        if (!done.empty() || how != completion_rule::wait_some) return;
    }
}

}  // namespace baton::mpi::detail

namespace baton::mpi::detail {

mpi_persistent::mpi_persistent(std::shared_ptr<const comm_info> comm, const backend::send_view& data, int dest,
                               int tag, bool synchronous, const backend::location& where)
    : comm_(std::move(comm)), send_(true), synchronous_(synchronous), data_(data), peer_(dest), tag_(tag) {
    const char* operation = synchronous ? "ssend_init" : "send_init";
    const int count = to_int(data.count, *comm_, operation, where);
    const MPI_Datatype type = transfer_type(data.type);
    const int code = synchronous ? MPI_Ssend_init(data.data, count, type, mpi_dest(dest), tag, comm_->handle, &handle_)
                                 : MPI_Send_init(data.data, count, type, mpi_dest(dest), tag, comm_->handle, &handle_);
    if (code != MPI_SUCCESS) raise(code, *comm_, operation, where);
}

mpi_persistent::mpi_persistent(std::shared_ptr<const comm_info> comm, const backend::recv_buffer& into, int source,
                               int tag, const backend::location& where)
    : comm_(std::move(comm)), send_(false), into_(into), peer_(source), tag_(tag) {
    const int count = to_int(into.count, *comm_, "recv_init", where);
    const int code = MPI_Recv_init(into.data, count, transfer_type(into.type), mpi_source(source), mpi_tag(tag),
                                   comm_->handle, &handle_);
    if (code != MPI_SUCCESS) raise(code, *comm_, "recv_init", where);
}

mpi_persistent::~mpi_persistent() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && handle_ != MPI_REQUEST_NULL) MPI_Request_free(&handle_);
}

std::unique_ptr<backend::request_impl> mpi_persistent::start(backend::location where) {
    const current_call in_call("start", where);
    if (!nothing_deferred()) progress();
    if (send_)
        return mpi_request::start_send(comm_, data_, peer_, tag_, synchronous_ ? send_kind::synchronous : send_kind::standard,
                                       synchronous_ ? "ssend_init" : "send_init", where, handle_);
    return mpi_request::start_receive(comm_, into_, peer_, tag_, "recv_init", where, handle_);
}

}  // namespace baton::mpi::detail

namespace baton::mpi::detail {

void mpi_request::cancel(backend::location where) {
    const current_call in_call("cancel", where);
    if (kind_ == kind::send) baton::detail::throw_cancel_of_send(comm_->world_rank, operation_, where);
    if (kind_ == kind::collective) baton::detail::throw_cancel_of_collective(comm_->world_rank, operation_, where);
    if (phase_ == phase::deferred) {
        // MPI never had it: cancelled here, as MPI would cancel a posted receive with no message.
        deferred_list().erase(slot_);
        count_deferred(deferred_list().size());
        phase_ = phase::done;
        result_ = {peer_, tag_, 0, true};
        return;
    }
    if (phase_ != phase::active) return;
    const int code = MPI_Cancel(&handle_);
    if (code != MPI_SUCCESS) raise(code, *comm_, "cancel", posted_at_);
}

}  // namespace baton::mpi::detail
