// The differential test's collectives that move data: broadcast, scatters, gathers, exchanges, grids.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "program_steps.hpp"
#include "program_values.hpp"

namespace differential {

namespace {

// Every other time (a bit of the step's mode), a gather, scatter or all-to-all of trivially copyable
// elements runs its non-blocking form (igather ... ialltoallv) and waits: the same result.
bool nonblocking_form(const step& s) { return (s.mode / 16) % 2 == 1; }

class collective_steps : step_log {
public:
    explicit collective_steps(const step_log& log) : step_log(log) {}

    void run(const step& s, communicator& c) {
        switch (s.kind) {
            case step_kind::bcast: return with_type(s.type, [&](auto t) { bcast(s, c, t); });
            case step_kind::scatter: return with_type(s.type, [&](auto t) { scatter(s, c, t); });
            case step_kind::gather:
            case step_kind::allgather: return with_type(s.type, [&](auto t) { gather(s, c, t); });
            case step_kind::alltoall: return with_type(s.type, [&](auto t) { alltoall(s, c, t); });
            case step_kind::gatherv:
            case step_kind::allgatherv: return with_type(s.type, [&](auto t) { gatherv(s, c, t); });
            case step_kind::scatterv: return with_type(s.type, [&](auto t) { scatterv(s, c, t); });
            case step_kind::alltoallv: return with_type(s.type, [&](auto t) { alltoallv(s, c, t); });
            case step_kind::cartesian: return with_type(s.type, [&](auto t) { cartesian(s, c, t); });
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    template <class T>
    void bcast(const step& s, communicator& c, std::type_identity<T>) {
        const int root = s.a % c.size();
        const bool at_root = c.rank() == root;
        const int mode = s.mode % 3;
        if constexpr (!std::is_same_v<T, table_tag>) {
            if (mode == 1) {
                payload_t<T> storage;
                storage.resize(s.size);
                if (at_root) {
                    const auto p = make_payload<T>(s.salt, root, s.size);
                    std::copy(p.begin(), p.end(), storage.begin());
                }
                c.bcast(std::span<fixed_t<T>>(storage.data(), storage.size()), root);
                out_("  fixed {}", text(storage));
                return;
            }
        }
        if constexpr (trivial<T>) {
            if (mode == 2) {
                T value = at_root ? element<T>(hash(s.salt, 5)) : T{};
                c.bcast(value, root);
                out_("  scalar {}", text(value));
                return;
            }
        }
        payload_t<T> value;
        if (at_root) value = make_payload<T>(s.salt, root, s.size);
        c.bcast(value, root);
        out_("  {}", text(value));
    }

    template <class T>
    void scatter(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (gatherable<T>) scatter_of<T>(s, c);
    }

    template <class T>
    void scatter_of(const step& s, communicator& c) {
        const int n = c.size(), root = s.a % n;
        const auto count = s.size % 50;  // per rank
        if constexpr (std::is_same_v<T, table_tag>) {
            std::vector<std::map<int, std::string>> all;
            if (c.rank() == root)
                for (std::size_t i = 0; i < count * static_cast<std::size_t>(n); ++i) all.push_back(make_payload<T>(s.salt, static_cast<int>(i), i));
            out_("  {}", text(c.scatter(all, root)));
        } else {
            payload_t<T> all;
            if (c.rank() == root) all = make_payload<T>(s.salt, root, count * static_cast<std::size_t>(n));
            if constexpr (trivial<T>) {
                if (nonblocking_form(s)) {
                    std::vector<T> mine(count);
                    c.iscatter(all, mine, root).wait();
                    return out_("  {}", text(mine));
                }
            }
            out_("  {}", text(c.scatter(all, root)));
        }
    }

    template <class T>
    void gather(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (gatherable<T>) gather_of<T>(s, c);
    }

    template <class T>
    void gather_of(const step& s, communicator& c) {
        const int root = s.a % c.size();
        const bool all = s.kind == step_kind::allgather;
        auto go = [&](const auto& mine) {
            if (all) out_("  {}", text(c.allgather(mine)));
            else out_("  {}", text(c.gather(mine, root)));
        };
        if constexpr (trivial<T>) {
            if (s.mode % 2 == 1) return go(element<T>(hash(s.salt, static_cast<std::uint64_t>(c.rank()))));
        }
        if constexpr (std::is_same_v<T, table_tag>) {
            return go(make_payload<T>(s.salt, c.rank(), s.size + static_cast<std::size_t>(c.rank())));
        } else {
            const auto mine = make_payload<T>(s.salt, c.rank(), s.size);  // equal counts on every rank
            if constexpr (trivial<T>) {
                if (nonblocking_form(s)) {
                    std::vector<T> got;
                    if (all) c.iallgather(mine, got).wait();
                    else c.igather(mine, got, root).wait();
                    return out_("  {}", text(got));
                }
            }
            return go(mine);
        }
    }

    template <class T>
    void alltoall(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto mine = make_payload<T>(s.salt, c.rank(), (s.size % 40) * static_cast<std::size_t>(c.size()));
            if (nonblocking_form(s)) {
                std::vector<T> got;
                c.ialltoall(mine, got).wait();
                return out_("  {}", text(got));
            }
            out_("  {}", text(c.alltoall(mine)));
        }
    }

    template <class T>
    void gatherv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int root = s.a % c.size();
            const bool all = s.kind == step_kind::allgatherv;
            auto go = [&](const auto& mine) {
                const auto got = all ? c.allgatherv(mine) : c.gatherv(mine, root);
                out_("  {} counts {}", text(got.data()), text(got.counts()));
            };
            if (s.mode % 3 == 2) return go(element<T>(hash(s.salt, static_cast<std::uint64_t>(c.rank()))));
            const auto count_of = [&](int r) { return hash(s.salt, static_cast<std::uint64_t>(r), 7) % (s.size + 2); };
            const auto mine = make_payload<T>(s.salt, c.rank(), count_of(c.rank()));
            if (nonblocking_form(s)) {
                // The receivers know every rank's count beforehand, as MPI wants them to.
                std::vector<std::size_t> counts;
                for (int r = 0; r < c.size(); ++r) counts.push_back(count_of(r));
                baton::ragged<T> got = all || c.rank() == root ? baton::ragged<T>(counts) : baton::ragged<T>();
                if (all) c.iallgatherv(mine, got).wait();
                else c.igatherv(mine, got, root).wait();
                return out_("  {} counts {}", text(got.data()), text(got.counts()));
            }
            go(mine);
        }
    }

    template <class T>
    void scatterv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int n = c.size(), root = s.a % n;
            baton::ragged<T> parts;
            if (c.rank() == root) {
                std::vector<std::vector<T>> blocks;
                for (int r = 0; r < n; ++r)
                    blocks.push_back(make_payload<T>(s.salt, r, hash(s.salt, static_cast<std::uint64_t>(r), 9) % (s.size + 2)));
                parts = baton::ragged<T>::from_blocks(blocks);
            }
            if (nonblocking_form(s)) {
                std::vector<T> mine(hash(s.salt, static_cast<std::uint64_t>(c.rank()), 9) % (s.size + 2));
                c.iscatterv(parts, mine, root).wait();
                return out_("  {}", text(mine));
            }
            out_("  {}", text(c.scatterv(parts, root)));
        }
    }

    template <class T>
    void alltoallv(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            std::vector<std::vector<T>> blocks;
            for (int d = 0; d < c.size(); ++d)
                blocks.push_back(make_payload<T>(s.salt + static_cast<std::uint64_t>(d), c.rank(),
                                                 hash(s.salt, me, static_cast<std::uint64_t>(d)) % (s.size + 2)));
            if (nonblocking_form(s)) {
                std::vector<std::size_t> counts;  // what each rank sends this one
                for (int r = 0; r < c.size(); ++r)
                    counts.push_back(hash(s.salt, static_cast<std::uint64_t>(r), me) % (s.size + 2));
                baton::ragged<T> got(counts);
                c.ialltoallv(baton::ragged<T>::from_blocks(blocks), got).wait();
                return out_("  {} counts {}", text(got.data()), text(got.counts()));
            }
            const auto got = c.alltoallv(baton::ragged<T>::from_blocks(blocks));
            out_("  {} counts {}", text(got.data()), text(got.counts()));
        }
    }

    // A grid of 1 to 3 dimensions over the communicator (periodic ones from the step's mode), a
    // rank's coordinates and a shift on it, then a neighbour collective of equal blocks.
    template <class T>
    void cartesian(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const int ndims = 1 + s.k % 3;
            std::vector<bool> periods;
            for (int d = 0; d < ndims; ++d) periods.push_back(((s.mode >> d) & 1) != 0);
            baton::cart_communicator grid = c.cart_create(baton::dims_create(c.size(), ndims), periods);
            const auto [source, dest] = grid.shift(s.a % ndims, 1 + s.b % 2);
            out_("  {} at {}, shift {} {}", shown(grid), text(grid.coords()), source, dest);
            const std::size_t count = s.size % 5;
            if ((s.mode & 8) != 0) {
                payload_t<T> blocks;
                for (int i = 0; i < 2 * ndims; ++i) {
                    const auto part = make_payload<T>(s.salt + static_cast<std::uint64_t>(i), c.rank(), count);
                    blocks.insert(blocks.end(), part.begin(), part.end());
                }
                out_("  {}", text(grid.neighbor_alltoall(blocks)));
            } else {
                out_("  {}", text(grid.neighbor_allgather(make_payload<T>(s.salt, c.rank(), count))));
            }
        }
    }
};

}  // namespace

void run_collective_step(const step& s, communicator& c, const step_log& log) { collective_steps(log).run(s, c); }

}  // namespace differential
