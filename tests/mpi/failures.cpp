// How failures end an MPI job, checked by run_mpi.py (see meson.build):
//
//   failures throw       rank 1 throws while the others wait in a collective: it prints its
//                        exception and calls MPI_Abort, and the job ends instead of hanging;
//   failures truncate    a receive into a buffer too small: MPI's MPI_ERR_TRUNCATE arrives as a
//                        baton::truncation_error naming the rank, the call and its line;
//   failures huge        a message of more than INT_MAX elements is refused with a clear
//                        usage_error instead of MPI's int count silently wrapping;
//   failures user-op     a user operation that throws inside MPI_Allreduce (MPI_Op_create's C
//                        code cannot carry the exception): it arrives after the call, on the
//                        rank whose callable threw, and every rank carries on; then the same in
//                        an MPI_Iallreduce, whose wait throws it.
//   failures icoll-caught   rank 1 throws while its ibcast is pending and catches it outside the
//                        request's scope: the request is completed as it goes (the others have
//                        started it), so the value has arrived, and every rank carries on;
//   failures icoll-stranded rank 0 throws while its ibarrier is pending, which the others never
//                        start (they wait for a message from it): the job is aborted, saying why,
//                        instead of MPI freeing a collective it may still write to.
#include <array>
#include <climits>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "throw") {
            if (world.rank() == 1 % world.size()) throw std::runtime_error("bad input file");
            world.barrier();  // the others wait here for rank 1, which never comes
            world.recv<int>(baton::any_source, 0);
        } else if (mode == "truncate") {
            if (world.rank() == 0 && world.size() > 1) world.send(std::vector<int>{1, 2, 3, 4, 5}, 1, 0);
            if (world.rank() == 1) {
                std::array<int, 3> small{};
                world.recv(small, 0, 0);  // not caught: the rank fails with the message
            }
            world.barrier();
        } else if (mode == "huge") {
            std::vector<char> some(16);
            // A view claiming more than INT_MAX elements: refused before MPI reads any of it.
            const std::span<const char> huge(some.data(), static_cast<std::size_t>(INT_MAX) + 2);
            try {
                world.send(huge, 0, 0);
            } catch (const baton::usage_error& e) {
                std::printf("rank %d refused: %s\n", world.rank(), e.what());
            }
        } else if (mode == "user-op") {
            // Which ranks apply the operation is MPI's choice; with two ranks, at least one does.
            const auto refuse = [](const int&, const int&) -> int { throw std::domain_error("user op refused"); };
            try {
                world.allreduce(world.rank(), refuse);
                std::printf("rank %d: no exception\n", world.rank());
            } catch (const std::domain_error& e) {
                std::printf("rank %d caught: %s\n", world.rank(), e.what());
            }
            // Non-blocking, MPI applies it in whichever call makes progress: the wait throws it.
            int ignored = 0;
            baton::request pending = world.iallreduce(world.rank(), ignored, refuse);
            try {
                pending.wait();
                std::printf("rank %d: no exception in the wait\n", world.rank());
            } catch (const std::domain_error& e) {
                std::printf("rank %d caught in the wait: %s\n", world.rank(), e.what());
            }
            std::fflush(stdout);
            std::printf("rank %d after: %d\n", world.rank(), world.allreduce(1, baton::op::sum));
        } else if (mode == "icoll-caught") {
            int value = world.rank() == 0 ? 42 : 0;
            try {
                baton::request pending = world.ibcast(value, 0);
                if (world.rank() == 1) throw std::runtime_error("gave up");  // receives into `value`
                pending.wait();
            } catch (const std::runtime_error& e) {
                std::printf("rank %d caught: %s\n", world.rank(), e.what());
            }
            std::printf("rank %d after: %d %d\n", world.rank(), value, world.allreduce(value, baton::op::min));
        } else if (mode == "icoll-stranded") {
            if (world.rank() == 0) {
                baton::request pending = world.ibarrier();
                throw std::runtime_error("gave up");
            }
            world.recv<int>(0, 0);  // never sent
        } else {
            throw std::invalid_argument("usage: failures throw|truncate|huge|user-op|icoll-caught|icoll-stranded");
        }
    });
}
