// What can be sent: custom types through cereal serialization, empty payloads and large ones, on
// point-to-point operations and collectives.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "common.hpp"

using baton::communicator;
using baton::status;

namespace {

// A user type that is not trivially copyable: it travels serialized, through its serialize member.
struct particle {
    std::string name;
    std::vector<double> position;
    int charge = 0;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(name, position, charge);
    }
    friend bool operator==(const particle&, const particle&) = default;
};

particle particle_of(int rank, int index = 0) {
    return {"p" + std::to_string(rank) + "." + std::to_string(index),
            std::vector<double>(static_cast<std::size_t>(rank % 4), rank + index * 0.5), rank - index};
}

// A map whose size depends on the rank (empty on rank 0), and nested vectors of uneven lengths.
std::map<std::string, int> map_of(int rank) {
    std::map<std::string, int> m;
    for (int i = 0; i < rank % 5; ++i) m["key" + std::to_string(i)] = rank * 10 + i;
    return m;
}

std::vector<std::vector<int>> nested_of(int rank) {
    std::vector<std::vector<int>> rows(static_cast<std::size_t>(rank % 3 + 1));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].assign(i + static_cast<std::size_t>(rank % 2), rank);
    return rows;
}

}  // namespace

TEST_CASE("serialized types travel through send, recv and sendrecv", "[datatypes][serialized]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::map<std::string, int> map;
        std::vector<std::vector<int>> nested;
        particle one;
        status one_st;
        std::vector<particle> many;
        std::map<std::string, int> exchanged;
        BATON_TEST_RESULT_FIELDS(map, nested, one, one_st, many, exchanged)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        outcome out;
        // Non-blocking sends around the ring, so that synchronous sends cannot wait on each other.
        std::vector<baton::request> sends;
        sends.push_back(world.isend(map_of(me), next, 1));
        sends.push_back(world.isend(nested_of(me), next, 2));
        const particle mine = particle_of(me);
        sends.push_back(world.isend(mine, next, 3));
        out.map = {{"stale", -1}};  // replaced, not merged
        world.recv(out.map, previous, 1);
        out.nested = world.recv<std::vector<std::vector<int>>>(previous, 2);
        out.one_st = world.recv(out.one, previous, 3);
        baton::wait_all(sends);

        // A blocking send, then its receive, between ranks 0 and the last (the same rank on one).
        if (me == 0 && n > 1) world.send(std::vector<particle>{particle_of(1, 1), particle_of(2, 2)}, n - 1, 4);
        if (me == n - 1 && n > 1) out.many = world.recv<std::vector<particle>>(0, 4);

        world.sendrecv(map_of(me + 1), next, 5, out.exchanged, previous, 5);
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const int previous = (r + n - 1) % n;
        const auto& out = result.values[r];
        CHECK(out.map == map_of(previous));
        CHECK(out.nested == nested_of(previous));
        CHECK(out.one == particle_of(previous));
        CHECK(out.one_st.source == previous);
        CHECK(out.one_st.tag == 3);
        CHECK(out.one_st.bytes > 0);  // bytes of the serialized form
        if (n > 1 && r == n - 1) CHECK(out.many == std::vector<particle>{particle_of(1, 1), particle_of(2, 2)});
        CHECK(out.exchanged == map_of(previous + 1));
    }
}

TEST_CASE("serialized types travel through isend and irecv", "[datatypes][serialized]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::map<std::string, int> map;
        std::vector<std::vector<int>> nested;
        particle one;
        std::vector<std::size_t> completion_order;
        BATON_TEST_RESULT_FIELDS(map, nested, one, completion_order)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        outcome out;
        std::vector<baton::request> receives;
        receives.push_back(world.irecv(out.map, previous, 1));
        receives.push_back(world.irecv(out.nested, previous, 2));
        receives.push_back(world.irecv(out.one, previous, 3));
        // Temporaries: the requests own what they send.
        std::vector<baton::request> sends;
        sends.push_back(world.isend(map_of(me), next, 1));
        sends.push_back(world.isend(nested_of(me), next, 2));
        sends.push_back(world.isend(particle_of(me), next, 3));
        // The values are deserialized when each receive completes, whichever way it completes.
        while (!receives[1].test()) {
        }
        while (const auto done = baton::wait_any(receives)) out.completion_order.push_back(done->index);
        baton::wait_all(sends);
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const int previous = (r + opts.ranks - 1) % opts.ranks;
        const auto& out = result.values[r];
        CHECK(out.map == map_of(previous));
        CHECK(out.nested == nested_of(previous));
        CHECK(out.one == particle_of(previous));
        CHECK(std::multiset<std::size_t>(out.completion_order.begin(), out.completion_order.end()) ==
              std::multiset<std::size_t>{0, 2});
    }
}

TEST_CASE("probe reports a serialized message's size in bytes", "[datatypes][serialized]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        baton::request send = world.isend(particle_of(me, 3), (me + 1) % n, 8);
        const status probed = world.probe((me + n - 1) % n, 8);
        particle got;
        const status received = world.recv(got, probed.source, probed.tag);
        send.wait();
        return std::tuple{probed.bytes, received.bytes, got};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const int previous = (r + opts.ranks - 1) % opts.ranks;
        const auto& [probed, received, got] = result.values[r];
        CHECK(got == particle_of(previous, 3));
        CHECK(probed == received);
        // A string (length + characters), a vector (length + doubles) and an int.
        CHECK(probed == 8 + got.name.size() + 8 + 8 * got.position.size() + 4);
    }
}

TEST_CASE("serialized types through bcast, gather, allgather and scatter", "[datatypes][serialized]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<std::map<std::string, int>> bcast_maps;  // by root
        std::vector<particle> bcast_particles;               // by root
        std::vector<std::vector<std::map<std::string, int>>> gathered;  // by root
        std::vector<std::vector<std::vector<int>>> bcast_nested;           // by root
        std::vector<particle> gathered_particles;                          // at rank n / 2
        std::vector<std::vector<std::vector<int>>> gathered_nested;        // at rank n / 2
        std::vector<particle> all_particles;
        std::vector<std::vector<std::vector<int>>> all_nested;
        std::vector<particle> scattered;
        std::vector<std::string> scattered_strings;
        std::vector<std::vector<int>> scattered_nested;
        BATON_TEST_RESULT_FIELDS(bcast_maps, bcast_particles, gathered, bcast_nested, gathered_particles, gathered_nested,
                                 all_particles, all_nested, scattered, scattered_strings, scattered_nested)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        outcome out;
        for (int root = 0; root < n; ++root) {
            auto map = me == root ? map_of(root + 1) : std::map<std::string, int>{{"stale", 1}, {"key0", -5}};
            world.bcast(map, root);
            out.bcast_maps.push_back(map);
            particle p = me == root ? particle_of(root, 7) : particle{};
            world.bcast(p, root);
            out.bcast_particles.push_back(p);
            out.gathered.push_back(world.gather(map_of(me), root));
            auto nested = me == root ? nested_of(root + 2) : std::vector<std::vector<int>>{{9, 9}};
            world.bcast(nested, root);
            out.bcast_nested.push_back(nested);
        }
        out.gathered_particles = world.gather(particle_of(me, 1), n / 2);
        out.gathered_nested = world.gather(nested_of(me), n / 2);
        out.all_particles = world.allgather(particle_of(me));
        out.all_nested = world.allgather(nested_of(me));

        const int root = n - 1;
        std::vector<particle> particles;
        std::vector<std::string> strings;
        std::vector<std::vector<int>> rows;
        if (me == root) {
            for (int r = 0; r < n; ++r) {
                particles.push_back(particle_of(r, 0));
                particles.push_back(particle_of(r, 1));
                strings.push_back(std::string(static_cast<std::size_t>(r), 's'));
                rows.push_back(std::vector<int>(static_cast<std::size_t>(r), r));
            }
        }
        out.scattered = world.scatter(particles, root);
        out.scattered_strings = world.scatter(strings, root);
        out.scattered_nested = world.scatter(rows, root);
        return out;
    });

    const int n = opts.ranks;
    std::vector<particle> all_particles;
    std::vector<std::vector<std::vector<int>>> all_nested;
    std::vector<std::map<std::string, int>> all_maps;
    for (int s = 0; s < n; ++s) {
        all_particles.push_back(particle_of(s));
        all_nested.push_back(nested_of(s));
        all_maps.push_back(map_of(s));
    }
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[r];
        for (int root = 0; root < n; ++root) {
            const auto i = static_cast<std::size_t>(root);
            CHECK(out.bcast_maps[i] == map_of(root + 1));
            CHECK(out.bcast_particles[i] == particle_of(root, 7));
            if (r == root) CHECK(out.gathered[i] == all_maps);
            else CHECK(out.gathered[i].empty());
            CHECK(out.bcast_nested[i] == nested_of(root + 2));
        }
        if (r == n / 2) {
            std::vector<particle> expected;
            for (int s = 0; s < n; ++s) expected.push_back(particle_of(s, 1));
            CHECK(out.gathered_particles == expected);
            CHECK(out.gathered_nested == all_nested);
        } else {
            CHECK(out.gathered_particles.empty());
            CHECK(out.gathered_nested.empty());
        }
        CHECK(out.all_particles == all_particles);
        CHECK(out.all_nested == all_nested);
        CHECK(out.scattered == std::vector<particle>{particle_of(r, 0), particle_of(r, 1)});
        CHECK(out.scattered_strings == std::vector<std::string>{std::string(static_cast<std::size_t>(r), 's')});
        CHECK(out.scattered_nested == std::vector<std::vector<int>>{std::vector<int>(static_cast<std::size_t>(r), r)});
    }
}

TEST_CASE("a serialized message of another type is a type mismatch", "[datatypes][serialized]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);
    const int receiver = opts.ranks - 1;
    const auto failure = ops::rank_failure(opts, [=](communicator& world) {
        baton::request send;
        if (world.rank() == 0) send = world.isend(map_of(3), receiver, 0);
        if (world.rank() == receiver) world.recv<std::map<std::string, long>>(0, 0);
        send.wait();
    });
    REQUIRE(failure);
    CHECK(failure->rank() == receiver);
    CHECK(failure->original_is<baton::type_mismatch_error>());
    CHECK_THAT(ops::original_message(*failure), ops::mentions_rank(receiver) && ops::mentions_word("recv"));
}

TEST_CASE("empty payloads go through every operation", "[datatypes][empty]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> vector{-1};
        std::string text = "stale";
        status vector_st{.bytes = 99}, text_st{.bytes = 99}, span_st{.bytes = 99}, irecv_st{.bytes = 99};
        std::vector<double> irecv_values{1.0};
        std::map<std::string, int> map{{"stale", 1}};
        std::vector<std::vector<int>> nested{{1}};
        std::vector<int> bcast{1, 2, 3};
        std::vector<int> scattered{1}, gathered{1}, all_gathered{1}, all_to_all{1};
        std::vector<double> reduced{1.0}, scanned{1.0};
        baton::ragged<int> ragged_gathered;
        std::vector<int> ragged_scattered{1};
        BATON_TEST_RESULT_FIELDS(vector, text, vector_st, text_st, span_st, irecv_st, irecv_values, map, nested, bcast,
                                 scattered, gathered, all_gathered, all_to_all, reduced, scanned, ragged_gathered,
                                 ragged_scattered)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const int next = (me + 1) % n, previous = (me + n - 1) % n;
        outcome out;
        std::vector<baton::request> sends;
        sends.push_back(world.isend(std::vector<int>{}, next, 1));
        sends.push_back(world.isend(std::string{}, next, 2));
        sends.push_back(world.isend(std::vector<float>{}, next, 3));
        sends.push_back(world.isend(std::vector<double>{}, next, 4));
        sends.push_back(world.isend(std::map<std::string, int>{}, next, 5));
        sends.push_back(world.isend(std::vector<std::vector<int>>{}, next, 6));
        out.vector_st = world.recv(out.vector, previous, 1);
        out.text_st = world.recv(out.text, previous, 2);
        std::span<float> nothing;
        out.span_st = world.recv(nothing, previous, 3);
        out.irecv_st = world.irecv(out.irecv_values, previous, 4).wait();
        world.recv(out.map, previous, 5);
        world.recv(out.nested, previous, 6);
        baton::wait_all(sends);

        std::vector<int> empty;
        if (me != 0) out.bcast.assign(5, 9);  // every receiver's vector is emptied too
        if (me == 0) out.bcast.clear();
        world.bcast(out.bcast, 0);
        out.scattered = world.scatter(empty, 0);
        out.gathered = world.gather(empty, 0);
        out.all_gathered = world.allgather(empty);
        out.all_to_all = world.alltoall(empty);
        out.reduced = world.allreduce(std::vector<double>{}, baton::op::sum);
        out.scanned = world.scan(std::vector<double>{}, baton::op::max);
        out.ragged_gathered = world.allgatherv(empty);
        baton::ragged<int> parts;
        if (me == 0) parts = baton::ragged<int>({}, std::vector<std::size_t>(static_cast<std::size_t>(n), 0));
        out.ragged_scattered = world.scatterv(parts, 0);
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const auto& out = result.values[r];
        CHECK(out.vector.empty());
        CHECK(out.vector_st.bytes == 0);
        CHECK(out.text.empty());
        CHECK(out.text_st.bytes == 0);
        CHECK(out.span_st.bytes == 0);
        CHECK(out.irecv_values.empty());
        CHECK(out.irecv_st.bytes == 0);
        CHECK(out.map.empty());
        CHECK(out.nested.empty());
        CHECK(out.bcast.empty());
        CHECK(out.scattered.empty());
        CHECK(out.gathered.empty());
        CHECK(out.all_gathered.empty());
        CHECK(out.all_to_all.empty());
        CHECK(out.reduced.empty());
        CHECK(out.scanned.empty());
        CHECK(out.ragged_gathered.blocks() == static_cast<std::size_t>(opts.ranks));
        CHECK(out.ragged_gathered.data().empty());
        CHECK(out.ragged_scattered.empty());
    }
}

TEST_CASE("large payloads (8 MiB and more) through send/recv, bcast and gather", "[datatypes][large]") {
    // A few ranks and configurations only: every run moves tens of megabytes.
    const auto opts = GENERATE(from_range(
        std::vector<baton::sim::options>{{.ranks = 1, .seed = 3, .sends = baton::sim::send_mode::synchronous},
                                         {.ranks = 2, .seed = 5},
                                         {.ranks = 2, .seed = 6, .sends = baton::sim::send_mode::synchronous},
                                         {.ranks = 3, .schedule = baton::sim::schedule::round_robin},
                                         {.ranks = 3, .seed = 9, .sends = baton::sim::send_mode::synchronous}}));
    OPS_DESCRIBE(opts);
    static constexpr std::size_t size = (std::size_t{8} << 20) + 3;  // 8 MiB and an odd tail

    // Each rank's bytes, made once for the whole test: the ranks only read them.
    static const auto patterns = [] {
        std::vector<std::vector<std::uint8_t>> all;
        for (int rank = 0; rank < 3; ++rank) {
            auto& bytes = all.emplace_back(size);
            for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 31 + i / 4099 + rank);
        }
        return all;
    }();
    auto pattern = [](int rank) -> const std::vector<std::uint8_t>& {
        return patterns.at(static_cast<std::size_t>(rank));
    };
    struct outcome {
        bool received_ok = true, bcast_ok = true, gather_ok = true;
        status st;
        std::size_t gathered_size = 0;
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        const int n = world.size(), me = world.rank();
        const auto& mine = pattern(me);
        outcome out;

        baton::request send;  // rank 0 to the last rank (itself, on one rank)
        if (me == 0) send = world.isend(mine, n - 1, 0);
        if (me == n - 1) {
            std::vector<std::uint8_t> got;
            out.st = world.recv(got, 0, 0);
            out.received_ok = got == pattern(0);
        }
        send.wait();

        std::vector<std::uint8_t> broadcast = me == n - 1 ? mine : std::vector<std::uint8_t>{};
        world.bcast(broadcast, n - 1);
        out.bcast_ok = broadcast == pattern(n - 1);

        const auto gathered = world.gather(mine, 0);
        out.gathered_size = gathered.size();
        if (me == 0)
            for (int s = 0; s < n; ++s) {
                const auto& expected = pattern(s);
                out.gather_ok = out.gather_ok && std::equal(expected.begin(), expected.end(),
                                                            gathered.begin() + static_cast<std::ptrdiff_t>(size) * s);
            }
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const auto& out = result.values[r];
        CHECK(out.received_ok);
        CHECK(out.bcast_ok);
        CHECK(out.gather_ok);
        CHECK(out.gathered_size == (r == 0 ? size * static_cast<std::size_t>(opts.ranks) : 0));
    }
    CHECK(result.values[static_cast<std::size_t>(opts.ranks - 1)].st.count<std::uint8_t>() == size);
}

namespace {

// Aggregates looked into for addresses (detail/addresses.hpp), at any depth.
struct plain_point { double x, y, z, mass; };
struct with_pointer { double* data; int n; };
struct with_reference { int n; const double& first; };
struct with_rvalue_reference { int&& r; };
struct with_member_pointer { int plain_point::*member; };
struct with_function_pointer { void (*callback)(); };
struct inner_pointer_last { int n; int* p; };
struct outer_of_pointer { inner_pointer_last inner; };  // the address is a member's last member
struct outer_plain { plain_point p; int k; const int c; };
struct base_with_pointer { int* p; };
struct derived_from_pointer : base_with_pointer { int k; };
struct arrays { double values[1000]; int grid[2][3]; };
struct array_of_pointers { int n; double* each[3]; };
struct with_span { std::span<double> values; };
struct with_std_arrays { std::array<double, 1000> values; std::array<std::array<int, 2>, 2> grid; };
struct with_std_array_of_pointers { int n; std::array<int*, 2> each; };
struct with_optional_pointer { std::optional<int*> maybe; };
struct bit_fields { int a : 3; int b : 5; };
struct opaque {  // private members: not looked into, but declared below
    opaque() = default;
private:
    double* data_ = nullptr;
};

// A pointer member with a serialize function that saves what matters: the type travels serialized.
struct cursor {
    const double* at = nullptr;
    int index = 0;
    template <class Archive>
    void serialize(Archive& archive) { archive(index); }
};

}  // namespace

template <>
struct baton::holds_addresses<opaque> : std::true_type {};

TEST_CASE("types whose bytes hold an address are found, at any depth", "[datatypes][addresses]") {
    using baton::holds_addresses;
    STATIC_REQUIRE(!holds_addresses<plain_point>::value);
    STATIC_REQUIRE(!holds_addresses<outer_plain>::value);
    STATIC_REQUIRE(!holds_addresses<arrays>::value);
    STATIC_REQUIRE(!holds_addresses<bit_fields>::value);
    STATIC_REQUIRE(!holds_addresses<baton::value_index<double>>::value);
    STATIC_REQUIRE(!holds_addresses<std::array<double, 3>>::value);
    STATIC_REQUIRE(!holds_addresses<with_std_arrays>::value);
    STATIC_REQUIRE(holds_addresses<int*>::value);
    STATIC_REQUIRE(holds_addresses<with_pointer>::value);
    STATIC_REQUIRE(holds_addresses<with_reference>::value);
    STATIC_REQUIRE(holds_addresses<with_rvalue_reference>::value);
    STATIC_REQUIRE(holds_addresses<with_member_pointer>::value);
    STATIC_REQUIRE(holds_addresses<with_function_pointer>::value);
    STATIC_REQUIRE(holds_addresses<outer_of_pointer>::value);
    STATIC_REQUIRE(holds_addresses<derived_from_pointer>::value);
    STATIC_REQUIRE(holds_addresses<array_of_pointers>::value);
    STATIC_REQUIRE(holds_addresses<with_span>::value);
    STATIC_REQUIRE(holds_addresses<with_optional_pointer>::value);
    STATIC_REQUIRE(holds_addresses<std::array<int*, 2>>::value);
    STATIC_REQUIRE(holds_addresses<with_std_array_of_pointers>::value);
    STATIC_REQUIRE(holds_addresses<opaque>::value);  // declared by the program
    // What each is sent as: plain structs as bytes, one with an address and a serialize function
    // serialized; the others are refused where sent (tests/refused/addresses.cpp).
    STATIC_REQUIRE(baton::type_of<plain_point>().kind == baton::element_kind::bytes);
    STATIC_REQUIRE(baton::serializable_sendable<cursor>);
}

TEST_CASE("a struct with a pointer and a serialize function travels serialized", "[datatypes][addresses]") {
    const auto opts = GENERATE(from_range(ops::configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        int index = -1;
        bool kept_own_address = false;
        BATON_TEST_RESULT_FIELDS(index, kept_own_address)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const std::vector<double> values(8, 1.0);
        baton::request sending = world.isend(cursor{values.data() + me % 8, me}, (me + 1) % n, 0);
        cursor got{&values.back(), -1};
        world.recv(got, (me + n - 1) % n, 0);
        sending.wait();
        // Only what serialize saves travels: the receiver's `at` is its own, not the sender's.
        return outcome{got.index, got.at == &values.back()};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        CHECK(result.values[r].index == (r + opts.ranks - 1) % opts.ranks);
        CHECK(result.values[r].kept_own_address);
    }
}
