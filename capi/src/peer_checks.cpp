// The checks of a call's ranks and tags beyond their common case (call::check_peer, check_tag and
// check_root in arguments.hpp): baton's own checks, whose report is the same as a baton program's,
// in MPI's error class. Out of line, so that every call's inline check is only a few compares.
#include "arguments.hpp"

namespace baton::capi {

void call::checked_peer(int peer, std::string_view role, bool wildcard) const {
    classified(MPI_ERR_RANK, [&] { detail::check_rank(comm, peer, name, role, wildcard, where); });
}

void call::check_root(int root) const {
    classified(MPI_ERR_ROOT, [&] { detail::check_rank(comm, root, name, "root", false, where); });
}

void call::checked_tag(int tag, bool wildcard) const {
    classified(MPI_ERR_TAG, [&] { detail::check_tag(comm, tag, name, wildcard, where); });
}

}  // namespace baton::capi
