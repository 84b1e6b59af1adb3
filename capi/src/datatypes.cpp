// Derived datatypes (datatypes.hpp): the type constructors, commit and free, sizes and extents,
// and packing.
#include "datatypes.hpp"
#include "type_builder.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "requests.hpp"

using namespace baton;
using namespace baton::capi;

namespace baton::capi {

// A type whose one element is its bytes back to back (a predefined type, a contiguous one): its
// elements move in one copy.
static bool dense(const derived_type& type) {
    return type.runs.size() == 1 && type.runs.front().offset == 0 &&
           type.extent == static_cast<std::ptrdiff_t>(type.size);
}

void pack_into(const derived_type& type, const void* from, std::size_t count, std::byte* out) {
    if (count == 0) return;
    if (dense(type)) {
        std::memcpy(out, from, count * type.size);
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const std::ptrdiff_t element = static_cast<std::ptrdiff_t>(i) * type.extent;
        for (const type_run& run : type.runs) {
            const std::size_t bytes = run.count * basic_size(run.basic);
            std::memcpy(out, address_at(from, element + run.offset), bytes);
            out += bytes;
        }
    }
}

std::vector<std::byte> pack(const derived_type& type, const void* from, std::size_t count) {
    std::vector<std::byte> packed(count * type.size);
    pack_into(type, from, count, packed.data());
    return packed;
}

void unpack(const derived_type& type, const std::byte* in, std::size_t bytes, void* into, std::size_t count) {
    std::size_t left = std::min(bytes, count * type.size);
    if (left == 0) return;
    if (dense(type)) {
        std::memcpy(into, in, left);
        return;
    }
    for (std::size_t i = 0; i < count && left > 0; ++i) {
        const std::ptrdiff_t element = static_cast<std::ptrdiff_t>(i) * type.extent;
        for (const type_run& run : type.runs) {
            const std::size_t bytes_here = std::min(left, run.count * basic_size(run.basic));
            std::memcpy(address_at(into, element + run.offset), in, bytes_here);
            in += bytes_here;
            left -= bytes_here;
            if (left == 0) break;
        }
    }
}

// (datatypes.hpp)
void true_bounds(const derived_type& type, std::ptrdiff_t& lb, std::ptrdiff_t& extent) {
    if (type.runs.empty()) {
        lb = extent = 0;
        return;
    }
    std::ptrdiff_t low = type.runs.front().offset, high = low;
    for (const type_run& run : type.runs) {
        low = std::min(low, run.offset);
        high = std::max(high, run.offset + static_cast<std::ptrdiff_t>(run.count * basic_size(run.basic)));
    }
    lb = low;
    extent = high - low;
}

std::size_t elements_in(const derived_type& type, std::size_t bytes) {
    std::size_t elements = 0;
    while (bytes > 0 && type.size > 0)
        for (const type_run& run : type.runs) {
            const std::size_t each = basic_size(run.basic), here = std::min(run.count, bytes / each);
            elements += here;
            bytes -= here * each;
            if (here < run.count) return elements;
        }
    return elements;
}

void staged_message::unpack(std::size_t arrived) {
    if (unpacked) return;
    unpacked = true;
    capi::unpack(*type, bytes.data(), arrived, user, count);
}

void staged_message::restart() {
    if (receives)
        unpacked = false;
    else
        pack_into(*type, from, count, bytes.data());
}

}  // namespace baton::capi


// The type map of a handle: a predefined type is one run of one element.
std::shared_ptr<const derived_type> capi::map_of(const call& c, MPI_Datatype datatype) {
    if (datatype >= first_derived_type) {
        if (const auto* made = c.rank.datatypes.find(datatype)) return made->type;
        fail(MPI_ERR_TYPE, c.comm, c.name, "datatype " + std::to_string(datatype) + " was never made or is freed",
                            c.where);
    }
    const type_desc basic = type_of(c.comm, datatype, c.name, c.where);
    auto one = std::make_shared<derived_type>();
    one->runs.push_back({0, datatype, 1});
    one->extent = static_cast<std::ptrdiff_t>(basic.size);
    one->size = basic.size;
    one->only_basic = datatype;
    return one;
}

BATON_MPI_BODY(MPI_Type_contiguous)(const baton_mpi_where* site, int count, MPI_Datatype oldtype,
                                    MPI_Datatype* newtype) {
    const call c("MPI_Type_contiguous", site, MPI_COMM_WORLD);
    const auto old = map_of(c, oldtype);
    type_builder made(c);
    for (std::size_t i = 0; i < c.count(count); ++i) made.add(*old, static_cast<std::ptrdiff_t>(i) * old->extent);
    *output(c, newtype) = made.keep();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_contiguous, (int count, MPI_Datatype oldtype, MPI_Datatype* newtype),
                       (count, oldtype, newtype))

BATON_MPI_BODY(MPI_Type_create_hvector)(const baton_mpi_where* site, int count, int blocklength,
                                        MPI_Aint stride, MPI_Datatype oldtype, MPI_Datatype* newtype) {
    const call c("MPI_Type_create_hvector", site, MPI_COMM_WORLD);
    const auto old = map_of(c, oldtype);
    type_builder made(c);
    for (std::size_t i = 0; i < c.count(count); ++i)
        for (std::size_t j = 0; j < c.count(blocklength); ++j)
            made.add(*old, static_cast<std::ptrdiff_t>(i) * stride + static_cast<std::ptrdiff_t>(j) * old->extent);
    *output(c, newtype) = made.keep();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_hvector,
                       (int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype, MPI_Datatype* newtype),
                       (count, blocklength, stride, oldtype, newtype))

// The stride in elements of the old type.
BATON_MPI_BODY(MPI_Type_vector)(const baton_mpi_where* site, int count, int blocklength, int stride,
                                MPI_Datatype oldtype, MPI_Datatype* newtype) {
    const call c("MPI_Type_vector", site, MPI_COMM_WORLD);
    const MPI_Aint extent = map_of(c, oldtype)->extent;
    return MPI_Type_create_hvector_body(site, count, blocklength, stride * extent, oldtype, newtype);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_vector, (int count, int blocklength, int stride, MPI_Datatype oldtype,
                                         MPI_Datatype* newtype),
                       (count, blocklength, stride, oldtype, newtype))

BATON_MPI_BODY(MPI_Type_create_hindexed)(const baton_mpi_where* site, int count, const int blocklengths[],
                                         const MPI_Aint displacements[], MPI_Datatype oldtype,
                                         MPI_Datatype* newtype) {
    const call c("MPI_Type_create_hindexed", site, MPI_COMM_WORLD);
    check_arrays(c, count, blocklengths, displacements);
    const auto old = map_of(c, oldtype);
    type_builder made(c);
    for (std::size_t i = 0; i < c.count(count); ++i)
        for (std::size_t j = 0; j < c.count(blocklengths[i]); ++j)
            made.add(*old, displacements[i] + static_cast<std::ptrdiff_t>(j) * old->extent);
    *output(c, newtype) = made.keep();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_hindexed,
                       (int count, const int blocklengths[], const MPI_Aint displacements[], MPI_Datatype oldtype,
                        MPI_Datatype* newtype),
                       (count, blocklengths, displacements, oldtype, newtype))

// Blocks of one length at byte displacements.
BATON_MPI_BODY(MPI_Type_create_hindexed_block)(const baton_mpi_where* site, int count, int blocklength,
                                               const MPI_Aint displacements[], MPI_Datatype oldtype,
                                               MPI_Datatype* newtype) {
    const call c("MPI_Type_create_hindexed_block", site, MPI_COMM_WORLD);
    const std::vector<int> lengths(c.count(count), blocklength);
    return MPI_Type_create_hindexed_body(site, count, lengths.data(), displacements, oldtype, newtype);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_hindexed_block,
                       (int count, int blocklength, const MPI_Aint displacements[], MPI_Datatype oldtype,
                        MPI_Datatype* newtype),
                       (count, blocklength, displacements, oldtype, newtype))

// Displacements in elements of the old type.
BATON_MPI_BODY(MPI_Type_indexed)(const baton_mpi_where* site, int count, const int blocklengths[],
                                 const int displacements[], MPI_Datatype oldtype, MPI_Datatype* newtype) {
    const call c("MPI_Type_indexed", site, MPI_COMM_WORLD);
    check_arrays(c, count, blocklengths, displacements);
    const MPI_Aint extent = map_of(c, oldtype)->extent;
    std::vector<MPI_Aint> bytes;
    for (std::size_t i = 0; i < c.count(count); ++i) bytes.push_back(displacements[i] * extent);
    return MPI_Type_create_hindexed_body(site, count, blocklengths, bytes.data(), oldtype, newtype);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_indexed,
                       (int count, const int blocklengths[], const int displacements[], MPI_Datatype oldtype,
                        MPI_Datatype* newtype),
                       (count, blocklengths, displacements, oldtype, newtype))

BATON_MPI_BODY(MPI_Type_create_indexed_block)(const baton_mpi_where* site, int count, int blocklength,
                                              const int displacements[], MPI_Datatype oldtype,
                                              MPI_Datatype* newtype) {
    const call c("MPI_Type_create_indexed_block", site, MPI_COMM_WORLD);
    const std::vector<int> lengths(c.count(count), blocklength);
    return MPI_Type_indexed_body(site, count, lengths.data(), displacements, oldtype, newtype);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_indexed_block,
                       (int count, int blocklength, const int displacements[], MPI_Datatype oldtype,
                        MPI_Datatype* newtype),
                       (count, blocklength, displacements, oldtype, newtype))

BATON_MPI_BODY(MPI_Type_create_struct)(const baton_mpi_where* site, int count, const int blocklengths[],
                                       const MPI_Aint displacements[], const MPI_Datatype types[],
                                       MPI_Datatype* newtype) {
    const call c("MPI_Type_create_struct", site, MPI_COMM_WORLD);
    check_arrays(c, count, blocklengths, displacements);
    check_arrays(c, count, types, types);
    type_builder made(c);
    for (std::size_t i = 0; i < c.count(count); ++i) {
        const auto member = map_of(c, types[i]);
        for (std::size_t j = 0; j < c.count(blocklengths[i]); ++j)
            made.add(*member, displacements[i] + static_cast<std::ptrdiff_t>(j) * member->extent);
    }
    *output(c, newtype) = made.keep();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_struct,
                       (int count, const int blocklengths[], const MPI_Aint displacements[],
                        const MPI_Datatype types[], MPI_Datatype* newtype),
                       (count, blocklengths, displacements, types, newtype))

BATON_MPI_BODY(MPI_Type_create_resized)(const baton_mpi_where* site, MPI_Datatype oldtype, MPI_Aint lb,
                                        MPI_Aint extent, MPI_Datatype* newtype) {
    const call c("MPI_Type_create_resized", site, MPI_COMM_WORLD);
    auto resized = std::make_shared<derived_type>(*map_of(c, oldtype));
    resized->lb = lb;
    resized->extent = extent;
    resized->committed = false;
    *output(c, newtype) = c.rank.datatypes.keep(std::make_unique<datatype_handle>(datatype_handle{std::move(resized)}), c.made_here());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_resized,
                       (MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent, MPI_Datatype* newtype),
                       (oldtype, lb, extent, newtype))

BATON_MPI_BODY(MPI_Type_commit)(const baton_mpi_where* site, MPI_Datatype* datatype) {
    const call c("MPI_Type_commit", site, MPI_COMM_WORLD);
    if (!datatype) fail(MPI_ERR_ARG, c.comm, c.name, "the datatype pointer is NULL", c.where);
    if (*datatype < first_derived_type) return MPI_SUCCESS;  // a predefined type is committed
    auto* made = c.rank.datatypes.find(*datatype);
    if (!made) fail(MPI_ERR_TYPE, c.comm, c.name, "datatype " + std::to_string(*datatype) + " was never made or is freed", c.where);
    made->type->committed = true;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_commit, (MPI_Datatype * datatype), (datatype))

// A message still using the type keeps its map (staged_message holds it): MPI lets a type go then.
BATON_MPI_BODY(MPI_Type_free)(const baton_mpi_where* site, MPI_Datatype* datatype) {
    const call c("MPI_Type_free", site, MPI_COMM_WORLD);
    if (!datatype || *datatype < first_derived_type || !c.rank.datatypes.take(*datatype))
        fail(MPI_ERR_TYPE, c.comm, c.name, "not a datatype the program made (or freed already)", c.where);
    *datatype = MPI_DATATYPE_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_free, (MPI_Datatype * datatype), (datatype))

// The staging of a call's messages in a derived type (arguments.hpp).
std::shared_ptr<const derived_type> call::committed_type(MPI_Datatype datatype) const {
    const auto* made = rank.datatypes.find(datatype);
    if (!made) fail(MPI_ERR_TYPE, comm, name, "datatype " + std::to_string(datatype) + " was never made or is freed", where);
    if (!made->type->committed)
        fail(MPI_ERR_TYPE, comm, name, "datatype " + std::to_string(datatype) + " is not committed (MPI_Type_commit)", where);
    return made->type;
}

// As its one predefined type when it has one, otherwise as bytes under its type signature: `elements`
// of what it says.
type_desc call::packed_type(const derived_type& type, std::size_t count, std::size_t& elements) const {
    if (type.only_basic != MPI_DATATYPE_NULL) {
        const type_desc basic = type_of(comm, type.only_basic, name, where);
        elements = count * type.size / basic.size;
        return basic;
    }
    elements = count * type.size;
    return {element_kind::bytes, 1, type.signature};
}

call::wire_form call::wire(MPI_Datatype datatype) const {
    if (datatype < first_derived_type) {
        wire_form predefined{map_of(*this, datatype), type_of(comm, datatype, name, where), 1};
        return predefined;
    }
    wire_form derived{committed_type(datatype), {}, 1};
    derived.element = packed_type(*derived.map, 1, derived.per);
    return derived;
}

staged_message& call::stage() const {
    // Counted here, not when the call is made: a call of predefined datatypes only (the common
    // case) never asks the C++ runtime.
    if (staged_.empty()) exceptions_ = std::uncaught_exceptions();
    return *staged_.emplace_back(std::make_unique<staged_message>());
}

backend::send_view call::staged_send(const void* buffer, std::size_t n, MPI_Datatype datatype) const {
    auto& message = stage();
    message.type = committed_type(datatype);
    message.bytes = pack(*message.type, buffer, n);
    message.from = buffer;
    message.count = n;
    std::size_t elements = 0;
    const type_desc type = packed_type(*message.type, n, elements);
    return {message.bytes.data(), elements, type};
}

backend::recv_buffer call::staged_receive(void* buffer, std::size_t n, MPI_Datatype datatype, bool whole) const {
    auto& message = stage();
    message.type = committed_type(datatype);
    // What the buffer holds goes in too: a broadcast's root and an in-place reduction send it.
    message.bytes = pack(*message.type, buffer, n);
    message.user = buffer;
    message.count = n;
    message.receives = true;
    message.whole = whole;
    std::size_t elements = 0;
    const type_desc type = packed_type(*message.type, n, elements);
    return {message.bytes.data(), elements, type};
}

void call::unpack_received(const baton::status& result) const {
    for (auto& message : staged_)
        if (message->receives) message->unpack(result.bytes);
}

std::vector<std::unique_ptr<staged_message>> call::take_staged() const { return std::move(staged_); }

void call::unpack_staged() {
    // A call that failed leaves the program's buffers as they were.
    if (std::uncaught_exceptions() > exceptions_) return;
    for (auto& message : staged_)
        if (message->receives && message->whole) message->unpack(message->bytes.size());
}
