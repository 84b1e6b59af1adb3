// MPI's row of baton::run's table of backends (launch/backends.hpp), taken when mpiexec started the
// program or with --backend mpi: initializes MPI (unless the program already has), runs the rank
// function on this process's rank of a duplicate of MPI_COMM_WORLD named "world", and finalizes
// MPI. A rank whose function throws prints the exception on stderr and calls MPI_Abort, so that the
// whole job ends instead of hanging.
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <baton/communicator.hpp>
#include <baton/profile.hpp>
#include <baton/sim.hpp>
#include <baton/detail/mpi_c_api.hpp>

#include "../../launch/backends.hpp"
#include "../sim/output_files.hpp"
#include "clock.hpp"
#include "comm.hpp"
#include "current_call.hpp"
#include "datatypes.hpp"
#include "ops.hpp"

namespace baton::launch {

namespace {

namespace detail = mpi::detail;

[[noreturn]] void abort_job(int world_rank, const std::string& what) {
    std::cout << std::flush;
    std::fprintf(stderr, "baton: rank %d failed: %s\n", world_rank, what.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);  // MPI_Abort does not return; this is for the compiler
}

// --profile under mpiexec: each rank's figures (its calls, timed by MPI_Wtime) go to rank 0 as
// text lines, which prints the report and writes the JSON. Collective over MPI_COMM_WORLD, after
// the program's last call. Returns the exit status on rank 0 (2: the JSON could not be written).
int report_profile(const settings& chosen, const baton::detail::profile_recorder& recorder, int world_rank,
                   int world_size) {
    const std::string mine = baton::detail::profile_lines(recorder.result("mpi", "real (MPI_Wtime)", false), 0);
    int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(world_size)), offsets(static_cast<std::size_t>(world_size));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::string all;
    if (world_rank == 0) {
        for (int r = 0, at = 0; r < world_size; ++r) {
            offsets[static_cast<std::size_t>(r)] = at;
            at += lengths[static_cast<std::size_t>(r)];
        }
        all.resize(static_cast<std::size_t>(offsets.back() + lengths.back()));
    }
    MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    if (world_rank != 0) return 0;
    profile gathered{"mpi", "real (MPI_Wtime)", false, {}, std::vector<profile_rank>(static_cast<std::size_t>(world_size))};
    for (int r = 0; r < world_size; ++r)
        baton::detail::add_profile_lines(gathered, r,
                                         std::string_view(all).substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                                                      static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
    for (auto& site : gathered.sites) site.ranks.resize(static_cast<std::size_t>(world_size));
    if (chosen.profile) std::cerr << to_text(gathered) << std::flush;
    sim::detail::output_files files;
    if (!chosen.profile_json.empty()) files.write("--profile-json", chosen.profile_json, to_json(gathered));
    return files.failed() ? 2 : 0;
}

}  // namespace

int run_on_mpi(int& argc, char**& argv, const settings& chosen, const rank_function& body) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        // Only the thread that called baton::run calls MPI (the simulator, if the program also
        // runs one, never does).
        if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            std::fprintf(stderr, "baton: MPI_Init_thread failed\n");
            return 1;
        }
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    detail::init_datatypes();
    detail::init_ops();
    int world_rank = 0, world_size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    // `mpiexec -n 4 prog --ranks 7` must not look like a run on 7 ranks: the simulator's options
    // are ignored here, and rank 0 says so once (every rank read the same command line).
    if (world_rank == 0 && !chosen.simulator_only.empty()) {
        std::string given;
        for (const std::string& option : chosen.simulator_only) given += (given.empty() ? "" : ", ") + option;
        std::fprintf(stderr,
                     "baton: warning: ignored on MPI: %s (options of the simulator: mpiexec decides the ranks, "
                     "and MPI's own timing, not baton's scheduler, decides the order of the run; run the program "
                     "without mpiexec to simulate it)\n",
                     given.c_str());
        std::fflush(stderr);
    }

    std::optional<baton::detail::profile_recorder> recorder;
    if (chosen.profiling()) recorder.emplace(1);
    int status = 0;
    {
        // baton's world is a duplicate, so that the program's own MPI calls on MPI_COMM_WORLD
        // never match baton's messages. It inherits MPI_ERRORS_RETURN.
        MPI_Comm handle = MPI_COMM_NULL;
        if (MPI_Comm_dup(MPI_COMM_WORLD, &handle) != MPI_SUCCESS) abort_job(world_rank, "MPI_Comm_dup failed");
        // Two of baton's options mean something on MPI: --sends synchronous here, --rank-timeout below.
        const detail::settings mpi_settings{.synchronous_sends = chosen.sim.sends == sim::send_mode::synchronous};
        communicator world(std::make_unique<detail::mpi_comm>(handle, "world", true, mpi_settings));
        // SIGTERM from mpiexec (one rank failed, or Ctrl-C) or an endless loop: say where this rank is.
        const detail::watched_rank watched(world_rank, world_size, chosen.sim.rank_timeout_seconds);
        const baton::detail::clock_scope mpi_wtime(&detail::mpi_clock());  // baton::wtime() is MPI_Wtime
        // The profile's clock starts with the program's own code, not with MPI's start-up.
        if (recorder) detail::record_profile(&*recorder, MPI_Wtime());
        try {
            body(world);
        } catch (const std::exception& e) {
            abort_job(world_rank, e.what());
        } catch (...) {
            abort_job(world_rank, "an exception that is not a std::exception");
        }
    }
    std::cout << std::flush;
    if (recorder) {
        recorder->finished(0, MPI_Wtime() - detail::profile_start());
        detail::record_profile(nullptr, 0);
        status = report_profile(chosen, *recorder, world_rank, world_size);
    }
    detail::free_ops();
    detail::free_datatypes();
    if (!initialized) MPI_Finalize();
    return status;
}

}  // namespace baton::launch
