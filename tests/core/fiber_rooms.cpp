// Issue 17: each fiber rank's room (contexts.hpp: rank_rooms), where the engine keeps the rank's
// slot and recent calls at the top of the rank's own stack, is the rank's alone: its frames start
// below it, and nothing a rank does on its stack, nor what another rank does, changes it. Built
// with fiber_contexts.cpp alone, without the engine.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "catch2_compat.hpp"

#include "contexts.hpp"

using baton::sim::detail::make_fiber_contexts;
using baton::sim::detail::rank_contexts;

namespace {

constexpr std::size_t stack_bytes = 64 * 1024;
constexpr int ranks = 4;

// Fills `n` bytes of the rank's stack below the caller's frame, so that a room it overlapped
// would be overwritten.
[[gnu::noinline]] std::uintptr_t use_stack(std::size_t n) {
    std::vector<char> marks(1);  // keeps the frame's address from being folded away
    auto* deep = static_cast<volatile char*>(__builtin_alloca(n));
    for (std::size_t i = 0; i < n; ++i) deep[i] = static_cast<char>(0xff);
    marks[0] = deep[n / 2];
    return reinterpret_cast<std::uintptr_t>(deep);
}

}  // namespace

TEST_CASE("a fiber rank's room is at the top of its own stack, above every frame of the rank", "[fiber]") {
    std::unique_ptr<rank_contexts> contexts;
    rank_contexts* self = nullptr;
    std::vector<std::uintptr_t> deepest(ranks), first_frame(ranks);
    contexts = make_fiber_contexts(
        ranks, stack_bytes,
        [&](int rank) {
            int local = rank;
            first_frame[static_cast<std::size_t>(rank)] = reinterpret_cast<std::uintptr_t>(&local);
            deepest[static_cast<std::size_t>(rank)] = use_stack(16 * 1024);
            if (rank + 1 < ranks) self->transfer(rank, rank + 1);  // every rank suspended at once
            self->leave(rank, rank == 0 ? -1 : rank - 1);
        },
        200);
    self = contexts.get();
    const auto rooms = contexts->rooms();
    REQUIRE(rooms.base != nullptr);
    CHECK(rooms.bytes == 256);  // whole cache lines
    CHECK(rooms.stride >= stack_bytes);
    for (int r = 0; r < ranks; ++r) {
        CHECK(reinterpret_cast<std::uintptr_t>(rooms.of(r)) % 64 == 0);
        std::memset(rooms.of(r), 0x40 + r, rooms.bytes);
    }
    for (int r = 0; r < ranks; ++r) contexts->create(r);
    contexts->run(0);
    for (int r = 0; r < ranks; ++r) {
        const auto room = reinterpret_cast<std::uintptr_t>(rooms.of(r));
        const auto at = static_cast<std::size_t>(r);
        CHECK(first_frame[at] < room);
        CHECK(deepest[at] < room);
        CHECK(deepest[at] > room - stack_bytes);  // the rank's own stack, not another's
        std::vector<unsigned char> expected(rooms.bytes, static_cast<unsigned char>(0x40 + r));
        CHECK(std::memcmp(rooms.of(r), expected.data(), rooms.bytes) == 0);
    }
}

TEST_CASE("fiber contexts asked for no room have none", "[fiber]") {
    const auto contexts = make_fiber_contexts(2, stack_bytes, [](int) {});
    CHECK(contexts->rooms().base == nullptr);
}
