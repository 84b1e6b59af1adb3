// --break-at STEP (options::break_at_step): SIGTRAP is raised once, in the rank that runs at
// that step of the run, so a debugger stops inside the right rank. Checked against the event log:
// the rank whose send or collective carries step STEP is the one the signal finds running.
// (Receives are logged when they complete, which the sending rank may do.)
// On process ranks the rank's own process raises it (the program's handler is inherited across
// the fork), so the handler tells the test through a pipe, which every context shares.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "catch2_compat.hpp"

#include <baton/baton.hpp>

namespace {

// Each trap writes one byte to this pipe (write is async-signal-safe): the rank it found running,
// plus `elsewhere` when it was raised in a process other than the test's.
int trap_pipe[2] = {-1, -1};
pid_t test_process = ::getpid();
constexpr int elsewhere = 0x40;

void on_trap(int) {
    const char trap = static_cast<char>(baton::sim::running_rank() | (::getpid() != test_process ? elsewhere : 0));
    (void)!::write(trap_pipe[1], &trap, 1);
}

// What the traps since the last call wrote.
std::vector<int> traps() {
    std::vector<int> seen;
    char trap = 0;
    while (::read(trap_pipe[0], &trap, 1) == 1) seen.push_back(trap);
    return seen;
}

// Process ranks stop in their own process.
bool on_process_ranks() {
    const char* context = std::getenv("BATON_CONTEXT");
    return context && std::string_view(context) == "process";
}

// A ring with some collectives: every rank runs at many different steps.
void ring(baton::communicator& world) {
    const int right = (world.rank() + 1) % world.size();
    const int left = (world.rank() + world.size() - 1) % world.size();
    for (int round = 0; round < 3; ++round) {
        auto sent = world.isend(world.rank() * 10 + round, right, round);
        const int got = world.recv<int>(left, round);
        sent.wait();
        world.allreduce(got, baton::op::sum);
    }
}

}  // namespace

TEST_CASE("--break-at raises SIGTRAP once, in the rank that runs at that step (in its own process on process ranks)") {
    const baton::sim::options recorded{.ranks = 4, .seed = 3, .record = true};
    const auto events = baton::sim::run(recorded, ring).events;
    REQUIRE(events.size() > 20);
    REQUIRE(::pipe2(trap_pipe, O_NONBLOCK) == 0);
    auto previous = std::signal(SIGTRAP, on_trap);
    // Several steps, so that each rank is the one stopped at least once.
    std::vector<bool> stopped(4, false);
    for (const auto& e : events) {
        if (e.operation != "isend" && e.operation != "allreduce") continue;
        baton::sim::options opts = recorded;
        opts.break_at_step = e.step;
        const auto again = baton::sim::run(opts, ring).events;
        REQUIRE(again == events);  // stopping changes nothing in the run
        INFO("step " << e.step << ", event of rank " << e.rank);
        REQUIRE(traps() == std::vector<int>{e.rank | (on_process_ranks() ? elsewhere : 0)});
        stopped[static_cast<std::size_t>(e.rank)] = true;
    }
    std::signal(SIGTRAP, previous);
    ::close(trap_pipe[0]);
    ::close(trap_pipe[1]);
    REQUIRE(stopped == std::vector<bool>(4, true));
    REQUIRE(baton::sim::running_rank() == -1);  // outside a run
}

// What `info threads`, top -H and ps show: "rank N" for a thread rank's thread and a process
// rank's process (its main thread), read back from the kernel inside the rank. Fibers share the
// run's thread, which keeps its own name.
TEST_CASE("thread and process ranks are named after their rank") {
    auto own_name = [](baton::communicator& world) {
        world.barrier();
        char name[16] = {};
        ::pthread_getname_np(::pthread_self(), name, sizeof name);
        return std::string(name);
    };
    const std::vector<std::string> named{"rank 0", "rank 1", "rank 2"};
    for (const auto context : {baton::sim::rank_context::thread, baton::sim::rank_context::process}) {
        const baton::sim::options opts{.ranks = 3, .context = context};
        CHECK(baton::sim::run(opts, own_name).values == named);
    }
    char test_thread[16] = {};
    ::pthread_getname_np(::pthread_self(), test_thread, sizeof test_thread);
    const baton::sim::options fibers{.ranks = 3, .context = baton::sim::rank_context::fiber};
    CHECK(baton::sim::run(fibers, own_name).values == std::vector<std::string>(3, test_thread));
}

// --debug-rank N (options::debug_rank): rank N stops for a debugger before its own code starts, in
// every context (in its own process on process ranks). The test's SIGTRAP handler stands for the
// debugger: it says which rank it found running, whether that rank's code had started (a
// global its code sets first: on process ranks, the rank's process's own copy), and where.
namespace {

bool rank_code_started = false;
constexpr int started = 0x20;

void on_trap_before_start(int) {
    const char trap = static_cast<char>(baton::sim::running_rank() | (rank_code_started ? started : 0) |
                                        (::getpid() != test_process ? elsewhere : 0));
    (void)!::write(trap_pipe[1], &trap, 1);
}

}  // namespace

TEST_CASE("debug_rank (--debug-rank) stops that rank before its code starts, once") {
    REQUIRE(::pipe2(trap_pipe, O_NONBLOCK) == 0);
    auto previous = std::signal(SIGTRAP, on_trap_before_start);
    for (const auto context :
         {baton::sim::rank_context::thread, baton::sim::rank_context::fiber, baton::sim::rank_context::process}) {
        rank_code_started = false;
        const baton::sim::options opts{.ranks = 3, .debug_rank = 2, .context = context};
        const auto result = baton::sim::run(opts, [](baton::communicator& world) {
            if (world.rank() == 2) rank_code_started = true;
            return world.allreduce(world.rank(), baton::op::sum);
        });
        CHECK(result.values == std::vector<int>{3, 3, 3});  // stopping changes nothing in the run
        const int where = context == baton::sim::rank_context::process ? elsewhere : 0;
        CHECK(traps() == std::vector<int>{2 | where});
    }
    std::signal(SIGTRAP, previous);
    ::close(trap_pipe[0]);
    ::close(trap_pipe[1]);
}
