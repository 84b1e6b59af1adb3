// The communicator calls that give or take a group, or compare members: MPI_Comm_group,
// MPI_Comm_create, MPI_Comm_compare and MPI_Comm_split_type. Who is in a communicator comes from
// the backend (comm_impl::members: world ranks), so these work alike on every context and on MPI.
#include "groups.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Comm_group)(const baton_mpi_where* site, MPI_Comm comm, MPI_Group* group) {
    const call c("MPI_Comm_group", site, comm);
    *checked_output(c, group, "the group") = keep_group(c, c.comm.members());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_group, (MPI_Comm comm, MPI_Group* group), (comm, group))

// Collective over `comm`: the group's members get a communicator of their own, in the group's
// order, the others MPI_COMM_NULL. It is the backend's split (so reports of a mismatch name it
// "split"): the colour is the group's first member's rank in `comm`, which also gives each of
// several disjoint groups (MPI-2.2 and later allow them) a communicator of its own.
BATON_MPI_BODY(MPI_Comm_create)(const baton_mpi_where* site, MPI_Comm comm, MPI_Group group,
                                        MPI_Comm* newcomm) {
    const call c("MPI_Comm_create", site, comm);
    const std::vector<int>& chosen = group_members(c, group, "group");
    const std::vector<int> members = c.comm.members();
    int color = MPI_UNDEFINED;
    for (const int world : chosen) {
        const int rank = rank_in(members, world);
        if (rank == MPI_UNDEFINED)
            detail::throw_usage(c.comm, c.name,
                                "the group has world rank " + std::to_string(world) + ", which is not in " +
                                    c.comm.name() + ": a new communicator's group must be a subset of its parent's",
                                c.where);
        if (color == MPI_UNDEFINED || rank < color) color = rank;
    }
    const int mine = rank_in(chosen, c.rank.world.world_rank());
    checked_output(c, newcomm, "the new communicator");
    *newcomm = c.keep_comm(c.comm.split(mine == MPI_UNDEFINED ? MPI_UNDEFINED : color, mine, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_create, (MPI_Comm comm, MPI_Group group, MPI_Comm* newcomm), (comm, group, newcomm))

// MPI_IDENT: one communicator (the same handle); MPI_CONGRUENT: the same members in the same order;
// MPI_SIMILAR: the same members; else MPI_UNEQUAL (MPI-3.1 §6.4.1).
BATON_MPI_BODY(MPI_Comm_compare)(const baton_mpi_where* site, MPI_Comm comm1, MPI_Comm comm2, int* result) {
    const call c("MPI_Comm_compare", site, comm1);
    backend::comm_impl& other = comm_of(c.rank, comm2, c.name, c.where);
    checked_output(c, result, "the result");
    const std::vector<int> first = c.comm.members(), second = other.members();
    if (&c.comm == &other) *result = MPI_IDENT;
    else if (first == second) *result = MPI_CONGRUENT;
    else if (std::is_permutation(first.begin(), first.end(), second.begin(), second.end())) *result = MPI_SIMILAR;
    else *result = MPI_UNEQUAL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_compare, (MPI_Comm comm1, MPI_Comm comm2, int* result), (comm1, comm2, result))

// Every simulated rank runs on this one machine, so MPI_COMM_TYPE_SHARED keeps the whole
// communicator together (ordered by key, then rank); MPI_UNDEFINED gives MPI_COMM_NULL. The info
// argument has no hints baton uses.
BATON_MPI_BODY(MPI_Comm_split_type)(const baton_mpi_where* site, MPI_Comm comm, int split_type, int key,
                                            MPI_Info, MPI_Comm* newcomm) {
    const call c("MPI_Comm_split_type", site, comm);
    if (split_type != MPI_COMM_TYPE_SHARED && split_type != MPI_UNDEFINED)
        detail::throw_usage(c.comm, c.name,
                            "split type " + std::to_string(split_type) +
                                " is neither MPI_COMM_TYPE_SHARED nor MPI_UNDEFINED",
                            c.where);
    checked_output(c, newcomm, "the new communicator");
    *newcomm = c.keep_comm(c.comm.split(split_type == MPI_UNDEFINED ? MPI_UNDEFINED : 0, key, c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_split_type, (MPI_Comm comm, int split_type, int key, MPI_Info info, MPI_Comm* newcomm),
                       (comm, split_type, key, info, newcomm))
