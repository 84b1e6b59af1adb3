/* The rest of MPI's collectives, on 6 ranks: the non-blocking v-forms with gapped displacements,
 * the non-blocking scans and reduce-scatters, MPI_Alltoallw and MPI_Ialltoallw with a datatype per
 * peer, MPI_IN_PLACE at roots and elsewhere (blocking and not), the neighbour collectives of a 3x2
 * grid periodic in its first dimension (blocking and not), and derived datatypes in a gatherv and
 * in persistent requests. Each rank prints its lines; the same lines under mpiexec -n 6. A gap is -1 and must
 * stay so; each line shows whole buffers, so a block in the wrong place shows. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

enum { most = 48 };

/* What each part is given: no globals, which threads and fibers ranks would share. */
struct rank_line {
    int rank, size;
    char line[4096]; /* one line per rank and part of the program */
    int used;
};

static void fill(int* v, int n, int value) {
    for (int i = 0; i < n; ++i) v[i] = value;
}

/* Adds `what` and the first n values of v to the rank's line of this part. */
static void show(struct rank_line* report, const char* what, const int* v, int n) {
    const int room = (int)sizeof report->line;
    report->used += snprintf(report->line + report->used, room - report->used, "%s%s", report->used ? "; " : "", what);
    for (int i = 0; i < n && report->used < room - 12; ++i)
        report->used += snprintf(report->line + report->used, room - report->used, " %d", v[i]);
}

static void print_part(struct rank_line* report, const char* part) {
    printf("rank %d, %s: %s\n", report->rank, part, report->line);
    report->used = 0;
    report->line[0] = 0;
}

/* counts[r] = r % 3 + 1 elements for rank r, each block after a gap of one: the v-forms' layout. */
static int gapped(int size, int counts[], int displs[]) {
    int at = 0;
    for (int r = 0; r < size; ++r) {
        counts[r] = r % 3 + 1;
        displs[r] = at + 1;
        at += counts[r] + 1;
    }
    return at;
}

static void nonblocking_v_forms(struct rank_line* report) {
    const int rank = report->rank, size = report->size;
    int counts[most], displs[most], given[4], gathered[most], all[most], scattered[4], source[most];
    const int length = gapped(size, counts, displs);
    const int mine = counts[rank];
    for (int i = 0; i < mine; ++i) given[i] = 10 * rank + i;
    for (int i = 0; i < length; ++i) source[i] = 100 + i;
    fill(gathered, length, -1);
    fill(all, length, -1);
    fill(scattered, 4, -1);
    /* ialltoallv: rank p gets (rank + p) % 2 + 1 elements from this rank, after a gap of one. */
    int sendcounts[most], sdispls[most], recvcounts[most], rdispls[most], out[most], in[most], at = 0;
    for (int p = 0; p < size; ++p) {
        sendcounts[p] = recvcounts[p] = (rank + p) % 2 + 1;
        sdispls[p] = rdispls[p] = at + 1;
        for (int i = 0; i < sendcounts[p]; ++i) out[at + 1 + i] = 100 * rank + 10 * p + i;
        at += sendcounts[p] + 1;
    }
    fill(in, at, -1);
    int one = rank + 1, scan = -1, exscan = -1, cut[4] = {-1, -1, -1, -1}, block[2] = {-1, -1}, cuts[most],
        whole[2 * most];
    for (int r = 0; r < size; ++r) cuts[r] = r % 2 + 1;
    for (int i = 0; i < 2 * size; ++i) whole[i] = rank * i;
    MPI_Request requests[8];
    MPI_Igatherv(given, mine, MPI_INT, gathered, counts, displs, MPI_INT, 1, MPI_COMM_WORLD, &requests[0]);
    MPI_Iscatterv(source, counts, displs, MPI_INT, scattered, mine, MPI_INT, 2, MPI_COMM_WORLD, &requests[1]);
    MPI_Iallgatherv(given, mine, MPI_INT, all, counts, displs, MPI_INT, MPI_COMM_WORLD, &requests[2]);
    MPI_Ialltoallv(out, sendcounts, sdispls, MPI_INT, in, recvcounts, rdispls, MPI_INT, MPI_COMM_WORLD, &requests[3]);
    MPI_Iscan(&one, &scan, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[4]);
    MPI_Iexscan(&one, &exscan, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &requests[5]);
    MPI_Ireduce_scatter(whole, cut, cuts, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[6]);
    MPI_Ireduce_scatter_block(whole, block, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[7]);
    MPI_Waitall(8, requests, MPI_STATUSES_IGNORE);
    if (rank == 1) show(report, "igatherv", gathered, length);
    show(report, "iscatterv", scattered, 4);
    if (rank == 4) show(report, "iallgatherv", all, length);
    show(report, "ialltoallv", in, at);
    int scans[5] = {scan, rank == 0 ? 0 : exscan, cut[0], cut[1], block[0] + block[1]};
    show(report, "iscan, iexscan, ireduce_scatter(_block)", scans, 5);
}

/* To an odd rank one double, to an even one two ints (sent as one pair of a derived type, received
 * as two MPI_INTs: the same type signature), at byte displacements with gaps. */
static void alltoallw(struct rank_line* report, int nonblocking) {
    const int rank = report->rank, size = report->size;
    MPI_Datatype pair;
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_commit(&pair);
    double out[2 * most], in[2 * most];
    int sendcounts[most], sdispls[most], recvcounts[most], rdispls[most];
    MPI_Datatype sendtypes[most], recvtypes[most];
    for (int p = 0; p < size; ++p) {
        sdispls[p] = (int)(2 * p * sizeof(double));
        rdispls[p] = (int)((2 * p + 1) * sizeof(double));
        if (p % 2) {
            sendtypes[p] = MPI_DOUBLE;
            sendcounts[p] = 1;
            out[2 * p] = rank + p / 10.0 + nonblocking;
        } else {
            sendtypes[p] = pair;
            sendcounts[p] = 1;
            int values[2] = {rank + 100 * nonblocking, p};
            memcpy(&out[2 * p], values, sizeof values);
        }
        recvtypes[p] = rank % 2 ? MPI_DOUBLE : MPI_INT;
        recvcounts[p] = rank % 2 ? 1 : 2;
        in[2 * p] = in[2 * p + 1] = -1;
    }
    if (nonblocking) {
        MPI_Request request;
        MPI_Ialltoallw(out, sendcounts, sdispls, sendtypes, in, recvcounts, rdispls, recvtypes, MPI_COMM_WORLD,
                       &request);
        MPI_Wait(&request, MPI_STATUS_IGNORE);
    } else {
        MPI_Alltoallw(out, sendcounts, sdispls, sendtypes, in, recvcounts, rdispls, recvtypes, MPI_COMM_WORLD);
    }
    int got[most];
    for (int p = 0; p < size; ++p) {
        if (rank % 2) {
            got[2 * p] = (int)(10 * in[2 * p + 1] + 0.5);
            got[2 * p + 1] = in[2 * p] == -1;  /* the gap stays */
        } else {
            memcpy(&got[2 * p], &in[2 * p + 1], 2 * sizeof(int));
        }
    }
    show(report, nonblocking ? "ialltoallw" : "alltoallw", got, 2 * size);
    MPI_Type_free(&pair);
}

static void in_place(struct rank_line* report) {
    const int rank = report->rank, size = report->size;
    int counts[most], displs[most], v[most], w[most];
    const int length = gapped(size, counts, displs);
    /* gather, scatter, allgather, alltoall */
    fill(v, size, -1);
    v[rank] = rank * rank;
    if (rank == 0) MPI_Gather(MPI_IN_PLACE, 1, MPI_INT, v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    else MPI_Gather(&v[rank], 1, MPI_INT, NULL, 0, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) show(report, "gather", v, size);
    for (int i = 0; i < size; ++i) w[i] = 50 + i;
    int piece = -1;
    if (rank == 4) MPI_Scatter(w, 1, MPI_INT, MPI_IN_PLACE, 1, MPI_INT, 4, MPI_COMM_WORLD);
    else MPI_Scatter(NULL, 1, MPI_INT, &piece, 1, MPI_INT, 4, MPI_COMM_WORLD);
    int scattered[2] = {piece, w[4]};
    show(report, "scatter", scattered, 2);
    fill(v, size, -1);
    v[rank] = 7 * rank;
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, v, 1, MPI_INT, MPI_COMM_WORLD);
    if (rank == 5) show(report, "allgather", v, size);
    for (int p = 0; p < size; ++p) v[p] = 10 * rank + p;
    MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, v, 1, MPI_INT, MPI_COMM_WORLD);
    show(report, "alltoall", v, size);

    /* their v-forms */
    fill(v, length, -1);
    for (int i = 0; i < counts[rank]; ++i) v[displs[rank] + i] = 10 * rank + i;
    if (rank == 3) MPI_Gatherv(MPI_IN_PLACE, 0, MPI_INT, v, counts, displs, MPI_INT, 3, MPI_COMM_WORLD);
    else MPI_Gatherv(&v[displs[rank]], counts[rank], MPI_INT, NULL, NULL, NULL, MPI_INT, 3, MPI_COMM_WORLD);
    if (rank == 3) show(report, "gatherv", v, length);
    for (int i = 0; i < length; ++i) w[i] = 200 + i;
    int mine[4] = {-1, -1, -1, -1};
    if (rank == 5) MPI_Scatterv(w, counts, displs, MPI_INT, MPI_IN_PLACE, 0, MPI_INT, 5, MPI_COMM_WORLD);
    else MPI_Scatterv(NULL, NULL, NULL, MPI_INT, mine, counts[rank], MPI_INT, 5, MPI_COMM_WORLD);
    show(report, "scatterv", rank == 5 ? w : mine, rank == 5 ? length : 4);
    fill(v, length, -1);
    for (int i = 0; i < counts[rank]; ++i) v[displs[rank] + i] = 10 * rank + i;
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, v, counts, displs, MPI_INT, MPI_COMM_WORLD);
    if (rank == 2) show(report, "allgatherv", v, length);
    int both[most], bdispls[most], at = 0;
    for (int p = 0; p < size; ++p) {
        both[p] = (rank + p) % 2 + 1;
        bdispls[p] = at + 1;
        v[at] = -1;
        for (int i = 0; i < both[p]; ++i) v[at + 1 + i] = 100 * rank + 10 * p + i;
        at += both[p] + 1;
    }
    MPI_Alltoallv(MPI_IN_PLACE, NULL, NULL, MPI_DATATYPE_NULL, v, both, bdispls, MPI_INT, MPI_COMM_WORLD);
    show(report, "alltoallv", v, at);

    /* the non-blocking forms, and reductions in place */
    int g[most], ag[most], a2a[most], sc[most], gv[most], sum[2] = {rank, 1}, cut[most], block[most];
    fill(g, size, -1);
    g[rank] = rank + 1;
    fill(ag, size, -1);
    ag[rank] = rank + 2;
    for (int p = 0; p < size; ++p) a2a[p] = rank * size + p;
    for (int i = 0; i < size; ++i) sc[i] = 30 + i;
    fill(gv, length, -1);
    for (int i = 0; i < counts[rank]; ++i) gv[displs[rank] + i] = rank + 1;
    for (int i = 0; i < 2 * size; ++i) block[i] = cut[i] = rank + i;
    int piece2 = -1, scanned = rank + 1, summed = rank + 1;
    MPI_Request requests[9];
    MPI_Igather(rank == 1 ? MPI_IN_PLACE : &g[rank], 1, MPI_INT, g, 1, MPI_INT, 1, MPI_COMM_WORLD, &requests[0]);
    MPI_Iallgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, ag, 1, MPI_INT, MPI_COMM_WORLD, &requests[1]);
    MPI_Ialltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, a2a, 1, MPI_INT, MPI_COMM_WORLD, &requests[2]);
    MPI_Iscatter(sc, 1, MPI_INT, rank == 2 ? MPI_IN_PLACE : &piece2, 1, MPI_INT, 2, MPI_COMM_WORLD, &requests[3]);
    MPI_Igatherv(rank == 0 ? MPI_IN_PLACE : &gv[displs[rank]], counts[rank], MPI_INT, gv, counts, displs, MPI_INT, 0,
                 MPI_COMM_WORLD, &requests[4]);
    MPI_Iallreduce(MPI_IN_PLACE, sum, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[5]);
    MPI_Ireduce_scatter_block(MPI_IN_PLACE, block, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &requests[6]);
    MPI_Iscan(MPI_IN_PLACE, &scanned, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[7]);
    MPI_Ireduce(rank == 0 ? MPI_IN_PLACE : &summed, rank == 0 ? &summed : NULL, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD, &requests[8]);
    int cuts[most];
    for (int r = 0; r < size; ++r) cuts[r] = 2;
    MPI_Reduce_scatter(MPI_IN_PLACE, cut, cuts, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Waitall(9, requests, MPI_STATUSES_IGNORE);
    if (rank == 1) show(report, "igather", g, size);
    if (rank == 3) show(report, "iallgather", ag, size);
    show(report, "ialltoall", a2a, size);
    int pieces[2] = {piece2, sc[2]};
    show(report, "iscatter", pieces, 2);
    if (rank == 0) show(report, "igatherv", gv, length);
    int reduced[6] = {sum[0], sum[1], block[0], block[1], cut[0], cut[1]};
    show(report, "iallreduce, ireduce_scatter_block, reduce_scatter", reduced, 6);
    int prefixed[2] = {scanned, rank == 0 ? summed : -1};
    show(report, "iscan, ireduce", prefixed, 2);
}

/* The 3x2 grid, periodic in its first dimension: neighbours -x, +x, -y, +y; none beyond the open
 * edges of the second, whose blocks stay -1. */
static void neighbours(struct rank_line* report) {
    int dims[2] = {3, 2}, periods[2] = {1, 0};
    MPI_Comm grid;
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &grid);
    int me, around[4];
    MPI_Comm_rank(grid, &me);
    MPI_Cart_shift(grid, 0, 1, &around[0], &around[1]);
    MPI_Cart_shift(grid, 1, 1, &around[2], &around[3]);
    int gathered[4] = {-1, -1, -1, -1}, given[4], exchanged[4] = {-1, -1, -1, -1};
    MPI_Neighbor_allgather(&me, 1, MPI_INT, gathered, 1, MPI_INT, grid);
    for (int i = 0; i < 4; ++i) given[i] = 10 * me + i;
    MPI_Neighbor_alltoall(given, 1, MPI_INT, exchanged, 1, MPI_INT, grid);
    /* v-forms: a rank gives me % 2 + 1 values; block i to neighbour i is i % 2 + 1 long; gaps of one. */
    int mine[2] = {me, me}, counts[4], displs[4], sent[4], sdispls[4], recvd[4], rdispls[4], all[16], out[16], in[16];
    fill(all, 16, -1);
    fill(in, 16, -1);
    for (int i = 0, at = 0, sat = 0; i < 4; ++i) {
        counts[i] = around[i] == MPI_PROC_NULL ? 1 : around[i] % 2 + 1;
        displs[i] = at + 1;
        at += 3;
        sent[i] = i % 2 + 1;
        sdispls[i] = sat;
        for (int k = 0; k < sent[i]; ++k) out[sat + k] = 100 * me + 10 * i + k;
        sat += 2;
        recvd[i] = (i ^ 1) % 2 + 1;  /* what neighbour i sends in its slot i ^ 1 */
        rdispls[i] = 3 * i + 1;
    }
    MPI_Neighbor_allgatherv(mine, me % 2 + 1, MPI_INT, all, counts, displs, MPI_INT, grid);
    MPI_Neighbor_alltoallv(out, sent, sdispls, MPI_INT, in, recvd, rdispls, MPI_INT, grid);
    show(report, "neighbor_allgather", gathered, 4);
    show(report, "neighbor_alltoall", exchanged, 4);
    show(report, "neighbor_allgatherv", all, 12);
    show(report, "neighbor_alltoallv", in, 12);
    /* The non-blocking forms, together: the same as the blocking ones. */
    int gathered2[4], exchanged2[4], all2[16], in2[16], same[4];
    fill(gathered2, 4, -1);
    fill(exchanged2, 4, -1);
    fill(all2, 16, -1);
    fill(in2, 16, -1);
    MPI_Request requests[4];
    MPI_Ineighbor_allgather(&me, 1, MPI_INT, gathered2, 1, MPI_INT, grid, &requests[0]);
    MPI_Ineighbor_alltoall(given, 1, MPI_INT, exchanged2, 1, MPI_INT, grid, &requests[1]);
    MPI_Ineighbor_allgatherv(mine, me % 2 + 1, MPI_INT, all2, counts, displs, MPI_INT, grid, &requests[2]);
    MPI_Ineighbor_alltoallv(out, sent, sdispls, MPI_INT, in2, recvd, rdispls, MPI_INT, grid, &requests[3]);
    MPI_Waitall(4, requests, MPI_STATUSES_IGNORE);
    same[0] = memcmp(gathered, gathered2, sizeof gathered) == 0;
    same[1] = memcmp(exchanged, exchanged2, sizeof exchanged) == 0;
    same[2] = memcmp(all, all2, 12 * sizeof(int)) == 0;
    same[3] = memcmp(in, in2, 12 * sizeof(int)) == 0;
    show(report, "non-blocking the same", same, 4);
    MPI_Comm_free(&grid);
}

/* Every other int (a vector type) sent in a gatherv, received as ints and as pairs; the same type in
 * a persistent send, started twice, and a persistent receive into every other int. */
static void derived(struct rank_line* report) {
    const int rank = report->rank, size = report->size;
    MPI_Datatype alternate, pair;
    MPI_Type_vector(2, 1, 2, MPI_INT, &alternate);
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_commit(&alternate);
    MPI_Type_commit(&pair);
    int given[4] = {rank, -7, 10 * rank, -7}, counts[most], displs[most], pairs[most], pdispls[most], v[4 * most],
        p[4 * most];
    for (int r = 0; r < size; ++r) {
        counts[r] = 2;
        displs[r] = 3 * r + 1;
        pairs[r] = 1;
        pdispls[r] = 2 * r;
    }
    fill(v, 3 * size, -1);
    fill(p, 4 * size, -1);
    MPI_Gatherv(given, 1, alternate, v, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gatherv(given, 1, alternate, p, pairs, pdispls, pair, 5, MPI_COMM_WORLD);
    if (rank == 0) show(report, "gatherv of a vector", v, 3 * size);
    if (rank == 5) show(report, "gatherv into pairs", p, 4 * size);

    int data[4] = {1, -1, 2, -1}, got[8];
    fill(got, 8, -1);
    MPI_Request request;
    if (rank == 0) {
        MPI_Send_init(data, 1, alternate, 1, 5, MPI_COMM_WORLD, &request);
        for (int round = 0; round < 2; ++round) {
            MPI_Start(&request);
            MPI_Wait(&request, MPI_STATUS_IGNORE);
            data[0] += 10;
            data[2] += 10;
        }
        MPI_Request_free(&request);
    } else if (rank == 1) {
        MPI_Recv_init(got, 2, alternate, 0, 5, MPI_COMM_WORLD, &request);
        for (int round = 0; round < 2; ++round) {
            MPI_Start(&request);
            MPI_Status status;
            MPI_Wait(&request, &status);
            int elements;
            MPI_Get_elements(&status, MPI_INT, &elements);
            got[4 * round + 1] = elements;
            if (round == 0) memcpy(&got[4], &got[0], sizeof(int));  /* the first round's first value */
        }
        MPI_Request_free(&request);
        show(report, "persistent", got, 8);
    }
    MPI_Type_free(&alternate);
    MPI_Type_free(&pair);
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    struct rank_line report = {0};
    MPI_Comm_rank(MPI_COMM_WORLD, &report.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &report.size);
    if (report.size != 6) {
        if (report.rank == 0) printf("run on 6 ranks\n");
        MPI_Finalize();
        return 1;
    }
    nonblocking_v_forms(&report);
    alltoallw(&report, 0);
    alltoallw(&report, 1);
    print_part(&report, "non-blocking, alltoallw");
    in_place(&report);
    print_part(&report, "in place");
    neighbours(&report);
    print_part(&report, "neighbours");
    derived(&report);
    if (report.used) print_part(&report, "derived");
    MPI_Finalize();
    return 0;
}
