// What MPI_Finalize says of the objects the program made and never freed (communicators, derived
// datatypes, reductions, groups, persistent requests): a warning on stderr naming each one's line, not an
// error. A program that forgets MPI_Type_free is wrong but works under every MPI, and so it does
// here: the run's exit status stays the program's (MUST reports leaks as warnings too).
#include "leaks.hpp"

#include <cstdio>
#include <string>

#include <baton/detail/validate.hpp>

namespace baton::capi {

namespace {

// At most this many are named; the rest are counted.
constexpr std::size_t named_at_most = 4;

class leak_list {
public:
    template <class T>
    void add(const handle_table<T>& table, std::string_view kind) {
        table.each([&](int handle, const T&, const origin& made) {
            if (count_++ >= named_at_most) return;
            text_ += std::string(count_ > 1 ? ", " : "") + std::string(kind) + " " + std::to_string(handle) + " (" +
                     std::string(made.made_by) + " at " + detail::format_location(made.made_at) + ")";
        });
    }
    std::size_t count() const { return count_; }
    std::string text() const {
        return text_ + (count_ > named_at_most ? ", and " + std::to_string(count_ - named_at_most) + " more" : "");
    }

private:
    std::size_t count_ = 0;
    std::string text_;
};

}  // namespace

void warn_of_leaks(const rank_state& rank, const std::source_location& where) {
    leak_list leaks;
    leaks.add(rank.comms, "communicator");
    leaks.add(rank.datatypes, "datatype");
    leaks.add(rank.operations, "reduction");
    leaks.add(rank.groups, "group");
    leaks.add(rank.requests, "request");  // what is left at MPI_Finalize: inactive persistent ones
    if (leaks.count() == 0) return;
    std::fprintf(stderr, "baton: warning: rank %d reached MPI_Finalize at %s with %zu %s never freed: %s\n",
                 rank.world.world_rank(), detail::format_location(where).c_str(), leaks.count(),
                 leaks.count() == 1 ? "object it made" : "objects it made", leaks.text().c_str());
}

}  // namespace baton::capi
