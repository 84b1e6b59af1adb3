// Issue #12: a rank that reads its irecv's buffer before the wait, from the command line. The
// value it prints is the poison the buffer holds until then, so `--explore N --deterministic` sees
// the output change with the poison and says why; `--strict-buffers` catches the read itself.
//
//   early_read [baton options]            rank 0 prints the value it read early
#include <cstdio>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        constexpr std::size_t elements = 8192;  // 32 KiB: whole pages for --strict-buffers
        std::vector<int> data(elements, 0);
        if (world.rank() == 1) {
            world.send(std::vector<int>(elements, 7), 0, 0);
            world.barrier();
            return;
        }
        baton::request r = world.irecv(data, 1, 0);
        world.barrier();
        const int early = data[elements / 2];  // the bug: before the wait
        r.wait();
        std::printf("read early: %d, after the wait: %d\n", early, data[elements / 2]);
    });
}
