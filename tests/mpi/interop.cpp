// baton::mpi::native and from_native (include/baton/mpi.hpp), checked by meson.build:
//
//   under mpiexec   the world's MPI_Comm is congruent to MPI_COMM_WORLD and takes the program's
//                   own MPI calls; a communicator made from an MPI_Comm_split of the program's
//                   has its ranks and carries baton's collectives, after the program freed its
//                   handle;
//   plainly         on the simulator both calls are a usage_error naming the rank and the call:
//                   the program checks the messages and fails if they are not as documented.
#include <cstdio>
#include <stdexcept>
#include <string>

#include <baton/baton.hpp>
#include <baton/mpi.hpp>

#include "harness.hpp"

namespace {

// The message of the usage_error `call` throws, or a failure of this rank if it throws none.
template <class F>
std::string refusal(F&& call) {
    try {
        call();
    } catch (const baton::usage_error& e) {
        return e.what();
    }
    throw std::logic_error("the simulator gave an MPI_Comm instead of a usage_error");
}

void expect_refused(const std::string& message, const std::string& rank, const std::string& call) {
    for (const std::string& part : {rank, call, std::string("is a simulated communicator, which has no MPI_Comm")})
        if (message.find(part) == std::string::npos)
            throw std::logic_error("the refusal does not say '" + part + "': " + message);
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        const int me = world.rank();
        if (!harness::on_mpi()) {
            const std::string rank = "rank " + std::to_string(me) + ":";
            expect_refused(refusal([&] { (void)baton::mpi::native(world); }), rank, "baton::mpi::native");
            expect_refused(refusal([&] { (void)baton::mpi::from_native(MPI_COMM_WORLD, world); }), rank,
                           "baton::mpi::from_native");
            return;
        }
        MPI_Comm handle = baton::mpi::native(world);
        int same = MPI_UNEQUAL;
        MPI_Comm_compare(handle, MPI_COMM_WORLD, &same);
        int mine = me + 1, sum = 0;
        MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, handle);
        std::printf("rank %d: native world %s, MPI_Allreduce on it %d\n", me,
                    same == MPI_CONGRUENT ? "congruent to MPI_COMM_WORLD" : "NOT congruent", sum);

        MPI_Comm halves = MPI_COMM_NULL;
        MPI_Comm_split(MPI_COMM_WORLD, me % 2, -me, &halves);  // the highest rank first
        baton::communicator half = baton::mpi::from_native(halves, world);
        MPI_Comm_free(&halves);  // baton keeps its own duplicate
        const auto ranks = half.allgather(me);
        std::printf("rank %d: from_native rank %d of %d, world ranks %s\n", me, half.rank(), half.size(),
                    harness::text(ranks).c_str());
        std::fflush(stdout);
    });
}
