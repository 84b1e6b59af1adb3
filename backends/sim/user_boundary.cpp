#include "user_boundary.hpp"

// Issue 17: every frame of a rank's call stays on its fiber stack while the rank is blocked, and a
// million blocked ranks' stacks are most of a million-rank run's memory. GCC guesses that a
// wrapper's inner communicator may be another wrapper and inlines the wrapper's call into itself,
// with a second copy of every argument: 1.4 KiB of frame for an allreduce where 0.3 KiB do, and
// the blocked rank's stack crossed into a second page (4 KiB more per rank).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-devirtualize-speculatively")
#endif

#include <cstdlib>
#include <vector>

#include "engine.hpp"
#include "request.hpp"

namespace baton::sim::detail {

namespace {

// Inside the simulator for its lifetime. A call of the program's (not a destructor) names its
// operation, a literal, and line: what --profile counts (engine::entering).
class inside {
public:
    inside(engine& eng, int rank) noexcept : eng_(eng), rank_(rank) { eng_.entering(rank_); }
    inside(engine& eng, int rank, const char* operation, const backend::location& where) noexcept
        : eng_(eng), rank_(rank) {
        eng_.entering(rank_, operation, where);
    }
    ~inside() { eng_.leaving(rank_); }
    inside(const inside&) = delete;
    inside& operator=(const inside&) = delete;

private:
    engine& eng_;
    int rank_;
};

// MPI's names for the calls that complete several requests.
const char* complete_set_name(backend::request_impl::completion_rule how) {
    static constexpr const char* names[] = {"wait_some", "test_any", "test_some", "test_all"};
    return names[static_cast<std::size_t>(how)];
}

class bounded_request final : public backend::request_impl {
public:
    bounded_request(engine& eng, std::unique_ptr<backend::request_impl> inner, int rank)
        : eng_(eng), inner_(std::move(inner)), rank_(rank) {}
    ~bounded_request() override {
        const inside call(eng_, rank_);
        inner_.reset();
    }
    status wait(backend::location where) override {
        const inside call(eng_, rank_, "wait", where);
        return inner_->wait(where);
    }
    std::optional<status> test(backend::location where) override {
        const inside call(eng_, rank_, "test", where);
        return inner_->test(where);
    }
    std::size_t wait_any(std::span<backend::request_impl* const> requests, status& result,
                         backend::location where) override {
        const inside call(eng_, rank_, "wait_any", where);
        return inner_->wait_any(unwrapped(requests), result, where);
    }
    void complete_set(completion_rule how, std::span<backend::request_impl* const> requests,
                      std::vector<completed>& done, backend::location where) override {
        const inside call(eng_, rank_, complete_set_name(how), where);
        inner_->complete_set(how, unwrapped(requests), done, where);
    }
    void cancel(backend::location where) override {
        const inside call(eng_, rank_, "cancel", where);
        inner_->cancel(where);
    }
    backend::request_impl& inner() { return *inner_; }

private:
    // The simulator's calls on a set of requests want its own requests (null entries stay null).
    static std::vector<backend::request_impl*> unwrapped(std::span<backend::request_impl* const> requests) {
        std::vector<backend::request_impl*> inner(requests.size(), nullptr);
        for (std::size_t i = 0; i < requests.size(); ++i)
            if (requests[i]) inner[i] = static_cast<bounded_request*>(requests[i])->inner_.get();
        return inner;
    }

    engine& eng_;
    std::unique_ptr<backend::request_impl> inner_;
    int rank_;
};

class bounded_comm final : public backend::comm_impl {
public:
    bounded_comm(engine& eng, std::unique_ptr<backend::comm_impl> inner, int rank, bool placed = false)
        : eng_(eng), inner_(std::move(inner)), rank_(rank), placed_(placed) {}
    void operator delete(bounded_comm* comm, std::destroying_delete_t) { delete_unless_placed(comm, comm->placed_); }
    ~bounded_comm() override {
        eng_.comm_gone(rank_, this);  // no more reads of it before the rank is resumed
        const inside call(eng_, rank_);
        inner_.reset();
    }

    int rank() const override { return inner_->rank(); }
    int size() const override { return inner_->size(); }
    const std::string& name() const override { return inner_->name(); }
    int world_rank() const override { return rank_; }

    void send(const backend::send_view& data, int dest, int tag, backend::location where) override {
        const inside call(eng_, rank_, "send", where);
        inner_->send(data, dest, tag, where);
    }
    status recv(const backend::recv_buffer& into, int source, int tag, backend::location where) override {
        const inside call(eng_, rank_, "recv", where);
        return inner_->recv(into, source, tag, where);
    }
    std::unique_ptr<backend::request_impl> isend(backend::send_view data, int dest, int tag,
                                                 backend::location where) override {
        const inside call(eng_, rank_, "isend", where);
        return request(inner_->isend(data, dest, tag, where));
    }
    std::unique_ptr<backend::request_impl> irecv(backend::recv_buffer into, int source, int tag,
                                                 backend::location where) override {
        const inside call(eng_, rank_, "irecv", where);
        return request(inner_->irecv(into, source, tag, where));
    }
    status probe(int source, int tag, backend::location where) override {
        const inside call(eng_, rank_, "probe", where);
        return inner_->probe(source, tag, where);
    }
    std::optional<status> iprobe(int source, int tag, backend::location where) override {
        const inside call(eng_, rank_, "iprobe", where);
        return inner_->iprobe(source, tag, where);
    }
    void ssend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        const inside call(eng_, rank_, "ssend", where);
        inner_->ssend(data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> issend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        const inside call(eng_, rank_, "issend", where);
        return request(inner_->issend(data, dest, tag, where));
    }
    void barrier(backend::location where) override {
        const inside call(eng_, rank_, "barrier", where);
        inner_->barrier(where);
    }
    void bcast(backend::recv_buffer data, int root, backend::location where) override {
        const inside call(eng_, rank_, "bcast", where);
        inner_->bcast(data, root, where);
    }
    void scatter(backend::send_view all, backend::recv_buffer mine, int root, backend::location where) override {
        const inside call(eng_, rank_, "scatter", where);
        inner_->scatter(all, mine, root, where);
    }
    void gather(backend::send_view mine, backend::recv_buffer all, int root, backend::location where) override {
        const inside call(eng_, rank_, "gather", where);
        inner_->gather(mine, all, root, where);
    }
    void allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override {
        const inside call(eng_, rank_, "allgather", where);
        inner_->allgather(mine, all, where);
    }
    void alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override {
        const inside call(eng_, rank_, "alltoall", where);
        inner_->alltoall(all, mine, where);
    }
    void reduce(backend::send_view mine, backend::recv_buffer result, const reduce_op& op, int root,
                backend::location where) override {
        const inside call(eng_, rank_, "reduce", where);
        inner_->reduce(mine, result, op, root, where);
    }
    void allreduce(const backend::send_view& mine, const backend::recv_buffer& result, const reduce_op& op,
                   backend::location where) override {
        const inside call(eng_, rank_, "allreduce", where);
        inner_->allreduce(mine, result, op, where);
    }
    void scan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
              backend::location where) override {
        const inside call(eng_, rank_, "scan", where);
        inner_->scan(mine, result, op, where);
    }
    void exscan(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                backend::location where) override {
        const inside call(eng_, rank_, "exscan", where);
        inner_->exscan(mine, result, op, where);
    }
    void gatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts, int root,
                 backend::location where) override {
        const inside call(eng_, rank_, "gatherv", where);
        inner_->gatherv(mine, all, counts, root, where);
    }
    void allgatherv(backend::send_view mine, backend::recv_buffer all, std::vector<std::size_t>* counts,
                    backend::location where) override {
        const inside call(eng_, rank_, "allgatherv", where);
        inner_->allgatherv(mine, all, counts, where);
    }
    void scatterv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine, int root,
                  backend::location where) override {
        const inside call(eng_, rank_, "scatterv", where);
        inner_->scatterv(all, counts, mine, root, where);
    }
    void alltoallv(backend::send_view all, std::span<const std::size_t> counts, backend::recv_buffer mine,
                   std::vector<std::size_t>* counts_out, backend::location where) override {
        const inside call(eng_, rank_, "alltoallv", where);
        inner_->alltoallv(all, counts, mine, counts_out, where);
    }
    void reduce_scatter(backend::send_view mine, std::span<const std::size_t> counts, backend::recv_buffer result,
                        const reduce_op& op, backend::location where) override {
        const inside call(eng_, rank_, "reduce_scatter", where);
        inner_->reduce_scatter(mine, counts, result, op, where);
    }
    void reduce_scatter_block(backend::send_view mine, backend::recv_buffer result, const reduce_op& op,
                              backend::location where) override {
        const inside call(eng_, rank_, "reduce_scatter_block", where);
        inner_->reduce_scatter_block(mine, result, op, where);
    }
    std::unique_ptr<backend::comm_impl> split(int color, int key, backend::location where) override {
        const inside call(eng_, rank_, "split", where);
        return comm(inner_->split(color, key, where));
    }
    std::unique_ptr<backend::comm_impl> dup(backend::location where) override {
        const inside call(eng_, rank_, "dup", where);
        return comm(inner_->dup(where));
    }
    std::vector<int> members() const override { return inner_->members(); }
    std::unique_ptr<backend::comm_impl> self(backend::location where) override {
        const inside call(eng_, rank_, "self", where);
        return comm(inner_->self(where));
    }
    void attach_buffer(std::size_t bytes, backend::location where) override {
        const inside call(eng_, rank_, "attach_buffer", where);
        inner_->attach_buffer(bytes, where);
    }
    std::size_t detach_buffer(backend::location where) override {
        const inside call(eng_, rank_, "detach_buffer", where);
        return inner_->detach_buffer(where);
    }
    void bsend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        const inside call(eng_, rank_, "bsend", where);
        inner_->bsend(data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> ibsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        const inside call(eng_, rank_, "ibsend", where);
        return request(inner_->ibsend(data, dest, tag, where));
    }
    void rsend(const backend::send_view& data, int dest, int tag, backend::location where) override {
        const inside call(eng_, rank_, "rsend", where);
        inner_->rsend(data, dest, tag, where);
    }
    std::unique_ptr<backend::request_impl> irsend(backend::send_view data, int dest, int tag,
                                                  backend::location where) override {
        const inside call(eng_, rank_, "irsend", where);
        return request(inner_->irsend(data, dest, tag, where));
    }
    // Non-blocking collectives (issue 14: icoll).
    std::unique_ptr<backend::request_impl> ibarrier(backend::location where) override {
        const inside call(eng_, rank_, "ibarrier", where);
        return request(inner_->ibarrier(where));
    }
    std::unique_ptr<backend::request_impl> ibcast(backend::recv_buffer data, int root,
                                                  backend::location where) override {
        const inside call(eng_, rank_, "ibcast", where);
        return request(inner_->ibcast(data, root, where));
    }
    std::unique_ptr<backend::request_impl> ireduce(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, int root, backend::location where) override {
        const inside call(eng_, rank_, "ireduce", where);
        return request(inner_->ireduce(mine, result, op, root, where));
    }
    std::unique_ptr<backend::request_impl> iallreduce(backend::send_view mine, backend::recv_buffer result,
                                                      const reduce_op& op, backend::location where) override {
        const inside call(eng_, rank_, "iallreduce", where);
        return request(inner_->iallreduce(mine, result, op, where));
    }
    // Non-blocking gathers, scatters and all-to-alls (issue 14: igather).
    std::unique_ptr<backend::request_impl> igather(backend::send_view mine, backend::recv_buffer all, int root,
                                                   backend::location where) override {
        const inside call(eng_, rank_, "igather", where);
        return request(inner_->igather(mine, all, root, where));
    }
    std::unique_ptr<backend::request_impl> iallgather(backend::send_view mine, backend::recv_buffer all,
                                                      backend::location where) override {
        const inside call(eng_, rank_, "iallgather", where);
        return request(inner_->iallgather(mine, all, where));
    }
    std::unique_ptr<backend::request_impl> iscatter(backend::send_view all, backend::recv_buffer mine, int root,
                                                    backend::location where) override {
        const inside call(eng_, rank_, "iscatter", where);
        return request(inner_->iscatter(all, mine, root, where));
    }
    std::unique_ptr<backend::request_impl> ialltoall(backend::send_view all, backend::recv_buffer mine,
                                                     backend::location where) override {
        const inside call(eng_, rank_, "ialltoall", where);
        return request(inner_->ialltoall(all, mine, where));
    }
    std::unique_ptr<backend::request_impl> igatherv(backend::send_view mine, backend::recv_buffer all,
                                                    std::span<const std::size_t> expected, int root,
                                                    backend::location where) override {
        const inside call(eng_, rank_, "igatherv", where);
        return request(inner_->igatherv(mine, all, expected, root, where));
    }
    std::unique_ptr<backend::request_impl> iallgatherv(backend::send_view mine, backend::recv_buffer all,
                                                       std::span<const std::size_t> expected,
                                                       backend::location where) override {
        const inside call(eng_, rank_, "iallgatherv", where);
        return request(inner_->iallgatherv(mine, all, expected, where));
    }
    std::unique_ptr<backend::request_impl> iscatterv(backend::send_view all, std::span<const std::size_t> counts,
                                                     backend::recv_buffer mine, int root,
                                                     backend::location where) override {
        const inside call(eng_, rank_, "iscatterv", where);
        return request(inner_->iscatterv(all, counts, mine, root, where));
    }
    std::unique_ptr<backend::request_impl> ialltoallv(backend::send_view all, std::span<const std::size_t> counts,
                                                      backend::recv_buffer mine, std::span<const std::size_t> expected,
                                                      backend::location where) override {
        const inside call(eng_, rank_, "ialltoallv", where);
        return request(inner_->ialltoallv(all, counts, mine, expected, where));
    }
    // Non-blocking scans and reduce-scatter (issue 14: iscan).
    std::unique_ptr<backend::request_impl> iscan(backend::send_view mine, backend::recv_buffer result,
                                                 const reduce_op& op, backend::location where) override {
        const inside call(eng_, rank_, "iscan", where);
        return request(inner_->iscan(mine, result, op, where));
    }
    std::unique_ptr<backend::request_impl> iexscan(backend::send_view mine, backend::recv_buffer result,
                                                   const reduce_op& op, backend::location where) override {
        const inside call(eng_, rank_, "iexscan", where);
        return request(inner_->iexscan(mine, result, op, where));
    }
    std::unique_ptr<backend::request_impl> ireduce_scatter_block(backend::send_view mine, backend::recv_buffer result,
                                                                 const reduce_op& op,
                                                                 backend::location where) override {
        const inside call(eng_, rank_, "ireduce_scatter_block", where);
        return request(inner_->ireduce_scatter_block(mine, result, op, where));
    }
    std::unique_ptr<backend::request_impl> ireduce_scatter(backend::send_view mine, std::span<const std::size_t> counts,
                                                           backend::recv_buffer result, const reduce_op& op,
                                                           backend::location where) override {
        const inside call(eng_, rank_, "ireduce_scatter", where);
        return request(inner_->ireduce_scatter(mine, counts, result, op, where));
    }
    [[noreturn]] void abort(int code, backend::location where) override {
        const inside call(eng_, rank_, "abort", where);
        inner_->abort(code, where);
        std::abort();  // unreachable: the simulator's abort unwinds the rank
    }

    // Cartesian topologies and neighbour collectives (issue 14).
    std::unique_ptr<backend::comm_impl> cart_create(const backend::cartesian_grid& grid, bool reorder,
                                                    backend::location where) override {
        const inside call(eng_, rank_, "cart_create", where);
        return comm(inner_->cart_create(grid, reorder, where));
    }
    std::unique_ptr<backend::comm_impl> cart_sub(const std::vector<bool>& keep, backend::location where) override {
        const inside call(eng_, rank_, "cart_sub", where);
        return comm(inner_->cart_sub(keep, where));
    }
    const backend::cartesian_grid* grid() const override { return inner_->grid(); }
    void neighbor_allgather(backend::send_view mine, backend::recv_buffer all, backend::location where) override {
        const inside call(eng_, rank_, "neighbor_allgather", where);
        inner_->neighbor_allgather(mine, all, where);
    }
    void neighbor_alltoall(backend::send_view all, backend::recv_buffer mine, backend::location where) override {
        const inside call(eng_, rank_, "neighbor_alltoall", where);
        inner_->neighbor_alltoall(all, mine, where);
    }

private:
    std::unique_ptr<backend::request_impl> request(std::unique_ptr<backend::request_impl> made) {
        if (!made) return made;
        return std::make_unique<bounded_request>(eng_, std::move(made), rank_);
    }
    std::unique_ptr<backend::comm_impl> comm(std::unique_ptr<backend::comm_impl> made) {
        return at_user_boundary(eng_, std::move(made), rank_);
    }

    engine& eng_;
    std::unique_ptr<backend::comm_impl> inner_;
    int rank_;
    bool placed_;
};

}  // namespace

std::unique_ptr<backend::comm_impl> at_user_boundary(engine& eng, std::unique_ptr<backend::comm_impl> inner,
                                                     int world_rank, void* room) {
    if (!inner) return inner;  // a split that left this rank out
    if (room) return std::unique_ptr<backend::comm_impl>(new (room) bounded_comm(eng, std::move(inner), world_rank, true));
    return std::make_unique<bounded_comm>(eng, std::move(inner), world_rank);
}

std::size_t boundary_bytes() { return sizeof(bounded_comm); }

sim_request& simulated(backend::request_impl& bracketed) {
    return static_cast<sim_request&>(static_cast<bounded_request&>(bracketed).inner());
}

}  // namespace baton::sim::detail
