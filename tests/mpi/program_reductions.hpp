// The differential test's reductions (reduce, allreduce, scans, reduce-scatters, blocking and
// non-blocking) for one element type at a time. program_reductions_*.cpp each compile a group of
// element types: every type's every reduction and shape in one file took 100 s to compile, alone
// at the end of the build.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "program_steps.hpp"
#include "program_values.hpp"

namespace differential {

class reduction_steps : step_log {
public:
    explicit reduction_steps(const step_log& log) : step_log(log) {}

    // A reduction step whose elements are of type T.
    template <class T>
    void run(const step& s, communicator& c, std::type_identity<T> t) {
        switch (s.kind) {
            case step_kind::reduce:
            case step_kind::allreduce:
            case step_kind::scan:
            case step_kind::exscan: return reduction(s, c, t);
            case step_kind::reduce_scatter:
            case step_kind::reduce_scatter_block: return reduce_scatter(s, c, t);
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    template <class T>
    void reduction(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            with_op<T>(s.op, [&](const auto& op) {
                auto apply = [&](const auto& mine) {
                    // Every other time the non-blocking form, with any reduction, the program's
                    // own callables too (issue 14): the same result (ireduce's other ranks' and
                    // exscan's rank 0's stay value-initialized, as the blocking form returns them).
                    if ((s.mode / 3) % 2 == 1) {
                        baton::detail::owning_t<std::remove_cvref_t<decltype(mine)>> result{};
                        switch (s.kind) {
                            case step_kind::reduce: c.ireduce(mine, result, op, s.a % c.size()).wait(); break;
                            case step_kind::allreduce: c.iallreduce(mine, result, op).wait(); break;
                            case step_kind::scan: c.iscan(mine, result, op).wait(); break;
                            default: c.iexscan(mine, result, op).wait(); break;
                        }
                        out_("  {}", text(result));
                        return;
                    }
                    switch (s.kind) {
                        case step_kind::reduce: out_("  {}", text(c.reduce(mine, op, s.a % c.size()))); break;
                        case step_kind::allreduce: out_("  {}", text(c.allreduce(mine, op))); break;
                        case step_kind::scan: out_("  {}", text(c.scan(mine, op))); break;
                        default: out_("  {}", text(c.exscan(mine, op))); break;
                    }
                };
                switch (s.mode % 3) {
                    case 0: return apply(reduction_element<T>(hash(s.salt, me)));
                    case 1: {
                        std::array<T, 3> a;
                        for (std::size_t i = 0; i < a.size(); ++i) a[i] = reduction_element<T>(hash(s.salt, me, i));
                        return apply(a);
                    }
                    default: {
                        payload_t<T> v;
                        for (std::size_t i = 0; i < s.size; ++i) v.push_back(reduction_element<T>(hash(s.salt, me, i)));
                        return apply(v);
                    }
                }
            });
        }
    }

    template <class T>
    void reduce_scatter(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            const bool equal = s.kind == step_kind::reduce_scatter_block;
            std::vector<std::size_t> counts;  // alike on every rank: made of the step alone
            for (int r = 0; r < c.size(); ++r)
                counts.push_back(equal ? s.size % 5 : hash(s.salt, static_cast<std::uint64_t>(r), 11) % (s.size % 7 + 2));
            std::vector<T> mine;
            for (std::size_t i = 0; i < std::accumulate(counts.begin(), counts.end(), std::size_t{0}); ++i)
                mine.push_back(reduction_element<T>(hash(s.salt, me, i)));
            with_op<T>(s.op, [&](const auto& op) {
                if (s.mode % 2 == 1) {  // the non-blocking form, every other time (issue 14: iscan)
                    std::vector<T> result;
                    if (equal) c.ireduce_scatter_block(mine, result, op).wait();
                    else c.ireduce_scatter(mine, counts, result, op).wait();
                    out_("  {}", text(result));
                    return;
                }
                if (equal) out_("  {}", text(c.reduce_scatter_block(mine, op)));
                else out_("  {}", text(c.reduce_scatter(mine, counts, op)));
            });
        }
    }
};


// Each group's file: the step if its element type is one of the group's (else false).
bool run_integer_reduction_step(const step& s, communicator& c, const step_log& log);
bool run_wide_integer_reduction_step(const step& s, communicator& c, const step_log& log);
bool run_floating_reduction_step(const step& s, communicator& c, const step_log& log);
bool run_other_reduction_step(const step& s, communicator& c, const step_log& log);

// Runs the step through reduction_steps if its element type is one of Types.
template <class... Types>
bool run_reduction_step_of(const step& s, communicator& c, const step_log& log) {
    bool ran = false;
    with_type(s.type, [&](auto t) {
        if constexpr ((std::is_same_v<typename decltype(t)::type, Types> || ...)) {
            reduction_steps(log).run(s, c, t);
            ran = true;
        }
    });
    return ran;
}

}  // namespace differential
