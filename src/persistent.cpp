// The default persistent requests (backend.hpp): each start is the communicator's own isend,
// issend or irecv on the buffer given at init.
#include <baton/backend.hpp>

namespace baton::backend {

namespace {

class restarted_send final : public persistent_impl {
public:
    restarted_send(comm_impl& comm, send_view data, int dest, int tag, bool synchronous)
        : comm_(comm), data_(data), dest_(dest), tag_(tag), synchronous_(synchronous) {}
    std::unique_ptr<request_impl> start(location where) override {
        return synchronous_ ? comm_.issend(data_, dest_, tag_, where) : comm_.isend(data_, dest_, tag_, where);
    }

private:
    comm_impl& comm_;
    send_view data_;
    int dest_, tag_;
    bool synchronous_;
};

class restarted_receive final : public persistent_impl {
public:
    restarted_receive(comm_impl& comm, recv_buffer into, int source, int tag)
        : comm_(comm), into_(into), source_(source), tag_(tag) {}
    std::unique_ptr<request_impl> start(location where) override { return comm_.irecv(into_, source_, tag_, where); }

private:
    comm_impl& comm_;
    recv_buffer into_;
    int source_, tag_;
};

}  // namespace

std::unique_ptr<persistent_impl> comm_impl::send_init(send_view data, int dest, int tag, bool synchronous,
                                                      location) {
    return std::make_unique<restarted_send>(*this, data, dest, tag, synchronous);
}

std::unique_ptr<persistent_impl> comm_impl::recv_init(recv_buffer into, int source, int tag, location) {
    return std::make_unique<restarted_receive>(*this, into, source, tag);
}

}  // namespace baton::backend
