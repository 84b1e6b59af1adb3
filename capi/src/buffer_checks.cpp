// What every buffer an MPI call takes is checked for (call::checked_buffer): MPI_IN_PLACE where the
// call does not take it, and a send and a receive buffer of one call that overlap.
#include "arguments.hpp"

namespace baton::capi {

void call::checked_buffer(const void* buffer, int n, MPI_Datatype datatype, byte_span& mine,
                          const byte_span& other) const {
    // MPI_IN_PLACE is an address no program has: taken for a buffer, the call would read or write
    // there. MPI allows it only in the collectives that say so (MPI-3.1 §5.2.1).
    if (buffer == MPI_IN_PLACE)
        fail(MPI_ERR_BUFFER, comm, name,
             "MPI_IN_PLACE is not a buffer here: MPI allows it only where a collective says so (the send buffer of a "
             "reduction, of the root of a gather, ...)",
             where);
    const std::size_t elements = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (datatype < first_derived_type) {
        mine = {buffer, elements * basic_size(datatype)};
    } else if (const datatype_handle* made = rank.datatypes.find(datatype)) {
        mine = {address_at(buffer, made->type->lb),
                elements * static_cast<std::size_t>(std::max<std::ptrdiff_t>(made->type->extent, 0))};
    }
    if (detail::overlap(mine.data, mine.bytes, other.data, other.bytes)) {
        const bool sending = &mine == &sent_;
        classified(MPI_ERR_BUFFER, [&] {
            detail::throw_overlap(comm, sending ? mine.bytes : other.bytes, sending ? other.bytes : mine.bytes, name,
                                  where);
        });
    }
}

}  // namespace baton::capi
