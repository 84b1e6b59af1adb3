/* Matched probes, packing and the pair types of MINLOC/MAXLOC. Rank 0 takes the others' messages
 * with a wildcard MPI_Mprobe (sized by MPI_Get_count before it receives), rank 2 polls
 * MPI_Improbe and receives with MPI_Imrecv; rank 0 packs mixed values and a struct, rank 3
 * unpacks them; a struct is received as a differently laid out struct of the same type signature;
 * MINLOC and MAXLOC over every pair type, with ties going to the lower index. Each rank prints one
 * line; the same lines under mpiexec. */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int id;
    double weight;
} item;

typedef struct {
    double spare;
    int id;
    char gap[4];
    double weight;
} padded_item;

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char line[512];
    int at = snprintf(line, sizeof line, "rank %d:", rank);

    /* Wildcard matched probes: rank r > 0 sends r + 1 ints with tag 10 + r. */
    if (rank > 0) {
        int values[4];
        for (int i = 0; i <= rank; ++i) values[i] = 100 * rank + i;
        MPI_Send(values, rank + 1, MPI_INT, 0, 10 + rank, MPI_COMM_WORLD);
    } else {
        long total = 0;
        int consistent = 1;
        for (int n = 1; n < size; ++n) {
            MPI_Message message;
            MPI_Status status;
            int count;
            MPI_Mprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &message, &status);
            MPI_Get_count(&status, MPI_INT, &count);
            int* got = malloc(sizeof(int) * (size_t)count);
            MPI_Status received;
            MPI_Mrecv(got, count, MPI_INT, &message, &received);
            consistent &= message == MPI_MESSAGE_NULL && received.MPI_SOURCE == status.MPI_SOURCE &&
                          received.MPI_TAG == 10 + status.MPI_SOURCE && count == status.MPI_SOURCE + 1;
            for (int i = 0; i < count; ++i) total += got[i];
            free(got);
        }
        at += snprintf(line + at, sizeof line - (size_t)at, " mprobed %ld%s,", total, consistent ? "" : " (mixed up)");
    }

    /* MPI_Improbe until the message is there, then MPI_Imrecv; MPI_PROC_NULL's message. */
    if (rank == 1) {
        double half = 0.5;
        MPI_Send(&half, 1, MPI_DOUBLE, 2, 5, MPI_COMM_WORLD);
    } else if (rank == 2) {
        int flag = 0;
        MPI_Message message;
        MPI_Status status;
        while (!flag) MPI_Improbe(1, 5, MPI_COMM_WORLD, &flag, &message, &status);
        double got = 0;
        MPI_Request request;
        MPI_Imrecv(&got, 1, MPI_DOUBLE, &message, &request);
        MPI_Wait(&request, &status);
        at += snprintf(line + at, sizeof line - (size_t)at, " improbed %.1f from %d,", got, status.MPI_SOURCE);
    }
    MPI_Message nobody;
    MPI_Status from_nobody;
    MPI_Mprobe(MPI_PROC_NULL, 3, MPI_COMM_WORLD, &nobody, &from_nobody);
    int no_proc = nobody == MPI_MESSAGE_NO_PROC;
    MPI_Mrecv(NULL, 0, MPI_INT, &nobody, &from_nobody);
    at += snprintf(line + at, sizeof line - (size_t)at, " no proc %d %d,", no_proc,
                   from_nobody.MPI_SOURCE == MPI_PROC_NULL && nobody == MPI_MESSAGE_NULL);

    /* A struct's type, and the same signature (int, double) laid out differently. */
    MPI_Datatype item_type, padded_type;
    int lengths[2] = {1, 1};
    MPI_Datatype members[2] = {MPI_INT, MPI_DOUBLE};
    MPI_Aint item_at[2] = {offsetof(item, id), offsetof(item, weight)};
    MPI_Aint padded_at[2] = {offsetof(padded_item, id), offsetof(padded_item, weight)};
    MPI_Type_create_struct(2, lengths, item_at, members, &item_type);
    MPI_Type_create_struct(2, lengths, padded_at, members, &padded_type);
    MPI_Type_commit(&item_type);
    MPI_Type_commit(&padded_type);

    /* Packing: a count, doubles and two items from rank 0, unpacked by rank 3. */
    if (rank == 0) {
        int n = 3, room, part, position = 0;
        double doubles[3] = {1.25, 2.5, 3.75};
        item items[2] = {{7, 0.5}, {8, 1.5}};
        MPI_Pack_size(1, MPI_INT, MPI_COMM_WORLD, &room);
        MPI_Pack_size(3, MPI_DOUBLE, MPI_COMM_WORLD, &part);
        room += part;
        MPI_Pack_size(2, item_type, MPI_COMM_WORLD, &part);
        room += part;
        char* packed = malloc((size_t)room);
        MPI_Pack(&n, 1, MPI_INT, packed, room, &position, MPI_COMM_WORLD);
        MPI_Pack(doubles, n, MPI_DOUBLE, packed, room, &position, MPI_COMM_WORLD);
        MPI_Pack(items, 2, item_type, packed, room, &position, MPI_COMM_WORLD);
        MPI_Send(packed, position, MPI_PACKED, 3, 20, MPI_COMM_WORLD);
        free(packed);
    } else if (rank == 3) {
        char packed[256];
        MPI_Status status;
        int bytes, n = 0, position = 0;
        double doubles[3] = {0, 0, 0};
        item items[2] = {{0, 0}, {0, 0}};
        MPI_Recv(packed, sizeof packed, MPI_PACKED, 0, 20, MPI_COMM_WORLD, &status);
        MPI_Get_count(&status, MPI_PACKED, &bytes);
        MPI_Unpack(packed, bytes, &position, &n, 1, MPI_INT, MPI_COMM_WORLD);
        MPI_Unpack(packed, bytes, &position, doubles, n, MPI_DOUBLE, MPI_COMM_WORLD);
        MPI_Unpack(packed, bytes, &position, items, 2, item_type, MPI_COMM_WORLD);
        at += snprintf(line + at, sizeof line - (size_t)at, " unpacked %d: %.2f %.2f %.2f, %d %.1f %d %.1f (all %d),", n,
                       doubles[0], doubles[1], doubles[2], items[0].id, items[0].weight, items[1].id, items[1].weight,
                       position == bytes);
    }

    /* Sent as item, received as padded_item: the same type signature, so MPI allows it. */
    if (rank == 1) {
        item sent[2] = {{41, 4.5}, {42, 5.5}};
        MPI_Send(sent, 2, item_type, 3, 30, MPI_COMM_WORLD);
    } else if (rank == 3) {
        padded_item got[2] = {{-1, 0, "", 0}, {-1, 0, "", 0}};
        MPI_Aint lb, extent;
        MPI_Type_get_extent(padded_type, &lb, &extent);
        MPI_Datatype padded_array;
        MPI_Type_create_resized(padded_type, 0, sizeof(padded_item), &padded_array);
        MPI_Type_commit(&padded_array);
        MPI_Recv(got, 2, padded_array, 1, 30, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        at += snprintf(line + at, sizeof line - (size_t)at, " relaid %d %.1f %d %.1f %.1f,", got[0].id, got[0].weight,
                       got[1].id, got[1].weight, got[0].spare);
        MPI_Type_free(&padded_array);
    }
    MPI_Type_free(&item_type);
    MPI_Type_free(&padded_type);

    /* MINLOC and MAXLOC: values 3 1 4 1 (ranks 0..3): the minimum 1 is at ranks 1 and 3, MPI says 1. */
    const int values[4] = {3, 1, 4, 1};
    struct { double value; int index; } d[2] = {{values[rank % 4], rank}, {-values[rank % 4], rank}}, d_out[2];
    struct { float value; int index; } f = {(float)values[rank % 4] / 2, rank}, f_out;
    struct { long value; int index; } l = {values[rank % 4] * 1000L, rank}, l_out = {0, -1};
    struct { int value; int index; } i2 = {values[rank % 4], rank}, i2_out;
    struct { short value; int index; } s = {(short)values[rank % 4], rank}, s_out;
    struct { long double value; int index; } ld = {values[rank % 4], rank}, ld_out;
    MPI_Allreduce(d, d_out, 2, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD);
    MPI_Allreduce(&f, &f_out, 1, MPI_FLOAT_INT, MPI_MAXLOC, MPI_COMM_WORLD);
    MPI_Reduce(&l, &l_out, 1, MPI_LONG_INT, MPI_MINLOC, 0, MPI_COMM_WORLD);
    MPI_Scan(&i2, &i2_out, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD);
    MPI_Allreduce(&s, &s_out, 1, MPI_SHORT_INT, MPI_MINLOC, MPI_COMM_WORLD);
    MPI_Allreduce(&ld, &ld_out, 1, MPI_LONG_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
    at += snprintf(line + at, sizeof line - (size_t)at,
                   " minloc %.0f@%d, min of negatives %.0f@%d, maxloc %.1f@%d, long %ld@%d, scan %d@%d, short %d@%d, "
                   "long double %.0Lf@%d",
                   d_out[0].value, d_out[0].index, d_out[1].value, d_out[1].index, f_out.value, f_out.index,
                   l_out.value, l_out.index, i2_out.value, i2_out.index, s_out.value, s_out.index, ld_out.value,
                   ld_out.index);
    printf("%s\n", line);
    MPI_Finalize();
    return 0;
}
