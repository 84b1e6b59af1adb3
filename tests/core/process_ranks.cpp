// Ranks as processes (sim::rank_context::process): each rank's memory is its own, what it returns
// or throws comes back as on threads, and a rank whose process dies is reported while the run
// ends cleanly, with no process left behind.
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <cstdio>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include <baton/baton.hpp>

#include "../../backends/common/sanitizers.hpp"
#include "../../backends/sim/payload_area.hpp"
#include "../../backends/sim/process_wire.hpp"

using baton::communicator;

namespace {

int counter = 0;  // a global: one per process rank, one for all thread ranks

baton::sim::options on(baton::sim::rank_context context, int ranks = 4) {
    baton::sim::options opts;
    opts.ranks = ranks;
    opts.context = context;
    return opts;
}

// Whether this process has any child left, running or a zombie.
bool has_children() {
    errno = 0;
    return !(::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD);
}

// Whether process `pid` has ended (it is a zombie, or reaped already).
bool is_gone(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto end_of_name = line.rfind(')');
    return end_of_name != std::string::npos && line.size() > end_of_name + 2 && line[end_of_name + 2] == 'Z';
}

struct my_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

TEST_CASE("each process rank has globals of its own; thread ranks share them", "[process]") {
    auto count = [](communicator& world) {
        ++counter;
        world.barrier();
        return counter;
    };
    counter = 0;
    const auto processes = baton::sim::run(on(baton::sim::rank_context::process), count);
    CHECK(processes.values == std::vector<int>{1, 1, 1, 1});
    CHECK(counter == 0);  // the ranks' increments stayed in their processes
    const auto threads = baton::sim::run(on(baton::sim::rank_context::thread), count);
    CHECK(threads.values == std::vector<int>{4, 4, 4, 4});
    CHECK_FALSE(has_children());
}

TEST_CASE("what process ranks return comes back", "[process]") {
    const auto opts = on(baton::sim::rank_context::process, 3);
    CHECK(baton::sim::run(opts, [](communicator& world) { return world.allreduce(world.rank(), baton::op::sum); })
              .values == std::vector<int>{3, 3, 3});
    const auto texts = baton::sim::run(opts, [](communicator& world) { return std::string(world.rank() + 1, 'x'); });
    CHECK(texts.values == std::vector<std::string>{"x", "xx", "xxx"});
    const auto maps = baton::sim::run(opts, [](communicator& world) {
        std::map<std::string, int> map;
        if (world.rank() == 1) map["one"] = 1;
        world.bcast(map, 1);
        return map;
    });
    CHECK(maps.values == std::vector<std::map<std::string, int>>(3, {{"one", 1}}));
    const auto pairs = baton::sim::run(opts, [](communicator& world) {
        return std::pair<std::array<int, 2>, baton::status>{{world.rank(), 7}, {}};
    });
    CHECK(pairs.values[2].first == std::array<int, 2>{2, 7});
    CHECK_FALSE(has_children());
}

TEST_CASE("reductions on process ranks give the same bits as on threads", "[process]") {
    // A user operation lives in the ranks' processes and is applied there; a builtin one on
    // numbers is applied by the engine itself. Neither commutative nor associative here, so the
    // order of the fold shows.
    auto reduce = [](communicator& world) {
        const int mine = world.rank() + 1;
        const int folded = world.allreduce(mine, [](int a, int b) { return a * 10 + b; });
        const double sum = world.allreduce(1.0 / (world.rank() + 3), baton::op::sum);
        const auto scanned = world.scan(static_cast<std::int64_t>(mine) << 40, baton::op::max);
        return std::tuple<int, double, std::int64_t>{folded, sum, scanned};
    };
    const auto processes = baton::sim::run(on(baton::sim::rank_context::process, 5), reduce);
    const auto threads = baton::sim::run(on(baton::sim::rank_context::thread, 5), reduce);
    CHECK(processes.values == threads.values);
    CHECK(std::get<0>(processes.values[0]) == 105);  // 1 op (2 op (3 op (4 op 5))), as MPI folds in rank order
    CHECK_FALSE(has_children());
}

TEST_CASE("an exception from a process rank keeps its type and message", "[process]") {
    const auto opts = on(baton::sim::rank_context::process);
    try {
        baton::sim::run(opts, [](communicator& world) {
            world.barrier();
            if (world.rank() == 1) throw std::invalid_argument("bad input on rank 1");
        });
        FAIL("the run should have failed");
    } catch (const baton::rank_failed& e) {
        CHECK(e.rank() == 1);
        CHECK(e.original_is<std::invalid_argument>());
        CHECK_THAT(e.what(), Catch::Contains("bad input on rank 1"));
    }
    try {
        baton::sim::run(opts, [](communicator& world) {
            if (world.rank() == 2) throw my_error("mine");
            world.barrier();
        });
        FAIL("the run should have failed");
    } catch (const baton::rank_failed& e) {
        CHECK(e.rank() == 2);
        REQUIRE(e.findings().size() == 1);
        CHECK(e.findings()[0].calls.at(0).call == "threw (anonymous namespace)::my_error");
    }
    // An error the simulator raises in a rank's call reaches the rank's code, which may catch it.
    const auto caught = baton::sim::run(on(baton::sim::rank_context::process, 2), [](communicator& world) {
        if (world.rank() == 0) {
            world.send(std::vector<int>{1, 2, 3}, 1);
            return 0;
        }
        std::array<int, 1> small{};
        try {
            world.recv(small, 0, 0);
        } catch (const baton::truncation_error&) {
            return 1;
        }
        return 2;
    });
    CHECK(caught.values == std::vector<int>{0, 1});
    CHECK_FALSE(has_children());
}

TEST_CASE("a process rank that dies is reported, and no process is left", "[process]") {
    const std::string how = GENERATE("null", "abort", "double free", "exit", "killed", "killed while blocked", "garbage");
    CAPTURE(how);
#ifdef BATON_TSAN
    if (how == "double free") return;  // ThreadSanitizer's allocator lets it pass
#endif
    // Killed while blocked, many times: the others' calls that follow may come within the
    // millisecond in which a call does not look for ended processes (process_ranks::ended_early),
    // and the deadlock they are then in must still be reported as rank 3's failure (it was not, in
    // about one run in ten, before the engine looked whenever ranks are stuck).
    const int runs = how == "killed while blocked" ? 40 : 1;
    for (int run = 0; run < runs; ++run) {
        try {
            baton::sim::run(on(baton::sim::rank_context::process), [&](communicator& world) {
                int victim_pid = world.rank() == 3 ? static_cast<int>(::getpid()) : 0;
                world.bcast(victim_pid, 3);
                if (how == "killed while blocked") {
                    // Rank 3 waits for a message; rank 0 kills its process meanwhile.
                    if (world.rank() == 3) (void)world.recv<int>(0, 0);
                    if (world.rank() == 0) {
                        ::kill(victim_pid, SIGKILL);
                        // Until it is gone (a zombie): rank 3 is dead before this rank's next
                        // call. A wait on a state, not on time.
                        while (!is_gone(victim_pid)) {
                        }
                    }
                    world.barrier();
                    return;
                }
                if (world.rank() == 3) {
                    if (how == "null") *static_cast<volatile int*>(nullptr) = 1;
                    if (how == "abort") std::abort();
                    if (how == "double free") {
                        auto* volatile p = static_cast<int*>(std::malloc(64));
                        std::free(p);
                        std::free(p);
                    }
                    if (how == "exit") std::exit(3);
                    if (how == "killed") ::kill(::getpid(), SIGKILL);
                    if (how == "garbage") {
                        // Nonsense down every socket this process has: its link to the engine among them.
                        const unsigned char nonsense[] = {9, 0, 0, 0, 200, 1, 2, 3, 4, 5, 6, 7, 8};
                        for (int fd = 3; fd < 1024; ++fd) {
                            struct stat info {};
                            if (::fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode)) (void)::write(fd, nonsense, sizeof nonsense);
                        }
                    }
                }
                world.barrier();
            });
            FAIL("the run should have failed");
        } catch (const baton::rank_failed& e) {
            CHECK(e.rank() == 3);
            const std::string what = e.what();
            if (how == "null") CHECK_THAT(what, Catch::Contains("rank 3 failed: died of SIGSEGV"));
            if (how == "abort") CHECK_THAT(what, Catch::Contains("rank 3 failed: died of SIGABRT"));
#ifdef BATON_ASAN
            // AddressSanitizer reports it, and ends the process with its exit code, or aborts (as
            // meson test asks with ASAN_OPTIONS=abort_on_error=1).
            if (how == "double free")
                CHECK_THAT(what, Catch::Contains("rank 3 failed: exited with status 1 before") ||
                                     Catch::Contains("rank 3 failed: died of SIGABRT"));
#else
            if (how == "double free") CHECK_THAT(what, Catch::Contains("rank 3 failed: died of SIGABRT"));  // glibc's check
#endif
            if (how == "exit") CHECK_THAT(what, Catch::Contains("rank 3 failed: exited with status 3 before its rank function returned"));
            if (how.starts_with("killed")) CHECK_THAT(what, Catch::Contains("rank 3 failed: died of SIGKILL"));
            if (how == "garbage") CHECK_THAT(what, Catch::Contains("rank 3 failed: sent the engine a malformed request"));
            REQUIRE(e.findings().size() == 1);
            CHECK_THAT(e.findings()[0].calls.at(0).location, Catch::Contains("process_ranks.cpp"));
        }
    }
    CHECK_FALSE(has_children());
}

// The first run in a fresh process starts the watchdog's thread (the rank timeout, Ctrl-C's
// report) just before it forks the ranks. A fork while that thread was still starting could leave
// the allocator locked in a rank's process, which then hung in its first malloc for ever: under
// AddressSanitizer, whose allocator (clang 16) is not locked across a fork, about one fresh
// process in 300. Many fresh processes (forked children of this test), each one run.
TEST_CASE("the first run of a fresh process on process ranks starts every rank", "[process]") {
#ifdef BATON_TSAN
    // ThreadSanitizer refuses new threads in a child forked from a process that has threads (the
    // watchdog's, from this program's earlier cases); the hang this guards against was ASan's.
    return;
#endif
    constexpr int fresh_processes = 300;
    int hung = 0, failed = 0;
    for (int i = 0; i < fresh_processes; ++i) {
        std::fflush(nullptr);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto opts = on(baton::sim::rank_context::process, 2);
            // A hang is named by the watchdog and ends this child with status 1; far longer than
            // two ranks need to start on a loaded machine under a sanitizer.
            opts.rank_timeout_seconds = 60;
            int status = 2;
            try {
                const auto sums = baton::sim::run(opts, [](communicator& world) {
                    // Blocks of every small size, more than an allocator keeps at hand per size:
                    // a rank's process takes from each size's shared pool at least once.
                    std::vector<std::unique_ptr<char[]>> blocks;
                    for (std::size_t size = 16; size <= 512; size += 16)
                        for (int k = 0; k < 256; ++k) blocks.push_back(std::make_unique<char[]>(size));
                    return world.allreduce(world.rank() + 1, baton::op::sum);
                });
                status = sums.values == std::vector<int>{3, 3} ? 0 : 3;
            } catch (...) {
            }
            std::fflush(nullptr);
            ::_exit(status);
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        if (WIFEXITED(status) && WEXITSTATUS(status) == 1) ++hung;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    CHECK(hung == 0);
    CHECK(failed == 0);
    CHECK_FALSE(has_children());
}

namespace {

// The shared mappings of this process (r?-s in /proc/self/maps): on a process rank, its half of
// what ranks write in the payload area (rw-s) and all that the engine writes (r--s).
std::vector<std::span<const std::byte>> shared_mappings() {
    std::vector<std::span<const std::byte>> found;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        std::uintptr_t begin = 0, end = 0;
        char permissions[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &begin, &end, permissions) == 3 && permissions[3] == 's' &&
            permissions[0] == 'r')
            found.emplace_back(reinterpret_cast<const std::byte*>(begin), end - begin);
    }
    return found;
}

// The copies of all of `values` that start on a cache line in this process's shared mappings: how
// many there are, where the first is, and whether this process may write there. Only the pages in
// memory are read (mincore): the rest was never written, and reading it would only fault in zeros.
struct shared_copy {
    int copies = 0;
    std::uintptr_t address = 0;
    bool writable = false;
    friend bool operator==(const shared_copy&, const shared_copy&) = default;
};
bool writable_here(std::uintptr_t address) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        std::uintptr_t begin = 0, end = 0;
        char permissions[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &begin, &end, permissions) == 3 && begin <= address &&
            address < end)
            return permissions[1] == 'w';
    }
    return false;
}
template <class T>
shared_copy find_shared_copies(std::span<const T> values) {
    const auto wanted = std::as_bytes(values);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    shared_copy found;
    for (const auto mapping : shared_mappings()) {
        std::vector<unsigned char> resident((mapping.size() + page - 1) / page);
        if (::mincore(const_cast<std::byte*>(mapping.data()), mapping.size(), resident.data()) != 0) continue;
        for (std::size_t p = 0; p < resident.size(); ++p)
            for (std::size_t at = p * page; (resident[p] & 1) && at < (p + 1) * page; at += 64)
                if (at + wanted.size() <= mapping.size() &&
                    std::memcmp(mapping.data() + at, wanted.data(), std::min<std::size_t>(64, wanted.size())) == 0 &&
                    std::memcmp(mapping.data() + at, wanted.data(), wanted.size()) == 0 && found.copies++ == 0)
                    found.address = reinterpret_cast<std::uintptr_t>(mapping.data() + at);
    }
    if (found.copies > 0) found.writable = writable_here(found.address);
    return found;
}

// Whether `values` begin somewhere in this process's shared mappings (where a shared payload's
// block starts: on a cache line).
bool lies_in_shared_memory(std::span<const std::uint32_t> values) {
    return find_shared_copies(values.first(64)).copies > 0;
}

// 400 KB, above the threshold of shared payloads, different for each sender and each call.
std::vector<std::uint32_t> large_payload(int sender, std::uint32_t call) {
    std::vector<std::uint32_t> values(100'000);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<std::uint32_t>(i) * 2654435761u ^ (static_cast<std::uint32_t>(sender) << 24) ^ call;
    return values;
}

}  // namespace

TEST_CASE("large payloads on process ranks go through shared memory and arrive whole", "[process]") {
    static_assert(sizeof(std::uint32_t) * 100'000 > baton::sim::detail::shared_payload_threshold);
    // Every path that carries a payload: send and recv, isend and irecv (two pending at once,
    // completed in the other order), a bcast, a gather, and a vector that grows to what arrives.
    auto exchange = [](communicator& world) {
        const int me = world.rank(), next = (me + 1) % world.size(), previous = (me + world.size() - 1) % world.size();
        std::uint64_t wrong = 0;
        auto count_wrong = [&wrong](const std::vector<std::uint32_t>& got, const std::vector<std::uint32_t>& expected) {
            wrong += got == expected ? 0 : 1;
        };
        if (me % 2 == 0) {
            world.send(large_payload(me, 1), next, 1);
            count_wrong(world.recv<std::vector<std::uint32_t>>(previous, 1), large_payload(previous, 1));
        } else {
            count_wrong(world.recv<std::vector<std::uint32_t>>(previous, 1), large_payload(previous, 1));
            world.send(large_payload(me, 1), next, 1);
        }
        std::vector<std::uint32_t> first(100'000), second(100'000);
        const auto out1 = large_payload(me, 2), out2 = large_payload(me, 3);
        std::span<std::uint32_t> into_first(first), into_second(second);
        auto r1 = world.irecv(into_first, previous, 2);
        auto r2 = world.irecv(into_second, previous, 3);
        auto s1 = world.isend(std::span(out1), next, 2);
        auto s2 = world.isend(std::span(out2), next, 3);
        r2.wait();
        s2.wait();
        r1.wait();
        s1.wait();
        count_wrong(first, large_payload(previous, 2));
        count_wrong(second, large_payload(previous, 3));
        auto broadcast = me == 1 ? large_payload(1, 4) : std::vector<std::uint32_t>(100'000);
        world.bcast(broadcast, 1);
        count_wrong(broadcast, large_payload(1, 4));
        const bool seen_shared = world.rank() == 1 || lies_in_shared_memory(broadcast);
        const auto all = world.gather(large_payload(me, 5), 0);
        if (me == 0) {
            std::vector<std::uint32_t> expected;
            for (int r = 0; r < world.size(); ++r) {
                const auto part = large_payload(r, 5);
                expected.insert(expected.end(), part.begin(), part.end());
            }
            count_wrong(all, expected);
        }
        return std::pair<std::uint64_t, bool>{wrong, seen_shared};
    };
    const auto processes = baton::sim::run(on(baton::sim::rank_context::process), exchange);
    CHECK(processes.values == std::vector<std::pair<std::uint64_t, bool>>(4, {0, true}));
    CHECK(baton::sim::run(on(baton::sim::rank_context::thread), exchange).values.at(0).first == 0);
    CHECK_FALSE(has_children());
}

TEST_CASE("the receivers of a bcast, an allgather or an allreduce on process ranks read one copy", "[process]") {
    // Issue 13: the engine writes what every receiver gets once, in the shared payload area, and
    // each receiver's process copies it from there: one copy in all that the ranks' processes can
    // see (which is all the engine writes for any rank), at the same address on every rank,
    // read-only to them. What a receiver then writes into its own buffer stays in its process.
    constexpr std::size_t n = 1 << 18;  // 1 MiB of uint32 (an allgather's block: 256 KiB)
    struct seen {
        std::uint64_t wrong = 0;
        shared_copy bcast, ibcast, allgather, allreduce;
    };
    auto collectives = [](communicator& world) {
        const int me = world.rank(), ranks = world.size(), root = 2;
        seen s;
        auto expect = [&s](bool right) { s.wrong += right ? 0 : 1; };
        auto data = me == root ? large_payload(root, 10) : std::vector<std::uint32_t>(n);
        if (me == root) data.resize(n, 7);
        auto expected = large_payload(root, 10);
        expected.resize(n, 7);
        world.bcast(data, root);
        expect(data == expected);
        if (me != root) s.bcast = find_shared_copies(std::span<const std::uint32_t>(data));
        // A receiver's own buffer is its own: what it writes there reaches nobody, the copy it
        // read included.
        std::fill(data.begin(), data.end(), static_cast<std::uint32_t>(me));
        world.barrier();
        expect(std::all_of(data.begin(), data.end(),
                           [me](std::uint32_t v) { return v == static_cast<std::uint32_t>(me); }));
        if (me != root) expect(find_shared_copies(std::span<const std::uint32_t>(expected)).address == s.bcast.address);

        auto sent = large_payload(0, 12);
        sent.resize(n, 9);
        std::vector<std::uint32_t> later(n);
        if (me == 0) later = sent;
        auto pending = world.ibcast(later, 0);
        pending.wait();
        expect(later == sent);
        if (me != 0) s.ibcast = find_shared_copies(std::span<const std::uint32_t>(later));

        auto mine = large_payload(me, 11);
        mine.resize(n / 4);
        const auto all = world.allgather(mine);
        std::vector<std::uint32_t> concatenation;
        for (int r = 0; r < ranks; ++r) {
            auto part = large_payload(r, 11);
            concatenation.insert(concatenation.end(), part.begin(), part.begin() + n / 4);
        }
        expect(all == concatenation);
        s.allgather = find_shared_copies(std::span<const std::uint32_t>(all));

        std::vector<double> terms(n / 2);
        for (std::size_t i = 0; i < terms.size(); ++i) terms[i] = static_cast<double>(i % 1000) * (me + 1);
        const auto sums = world.allreduce(terms, baton::op::sum);
        bool sums_right = sums.size() == terms.size();
        for (std::size_t i = 0; sums_right && i < sums.size(); ++i)
            sums_right = sums[i] == static_cast<double>(i % 1000) * ranks * (ranks + 1) / 2;
        expect(sums_right);
        s.allreduce = find_shared_copies(std::span<const double>(sums));
        return s;
    };
    const auto processes = baton::sim::run(on(baton::sim::rank_context::process, 6), collectives);
    const auto& first = processes.values.at(0);
    for (int r = 0; r < 6; ++r) {
        const auto& [wrong, bcast, ibcast, allgather, allreduce] = processes.values.at(static_cast<std::size_t>(r));
        INFO("rank " << r);
        CHECK(wrong == 0);
        const shared_copy& ibcast_receiver = processes.values.at(1).ibcast;  // rank 0 is its root
        for (const auto& [copy, theirs] : {std::pair{bcast, first.bcast}, std::pair{ibcast, ibcast_receiver},
                                           std::pair{allgather, first.allgather},
                                           std::pair{allreduce, first.allreduce}}) {
            if (copy == shared_copy{}) continue;  // a root: it gets nothing
            CHECK(copy.copies == 1);  // not one for each receiver
            CHECK(copy == theirs);    // the same for every receiver
            CHECK_FALSE(copy.writable);
        }
        if (r != 2) CHECK(bcast.copies == 1);
        if (r != 0) CHECK(ibcast.copies == 1);
        CHECK(allgather.copies == 1);
        CHECK(allreduce.copies == 1);
    }
    CHECK(baton::sim::run(on(baton::sim::rank_context::thread, 6), collectives).values.at(0).wrong == 0);
    CHECK_FALSE(has_children());
}

TEST_CASE("the engine takes from a rank's shared payload area only what lies in it", "[process]") {
    using namespace baton::sim::detail;
    std::vector<std::byte> half(256 * 1024);
    payload_space room(half);
    // Blocks come and go in any order; freed neighbours join again, so the whole half fits.
    const auto a = room.take(100 * 1024), b = room.take(100 * 1024);
    CHECK(a == 0);
    CHECK(b != SIZE_MAX);
    CHECK(room.take(100 * 1024) == SIZE_MAX);  // no room: that payload goes inline
    room.give_back(a);
    room.give_back(b);
    CHECK(room.take(256 * 1024) == 0);
    room.give_back(0);
    // A block another rank's receiver shares stays taken until both gave it back.
    const auto c = room.take(100 * 1024);
    {
        const payload_block held = room.share(half.data() + c + 64, 1000);
        CHECK(held.data() == half.data() + c);
        CHECK_FALSE(room.share(half.data() + c + 64, 100 * 1024).data());  // beyond the block
        CHECK_FALSE(room.share(half.data() + 200 * 1024, 10).data());      // in no block
        room.give_back(c);
        CHECK(room.take(256 * 1024) == SIZE_MAX);
    }
    CHECK(room.take(256 * 1024) == 0);
    // A frame naming a payload beyond the rank's half is malformed: the rank's failure, never a
    // read outside the area.
    for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{200 * 1024}, ~std::uint64_t{0}}) {
        std::vector<std::byte> frame;
        wire::writer out(frame, wire::verb::send);
        out.put<std::uint8_t>(1).put<std::uint64_t>(offset);
        wire::reader in(std::span<const std::byte>(frame).subspan(4));
        in.with_shared(half);
        (void)in.get_verb();
        if (offset == 0)
            CHECK(in.get_payload(100 * 1024).data() == half.data());
        else
            CHECK_THROWS_AS(in.get_payload(100 * 1024), wire::malformed_frame);
    }
}

namespace {

int cores_of_this_thread() {
    cpu_set_t cores;
    CPU_ZERO(&cores);
    REQUIRE(::sched_getaffinity(0, sizeof cores, &cores) == 0);
    return CPU_COUNT(&cores);
}

}  // namespace

TEST_CASE("process ranks and thread ranks beyond the cores run on one core unless bind_to is none",
          "[process]") {
    const int usable = cores_of_this_thread();
    if (usable < 2) {
        WARN("this test needs 2 usable cores to see a binding (the process may use " << usable << ")");
        return;
    }
    auto cores = [](communicator& world) {
        world.barrier();
        return cores_of_this_thread();
    };
    auto run = [&](baton::sim::rank_context context, int ranks, baton::sim::binding binding) {
        auto opts = on(context, ranks);
        opts.bind_to = binding;
        const auto seen = baton::sim::run(opts, cores).values;
        CHECK(cores_of_this_thread() == usable);  // the caller has its cores back
        return seen;
    };
    using baton::sim::binding;
    using baton::sim::rank_context;
    const std::vector<int> bound(static_cast<std::size_t>(usable + 1), 1);
    const std::vector<int> free(static_cast<std::size_t>(usable + 1), usable);
    CHECK(run(rank_context::process, usable + 1, binding::core) == bound);
    CHECK(run(rank_context::process, usable + 1, binding::none) == free);
    CHECK(run(rank_context::thread, usable + 1, binding::core) == bound);
    CHECK(run(rank_context::thread, usable + 1, binding::none) == free);
    // Thread ranks with a core each spin on their own cores instead; fibers run on the caller's thread.
    CHECK(run(rank_context::thread, 2, binding::core) == std::vector<int>(2, usable));
    CHECK(run(rank_context::fiber, usable + 1, binding::core) == free);
    CHECK_FALSE(has_children());
}
