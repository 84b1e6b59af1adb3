// Building a derived datatype's type map (datatypes.cpp, type_constructors.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>

#include "arguments.hpp"
#include "datatypes.hpp"

namespace baton::capi {

// Datatypes of more separate pieces than this are refused: a type map is kept whole.
inline constexpr std::size_t most_runs = std::size_t{1} << 24;

// Builds a type map element by element: each `add` puts a copy of `old` at `shift` bytes.
class type_builder {
public:
    type_builder(const call& c) : c_(c) {}
    void add(const derived_type& old, std::ptrdiff_t shift) {
        for (const type_run& run : old.runs) {
            type_run moved = run;
            moved.offset += shift;
            type_run* last = made_->runs.empty() ? nullptr : &made_->runs.back();
            if (last && last->basic == moved.basic &&
                last->offset + static_cast<std::ptrdiff_t>(last->count * basic_size(last->basic)) == moved.offset)
                last->count += moved.count;
            else
                made_->runs.push_back(moved);
            if (made_->runs.size() > most_runs)
                detail::throw_usage(c_.comm, c_.name, "the datatype has more than 2^24 separate pieces", c_.where);
        }
        made_->size += old.size;
        lowest_ = std::min(lowest_, shift + old.lb);
        highest_ = std::max(highest_, shift + old.lb + old.extent);
        any_ = true;
    }
    // The new datatype, its bounds those of what was added.
    MPI_Datatype keep() { return keep(any_ ? lowest_ : 0, any_ ? highest_ - lowest_ : 0); }
    // The new datatype, with the bounds its constructor gives it (a subarray's: the whole array).
    MPI_Datatype keep(std::ptrdiff_t lb, std::ptrdiff_t extent) {
        made_->lb = lb;
        made_->extent = extent;
        MPI_Datatype only = made_->runs.empty() ? MPI_DATATYPE_NULL : made_->runs.front().basic;
        for (const type_run& run : made_->runs)
            if (run.basic != only) only = MPI_DATATYPE_NULL;
        made_->only_basic = only;
        if (only == MPI_DATATYPE_NULL && !made_->runs.empty()) made_->signature = signature_of(*made_);
        return c_.rank.datatypes.keep(std::make_unique<datatype_handle>(datatype_handle{std::move(made_)}), c_.made_here());
    }

private:
    const call& c_;
    std::shared_ptr<derived_type> made_ = std::make_shared<derived_type>();
    std::ptrdiff_t lowest_ = std::numeric_limits<std::ptrdiff_t>::max();
    std::ptrdiff_t highest_ = std::numeric_limits<std::ptrdiff_t>::min();
    bool any_ = false;
};


// Where a datatype constructor puts its new handle, or MPI_ERR_ARG when that is NULL.
inline MPI_Datatype* output(const call& c, MPI_Datatype* newtype) {
    if (!newtype) fail(MPI_ERR_ARG, c.comm, c.name, "the pointer for the new datatype is NULL", c.where);
    return newtype;
}

// A constructor's arrays of `count` entries, or MPI_ERR_ARG when one is NULL.
inline void check_arrays(const call& c, int count, const void* a, const void* b) {
    if (c.count(count) > 0 && (!a || !b)) fail(MPI_ERR_ARG, c.comm, c.name, "an array argument is NULL", c.where);
}

}  // namespace baton::capi
