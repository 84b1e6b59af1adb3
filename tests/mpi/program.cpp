#include "program.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "program_steps.hpp"
#include "program_values.hpp"

namespace differential {

namespace {

constexpr std::string_view type_names[] = {"i32", "i64", "i16", "u8", "char", "bool", "f32", "f64", "long double",
                                           "complex", "pod", "affine", "minloc", "text", "table"};
constexpr std::string_view kind_names[] = {
    "pair", "shift", "to_root_any", "burst", "barrier", "bcast", "scatter", "gather", "allgather", "alltoall",
    "reduce", "allreduce", "scan", "exscan", "gatherv", "allgatherv", "scatterv", "split", "dup", "halo",
    "alltoallv", "reduce_scatter", "reduce_scatter_block", "in_place", "cartesian", "nonblocking", "persistent",
    "cancel"};

// ---- Running a program -----------------------------------------------------------------------

class runner : step_log {
public:
    // Communicator names are shown relative to `base`, the name of the program's world.
    runner(record& out, std::string base) : step_log(out, std::move(base)) {}

    void steps(const std::vector<step>& list, communicator& c, const std::string& where) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string here = where + std::to_string(i);
            out_("step {} ({}) on {}:", here, kind_names[static_cast<int>(list[i].kind)], shown(c));
            one(list[i], c, here + ".");
        }
    }

private:
    void one(const step& s, communicator& c, const std::string& where) {
        switch (s.kind) {
            case step_kind::pair:
            case step_kind::shift:
            case step_kind::to_root_any:
            case step_kind::burst:
            case step_kind::halo: return run_point_to_point_step(s, c, *this);
            case step_kind::barrier: c.barrier(); return;
            case step_kind::bcast:
            case step_kind::scatter:
            case step_kind::gather:
            case step_kind::allgather:
            case step_kind::alltoall:
            case step_kind::gatherv:
            case step_kind::allgatherv:
            case step_kind::scatterv:
            case step_kind::alltoallv:
            case step_kind::cartesian: return run_collective_step(s, c, *this);
            case step_kind::reduce:
            case step_kind::allreduce:
            case step_kind::scan:
            case step_kind::exscan:
            case step_kind::reduce_scatter:
            case step_kind::reduce_scatter_block: return run_reduction_step(s, c, *this);
            case step_kind::in_place: return run_in_place_step(s, c, *this);
            case step_kind::nonblocking: return run_nonblocking_step(s, c, *this);
            case step_kind::persistent:
            case step_kind::cancel: return run_persistent_step(s, c, *this);
            case step_kind::split: {
                const auto me = static_cast<std::uint64_t>(c.rank());
                const int colors = 1 + s.k % 3;
                const bool out_of_it = hash(s.salt, me, 1) % 6 == 0;
                const int color = out_of_it ? baton::undefined : static_cast<int>(hash(s.salt, me) % static_cast<std::uint64_t>(colors));
                const int key = static_cast<int>(hash(s.salt, me, 2) % 5) - 2;
                communicator part = c.split(color, key);
                if (!part) {
                    out_("  not in any part");
                    return;
                }
                out_("  {} rank {} of {}", shown(part), part.rank(), part.size());
                steps(s.inner, part, where);
                return;
            }
            case step_kind::dup: {
                communicator copy = c.dup();
                out_("  {} rank {} of {}", shown(copy), copy.rank(), copy.size());
                steps(s.inner, copy, where);
                return;
            }
        }
    }
};

// ---- Generating a program --------------------------------------------------------------------

std::size_t random_size(generator& g) {
    const int r = g.below(100);
    if (r < 45) return static_cast<std::size_t>(g.below(4));
    if (r < 85) return static_cast<std::size_t>(4 + g.below(12));
    if (r < 98) return static_cast<std::size_t>(50 + g.below(500));
    return static_cast<std::size_t>(20000 + g.below(80000));  // large: MPI's rendezvous protocol
}

step random_step(generator& g, int depth, int& next_tag) {
    // Weights: point-to-point and collectives about equally, splits and dups now and then.
    static constexpr int weights[] = {8, 6, 4, 5, 1, 4, 3, 3, 3, 2, 3, 4, 2, 2, 2, 2, 2, 2, 2, 4, 2, 2, 2, 2, 2, 4, 3, 3};
    static_assert(std::size(weights) == std::size(kind_names), "a weight per kind of step");
    int total = 0;
    for (const int w : weights) total += w;
    int pick = g.below(total), kind = 0;
    while (pick >= weights[kind]) pick -= weights[kind++];
    step s;
    s.kind = static_cast<step_kind>(kind);
    if (depth >= 2 && (s.kind == step_kind::split || s.kind == step_kind::dup)) s.kind = step_kind::allreduce;
    const bool any_type = s.kind <= step_kind::burst || s.kind == step_kind::bcast || s.kind == step_kind::scatter ||
                          s.kind == step_kind::gather || s.kind == step_kind::allgather || s.kind == step_kind::halo;
    s.type = static_cast<value_type>(g.below(any_type ? 15 : 13));
    // Gathers, scatters and alltoall give std::vector<E>, which for bool is not contiguous: baton
    // cannot receive into it, so bools take part only in point-to-point, bcast and reductions.
    const bool vector_result = (s.kind >= step_kind::scatter && s.kind <= step_kind::alltoall) ||
                               s.kind == step_kind::reduce_scatter || s.kind == step_kind::reduce_scatter_block ||
                               s.kind == step_kind::cartesian;
    const bool ragged_result = (s.kind >= step_kind::gatherv && s.kind <= step_kind::scatterv) ||
                               s.kind == step_kind::alltoallv;
    if (s.type == value_type::boolean && (vector_result || ragged_result)) s.type = value_type::u8;
    if (s.kind == step_kind::nonblocking)
        s.type = nonblocking_types[static_cast<std::size_t>(s.type) % std::size(nonblocking_types)];
    if (s.kind == step_kind::persistent || s.kind == step_kind::cancel)
        s.type = persistent_types[static_cast<std::size_t>(s.type) % std::size(persistent_types)];
    s.a = g.below(8);
    s.b = g.below(8);
    s.k = g.below(8);
    s.size = random_size(g);
    s.tag = next_tag;
    next_tag += 8;
    s.mode = g.below(64);
    s.op = g.below(64);
    s.salt = g.next();
    if (s.kind == step_kind::split || s.kind == step_kind::dup) {
        const int inner = 1 + g.below(3);
        for (int i = 0; i < inner; ++i) s.inner.push_back(random_step(g, depth + 1, next_tag));
    }
    return s;
}

void describe_steps(const std::vector<step>& steps, const std::string& indent, std::string& out) {
    for (const auto& s : steps) {
        out += fmt::format("{}{} type={} a={} b={} k={} size={} tag={} mode={} op={} salt={}\n", indent,
                           kind_names[static_cast<int>(s.kind)], type_names[static_cast<int>(s.type)], s.a, s.b, s.k,
                           s.size, s.tag, s.mode, s.op, s.salt);
        describe_steps(s.inner, indent + "    ", out);
    }
}

}  // namespace

program generate(std::uint64_t seed) {
    generator g(seed);
    program p;
    p.seed = seed;
    int next_tag = 0;
    const int steps = 1 + g.below(10);
    for (int i = 0; i < steps; ++i) p.steps.push_back(random_step(g, 0, next_tag));
    return p;
}

std::string describe(const program& p) {
    std::string out = fmt::format("program {}:\n", p.seed);
    describe_steps(p.steps, "  ", out);
    return out;
}

std::string run(const program& p, communicator& world) {
    // A communicator of the program's own, so that the names of those it makes (world.dup3.split1...)
    // do not depend on what ran before it.
    communicator own = world.dup();
    record out;
    runner(out, own.name()).steps(p.steps, own, "");
    return out.text();
}

}  // namespace differential
