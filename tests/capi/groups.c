/* Groups and the communicators made from them, on 4 ranks: MPI_COMM_SELF for a collective and a
 * message to oneself, every group call, MPI_Comm_create on the even ranks, MPI_Comm_compare's four
 * answers and MPI_Comm_split_type. Each rank prints one line (MPI_UNDEFINED printed as -1). */
#include <mpi.h>
#include <stdio.h>

static int shown(int rank) { return rank == MPI_UNDEFINED ? -1 : rank; }

static int size_of(MPI_Group group) {
    int size;
    MPI_Group_size(group, &size);
    return size;
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    /* MPI_COMM_SELF: this rank alone, for a collective and a message to itself. */
    int self_size, self_rank, self_sum, echoed = -1;
    MPI_Comm_size(MPI_COMM_SELF, &self_size);
    MPI_Comm_rank(MPI_COMM_SELF, &self_rank);
    MPI_Allreduce(&rank, &self_sum, 1, MPI_INT, MPI_SUM, MPI_COMM_SELF);
    MPI_Request to_self;
    MPI_Isend(&rank, 1, MPI_INT, 0, 5, MPI_COMM_SELF, &to_self);
    MPI_Recv(&echoed, 1, MPI_INT, 0, 5, MPI_COMM_SELF, MPI_STATUS_IGNORE);
    MPI_Wait(&to_self, MPI_STATUS_IGNORE);

    /* Groups of the world's ranks: evens {0,2} three ways, odds {1,3} three ways. */
    MPI_Group world, evens, odds, evens_by_range, evens_by_exclusion, reversed, both, odds_again, odds_by_difference,
        none;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    const int even_ranks[2] = {0, 2};
    int every_other[1][3] = {{0, 3, 2}}, odd_range[1][3] = {{1, 3, 2}}, backwards[1][3] = {{3, 0, -1}};
    MPI_Group_incl(world, 2, even_ranks, &evens);
    MPI_Group_excl(world, 2, even_ranks, &odds);
    MPI_Group_range_incl(world, 1, every_other, &evens_by_range);
    MPI_Group_range_excl(world, 1, odd_range, &evens_by_exclusion);
    MPI_Group_range_incl(world, 1, backwards, &reversed);
    MPI_Group_union(evens, odds, &both);
    MPI_Group_intersection(both, odds, &odds_again);
    MPI_Group_difference(world, evens, &odds_by_difference);
    MPI_Group_incl(world, 0, even_ranks, &none);

    int world_rank_in_group, even_rank, union_rank, by_range, by_exclusion, similar, unequal, same_odds, empty_size;
    MPI_Group_rank(world, &world_rank_in_group);
    MPI_Group_rank(evens, &even_rank);
    MPI_Group_rank(both, &union_rank);
    MPI_Group_compare(evens, evens_by_range, &by_range);
    MPI_Group_compare(evens, evens_by_exclusion, &by_exclusion);
    MPI_Group_compare(world, reversed, &similar);
    MPI_Group_compare(evens, odds, &unequal);
    MPI_Group_compare(odds_again, odds_by_difference, &same_odds);
    empty_size = size_of(none);

    const int all_ranks[5] = {0, 1, 2, 3, MPI_PROC_NULL};
    int in_evens[5], in_reversed[5];
    MPI_Group_translate_ranks(world, 5, all_ranks, evens, in_evens);
    MPI_Group_translate_ranks(world, 5, all_ranks, reversed, in_reversed);

    /* The even ranks' communicator: the odd ones get MPI_COMM_NULL. */
    MPI_Comm even_comm;
    MPI_Comm_create(MPI_COMM_WORLD, evens, &even_comm);
    int even_sum = -1, even_size = 0;
    if (even_comm != MPI_COMM_NULL) {
        MPI_Comm_size(even_comm, &even_size);
        MPI_Allreduce(&rank, &even_sum, 1, MPI_INT, MPI_SUM, even_comm);
    }

    /* MPI_Comm_compare's four answers. */
    MPI_Comm copy, backwards_comm, shared;
    MPI_Comm_dup(MPI_COMM_WORLD, &copy);
    MPI_Comm_split(MPI_COMM_WORLD, 0, -rank, &backwards_comm);
    int ident, congruent, similar_comm, unequal_comm;
    MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_WORLD, &ident);
    MPI_Comm_compare(MPI_COMM_WORLD, copy, &congruent);
    MPI_Comm_compare(MPI_COMM_WORLD, backwards_comm, &similar_comm);
    MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_SELF, &unequal_comm);

    /* Every rank shares this one node. */
    int shared_size, shared_rank;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shared);
    MPI_Comm_size(shared, &shared_size);
    MPI_Comm_rank(shared, &shared_rank);

    printf("rank %d: self %d of %d sum %d echo %d; group rank %d even %d union %d; sizes %d %d %d %d empty %d %s; "
           "compare %d %d %d %d %d; evens %d %d %d %d %d, reversed %d %d %d %d %d; "
           "even comm %d sum %d; comm compare %d %d %d %d; shared %d of %d\n",
           rank, self_rank, self_size, self_sum, echoed, world_rank_in_group, shown(even_rank), union_rank,
           size_of(world), size_of(odds), size_of(both), size_of(odds_by_difference), empty_size,
           none == MPI_GROUP_EMPTY ? "is MPI_GROUP_EMPTY" : "is another group", by_range, by_exclusion, similar,
           unequal, same_odds, shown(in_evens[0]), shown(in_evens[1]), shown(in_evens[2]), shown(in_evens[3]),
           in_evens[4] == MPI_PROC_NULL, in_reversed[0], in_reversed[1], in_reversed[2], in_reversed[3],
           in_reversed[4] == MPI_PROC_NULL, even_size, even_sum, ident, congruent, similar_comm, unequal_comm,
           shared_rank, shared_size);

    MPI_Group* groups[] = {&world,  &evens,      &odds,       &evens_by_range,     &evens_by_exclusion,
                           &reversed, &both, &odds_again, &odds_by_difference, &none};
    for (int i = 0; i < (int)(sizeof groups / sizeof groups[0]); ++i) MPI_Group_free(groups[i]);
    if (even_comm != MPI_COMM_NULL) MPI_Comm_free(&even_comm);
    MPI_Comm_free(&copy);
    MPI_Comm_free(&backwards_comm);
    MPI_Comm_free(&shared);
    MPI_Finalize();
    return world == MPI_GROUP_NULL && none == MPI_GROUP_NULL ? 0 : 1;
}
