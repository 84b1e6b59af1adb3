/* Point-to-point in every mode and every way to complete a request, on a ring of ranks. Each rank
 * prints one line of what it received; the same lines under mpiexec. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int right = (rank + 1) % size, left = (rank + size - 1) % size;
    int got[8] = {0};

    /* Buffered: the attached buffer holds the message until it is received. */
    int room = 2 * (int)(sizeof(int) + MPI_BSEND_OVERHEAD);
    void* buffer = malloc((size_t)room);
    MPI_Buffer_attach(buffer, room);
    int value = 100 + rank;
    MPI_Bsend(&value, 1, MPI_INT, right, 1, MPI_COMM_WORLD);
    MPI_Recv(&got[0], 1, MPI_INT, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    void* detached;
    int detached_size;
    MPI_Buffer_detach(&detached, &detached_size);
    free(detached);

    /* Ready: the receive is posted before the barrier, the send after it. */
    MPI_Request requests[4];
    MPI_Irecv(&got[1], 1, MPI_INT, left, 2, MPI_COMM_WORLD, &requests[0]);
    MPI_Barrier(MPI_COMM_WORLD);
    value = 200 + rank;
    MPI_Rsend(&value, 1, MPI_INT, right, 2, MPI_COMM_WORLD);
    MPI_Wait(&requests[0], MPI_STATUS_IGNORE);

    /* Synchronous, completed by Waitany then Waitsome. */
    int sent3 = 300 + rank;
    MPI_Issend(&sent3, 1, MPI_INT, right, 3, MPI_COMM_WORLD, &requests[0]);
    MPI_Irecv(&got[2], 1, MPI_INT, left, 3, MPI_COMM_WORLD, &requests[1]);
    int index, outcount, indices[2], done = 0;
    MPI_Waitany(2, requests, &index, MPI_STATUS_IGNORE);
    done += requests[index] == MPI_REQUEST_NULL;
    while (done < 2) {
        MPI_Waitsome(2, requests, &outcount, indices, MPI_STATUSES_IGNORE);
        if (outcount != MPI_UNDEFINED) done += outcount;
    }

    /* Persistent: three rounds of the same send and receive. */
    int sent4 = 0;
    MPI_Send_init(&sent4, 1, MPI_INT, right, 4, MPI_COMM_WORLD, &requests[0]);
    MPI_Recv_init(&got[3], 1, MPI_INT, left, 4, MPI_COMM_WORLD, &requests[1]);
    int total = 0;
    for (int round = 1; round <= 3; ++round) {
        sent4 = 400 + 10 * round + rank;
        MPI_Startall(2, requests);
        int flag = 0;
        while (!flag) MPI_Testall(2, requests, &flag, MPI_STATUSES_IGNORE);
        total += got[3];
    }
    got[3] = total;
    MPI_Request_free(&requests[0]);
    MPI_Request_free(&requests[1]);

    /* A probe says how much comes; Testany completes one of two. */
    int several[3] = {rank, rank, rank}, arrived[3];
    MPI_Isend(several, 1 + rank % 3, MPI_INT, right, 5, MPI_COMM_WORLD, &requests[0]);
    MPI_Status status;
    MPI_Probe(left, 5, MPI_COMM_WORLD, &status);
    int count;
    MPI_Get_count(&status, MPI_INT, &count);
    MPI_Recv(arrived, count, MPI_INT, left, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Wait(&requests[0], MPI_STATUS_IGNORE);
    got[4] = count;
    int sent6 = 600 + rank;
    MPI_Isend(&sent6, 1, MPI_INT, right, 6, MPI_COMM_WORLD, &requests[0]);
    MPI_Irecv(&got[5], 1, MPI_INT, left, 6, MPI_COMM_WORLD, &requests[1]);
    for (int completed = 0; completed < 2;) {
        int flag;
        MPI_Testany(2, requests, &index, &flag, MPI_STATUS_IGNORE);
        if (flag && index != MPI_UNDEFINED) ++completed;
    }

    /* A receive nobody sends to, cancelled. */
    int never;
    MPI_Irecv(&never, 1, MPI_INT, left, 99, MPI_COMM_WORLD, &requests[0]);
    MPI_Cancel(&requests[0]);
    MPI_Wait(&requests[0], &status);
    int cancelled;
    MPI_Test_cancelled(&status, &cancelled);

    /* Replace: each rank's value moves one to the right. */
    int moving = 700 + rank;
    MPI_Sendrecv_replace(&moving, 1, MPI_INT, right, 7, left, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);

    printf("rank %d: bsend %d, rsend %d, issend %d, persistent %d, probed %d, testany %d, cancelled %d, replaced %d\n",
           rank, got[0], got[1], got[2], got[3], got[4], got[5], cancelled, moving);
    MPI_Finalize();
    return 0;
}
