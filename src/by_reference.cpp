// The default by-reference calls (backend.hpp): the by-value ones, for a backend that does not
// override them.
#include <baton/backend.hpp>

namespace baton::backend {

void comm_impl::send_ref(const send_view& data, int dest, int tag, location where) { send(data, dest, tag, where); }

status comm_impl::recv_ref(const recv_buffer& into, int source, int tag, location where) {
    return recv(into, source, tag, where);
}

void comm_impl::allreduce_ref(const send_view& mine, const recv_buffer& result, const reduce_op& op, location where) {
    allreduce(mine, result, op, where);
}

}  // namespace baton::backend
