// Blocks at the program's displacements, packed for the backends and back (displacements.hpp).
#include "displacements.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

void check_counts_and_displs(const call& c, const void* counts, const void* displs, std::string_view what) {
    if (!counts || !displs)
        fail(MPI_ERR_ARG, c.comm, c.name, std::string("the ") + std::string(what) + " counts or displacements are NULL",
                            c.where);
}

void check_block(const call& c, int count, int displ, int r, std::string_view what) {
    if (count < 0 || displ < 0)
        detail::throw_usage(c.comm, c.name,
                            std::string(what) + " count or displacement of rank " + std::to_string(r) + " is negative (" +
                                std::to_string(count) + ", " + std::to_string(displ) + ")",
                            c.where);
}

}  // namespace

blocks::blocks(const call& c, const int counts[], const int displs[], MPI_Datatype datatype, std::string_view what) {
    check_counts_and_displs(c, counts, displs, what);
    const call::wire_form type = c.wire(datatype);
    element_ = type.element;
    for (int r = 0; r < c.comm.size(); ++r) {
        check_block(c, counts[r], displs[r], r, what);
        places_.push_back({displs[r] * type.map->extent, static_cast<std::size_t>(counts[r]), type});
        counts_.push_back(static_cast<std::size_t>(counts[r]) * type.per);
    }
}

blocks::blocks(const call& c, const int counts[], const int byte_displs[], const MPI_Datatype types[],
               std::string_view what) {
    check_counts_and_displs(c, counts, byte_displs, what);
    if (!types) detail::throw_usage(c.comm, c.name, std::string("the ") + std::string(what) + " datatypes are NULL", c.where);
    element_ = {element_kind::bytes, 1, "an MPI_Alltoallw block"};
    for (int r = 0; r < c.comm.size(); ++r) {
        check_block(c, counts[r], byte_displs[r], r, what);
        const call::wire_form type = c.wire(types[r]);
        places_.push_back({byte_displs[r], static_cast<std::size_t>(counts[r]), type});
        counts_.push_back(static_cast<std::size_t>(counts[r]) * type.map->size);
    }
}

std::size_t blocks::total() const { return sum_of(counts_); }

const void* blocks::at(const void* base, int r) const {
    return static_cast<const std::byte*>(base) + places_[static_cast<std::size_t>(r)].offset;
}

int blocks::count_of(int r) const { return static_cast<int>(places_[static_cast<std::size_t>(r)].count); }

backend::send_view blocks::pack(const void* from) {
    bytes_.assign(total() * element_.size, std::byte{});
    std::byte* out = bytes_.data();
    for (std::size_t r = 0; r < places_.size(); ++r) {
        pack_into(*places_[r].type.map, at(from, static_cast<int>(r)), places_[r].count, out);
        out += counts_[r] * element_.size;
    }
    return {bytes_.data(), total(), element_};
}

backend::recv_buffer blocks::room() {
    bytes_.assign(total() * element_.size, std::byte{});
    return {bytes_.data(), total(), element_};
}

backend::recv_buffer blocks::room_for(int r, std::vector<std::byte>& scratch) const {
    const std::size_t n = counts_[static_cast<std::size_t>(r)];
    scratch.assign(n * element_.size, std::byte{});
    return {scratch.data(), n, element_};
}

void blocks::check(const call& c, const std::vector<std::size_t>& arrived) const {
    for (std::size_t r = 0; r < arrived.size(); ++r)
        if (arrived[r] > counts_[r])
            detail::throw_usage(c.comm, c.name,
                                "rank " + std::to_string(r) + " sent " + std::to_string(arrived[r]) + " " +
                                    std::string(element_.name) + " elements where the receive counts allow " +
                                    std::to_string(counts_[r]),
                                c.where);
}

void blocks::unpack(void* into, std::span<const std::size_t> arrived) const {
    const std::byte* in = bytes_.data();
    for (std::size_t r = 0; r < places_.size(); ++r) {
        capi::unpack(*places_[r].type.map, in, arrived[r] * element_.size,
                     const_cast<void*>(at(into, static_cast<int>(r))), places_[r].count);
        in += arrived[r] * element_.size;  // the backend packs what arrived back to back
    }
}
