// (j) A large message sent with isend + wait against send (issue #14: an isend's buffer is
// checksummed when it is posted and again when it completes, to catch a change in between). Rank
// 0 sends --bytes (default 64 MiB) to rank 1, --iters times (default 10) after one untimed
// message, with `send` or with `isend` and `wait` (--mode); rank 1 receives each with `recv`.
// Rank 0 prints "BENCH per_op_us <microseconds per message>". --ranks 2 on the simulator.
#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <baton/baton.hpp>

#include "baton_bench.hpp"

int main(int argc, char** argv) {
    bool isend = false;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string_view(argv[i]) == "--mode") isend = std::string_view(argv[i + 1]) == "isend";
    return baton::run(argc, argv, [&](baton::communicator& world) {
        const long iters = bench::arg_long(argc, argv, "--iters", 10);
        const auto bytes = static_cast<std::size_t>(bench::arg_long(argc, argv, "--bytes", 64L << 20));
        std::vector<unsigned char> data(bytes, static_cast<unsigned char>(world.rank() + 1));
        auto one = [&] {
            if (world.rank() == 1) {
                world.recv(data, 0, 0);
                if (data.size() != bytes || data.front() != 1) throw std::runtime_error("baton_isend: wrong message");
            } else if (isend) {
                baton::request r = world.isend(data, 1, 0);
                r.wait();
            } else {
                world.send(data, 1, 0);
            }
        };
        one();  // untimed
        world.barrier();
        const double start = bench::wall_seconds();
        for (long i = 0; i < iters; ++i) one();
        world.barrier();
        const double total = bench::wall_seconds() - start;
        if (world.rank() == 0) bench::report("per_op_us", total / static_cast<double>(iters > 0 ? iters : 1) * 1e6);
    });
}
