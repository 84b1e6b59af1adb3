/* Mistakes with groups, one per argument: baton's report names the rank, the MPI call, its line
 * here and what was wrong ("groups-left" is a warning at MPI_Finalize; the run succeeds). */
#include <mpi.h>
#include <string.h>

int main(int argc, char** argv) {
    const char* mistake = argc > 1 ? argv[1] : "";
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Group world, kept;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    if (strcmp(mistake, "freed-group") == 0) {
        MPI_Group copy = world;
        MPI_Group_free(&copy);
        MPI_Group_size(world, &size); /* freed */
    }
    if (strcmp(mistake, "never-made") == 0) MPI_Group_rank(42, &rank);
    if (strcmp(mistake, "null-group") == 0) MPI_Group_size(MPI_GROUP_NULL, &size);
    if (strcmp(mistake, "out-of-range") == 0) {
        const int ranks[2] = {0, 5};
        MPI_Group_incl(world, 2, ranks, &kept);
    }
    if (strcmp(mistake, "repeated") == 0) {
        const int ranks[3] = {1, 0, 1};
        MPI_Group_excl(world, 3, ranks, &kept);
    }
    if (strcmp(mistake, "bad-range") == 0) {
        int ranges[1][3] = {{1, 0, 1}};
        MPI_Group_range_incl(world, 1, ranges, &kept);
    }
    if (strcmp(mistake, "not-subset") == 0) {
        MPI_Comm alone;
        MPI_Comm_split(MPI_COMM_WORLD, rank, 0, &alone);
        MPI_Comm_create(alone, world, &kept); /* world is not within alone */
    }
    if (strcmp(mistake, "self-freed") == 0) {
        MPI_Comm self = MPI_COMM_SELF;
        MPI_Comm_free(&self);
    }
    if (strcmp(mistake, "groups-left") != 0) MPI_Group_free(&world);
    MPI_Finalize(); /* the last call */
    return 0;
}
