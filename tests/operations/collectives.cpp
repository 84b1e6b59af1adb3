// Collectives that move data on the simulator: barrier, bcast, scatter, gather, allgather,
// alltoall and the variable-size gatherv, allgatherv and scatterv. (Reductions: reductions.cpp.)
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

using baton::communicator;

namespace {

// Block r of a ragged collective holds (r * 5) % 4 elements: 0, 1, 2, 3, 0, ... (empty blocks too).
std::size_t ragged_count(int rank) { return static_cast<std::size_t>((rank * 5) % 4); }

std::vector<int> ragged_block(int rank) {
    std::vector<int> block(ragged_count(rank));
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = rank * 10 + static_cast<int>(i);
    return block;
}

}  // namespace

TEST_CASE("no rank leaves a barrier before every rank has reached it", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    constexpr int rounds = 5;

    // The ranks count arrivals in memory they all share, also when each is a process.
    auto arrived = baton_test::shared_by_ranks<std::array<std::atomic<int>, rounds>>();
    const auto result = baton::sim::run(opts, [arrived](communicator& world) {
        std::vector<int> seen;
        for (int round = 0; round < rounds; ++round) {
            ++(*arrived)[round];
            world.barrier();
            seen.push_back((*arrived)[round].load());
        }
        return seen;
    });

    for (int r = 0; r < opts.ranks; ++r) CHECK(result.values[r] == std::vector<int>(rounds, opts.ranks));
}

TEST_CASE("bcast copies the root's value to every rank, from every root", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<int> scalars;
        std::vector<std::vector<double>> vectors;
        std::vector<std::string> strings;
        std::vector<std::array<int, 3>> arrays;
        std::vector<std::vector<int>> spans;
        BATON_TEST_RESULT_FIELDS(scalars, vectors, strings, arrays, spans)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        const int me = world.rank();
        for (int root = 0; root < world.size(); ++root) {
            int scalar = me == root ? 1000 + root : -1;
            world.bcast(scalar, root);
            out.scalars.push_back(scalar);

            // Receivers start with the wrong size, larger or smaller: the vector is resized.
            std::vector<double> vector(static_cast<std::size_t>(me % 3) * 4, -1.0);
            if (me == root) vector.assign(static_cast<std::size_t>(root + 1), root + 0.5);
            world.bcast(vector, root);
            out.vectors.push_back(vector);

            std::string text = me == root ? "root " + std::to_string(root) : "something else entirely";
            world.bcast(text, root);
            out.strings.push_back(text);

            std::array<int, 3> array{-1, -1, -1};
            if (me == root) array = {root, root * 2, root * 3};
            world.bcast(array, root);
            out.arrays.push_back(array);

            // A span is fixed: every rank's has the root's size.
            std::vector<int> storage(4, -1);
            if (me == root) std::iota(storage.begin(), storage.end(), root * 4);
            world.bcast(std::span<int>(storage), root);
            out.spans.push_back(storage);
        }
        return out;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        const auto& out = result.values[r];
        for (int root = 0; root < opts.ranks; ++root) {
            const auto i = static_cast<std::size_t>(root);
            CHECK(out.scalars[i] == 1000 + root);
            CHECK(out.vectors[i] == std::vector<double>(i + 1, root + 0.5));
            CHECK(out.strings[i] == "root " + std::to_string(root));
            CHECK(out.arrays[i] == std::array<int, 3>{root, root * 2, root * 3});
            CHECK(out.spans[i] == std::vector<int>{root * 4, root * 4 + 1, root * 4 + 2, root * 4 + 3});
        }
    }
}

TEST_CASE("scatter gives rank r block r of the root's data", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    constexpr int block = 3;

    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<std::vector<long>> got;
        for (int root = 0; root < world.size(); ++root) {
            std::vector<long> all;  // read only at the root
            if (world.rank() == root) {
                all.resize(static_cast<std::size_t>(world.size() * block));
                std::iota(all.begin(), all.end(), 1000L * root);
            }
            got.push_back(world.scatter(all, root));
        }
        // From a span over the root's data, one element per rank, with the last rank as root.
        std::vector<char> letters(static_cast<std::size_t>(world.size()));
        std::iota(letters.begin(), letters.end(), 'a');
        const auto mine = world.scatter(std::span<const char>(letters), world.size() - 1);
        got.push_back(std::vector<long>(mine.begin(), mine.end()));
        return got;
    });

    for (int r = 0; r < opts.ranks; ++r) {
        for (int root = 0; root < opts.ranks; ++root) {
            const long first = 1000L * root + r * block;
            CHECK(result.values[r][static_cast<std::size_t>(root)] == std::vector<long>{first, first + 1, first + 2});
        }
        CHECK(result.values[r].back() == std::vector<long>{'a' + r});
    }
}

TEST_CASE("gather collects every rank's value in rank order at the root only", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<std::vector<int>> scalars;    // by root
        std::vector<std::vector<short>> vectors;  // by root
        BATON_TEST_RESULT_FIELDS(scalars, vectors)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        const int me = world.rank();
        for (int root = 0; root < world.size(); ++root) {
            out.scalars.push_back(world.gather(me * me + root, root));
            const std::vector<short> pair{static_cast<short>(me), static_cast<short>(-me)};
            out.vectors.push_back(world.gather(pair, root));
        }
        return out;
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        for (int root = 0; root < n; ++root) {
            const auto& scalars = result.values[r].scalars[static_cast<std::size_t>(root)];
            const auto& vectors = result.values[r].vectors[static_cast<std::size_t>(root)];
            if (r != root) {
                CHECK(scalars.empty());
                CHECK(vectors.empty());
                continue;
            }
            std::vector<int> expected_scalars;
            std::vector<short> expected_vectors;
            for (int s = 0; s < n; ++s) {
                expected_scalars.push_back(s * s + root);
                expected_vectors.push_back(static_cast<short>(s));
                expected_vectors.push_back(static_cast<short>(-s));
            }
            CHECK(scalars == expected_scalars);
            CHECK(vectors == expected_vectors);
        }
    }
}

TEST_CASE("allgather gives every rank every rank's value in rank order", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<double> scalars;
        std::vector<int> arrays;
        std::string text;
        BATON_TEST_RESULT_FIELDS(scalars, arrays, text)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank();
        outcome out;
        out.scalars = world.allgather(me / 2.0);
        out.arrays = world.allgather(std::array<int, 2>{me, me * 10});
        const std::vector<char> letters = world.allgather(static_cast<char>('A' + me));
        out.text.assign(letters.begin(), letters.end());
        return out;
    });

    const int n = opts.ranks;
    std::vector<double> scalars;
    std::vector<int> arrays;
    std::string text;
    for (int s = 0; s < n; ++s) {
        scalars.push_back(s / 2.0);
        arrays.push_back(s);
        arrays.push_back(s * 10);
        text += static_cast<char>('A' + s);
    }
    for (int r = 0; r < n; ++r) {
        CHECK(result.values[r].scalars == scalars);
        CHECK(result.values[r].arrays == arrays);
        CHECK(result.values[r].text == text);
    }
}

// A point-to-point send takes a char array as its text (point_to_point.cpp); a collective takes it
// whole, so that every rank gives the same count, as MPI wants: host names of different lengths.
TEST_CASE("allgather takes a char array whole, whatever text it holds", "[collectives][text]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        char host[8] = {};
        const std::string name(static_cast<std::size_t>(world.rank() % 5 + 1), static_cast<char>('a' + world.rank() % 26));
        name.copy(host, name.size());
        return world.allgather(host);
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        const std::vector<char>& all = result.values[r];
        REQUIRE(all.size() == 8u * static_cast<std::size_t>(n));
        for (int s = 0; s < n; ++s)
            CHECK(std::string(all.data() + 8 * s) ==
                  std::string(static_cast<std::size_t>(s % 5 + 1), static_cast<char>('a' + s % 26)));
    }
}

TEST_CASE("alltoall sends block d to rank d and returns the blocks in senders' order", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        std::vector<int> all;
        for (int dest = 0; dest < n; ++dest) {
            all.push_back(100 * me + dest);
            all.push_back(-(100 * me + dest));
        }
        return world.alltoall(all);
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        std::vector<int> expected;
        for (int sender = 0; sender < n; ++sender) {
            expected.push_back(100 * sender + r);
            expected.push_back(-(100 * sender + r));
        }
        CHECK(result.values[r] == expected);
    }
}

TEST_CASE("gather, allgather and alltoall in place leave each block at its place in the caller's buffer",
          "[collectives][in_place]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);
    struct got {
        std::vector<std::vector<int>> gathered;  // by root: the root's buffer, or the block it gave
        std::vector<int> all, exchanged;
        BATON_TEST_RESULT_FIELDS(gathered, all, exchanged)
    };
    // Rank r's block: {r, -r}; a slot not filled yet holds 99.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int n = world.size(), me = world.rank();
        const auto size = static_cast<std::size_t>(2 * n), at = static_cast<std::size_t>(2 * me);
        got out;
        for (int root = 0; root < n; ++root) {
            std::vector<int> data{me, -me};
            if (me == root) {
                data.assign(size, 99);
                data[at] = me;
                data[at + 1] = -me;
            }
            world.gather_in_place(data, root);
            out.gathered.push_back(data);
        }
        out.all.assign(size, 99);
        out.all[at] = me;
        out.all[at + 1] = -me;
        world.allgather_in_place(std::span<int>(out.all));  // a span of the caller's memory
        for (int dest = 0; dest < n; ++dest) {  // block d for rank d
            out.exchanged.push_back(100 * me + dest);
            out.exchanged.push_back(-(100 * me + dest));
        }
        world.alltoall_in_place(out.exchanged);
        return out;
    });
    const int n = opts.ranks;
    std::vector<int> every;
    for (int r = 0; r < n; ++r) every.insert(every.end(), {r, -r});
    for (int r = 0; r < n; ++r) {
        INFO("rank " << r);
        const auto& out = result.values[static_cast<std::size_t>(r)];
        for (int root = 0; root < n; ++root)
            CHECK(out.gathered[static_cast<std::size_t>(root)] == (r == root ? every : std::vector<int>{r, -r}));
        CHECK(out.all == every);
        std::vector<int> expected;
        for (int sender = 0; sender < n; ++sender) expected.insert(expected.end(), {100 * sender + r, -(100 * sender + r)});
        CHECK(out.exchanged == expected);
    }
}

TEST_CASE("an allgather in place on some ranks only is a collective mismatch", "[collectives][in_place][checks]") {
    try {
        baton::sim::run({.ranks = 2}, [](communicator& world) {
            std::vector<int> all{world.rank(), world.rank()};
            if (world.rank() == 0) world.allgather_in_place(all);
            else (void)world.allgather(world.rank());
        });
        FAIL("no mismatch reported");
    } catch (const baton::collective_mismatch& e) {
        CHECK_THAT(e.what(), baton_test::contains("in place on some ranks only"));
        CHECK_THAT(e.what(), baton_test::contains("allgather(in place, 1 x int)"));
    }
}

TEST_CASE("gatherv and allgatherv collect blocks of unequal sizes as a ragged", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    struct outcome {
        std::vector<baton::ragged<int>> gathered;  // by root
        baton::ragged<int> everyone;
        baton::ragged<double> scalars;
        BATON_TEST_RESULT_FIELDS(gathered, everyone, scalars)
    };
    const auto result = baton::sim::run(opts, [](communicator& world) {
        outcome out;
        const std::vector<int> mine = ragged_block(world.rank());
        for (int root = 0; root < world.size(); ++root) out.gathered.push_back(world.gatherv(mine, root));
        out.everyone = world.allgatherv(mine);
        out.scalars = world.allgatherv(world.rank() * 1.5);
        return out;
    });

    const int n = opts.ranks;
    std::vector<std::vector<int>> blocks;
    for (int s = 0; s < n; ++s) blocks.push_back(ragged_block(s));
    const auto expected = baton::ragged<int>::from_blocks(blocks);
    for (int r = 0; r < n; ++r) {
        const auto& out = result.values[r];
        for (int root = 0; root < n; ++root) {
            const auto& got = out.gathered[static_cast<std::size_t>(root)];
            if (r == root) {
                CHECK(got == expected);
            } else {
                CHECK(got.blocks() == 0);
                CHECK(got.data().empty());
            }
        }
        CHECK(out.everyone == expected);
        REQUIRE(out.everyone.blocks() == static_cast<std::size_t>(n));
        for (int s = 0; s < n; ++s) {
            const auto block = out.everyone[static_cast<std::size_t>(s)];
            CHECK(out.everyone.count(static_cast<std::size_t>(s)) == ragged_count(s));
            CHECK(std::vector<int>(block.begin(), block.end()) == ragged_block(s));
        }
        REQUIRE(out.scalars.blocks() == static_cast<std::size_t>(n));
        for (int s = 0; s < n; ++s) {
            REQUIRE(out.scalars.count(static_cast<std::size_t>(s)) == 1);
            CHECK(out.scalars[static_cast<std::size_t>(s)][0] == s * 1.5);
        }
    }
}

TEST_CASE("gatherv and allgatherv of strings of different lengths", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        const std::string mine(static_cast<std::size_t>(world.rank() % 4), static_cast<char>('a' + world.rank()));
        return std::pair{world.gatherv(mine, world.size() / 2), world.allgatherv(mine)};
    });
    for (int r = 0; r < opts.ranks; ++r) {
        const auto& [gathered, everyone] = result.values[r];
        REQUIRE(everyone.blocks() == static_cast<std::size_t>(opts.ranks));
        for (int s = 0; s < opts.ranks; ++s) {
            const auto block = everyone[static_cast<std::size_t>(s)];
            CHECK(std::string(block.begin(), block.end()) ==
                  std::string(static_cast<std::size_t>(s % 4), static_cast<char>('a' + s)));
        }
        if (r == opts.ranks / 2) CHECK(gathered == everyone);
        else CHECK(gathered.blocks() == 0);
    }
}

TEST_CASE("scatterv gives rank r block r of the root's ragged data", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    const auto result = baton::sim::run(opts, [](communicator& world) {
        std::vector<std::vector<int>> got;
        for (int root = 0; root < world.size(); ++root) {
            baton::ragged<int> parts;  // read only at the root
            if (world.rank() == root) {
                std::vector<std::vector<int>> blocks;
                for (int r = 0; r < world.size(); ++r) {
                    auto block = ragged_block(r);
                    for (int& value : block) value += root * 1000;
                    blocks.push_back(block);
                }
                parts = baton::ragged<int>::from_blocks(blocks);
            }
            got.push_back(world.scatterv(parts, root));
        }
        return got;
    });

    for (int r = 0; r < opts.ranks; ++r)
        for (int root = 0; root < opts.ranks; ++root) {
            auto expected = ragged_block(r);
            for (int& value : expected) value += root * 1000;
            CHECK(result.values[r][static_cast<std::size_t>(root)] == expected);
        }
}

TEST_CASE("collectives in a row keep their order and their data apart", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    // Ranks run in a seeded order and reach the collectives at different times; each collective
    // must still meet its own counterpart on every rank.
    const auto result = baton::sim::run(opts, [](communicator& world) {
        const int me = world.rank(), n = world.size();
        std::vector<int> seen;
        for (int round = 0; round < 10; ++round) {
            int value = me == round % n ? round * 11 : -1;
            world.bcast(value, round % n);
            seen.push_back(value);
            const auto all = world.allgather(me + round);
            seen.push_back(std::accumulate(all.begin(), all.end(), 0));
        }
        return seen;
    });

    const int n = opts.ranks;
    std::vector<int> expected;
    for (int round = 0; round < 10; ++round) {
        expected.push_back(round * 11);
        expected.push_back(n * (n - 1) / 2 + n * round);
    }
    for (int r = 0; r < n; ++r) CHECK(result.values[r] == expected);
}

TEST_CASE("alltoallv sends block d to rank d, of any sizes, and returns the blocks in senders' order",
          "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations()));
    OPS_DESCRIBE(opts);

    // Rank s sends rank d (s + d) % 3 elements: 0, 1 or 2, empty blocks too.
    auto count = [](int s, int d) { return static_cast<std::size_t>((s + d) % 3); };
    auto block = [&](int s, int d) {
        std::vector<long> b(count(s, d));
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = 1000L * s + 10L * d + static_cast<long>(i);
        return b;
    };
    struct outcome {
        std::vector<long> data;
        std::vector<std::size_t> counts;
        BATON_TEST_RESULT_FIELDS(data, counts)
    };
    const auto result = baton::sim::run(opts, [&](communicator& world) {
        std::vector<std::vector<long>> blocks;
        for (int d = 0; d < world.size(); ++d) blocks.push_back(block(world.rank(), d));
        const auto got = world.alltoallv(baton::ragged<long>::from_blocks(blocks));
        return outcome{got.data(), got.counts()};
    });

    const int n = opts.ranks;
    for (int r = 0; r < n; ++r) {
        std::vector<long> data;
        std::vector<std::size_t> counts;
        for (int s = 0; s < n; ++s) {
            const auto b = block(s, r);
            data.insert(data.end(), b.begin(), b.end());
            counts.push_back(b.size());
        }
        CHECK(result.values[r].data == data);
        CHECK(result.values[r].counts == counts);
    }
}

TEST_CASE("alltoallv refuses blocks that are not one per rank, naming the rank and the call", "[collectives]") {
    const auto opts = GENERATE(from_range(ops::collective_configurations({2, 3})));
    OPS_DESCRIBE(opts);

    const auto failure = ops::rank_failure(opts, [](communicator& world) {
        world.alltoallv(baton::ragged<int>::from_blocks({{1}}));  // one block, for 2 or 3 ranks
    });
    REQUIRE(failure);
    const std::string message = ops::original_message(*failure);
    CHECK_THAT(message, ops::mentions_word("alltoallv"));
    CHECK_THAT(message, baton_test::contains("1 blocks given for"));
}
