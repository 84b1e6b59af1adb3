// MPI_Pack, MPI_Unpack, MPI_Pack_size: a datatype's elements packed into the program's own buffer
// as the rank packs a derived type's message (datatypes.hpp), so that what MPI_Pack writes is what
// a send of the same elements carries. Such a buffer is sent and received as MPI_PACKED.
#include <cstring>
#include <string>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// What MPI_Pack and MPI_Unpack take: a predefined datatype, or a committed one the program made.
std::shared_ptr<const derived_type> packable(const call& c, MPI_Datatype datatype) {
    return datatype >= first_derived_type ? c.committed_type(datatype) : map_of(c, datatype);
}

// The position argument, checked against the packed buffer's `size` bytes.
std::size_t position_in(const call& c, const int* position, std::size_t size) {
    if (!position) detail::throw_usage(c.comm, c.name, "the position pointer is NULL", c.where);
    if (*position < 0 || static_cast<std::size_t>(*position) > size)
        detail::throw_usage(c.comm, c.name,
                            "the position (" + std::to_string(*position) + ") is outside the packed buffer of " +
                                std::to_string(size) + " bytes",
                            c.where);
    return static_cast<std::size_t>(*position);
}

}  // namespace

BATON_MPI_BODY(MPI_Pack)(const baton_mpi_where* site, const void* inbuf, int incount, MPI_Datatype datatype,
                                 void* outbuf, int outsize, int* position, MPI_Comm comm) {
    const call c("MPI_Pack", site, comm);
    const auto type = packable(c, datatype);
    const std::size_t room = c.count(outsize), at = position_in(c, position, room);
    if (c.count(incount) > 0 && (!inbuf || !outbuf))
        detail::throw_usage(c.comm, c.name, "the input or output buffer is NULL", c.where);
    const std::vector<std::byte> packed = pack(*type, inbuf, c.count(incount));
    if (packed.size() > room - at)
        detail::throw_usage(c.comm, c.name,
                            std::to_string(incount) + " elements take " + std::to_string(packed.size()) +
                                " bytes, more than the " + std::to_string(room - at) +
                                " left in the output buffer after position " + std::to_string(at),
                            c.where);
    if (!packed.empty()) std::memcpy(static_cast<std::byte*>(outbuf) + at, packed.data(), packed.size());
    *position += static_cast<int>(packed.size());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Pack,
                       (const void* inbuf, int incount, MPI_Datatype datatype, void* outbuf, int outsize,
                        int* position, MPI_Comm comm),
                       (inbuf, incount, datatype, outbuf, outsize, position, comm))

BATON_MPI_BODY(MPI_Unpack)(const baton_mpi_where* site, const void* inbuf, int insize, int* position,
                                   void* outbuf, int outcount, MPI_Datatype datatype, MPI_Comm comm) {
    const call c("MPI_Unpack", site, comm);
    const auto type = packable(c, datatype);
    const std::size_t room = c.count(insize), at = position_in(c, position, room);
    const std::size_t bytes = c.count(outcount) * type->size;
    if (bytes > 0 && (!inbuf || !outbuf))
        detail::throw_usage(c.comm, c.name, "the input or output buffer is NULL", c.where);
    if (bytes > room - at)
        detail::throw_usage(c.comm, c.name,
                            std::to_string(outcount) + " elements take " + std::to_string(bytes) +
                                " bytes, more than the " + std::to_string(room - at) +
                                " left in the packed buffer after position " + std::to_string(at),
                            c.where);
    unpack(*type, static_cast<const std::byte*>(inbuf) + at, bytes, outbuf, c.count(outcount));
    *position += static_cast<int>(bytes);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Unpack,
                       (const void* inbuf, int insize, int* position, void* outbuf, int outcount,
                        MPI_Datatype datatype, MPI_Comm comm),
                       (inbuf, insize, position, outbuf, outcount, datatype, comm))

// Exactly what MPI_Pack writes: packing adds no header of its own.
BATON_MPI_BODY(MPI_Pack_size)(const baton_mpi_where* site, int incount, MPI_Datatype datatype, MPI_Comm comm,
                                      int* size) {
    const call c("MPI_Pack_size", site, comm);
    if (!size) detail::throw_usage(c.comm, c.name, "the size pointer is NULL", c.where);
    *size = static_cast<int>(c.count(incount) * packable(c, datatype)->size);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Pack_size, (int incount, MPI_Datatype datatype, MPI_Comm comm, int* size),
                       (incount, datatype, comm, size))
