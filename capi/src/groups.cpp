// MPI's group calls (MPI-3.1 §6.3): a group is a list of world ranks, kept in the rank's table, so
// that every call here is local arithmetic on lists; only MPI_Comm_group asks the backend who is in
// a communicator (communicator_groups.cpp).
#include "groups.hpp"

#include <algorithm>
#include <string>

using namespace baton;
using namespace baton::capi;

namespace baton::capi {

const std::vector<int>& group_members(const call& c, MPI_Group group, std::string_view role) {
    static const std::vector<int> empty;
    if (group == MPI_GROUP_EMPTY) return empty;
    if (const group_entry* entry = c.rank.groups.find(group)) return entry->world_ranks;
    fail(MPI_ERR_GROUP, c.comm, c.name,
         group == MPI_GROUP_NULL ? "the " + std::string(role) + " is MPI_GROUP_NULL"
                                 : std::string(role) + " " + std::to_string(group) + " is not a group (never made, or freed)",
         c.where);
}

MPI_Group keep_group(const call& c, std::vector<int> world_ranks) {
    if (world_ranks.empty()) return MPI_GROUP_EMPTY;
    return c.rank.groups.keep(std::make_unique<group_entry>(group_entry{std::move(world_ranks)}), c.made_here());
}

int rank_in(const std::vector<int>& members, int world_rank) {
    const auto at = std::find(members.begin(), members.end(), world_rank);
    return at == members.end() ? MPI_UNDEFINED : static_cast<int>(at - members.begin());
}

}  // namespace baton::capi

namespace {

std::string ranks_text(const std::vector<int>& members) {
    return members.empty() ? std::string("the group (it is empty)")
                           : "the group (ranks 0.." + std::to_string(members.size() - 1) + ")";
}

// Group ranks a program names (MPI_Group_incl, _excl, _translate_ranks): each within the group and,
// where the call says so, none twice (MPI-3.1 §6.3.2: "erroneous" otherwise).
void check_group_ranks(const call& c, const std::vector<int>& members, int n, const int ranks[], bool distinct,
                       bool proc_null_allowed) {
    if (n < 0) detail::throw_usage(c.comm, c.name, "a negative count of ranks (" + std::to_string(n) + ")", c.where);
    if (n > 0 && !ranks) detail::throw_usage(c.comm, c.name, "the array of ranks is NULL", c.where);
    std::vector<bool> seen(members.size());
    for (int i = 0; i < n; ++i) {
        const int r = ranks[i];
        if (proc_null_allowed && r == MPI_PROC_NULL) continue;
        if (r < 0 || static_cast<std::size_t>(r) >= members.size())
            detail::throw_usage(c.comm, c.name,
                                "ranks[" + std::to_string(i) + "] = " + std::to_string(r) + " is not a rank of " +
                                    ranks_text(members),
                                c.where);
        if (distinct && seen[static_cast<std::size_t>(r)])
            detail::throw_usage(c.comm, c.name,
                                "ranks[" + std::to_string(i) + "] = " + std::to_string(r) + " is named twice", c.where);
        seen[static_cast<std::size_t>(r)] = true;
    }
}

// The group ranks MPI_Group_range_incl/_excl's triplets (first, last, stride) name, checked as
// check_group_ranks checks a list: each within the group, none twice.
std::vector<int> ranks_of_ranges(const call& c, const std::vector<int>& members, int n, int ranges[][3]) {
    if (n > 0 && !ranges) detail::throw_usage(c.comm, c.name, "the array of ranges is NULL", c.where);
    std::vector<int> ranks;
    for (int i = 0; i < std::max(n, 0); ++i) {
        const int first = ranges[i][0], last = ranges[i][1], stride = ranges[i][2];
        const auto in_group = [&](int r) { return r >= 0 && static_cast<std::size_t>(r) < members.size(); };
        if (stride == 0 || !in_group(first) || !in_group(last) || (stride > 0 ? first > last : first < last))
            detail::throw_usage(c.comm, c.name,
                                "ranges[" + std::to_string(i) + "] = {" + std::to_string(first) + ", " +
                                    std::to_string(last) + ", " + std::to_string(stride) +
                                    "} is not a range with a stride towards its last, in " + ranks_text(members),
                                c.where);
        for (int r = first; stride > 0 ? r <= last : r >= last; r += stride) ranks.push_back(r);
    }
    check_group_ranks(c, members, static_cast<int>(ranks.size()), ranks.data(), true, false);
    return ranks;
}

// The members at `ranks` (MPI_Group_incl's order), or every member but those (MPI_Group_excl's:
// the group's own order).
std::vector<int> chosen(const std::vector<int>& members, const std::vector<int>& ranks, bool include) {
    std::vector<int> kept;
    if (include)
        for (const int r : ranks) kept.push_back(members[static_cast<std::size_t>(r)]);
    else
        for (std::size_t r = 0; r < members.size(); ++r)
            if (std::find(ranks.begin(), ranks.end(), static_cast<int>(r)) == ranks.end()) kept.push_back(members[r]);
    return kept;
}

// MPI_Group_incl and MPI_Group_excl: the ranks as a list.
int listed(const baton_mpi_where* site, std::string_view name, MPI_Group group, int n, const int ranks[],
           MPI_Group* newgroup, bool include) {
    const call c(name, site, MPI_COMM_WORLD);
    const auto& members = group_members(c, group, "group");
    check_group_ranks(c, members, n, ranks, true, false);
    *checked_output(c, newgroup, "the new group") =
        keep_group(c, chosen(members, std::vector<int>(ranks, ranks + std::max(n, 0)), include));
    return MPI_SUCCESS;
}

// MPI_Group_range_incl and MPI_Group_range_excl: the ranks as (first, last, stride) triplets.
int ranged(const baton_mpi_where* site, std::string_view name, MPI_Group group, int n, int ranges[][3],
           MPI_Group* newgroup, bool include) {
    const call c(name, site, MPI_COMM_WORLD);
    const auto& members = group_members(c, group, "group");
    *checked_output(c, newgroup, "the new group") =
        keep_group(c, chosen(members, ranks_of_ranges(c, members, n, ranges), include));
    return MPI_SUCCESS;
}

bool has(const std::vector<int>& members, int world_rank) { return rank_in(members, world_rank) != MPI_UNDEFINED; }

// The set operations (MPI-3.1 §6.3.2): members in the first group's order, then the second's.
enum class set_operation { union_of, intersection, difference };

std::vector<int> combined(const std::vector<int>& first, const std::vector<int>& second, set_operation operation) {
    std::vector<int> result;
    for (const int w : first)
        if (operation == set_operation::union_of || has(second, w) == (operation == set_operation::intersection))
            result.push_back(w);
    if (operation == set_operation::union_of)
        for (const int w : second)
            if (!has(first, w)) result.push_back(w);
    return result;
}

int combine(const baton_mpi_where* site, std::string_view name, MPI_Group group1, MPI_Group group2,
            MPI_Group* newgroup, set_operation operation) {
    const call c(name, site, MPI_COMM_WORLD);
    const auto& first = group_members(c, group1, "group1");
    const auto& second = group_members(c, group2, "group2");
    *checked_output(c, newgroup, "the new group") = keep_group(c, combined(first, second, operation));
    return MPI_SUCCESS;
}

}  // namespace

BATON_MPI_BODY(MPI_Group_size)(const baton_mpi_where* site, MPI_Group group, int* size) {
    const call c("MPI_Group_size", site, MPI_COMM_WORLD);
    *checked_output(c, size, "the size") = static_cast<int>(group_members(c, group, "group").size());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Group_size, (MPI_Group group, int* size), (group, size))

// MPI_UNDEFINED when the calling rank is not in the group.
BATON_MPI_BODY(MPI_Group_rank)(const baton_mpi_where* site, MPI_Group group, int* rank) {
    const call c("MPI_Group_rank", site, MPI_COMM_WORLD);
    *checked_output(c, rank, "the rank") = rank_in(group_members(c, group, "group"), c.rank.world.world_rank());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Group_rank, (MPI_Group group, int* rank), (group, rank))

BATON_MPI_BODY(MPI_Group_incl)(const baton_mpi_where* site, MPI_Group group, int n, const int ranks[],
                                       MPI_Group* newgroup) {
    return listed(site, "MPI_Group_incl", group, n, ranks, newgroup, true);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_incl, (MPI_Group group, int n, const int ranks[], MPI_Group* newgroup),
                       (group, n, ranks, newgroup))

BATON_MPI_BODY(MPI_Group_excl)(const baton_mpi_where* site, MPI_Group group, int n, const int ranks[],
                                       MPI_Group* newgroup) {
    return listed(site, "MPI_Group_excl", group, n, ranks, newgroup, false);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_excl, (MPI_Group group, int n, const int ranks[], MPI_Group* newgroup),
                       (group, n, ranks, newgroup))

BATON_MPI_BODY(MPI_Group_range_incl)(const baton_mpi_where* site, MPI_Group group, int n, int ranges[][3],
                                             MPI_Group* newgroup) {
    return ranged(site, "MPI_Group_range_incl", group, n, ranges, newgroup, true);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_range_incl, (MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup),
                       (group, n, ranges, newgroup))

BATON_MPI_BODY(MPI_Group_range_excl)(const baton_mpi_where* site, MPI_Group group, int n, int ranges[][3],
                                             MPI_Group* newgroup) {
    return ranged(site, "MPI_Group_range_excl", group, n, ranges, newgroup, false);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_range_excl, (MPI_Group group, int n, int ranges[][3], MPI_Group* newgroup),
                       (group, n, ranges, newgroup))

BATON_MPI_BODY(MPI_Group_union)(const baton_mpi_where* site, MPI_Group group1, MPI_Group group2,
                                        MPI_Group* newgroup) {
    return combine(site, "MPI_Group_union", group1, group2, newgroup, set_operation::union_of);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_union, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup),
                       (group1, group2, newgroup))

BATON_MPI_BODY(MPI_Group_intersection)(const baton_mpi_where* site, MPI_Group group1, MPI_Group group2,
                                               MPI_Group* newgroup) {
    return combine(site, "MPI_Group_intersection", group1, group2, newgroup, set_operation::intersection);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_intersection, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup),
                       (group1, group2, newgroup))

BATON_MPI_BODY(MPI_Group_difference)(const baton_mpi_where* site, MPI_Group group1, MPI_Group group2,
                                             MPI_Group* newgroup) {
    return combine(site, "MPI_Group_difference", group1, group2, newgroup, set_operation::difference);
}
BATON_MPI_WITHOUT_SITE(MPI_Group_difference, (MPI_Group group1, MPI_Group group2, MPI_Group* newgroup),
                       (group1, group2, newgroup))

// MPI_IDENT: the same members in the same order; MPI_SIMILAR: the same members; else MPI_UNEQUAL.
BATON_MPI_BODY(MPI_Group_compare)(const baton_mpi_where* site, MPI_Group group1, MPI_Group group2,
                                          int* result) {
    const call c("MPI_Group_compare", site, MPI_COMM_WORLD);
    const auto& first = group_members(c, group1, "group1");
    const auto& second = group_members(c, group2, "group2");
    checked_output(c, result, "the result");
    if (first == second) *result = MPI_IDENT;
    else if (first.size() == second.size() && combined(first, second, set_operation::difference).empty())
        *result = MPI_SIMILAR;
    else *result = MPI_UNEQUAL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Group_compare, (MPI_Group group1, MPI_Group group2, int* result),
                       (group1, group2, result))

// Each rank of group1 in group2, MPI_UNDEFINED where it is not there; MPI_PROC_NULL stays itself
// (MPI-3.1 §6.3.1).
BATON_MPI_BODY(MPI_Group_translate_ranks)(const baton_mpi_where* site, MPI_Group group1, int n,
                                                  const int ranks1[], MPI_Group group2, int ranks2[]) {
    const call c("MPI_Group_translate_ranks", site, MPI_COMM_WORLD);
    const auto& first = group_members(c, group1, "group1");
    const auto& second = group_members(c, group2, "group2");
    check_group_ranks(c, first, n, ranks1, false, true);
    if (n > 0) checked_output(c, ranks2, "the translated ranks");
    for (int i = 0; i < n; ++i)
        ranks2[i] = ranks1[i] == MPI_PROC_NULL ? MPI_PROC_NULL : rank_in(second, first[static_cast<std::size_t>(ranks1[i])]);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Group_translate_ranks,
                       (MPI_Group group1, int n, const int ranks1[], MPI_Group group2, int ranks2[]),
                       (group1, n, ranks1, group2, ranks2))

// MPI_GROUP_EMPTY may be freed as any group a call gave (the set operations give it for an empty
// result): its handle becomes MPI_GROUP_NULL, and the group itself stays, as a predefined one.
BATON_MPI_BODY(MPI_Group_free)(const baton_mpi_where* site, MPI_Group* group) {
    const call c("MPI_Group_free", site, MPI_COMM_WORLD);
    checked_output(c, group, "the group");
    (void)group_members(c, *group, "group");
    c.rank.groups.take(*group);
    *group = MPI_GROUP_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Group_free, (MPI_Group * group), (group))
