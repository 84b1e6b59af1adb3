// MPI's variable-size collectives place each rank's block at a displacement of the program's
// choosing, in a datatype of its choosing (MPI_Alltoallw: one per rank); baton's backends take
// blocks packed in rank order, of one element type. `blocks` moves them between the two.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "arguments.hpp"

namespace baton::capi {

class blocks {
public:
    blocks() = default;
    // The v-forms': `counts` elements of `datatype` for each rank, at `displs` extents of it.
    // `what` ("send", "receive") names them in errors.
    blocks(const call& c, const int counts[], const int displs[], MPI_Datatype datatype, std::string_view what);
    // MPI_Alltoallw's: displacements in bytes and a datatype for each rank; they travel as bytes
    // (so the simulator compares their sizes, not their type signatures).
    blocks(const call& c, const int counts[], const int byte_displs[], const MPI_Datatype types[],
           std::string_view what);

    // The backend's elements per rank, and in all.
    std::span<const std::size_t> counts() const { return counts_; }
    std::size_t total() const;
    // Rank r's block in the program's buffer `base`, and its count in elements of its datatype.
    const void* at(const void* base, int r) const;
    int count_of(int r) const;
    // The program's blocks at `from`, packed (a send side).
    backend::send_view pack(const void* from);
    // Room for every block packed (a receive side), and room for rank r's alone (`scratch`).
    backend::recv_buffer room();
    backend::recv_buffer room_for(int r, std::vector<std::byte>& scratch) const;
    // A usage_error when a rank sent more than its block holds (`arrived`: backend elements per rank).
    void check(const call& c, const std::vector<std::size_t>& arrived) const;
    // The packed blocks moved to their places in the program's buffer `into`, as far as each arrived.
    void unpack(void* into, std::span<const std::size_t> arrived) const;

private:
    struct place {
        std::ptrdiff_t offset = 0;  // bytes into the program's buffer
        std::size_t count = 0;      // elements of its datatype
        call::wire_form type;
    };
    std::vector<place> places_;
    type_desc element_;
    std::vector<std::size_t> counts_;
    std::vector<std::byte> bytes_;
};

// A non-blocking v-form's blocks, kept with its request: the backend reads and writes the packed
// bytes until it completes, and the received ones go to their places then.
struct pending_blocks final : kept_for_completion {
    blocks out, in;
    void* into = nullptr;  // the program's receive buffer, where it receives packed blocks
    void complete() override {
        if (into) in.unpack(into, in.counts());
    }
};

}  // namespace baton::capi
