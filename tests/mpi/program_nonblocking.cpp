// The differential test's non-blocking collectives, with point-to-point while they are under way.
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

// ---- Non-blocking collectives ------------------------------------------------------------------

// One under way: its request, and what it gave once complete (its buffers live in the captures).
struct started_collective {
    baton::request request;
    std::function<std::string()> result;
};

template <class T>
started_collective start_ibarrier(const step&, communicator& c) {
    return {c.ibarrier(), [] { return std::string("done"); }};
}

// Into a buffer of the root's size on every rank (ibcast does not resize).
template <class T>
started_collective start_ibcast(const step& s, communicator& c) {
    const int root = s.a % c.size();
    auto data = std::make_shared<std::vector<T>>(c.rank() == root ? make_payload<T>(s.salt, root, s.size)
                                                                  : std::vector<T>(s.size));
    return {c.ibcast(*data, root), [data] { return text(*data); }};
}

// ireduce (a root) or iallreduce (none) of a scalar or a vector, as the step's mode says.
template <class T>
started_collective start_reduction(const step& s, communicator& c, std::optional<int> root) {
    const auto me = static_cast<std::uint64_t>(c.rank());
    started_collective started;
    auto reduce = [&](auto mine) {
        using V = decltype(mine);
        auto kept = std::make_shared<std::pair<V, V>>(std::move(mine), V{});  // the input, the result
        with_builtin_op<T>(s.op, [&](const auto& op) {
            started.request = root ? c.ireduce(kept->first, kept->second, op, *root)
                                   : c.iallreduce(kept->first, kept->second, op);
        });
        started.result = [kept] { return text(kept->second); };
    };
    if ((s.mode / 16) % 2 == 0) {
        reduce(reduction_element<T>(hash(s.salt, me)));
    } else {
        std::vector<T> mine;
        for (std::size_t i = 0; i < 1 + s.size % 9; ++i) mine.push_back(reduction_element<T>(hash(s.salt, me, i)));
        reduce(std::move(mine));
    }
    return started;
}
template <class T>
started_collective start_ireduce(const step& s, communicator& c) {
    return start_reduction<T>(s, c, s.a % c.size());
}
template <class T>
started_collective start_iallreduce(const step& s, communicator& c) {
    return start_reduction<T>(s, c, std::nullopt);
}

// The non-blocking collectives a step may run, one line each: the step's mode picks one.
template <class T>
constexpr started_collective (*nonblocking_starts[])(const step&, communicator&) = {
    &start_ibarrier<T>,
    &start_ibcast<T>,
    &start_ireduce<T>,
    &start_iallreduce<T>,
};

class nonblocking_steps : step_log {
public:
    explicit nonblocking_steps(const step_log& log) : step_log(log) {}

    void run(const step& s, communicator& c) {
        switch (s.kind) {
            case step_kind::nonblocking: return with_type(s.type, [&](auto t) { nonblocking(s, c, t); });
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    // A non-blocking collective (nonblocking_starts), a shift around the ranks while it is under
    // way, then its completion by wait, by a test loop, or by wait_all with the shift's requests
    // (the step's k says which); what it gave, and what came from the left.
    template <class T>
    void nonblocking(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (nonblocking_type<T>) {
            const auto& starts = nonblocking_starts<T>;
            started_collective started = starts[static_cast<std::size_t>(s.mode) % std::size(starts)](s, c);
            const int n = c.size(), right = (c.rank() + 1) % n, left = (c.rank() + n - 1) % n;
            int from_left = -1;
            std::array<baton::request, 3> all{std::move(started.request), c.isend(c.rank(), right, s.tag),
                                              c.irecv(from_left, left, s.tag)};
            switch (s.k % 3) {
                case 0: all[0].wait(); break;
                case 1:
                    while (!all[0].test()) {
                    }
                    break;
                default: break;
            }
            baton::wait_all(all);
            out_("  {}; from the left {}", started.result(), from_left);
        }
    }
};

}  // namespace

void run_nonblocking_step(const step& s, communicator& c, const step_log& log) { nonblocking_steps(log).run(s, c); }

}  // namespace differential
