// The differential test's in-place forms: reductions, gathers and exchanges on the caller's buffer.
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

class in_place_steps : step_log {
public:
    explicit in_place_steps(const step_log& log) : step_log(log) {}

    void run(const step& s, communicator& c) {
        switch (s.kind) {
            case step_kind::in_place: return with_type(s.type, [&](auto t) { in_place(s, c, t); });
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    // Every other time (a bit of the step's mode), the non-blocking in-place form (iallreduce_in_place
    // ... ialltoall_in_place), waited for at once: the same result.
    static bool nonblocking_form(const step& s) { return (s.mode / 32) % 2 == 1; }

    // allreduce, reduce, scan or exscan in place (s.mode % 4); every other time, for the types a
    // gather takes, gather (at the root s.a), allgather or alltoall in place instead.
    template <class T>
    void in_place(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (trivial<T> && gatherable<T>) {
            if ((s.mode / 4) % 2 == 1) return gathered_in_place(s, c, std::type_identity<T>{});
        }
        if constexpr (trivial<T>) {
            const auto me = static_cast<std::uint64_t>(c.rank());
            payload_t<T> data;
            for (std::size_t i = 0; i < 1 + s.size % 9; ++i) data.push_back(reduction_element<T>(hash(s.salt, me, i)));
            const int root = s.a % c.size();
            with_op<T>(s.op, [&](const auto& op) {
                if (nonblocking_form(s)) {
                    switch (s.mode % 4) {
                        case 0: c.iallreduce_in_place(data, op).wait(); break;
                        case 1: c.ireduce_in_place(data, op, root).wait(); break;
                        case 2: c.iscan_in_place(data, op).wait(); break;
                        default: c.iexscan_in_place(data, op).wait(); break;
                    }
                    return;
                }
                switch (s.mode % 4) {
                    case 0: c.allreduce_in_place(data, op); break;
                    case 1: c.reduce_in_place(data, op, root); break;
                    case 2: c.scan_in_place(data, op); break;
                    default: c.exscan_in_place(data, op); break;
                }
            });
            out_("  {}", text(data));
        }
    }

    // Blocks of 1 + s.size % 5 elements: a gather's root and allgather start with their own block
    // at its place (the rest value-initialized), alltoall with one block for each rank.
    template <class T>
    void gathered_in_place(const step& s, communicator& c, std::type_identity<T>) {
        const std::size_t block = 1 + s.size % 5, ranks = static_cast<std::size_t>(c.size()),
                          me = static_cast<std::size_t>(c.rank());
        const int root = s.a % c.size();
        const auto mine = make_payload<T>(s.salt, c.rank(), ranks * block);
        std::vector<T> data(ranks * block);
        const bool nonblocking = nonblocking_form(s);
        switch ((s.mode / 8) % 3) {
            case 0:
                if (c.rank() != root) data.assign(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(block));
                else std::copy_n(mine.begin(), block, data.begin() + static_cast<std::ptrdiff_t>(me * block));
                if (nonblocking) c.igather_in_place(data, root).wait();
                else c.gather_in_place(data, root);
                break;
            case 1:
                std::copy_n(mine.begin(), block, data.begin() + static_cast<std::ptrdiff_t>(me * block));
                if (nonblocking) c.iallgather_in_place(data).wait();
                else c.allgather_in_place(data);
                break;
            default:
                data.assign(mine.begin(), mine.end());
                if (nonblocking) c.ialltoall_in_place(data).wait();
                else c.alltoall_in_place(data);
                break;
        }
        out_("  {}", text(data));
    }
};

}  // namespace

void run_in_place_step(const step& s, communicator& c, const step_log& log) { in_place_steps(log).run(s, c); }

}  // namespace differential
