// MPI type signatures of derived datatypes with several predefined types (datatypes.hpp): what
// their messages travel under, so that send and receive are matched as MPI matches them.
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "datatypes.hpp"
#include "types.hpp"

namespace baton::capi {

namespace {

// A type of more predefined elements than this is named by its whole signature, unreduced (the
// reduction below holds one int per element): still exact, only a repetition goes unseen.
constexpr std::size_t largest_reduced = std::size_t{1} << 22;

// The length of the shortest sequence `basics` repeats a whole number of times (its period, from
// the prefix function: the longest proper prefix that is also a suffix).
std::size_t shortest_repeat(const std::vector<MPI_Datatype>& basics) {
    const std::size_t n = basics.size();
    std::vector<std::size_t> border(n, 0);
    for (std::size_t i = 1; i < n; ++i) {
        std::size_t k = border[i - 1];
        while (k > 0 && basics[i] != basics[k]) k = border[k - 1];
        border[i] = k + (basics[i] == basics[k]);
    }
    const std::size_t period = n - (n ? border[n - 1] : 0);
    return period && n % period == 0 ? period : n;
}

// The text of a signature, run by run: "MPI type signature (MPI_INT, MPI_DOUBLE x3)".
template <class Runs>
std::string describe(const Runs& runs) {
    std::string text = "MPI type signature (";
    bool first = true;
    for (const auto& [basic, count] : runs) {
        if (!first) text += ", ";
        first = false;
        text += basic_name(basic);
        if (count > 1) text += " x" + std::to_string(count);
    }
    return text + ")";
}

// The same text for the same signature, kept for the whole run: a type_desc names it by view.
std::string_view interned(std::string text) {
    static std::mutex guard;
    static std::set<std::string, std::less<>> texts;
    const std::lock_guard lock(guard);
    return *texts.insert(std::move(text)).first;
}

}  // namespace

std::string_view signature_of(const derived_type& type) {
    // Displacements do not count: neighbouring runs of one type are one run of the signature.
    std::vector<std::pair<MPI_Datatype, std::size_t>> runs;
    std::size_t elements = 0;
    for (const type_run& run : type.runs) {
        if (!runs.empty() && runs.back().first == run.basic)
            runs.back().second += run.count;
        else
            runs.emplace_back(run.basic, run.count);
        elements += run.count;
    }
    if (elements > largest_reduced) return interned(describe(runs));
    std::vector<MPI_Datatype> basics;
    basics.reserve(elements);
    for (const auto& [basic, count] : runs) basics.insert(basics.end(), count, basic);
    basics.resize(shortest_repeat(basics));
    std::vector<std::pair<MPI_Datatype, std::size_t>> repeated;
    for (MPI_Datatype basic : basics) {
        if (!repeated.empty() && repeated.back().first == basic)
            ++repeated.back().second;
        else
            repeated.emplace_back(basic, 1);
    }
    return interned(describe(repeated));
}

}  // namespace baton::capi
