// A rank that calls exit() or aborts, with stdout a pipe (as check_output.py runs it):
//   rank_exit print-then-exit   every rank prints (through stdio and std::cout), then rank 2 calls
//                               exit(0): the printed lines must still arrive
//   rank_exit nested-exit       rank 2 runs a simulation of its own, then calls exit(0)
//   rank_exit nested-abort      the same, then std::abort()
//   rank_exit nested-threads-exit  rank 2's own simulation on thread ranks (whatever the outer
//                               run's are), then exit(0)
// After a nested run, exit() and abort() must still be reported as rank 2's.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    return baton::run(argc, argv, [&](baton::communicator& world) {
        if (mode == "print-then-exit") {
            // Plain '\n', no flush: into a pipe, both stay in the buffers until someone flushes.
            std::printf("rank %d printed this with printf\n", world.rank());
            std::cout << "rank " << world.rank() << " printed this with std::cout\n";
        }
        world.barrier();
        if (world.rank() != 2) {
            world.barrier();
            return;
        }
        if (mode != "print-then-exit") {
            // The nested run's ranks run like the outer ones (BATON_CONTEXT decides for both).
            baton::sim::options inner_options{.ranks = 2};
            if (mode == "nested-threads-exit") inner_options.context = baton::sim::rank_context::thread;
            const auto inner = baton::sim::run(inner_options, [](baton::communicator& nested) {
                return nested.allreduce(nested.rank() + 1, baton::op::sum);
            });
            std::printf("nested run: %d %d\n", inner.values[0], inner.values[1]);
        }
        if (mode == "nested-abort") std::abort();
        std::exit(0);
    });
}
