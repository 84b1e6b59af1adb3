// MPI's variable-size collectives place each rank's block at a displacement of the program's
// choosing; baton's backends take blocks packed in rank order. These move blocks between the two.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

#include "arguments.hpp"

namespace baton::capi {

// `counts` and `displs` of `n` ranks, as MPI gives them: checked (none negative), as sizes.
struct layout {
    std::vector<std::size_t> counts, displs;
    std::size_t total() const {
        std::size_t sum = 0;
        for (const std::size_t n : counts) sum += n;
        return sum;
    }
};
inline layout layout_of(const call& c, const int counts[], const int displs[], std::string_view what) {
    const auto n = static_cast<std::size_t>(c.comm.size());
    if (!counts || !displs)
        fail(MPI_ERR_ARG, c.comm, c.name, std::string("the ") + std::string(what) + " counts or displacements are NULL",
                            c.where);
    layout made;
    for (std::size_t r = 0; r < n; ++r) {
        if (counts[r] < 0 || displs[r] < 0)
            detail::throw_usage(c.comm, c.name,
                                std::string(what) + " count or displacement of rank " + std::to_string(r) +
                                    " is negative (" + std::to_string(counts[r]) + ", " + std::to_string(displs[r]) + ")",
                                c.where);
        made.counts.push_back(static_cast<std::size_t>(counts[r]));
        made.displs.push_back(static_cast<std::size_t>(displs[r]));
    }
    return made;
}

// The blocks of `from` at `where.displs`, packed in rank order (elements of `element` bytes).
inline std::vector<std::byte> pack(const void* from, const layout& where, std::size_t element) {
    std::vector<std::byte> packed(where.total() * element);
    std::size_t at = 0;
    for (std::size_t r = 0; r < where.counts.size(); ++r) {
        std::memcpy(packed.data() + at, static_cast<const std::byte*>(from) + where.displs[r] * element,
                    where.counts[r] * element);
        at += where.counts[r] * element;
    }
    return packed;
}

// Packed blocks of `arrived[r]` elements each, moved to their displacements in `into`; a block
// larger than `where.counts[r]` is a truncation, as MPI says.
inline void unpack(const call& c, std::span<const std::byte> packed, const std::vector<std::size_t>& arrived,
                   void* into, const layout& where, std::size_t element) {
    std::size_t at = 0;
    for (std::size_t r = 0; r < arrived.size(); ++r) {
        if (arrived[r] > where.counts[r])
            detail::throw_usage(c.comm, c.name,
                                "rank " + std::to_string(r) + " sent " + std::to_string(arrived[r]) +
                                    " elements where the receive counts allow " + std::to_string(where.counts[r]),
                                c.where);
        std::memcpy(static_cast<std::byte*>(into) + where.displs[r] * element, packed.data() + at, arrived[r] * element);
        at += arrived[r] * element;
    }
    (void)packed;
}

}  // namespace baton::capi
