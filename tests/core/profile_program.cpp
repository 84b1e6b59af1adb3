// A program whose calls and bytes are known, for the --profile tests (profile_check.py and the
// MPI suite): a ring of isend/irecv with a different size from each rank, a blocking send from
// rank 0 to the last rank, six collectives, three non-blocking ones and a ring grid's two
// neighbour collectives. Rank 0 computes more than the others, so that the load imbalance is
// above 1 when compute time is measured.
#include <stdexcept>
#include <vector>

#include <baton/baton.hpp>

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        const int rank = world.rank(), size = world.size();
        volatile double sink = 0;
        for (int i = 0; i < (rank == 0 ? 2000000 : 200000); ++i) sink = sink + i * 0.5;

        // The ring: rank r sends r + 1 ints to the next rank.
        const std::vector<int> out(static_cast<std::size_t>(rank + 1), rank);
        std::vector<int> in(static_cast<std::size_t>((rank + size - 1) % size + 1));
        auto sent = world.isend(out, (rank + 1) % size, /*tag=*/1);
        auto received = world.irecv(in, (rank + size - 1) % size, /*tag=*/1);
        received.wait();
        sent.wait();

        // 100 ints from rank 0 to the last rank.
        if (size > 1 && rank == 0) world.send(std::vector<int>(100, 7), size - 1, /*tag=*/2);
        if (size > 1 && rank == size - 1) (void)world.recv<std::vector<int>>(0, /*tag=*/2);

        const double total = world.allreduce(static_cast<double>(rank), baton::op::sum);
        std::vector<int> shared(16, rank == 0 ? 3 : 0);
        world.bcast(shared, /*root=*/0);
        const std::vector<int> gathered = world.gather(rank, /*root=*/0);
        const std::vector<int> pieces = world.scatter(std::vector<int>(rank == 0 ? 2 * size : 0, 5), /*root=*/0);
        const std::vector<int> exchanged = world.alltoall(std::vector<int>(static_cast<std::size_t>(size), rank));
        const int largest = world.reduce(rank, baton::op::max, /*root=*/0);

        // Counted as their blocking forms are: what each rank gives, where it starts the request.
        std::vector<int> announced(8, rank == 0 ? 1 : 0);
        auto announcing = world.ibcast(announced, /*root=*/0);
        double summed = 0;
        auto summing = world.iallreduce(static_cast<double>(rank), summed, baton::op::sum);
        std::vector<int> everyone;
        auto gathering = world.iallgather(rank, everyone);
        announcing.wait();
        summing.wait();
        gathering.wait();
        baton::cart_communicator ring = world.cart_create({size}, {true});
        const std::vector<int> beside = ring.neighbor_allgather(rank);
        const std::vector<int> swapped = ring.neighbor_alltoall(std::vector<int>{rank, rank, rank, rank});
        if (announced[0] != 1 || summed != total || everyone.size() != static_cast<std::size_t>(size) ||
            beside.size() != 2 || swapped.size() != 4)
            throw std::runtime_error("wrong results");

        if (pieces.size() != 2 || exchanged.size() != static_cast<std::size_t>(size) || (rank == 0 && largest != size - 1))
            throw std::runtime_error("wrong results");
        if (rank == 0 && (total != size * (size - 1) / 2.0 || gathered.size() != static_cast<std::size_t>(size)))
            throw std::runtime_error("wrong results");
    });
}
