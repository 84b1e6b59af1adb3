// MPI's environment calls: initialization, finalization, abort, clocks, names, versions (error
// handlers and messages: error_handlers.cpp).
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include <baton/clock.hpp>

#include "arguments.hpp"
#include "leaks.hpp"

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

BATON_MPI_BODY(MPI_Init)(const baton_mpi_where* site, int*, char***) { return initialize(site, "MPI_Init"); }
BATON_MPI_WITHOUT_SITE(MPI_Init, (int* argc, char*** argv), (argc, argv))

// Ranks are simulated one at a time (or are processes of their own): every thread level holds.
BATON_MPI_BODY(MPI_Init_thread)(const baton_mpi_where* site, int*, char***, int required, int* provided) {
    initialize(site, "MPI_Init_thread");
    const int level = std::clamp(required, MPI_THREAD_SINGLE, MPI_THREAD_MULTIPLE);
    current("MPI_Init_thread", location_of(site)).thread_level = level;
    if (provided) *provided = level;
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
    rank.requests.each([&](int, const request_entry& entry, const origin& made) {
        if (entry.active) requests.add(made.made_by, made.made_at);
    });
    if (requests.count > 0)
        detail::throw_usage(rank.world, "MPI_Finalize",
                            std::to_string(requests.count) + (requests.count == 1 ? " request is" : " requests are") +
                                " still active (" + requests.named + "): complete them with MPI_Wait or MPI_Test first",
                            where);
    unfinished messages;
    rank.messages.each([&](int, const matched_message&, const origin& made) { messages.add(made.made_by, made.made_at); });
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
    warn_of_leaks(rank, where);
    rank.finalized = true;
    return MPI_SUCCESS;
}
extern "C" int(baton_MPI_Finalize)(void) { return baton_MPI_Finalize_at(nullptr); }

BATON_MPI_BODY(MPI_Initialized)(const baton_mpi_where* site, int* flag) {
    *flag = current("MPI_Initialized", location_of(site), true).initialized;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Initialized, (int* flag), (flag))

BATON_MPI_BODY(MPI_Finalized)(const baton_mpi_where* site, int* flag) {
    *flag = current("MPI_Finalized", location_of(site), true).finalized;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Finalized, (int* flag), (flag))

// Ends the whole run with `errorcode` (as Open MPI, whatever the communicator); an exit status
// keeps its low 8 bits.
BATON_MPI_BODY(MPI_Abort)(const baton_mpi_where* site, MPI_Comm comm, int errorcode) {
    const call c("MPI_Abort", site, comm);
    c.comm.abort(errorcode & 0xff, c.where);
    return MPI_ERR_INTERN;  // not reached: abort ends the run
}
BATON_MPI_WITHOUT_SITE(MPI_Abort, (MPI_Comm comm, int errorcode), (comm, errorcode))

BATON_MPI_BODY(MPI_Get_processor_name)(const baton_mpi_where* site, char* name, int* resultlen) {
    (void)current("MPI_Get_processor_name", location_of(site), true);
    char host[MPI_MAX_PROCESSOR_NAME] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
    put_text(host, name, resultlen, MPI_MAX_PROCESSOR_NAME);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_processor_name, (char* name, int* resultlen), (name, resultlen))

BATON_MPI_BODY(MPI_Get_version)(const baton_mpi_where*, int* version, int* subversion) {
    *version = MPI_VERSION;
    *subversion = MPI_SUBVERSION;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_version, (int* version, int* subversion), (version, subversion))

// The rank's clock, baton::wtime(): on the simulator its simulated clock (with --compute-time zero
// a program that prints it prints the same numbers in every run of a seed), on MPI MPI_Wtime.
extern "C" double(baton_MPI_Wtime)(void) { return baton::wtime(); }
extern "C" double(baton_MPI_Wtick)(void) { return baton::wtick(); }

BATON_MPI_BODY(MPI_Comm_rank)(const baton_mpi_where* site, MPI_Comm comm, int* rank) {
    *rank = call("MPI_Comm_rank", site, comm).comm.rank();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_rank, (MPI_Comm comm, int* rank), (comm, rank))

BATON_MPI_BODY(MPI_Comm_size)(const baton_mpi_where* site, MPI_Comm comm, int* size) {
    *size = call("MPI_Comm_size", site, comm).comm.size();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_size, (MPI_Comm comm, int* size), (comm, size))


extern "C" int baton_mpi_unsupported(const baton_mpi_where* site, const char* name, ...) {
    const call c(name, site, MPI_COMM_WORLD);
    detail::throw_usage(c.comm, c.name, "not supported by baton's simulator (see README, \"Running existing MPI programs\")",
                        c.where);
}
