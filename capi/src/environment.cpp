// MPI's environment calls: initialization, finalization, abort, clocks, names, versions, errors.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

#include "arguments.hpp"
#include "groups.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// MPI_Init and MPI_Init_thread: baton's options were taken out of argc/argv by libbaton-mpi's main
// before the rank's main began, so there is nothing left to take.
int initialize(const baton_mpi_where* site, std::string_view name) {
    const auto where = location_of(site);
    rank_state& rank = current(name, where, /*any_time=*/true);
    if (rank.initialized) detail::throw_usage(rank.world, name, "MPI is initialized already", where);
    rank.initialized = true;
    return MPI_SUCCESS;
}

// What MPI_Finalize finds unfinished: how many, and the first three's calls and lines.
struct unfinished {
    std::size_t count = 0;
    std::string named;
    void add(std::string_view made_by, const std::source_location& made_at) {
        if (++count <= 3)
            named += std::string(count > 1 ? ", " : "") + std::string(made_by) + " at " + detail::format_location(made_at);
        else if (count == 4)
            named += ", ...";
    }
};

}  // namespace

extern "C" int baton_MPI_Init_at(const baton_mpi_where* site, int*, char***) { return initialize(site, "MPI_Init"); }
BATON_MPI_WITHOUT_SITE(MPI_Init, (int* argc, char*** argv), (argc, argv))

// Ranks are simulated one at a time (or are processes of their own): every thread level holds.
extern "C" int baton_MPI_Init_thread_at(const baton_mpi_where* site, int*, char***, int required, int* provided) {
    initialize(site, "MPI_Init_thread");
    if (provided) *provided = std::clamp(required, MPI_THREAD_SINGLE, MPI_THREAD_MULTIPLE);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Init_thread, (int* argc, char*** argv, int required, int* provided),
                       (argc, argv, required, provided))

extern "C" int baton_MPI_Finalize_at(const baton_mpi_where* site) {
    const auto where = location_of(site);
    rank_state& rank = current("MPI_Finalize", where);
    // Every communication must be complete (MPI-3.1 §8.7): a request still active is named, and
    // so is a message a matched probe took and nothing received.
    unfinished requests;
    rank.requests.each([&](int, const request_entry& entry) {
        if (entry.active) requests.add(entry.made_by, entry.made_at);
    });
    if (requests.count > 0)
        detail::throw_usage(rank.world, "MPI_Finalize",
                            std::to_string(requests.count) + (requests.count == 1 ? " request is" : " requests are") +
                                " still active (" + requests.named + "): complete them with MPI_Wait or MPI_Test first",
                            where);
    unfinished messages;
    rank.messages.each([&](int, const matched_message& m) { messages.add(m.probed_by, m.probed_at); });
    if (messages.count > 0)
        detail::throw_usage(rank.world, "MPI_Finalize",
                            std::to_string(messages.count) +
                                (messages.count == 1 ? " message a matched probe took is" : " messages matched probes took are") +
                                " never received (" + messages.named + "): receive each with MPI_Mrecv or MPI_Imrecv",
                            where);
    // Requests let go while pending: those done now are done with; one still pending is the
    // backend's to report when it goes with the rank.
    for (auto& freed : rank.freed_requests)
        if (freed->test(where)) freed.reset();
    report_groups_left(rank, where);
    rank.finalized = true;
    return MPI_SUCCESS;
}
extern "C" int(baton_MPI_Finalize)(void) { return baton_MPI_Finalize_at(nullptr); }

extern "C" int baton_MPI_Initialized_at(const baton_mpi_where* site, int* flag) {
    *flag = current("MPI_Initialized", location_of(site), true).initialized;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Initialized, (int* flag), (flag))

extern "C" int baton_MPI_Finalized_at(const baton_mpi_where* site, int* flag) {
    *flag = current("MPI_Finalized", location_of(site), true).finalized;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Finalized, (int* flag), (flag))

// Ends the whole run with `errorcode` (as Open MPI, whatever the communicator); an exit status
// keeps its low 8 bits.
extern "C" int baton_MPI_Abort_at(const baton_mpi_where* site, MPI_Comm comm, int errorcode) {
    const call c("MPI_Abort", site, comm);
    c.comm.abort(errorcode & 0xff, c.where);
    return MPI_ERR_INTERN;  // not reached: abort ends the run
}
BATON_MPI_WITHOUT_SITE(MPI_Abort, (MPI_Comm comm, int errorcode), (comm, errorcode))

extern "C" int baton_MPI_Get_processor_name_at(const baton_mpi_where* site, char* name, int* resultlen) {
    (void)current("MPI_Get_processor_name", location_of(site), true);
    char host[MPI_MAX_PROCESSOR_NAME] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
    put_text(host, name, resultlen, MPI_MAX_PROCESSOR_NAME);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_processor_name, (char* name, int* resultlen), (name, resultlen))

extern "C" int baton_MPI_Get_version_at(const baton_mpi_where*, int* version, int* subversion) {
    *version = MPI_VERSION;
    *subversion = MPI_SUBVERSION;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_version, (int* version, int* subversion), (version, subversion))

extern "C" int baton_MPI_Error_string_at(const baton_mpi_where*, int errorcode, char* string, int* resultlen) {
    std::string_view text;
    switch (errorcode) {
        case MPI_SUCCESS: text = "MPI_SUCCESS: no error"; break;
        case MPI_ERR_BUFFER: text = "MPI_ERR_BUFFER: invalid buffer pointer"; break;
        case MPI_ERR_COUNT: text = "MPI_ERR_COUNT: invalid count argument"; break;
        case MPI_ERR_TYPE: text = "MPI_ERR_TYPE: invalid datatype"; break;
        case MPI_ERR_TAG: text = "MPI_ERR_TAG: invalid tag"; break;
        case MPI_ERR_COMM: text = "MPI_ERR_COMM: invalid communicator"; break;
        case MPI_ERR_RANK: text = "MPI_ERR_RANK: invalid rank"; break;
        case MPI_ERR_REQUEST: text = "MPI_ERR_REQUEST: invalid request"; break;
        case MPI_ERR_ROOT: text = "MPI_ERR_ROOT: invalid root"; break;
        case MPI_ERR_OP: text = "MPI_ERR_OP: invalid reduce operation"; break;
        case MPI_ERR_ARG: text = "MPI_ERR_ARG: invalid argument of some other kind"; break;
        case MPI_ERR_TRUNCATE: text = "MPI_ERR_TRUNCATE: message truncated"; break;
        case MPI_ERR_INTERN: text = "MPI_ERR_INTERN: internal error"; break;
        case MPI_ERR_OTHER: text = "MPI_ERR_OTHER: known error not in this list"; break;
        default: text = "MPI_ERR_UNKNOWN: unknown error"; break;
    }
    put_text(text, string, resultlen, MPI_MAX_ERROR_STRING);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Error_string, (int errorcode, char* string, int* resultlen), (errorcode, string, resultlen))

// The wall clock, as MPI_Wtime on MPI (the simulated clock is issue 16's): a program that prints
// it prints different numbers from run to run.
extern "C" double(baton_MPI_Wtime)(void) {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}
extern "C" double(baton_MPI_Wtick)(void) { return 1e-9; }

extern "C" int baton_MPI_Comm_rank_at(const baton_mpi_where* site, MPI_Comm comm, int* rank) {
    *rank = call("MPI_Comm_rank", site, comm).comm.rank();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_rank, (MPI_Comm comm, int* rank), (comm, rank))

extern "C" int baton_MPI_Comm_size_at(const baton_mpi_where* site, MPI_Comm comm, int* size) {
    *size = call("MPI_Comm_size", site, comm).comm.size();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_size, (MPI_Comm comm, int* size), (comm, size))


extern "C" int baton_mpi_unsupported(const baton_mpi_where* site, const char* name) {
    const call c(name, site, MPI_COMM_WORLD);
    detail::throw_usage(c.comm, c.name, "not supported by baton's simulator (see README, \"Running existing MPI programs\")",
                        c.where);
}
