// MPI's calls that complete, start, cancel and free requests. A completed request's handle becomes
// MPI_REQUEST_NULL, unless it is persistent: then it stays, inactive until the next MPI_Start.
// A null or inactive request completes at once with an empty status, as MPI says.
#include <vector>

#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

using rule = backend::request_impl::completion_rule;

// What MPI_Wait on MPI_REQUEST_NULL or an inactive request gives (MPI-3.1 §3.7.3).
constexpr status empty_status{any_source, any_tag, 0};

// The entry a handle names (null for MPI_REQUEST_NULL), or a usage_error.
request_entry* entry_of(const call& c, const MPI_Request* handle) {
    if (!handle) fail(MPI_ERR_REQUEST, c.comm, c.name, "the request pointer is NULL", c.where);
    if (*handle == MPI_REQUEST_NULL) return nullptr;
    request_entry* entry = c.rank.requests.find(*handle);
    if (!entry)
        fail(MPI_ERR_REQUEST, c.comm, c.name,
                            "request " + std::to_string(*handle) + " is not a request (completed, freed or never made)",
                            c.where);
    return entry;
}

// The operation `handle` waits for, or null (a null or inactive request).
backend::request_impl* active_of(const call& c, const MPI_Request* handle) {
    request_entry* entry = entry_of(c, handle);
    return entry ? entry->active.get() : nullptr;
}

// The request `handle` completed with `result`: it goes, or is inactive again if persistent.
void completed(const call& c, MPI_Request* handle, MPI_Status* status, const baton::status& result) {
    request_entry* entry = entry_of(c, handle);
    for (auto& message : entry->staged)
        if (message->receives) message->unpack(message->whole ? message->bytes.size() : result.bytes);
    if (entry->kept) entry->kept->complete();
    if (entry->persistent) {
        entry->active.reset();
    } else {
        c.rank.requests.take(*handle);
        *handle = MPI_REQUEST_NULL;
    }
    put_status(status, result);
}

// The operations of `count` requests (null where one is null or inactive), and how many are active.
std::vector<backend::request_impl*> actives(const call& c, int count, const MPI_Request requests[], std::size_t& active) {
    const std::size_t n = c.count(count);
    if (n > 0 && !requests) fail(MPI_ERR_ARG, c.comm, c.name, "the array of requests is NULL", c.where);
    std::vector<backend::request_impl*> operations(n);
    active = 0;
    for (std::size_t i = 0; i < n; ++i) active += (operations[i] = active_of(c, &requests[i])) != nullptr;
    return operations;
}

// What `how` completes of `operations` (asked of any active one, as the backend wants).
std::vector<backend::request_impl::completed> complete_set(const call& c, rule how,
                                                           const std::vector<backend::request_impl*>& operations) {
    std::vector<backend::request_impl::completed> done;
    for (auto* any : operations)
        if (any) {
            any->complete_set(how, operations, done, c.where);
            break;
        }
    return done;
}

MPI_Status* status_at(MPI_Status statuses[], std::size_t i) {
    return statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE : &statuses[i];
}

// MPI_Waitsome and MPI_Testsome: those `how` completes; MPI_UNDEFINED when none is active.
int complete_some(const call& c, rule how, int incount, MPI_Request requests[], int* outcount, int indices[],
                  MPI_Status statuses[]) {
    if (!outcount) fail(MPI_ERR_ARG, c.comm, c.name, "the outcount pointer is NULL", c.where);
    std::size_t active = 0;
    const auto operations = actives(c, incount, requests, active);
    if (active == 0) {
        *outcount = MPI_UNDEFINED;
        return MPI_SUCCESS;
    }
    const auto done = complete_set(c, how, operations);
    for (std::size_t k = 0; k < done.size(); ++k) {
        indices[k] = static_cast<int>(done[k].index);
        completed(c, &requests[done[k].index], status_at(statuses, k), done[k].result);
    }
    *outcount = static_cast<int>(done.size());
    return MPI_SUCCESS;
}

}  // namespace

BATON_MPI_BODY(MPI_Wait)(const baton_mpi_where* site, MPI_Request* request, MPI_Status* status) {
    const call c("MPI_Wait", site, MPI_COMM_WORLD);
    backend::request_impl* operation = active_of(c, request);
    if (!operation) {
        put_status(status, empty_status);
        return MPI_SUCCESS;
    }
    completed(c, request, status, operation->wait(c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Wait, (MPI_Request* request, MPI_Status* status), (request, status))

BATON_MPI_BODY(MPI_Test)(const baton_mpi_where* site, MPI_Request* request, int* flag, MPI_Status* status) {
    const call c("MPI_Test", site, MPI_COMM_WORLD);
    if (!flag) fail(MPI_ERR_ARG, c.comm, c.name, "the flag pointer is NULL", c.where);
    backend::request_impl* operation = active_of(c, request);
    if (!operation) {
        *flag = 1;
        put_status(status, empty_status);
        return MPI_SUCCESS;
    }
    const auto done = operation->test(c.where);
    *flag = done.has_value();
    if (done) completed(c, request, status, *done);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Test, (MPI_Request* request, int* flag, MPI_Status* status), (request, flag, status))

// Each request in turn, as MPI_Waitall may: every one is started already, so the order of the
// waits changes nothing.
BATON_MPI_BODY(MPI_Waitall)(const baton_mpi_where* site, int count, MPI_Request requests[],
                            MPI_Status statuses[]) {
    const call c("MPI_Waitall", site, MPI_COMM_WORLD);
    std::size_t active = 0;
    const auto operations = actives(c, count, requests, active);
    for (std::size_t i = 0; i < operations.size(); ++i) {
        if (operations[i])
            completed(c, &requests[i], status_at(statuses, i), operations[i]->wait(c.where));
        else
            put_status(status_at(statuses, i), empty_status);
    }
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Waitall, (int count, MPI_Request requests[], MPI_Status statuses[]),
                       (count, requests, statuses))

BATON_MPI_BODY(MPI_Waitany)(const baton_mpi_where* site, int count, MPI_Request requests[], int* index,
                            MPI_Status* status) {
    const call c("MPI_Waitany", site, MPI_COMM_WORLD);
    if (!index) fail(MPI_ERR_ARG, c.comm, c.name, "the index pointer is NULL", c.where);
    std::size_t active = 0;
    const auto operations = actives(c, count, requests, active);
    *index = MPI_UNDEFINED;
    if (active == 0) {
        put_status(status, empty_status);
        return MPI_SUCCESS;
    }
    for (auto* any : operations)
        if (any) {
            baton::status result;
            const std::size_t i = any->wait_any(operations, result, c.where);
            *index = static_cast<int>(i);
            completed(c, &requests[i], status, result);
            break;
        }
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Waitany, (int count, MPI_Request requests[], int* index, MPI_Status* status),
                       (count, requests, index, status))

BATON_MPI_BODY(MPI_Testany)(const baton_mpi_where* site, int count, MPI_Request requests[], int* index,
                            int* flag, MPI_Status* status) {
    const call c("MPI_Testany", site, MPI_COMM_WORLD);
    if (!index || !flag) fail(MPI_ERR_ARG, c.comm, c.name, "the index or flag pointer is NULL", c.where);
    std::size_t active = 0;
    const auto operations = actives(c, count, requests, active);
    *index = MPI_UNDEFINED;
    *flag = active == 0;  // none active: true, with an empty status
    if (active == 0) put_status(status, empty_status);
    const auto done = complete_set(c, rule::test_any, operations);
    if (done.empty()) return MPI_SUCCESS;
    *flag = 1;
    *index = static_cast<int>(done.front().index);
    completed(c, &requests[done.front().index], status, done.front().result);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Testany, (int count, MPI_Request requests[], int* index, int* flag, MPI_Status* status),
                       (count, requests, index, flag, status))

BATON_MPI_BODY(MPI_Waitsome)(const baton_mpi_where* site, int incount, MPI_Request requests[], int* outcount,
                             int indices[], MPI_Status statuses[]) {
    return complete_some(call("MPI_Waitsome", site, MPI_COMM_WORLD), rule::wait_some, incount, requests, outcount,
                         indices, statuses);
}
BATON_MPI_WITHOUT_SITE(MPI_Waitsome,
                       (int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[]),
                       (incount, requests, outcount, indices, statuses))

BATON_MPI_BODY(MPI_Testsome)(const baton_mpi_where* site, int incount, MPI_Request requests[], int* outcount,
                             int indices[], MPI_Status statuses[]) {
    return complete_some(call("MPI_Testsome", site, MPI_COMM_WORLD), rule::test_some, incount, requests, outcount,
                         indices, statuses);
}
BATON_MPI_WITHOUT_SITE(MPI_Testsome,
                       (int incount, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[]),
                       (incount, requests, outcount, indices, statuses))

// All or nothing: flag is true only when every active request completed, and then each did.
BATON_MPI_BODY(MPI_Testall)(const baton_mpi_where* site, int count, MPI_Request requests[], int* flag,
                            MPI_Status statuses[]) {
    const call c("MPI_Testall", site, MPI_COMM_WORLD);
    if (!flag) fail(MPI_ERR_ARG, c.comm, c.name, "the flag pointer is NULL", c.where);
    std::size_t active = 0;
    const auto operations = actives(c, count, requests, active);
    const auto done = complete_set(c, rule::test_all, operations);
    *flag = done.size() == active;
    if (!*flag) return MPI_SUCCESS;
    std::size_t next = 0;
    for (std::size_t i = 0; i < operations.size(); ++i) {
        if (next < done.size() && done[next].index == i)
            completed(c, &requests[i], status_at(statuses, i), done[next++].result);
        else
            put_status(status_at(statuses, i), empty_status);
    }
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Testall, (int count, MPI_Request requests[], int* flag, MPI_Status statuses[]),
                       (count, requests, flag, statuses))

BATON_MPI_BODY(MPI_Start)(const baton_mpi_where* site, MPI_Request* request) {
    const call c("MPI_Start", site, MPI_COMM_WORLD);
    request_entry* entry = entry_of(c, request);
    if (!entry || !entry->persistent)
        fail(MPI_ERR_REQUEST, c.comm, c.name, "the request is not a persistent one (MPI_Send_init, MPI_Recv_init, ...)",
                            c.where);
    if (entry->active)
        fail(MPI_ERR_REQUEST, c.comm, c.name, "the persistent request is still active: complete it before starting it again",
                            c.where);
    for (auto& message : entry->staged) message->restart();
    entry->active = entry->persistent->start(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Start, (MPI_Request * request), (request))

BATON_MPI_BODY(MPI_Startall)(const baton_mpi_where* site, int count, MPI_Request requests[]) {
    const call c("MPI_Startall", site, MPI_COMM_WORLD);
    const std::size_t n = c.count(count);
    if (n > 0 && !requests) fail(MPI_ERR_ARG, c.comm, c.name, "the array of requests is NULL", c.where);
    for (std::size_t i = 0; i < n; ++i) MPI_Start_body(site, &requests[i]);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Startall, (int count, MPI_Request requests[]), (count, requests))

// Of a receive not yet matched (a send is refused, as on every baton backend): it must still be
// completed, and its status then says so (MPI_Test_cancelled).
BATON_MPI_BODY(MPI_Cancel)(const baton_mpi_where* site, MPI_Request* request) {
    const call c("MPI_Cancel", site, MPI_COMM_WORLD);
    if (backend::request_impl* operation = active_of(c, request)) operation->cancel(c.where);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Cancel, (MPI_Request * request), (request))

BATON_MPI_BODY(MPI_Test_cancelled)(const baton_mpi_where*, const MPI_Status* status, int* flag) {
    *flag = status && status->baton_cancelled;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Test_cancelled, (const MPI_Status* status, int* flag), (status, flag))

// An inactive request goes at once. A pending one is let go as MPI lets it: its operation goes on,
// and MPI_Finalize completes it if it can (one that never can is then the simulator's request
// leak: a receive that nothing matched, a synchronous send nobody received).
BATON_MPI_BODY(MPI_Request_free)(const baton_mpi_where* site, MPI_Request* request) {
    const call c("MPI_Request_free", site, MPI_COMM_WORLD);
    request_entry* entry = entry_of(c, request);
    if (!entry) fail(MPI_ERR_REQUEST, c.comm, c.name, "the request is MPI_REQUEST_NULL", c.where);
    if (entry->active) c.rank.freed_requests.push_back(std::move(entry->active));
    c.rank.requests.take(*request);
    *request = MPI_REQUEST_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Request_free, (MPI_Request * request), (request))
