// Load balancing: a master hands out tasks of uneven cost to whichever worker is free.
//
// Phase 1 (dynamic): rank 0 keeps a list of 20 tasks; task i counts the primes below a limit that
// varies from 1000 to 10000, so some tasks cost ten times more than others. The master gives one
// task to each worker, then waits for a result from any worker and gives the next task to the
// worker that answered, until every task is done; then it tells the workers to stop. Which worker
// does which task depends on the schedule (try other --seed values); the total does not.
//
// Phase 2 (static): when the costs are known in advance, split the work once. 23 numbers do not
// divide evenly among the ranks, so scatterv gives each rank a block of its own size and gatherv
// brings back blocks of different sizes (a baton::ragged: one block per rank).
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <vector>

#include <baton/baton.hpp>

namespace {

constexpr int task_tag = 1;    // master -> worker: a task number
constexpr int result_tag = 2;  // worker -> master: a result
constexpr int stop_tag = 3;    // master -> worker: no more tasks

// Task i counts the primes below limit(i): 1000, 8000, 5000, 2000, ... (each of 1000..10000 twice).
int limit(int task) { return 1000 * (1 + task * 7 % 10); }

int count_primes_below(int n) {
    const auto size = static_cast<std::size_t>(n);
    std::vector<bool> composite(size, false);
    int count = 0;
    for (std::size_t i = 2; i < size; ++i) {
        if (composite[i]) continue;
        ++count;
        for (std::size_t j = i * i; j < size; j += i) composite[j] = true;
    }
    return count;
}

// A result, as one trivially copyable message.
struct result {
    int task;
    int primes;
};

void master(baton::communicator& world, int tasks) {
    const int workers = world.size() - 1;
    int next = 0;         // the next task to hand out
    int outstanding = 0;  // tasks handed out whose result has not come back
    std::vector<int> done_by(static_cast<std::size_t>(world.size()), 0);  // tasks done, by worker
    std::int64_t total = 0;

    // One task to every worker to start with.
    for (int worker = 1; worker <= workers && next < tasks; ++worker, ++outstanding)
        world.send(next++, worker, task_tag);

    while (outstanding > 0) {
        // Whoever finishes first: the status says who it was.
        result r{};
        const baton::status from = world.recv(r, baton::any_source, result_tag);
        --outstanding;
        ++done_by[static_cast<std::size_t>(from.source)];
        total += r.primes;

        // That worker is free: give it the next task, if any is left.
        if (next < tasks) {
            world.send(next++, from.source, task_tag);
            ++outstanding;
        }
    }

    // A stop message carries no data that matters; its tag says it all.
    for (int worker = 1; worker <= workers; ++worker) world.send(0, worker, stop_tag);

    int counted = 0;
    for (int worker = 1; worker <= workers; ++worker) {
        const int done = done_by[static_cast<std::size_t>(worker)];
        std::cout << "worker " << worker << " did " << done << " tasks\n";
        counted += done;
    }
    std::cout << "all " << counted << " of " << tasks << " tasks done; primes counted in total: " << total
              << '\n';
}

void worker(baton::communicator& world) {
    while (true) {
        int task = 0;
        const baton::status got = world.recv(task, 0, baton::any_tag);  // a task or the stop
        if (got.tag == stop_tag) return;
        world.send(result{task, count_primes_below(limit(task))}, 0, result_tag);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        if (world.size() < 2)
            throw std::runtime_error("workers needs at least 2 ranks: a master and a worker");

        // ---- Phase 1: dynamic load balancing ---------------------------------------------------
        if (world.rank() == 0) master(world, 20);
        else worker(world);

        // ---- Phase 2: a static, uneven split -------------------------------------------------
        constexpr int root = 0;
        baton::ragged<int> blocks;  // the root's numbers, one block per rank
        if (world.rank() == root) {
            constexpr std::size_t count = 23;
            const auto ranks = static_cast<std::size_t>(world.size());
            std::vector<std::vector<int>> parts(ranks);
            int number = 1;
            for (std::size_t r = 0; r < ranks; ++r) {
                // count / ranks numbers each, and one more for the first count % ranks ranks.
                const std::size_t share = count / ranks + (r < count % ranks ? 1 : 0);
                while (parts[r].size() < share) parts[r].push_back(number++);
            }
            blocks = baton::ragged<int>::from_blocks(parts);
        }

        std::vector<int> mine = world.scatterv(blocks, root);
        for (int& x : mine) x *= x;
        baton::tagged(world) << "squared " << mine.size() << " numbers";

        const baton::ragged<int> squares = world.gatherv(mine, root);
        if (world.rank() == root) {
            std::int64_t sum = 0;
            for (std::size_t r = 0; r < squares.blocks(); ++r) {
                std::cout << "rank " << r << " sent back " << squares.count(r) << " squares:";
                for (const int s : squares[r]) {
                    std::cout << ' ' << s;
                    sum += s;
                }
                std::cout << '\n';
            }
            std::cout << "sum of the squares of 1..23: " << sum << '\n';
        }
    });
}
