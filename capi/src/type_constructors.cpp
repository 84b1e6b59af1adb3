// The datatype calls beyond the common constructors (datatypes.cpp): MPI_Type_dup,
// MPI_Type_create_hindexed_block, MPI_Type_create_subarray, true extents, names, the MPI_Count
// forms of the queries, and what a generalized request's status is given.
#include <numeric>
#include <string>
#include <vector>

#include "type_builder.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// The bytes a datatype's data really spans (MPI_Type_get_true_extent): from its first byte to its
// last, whatever lb and extent say.
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

}  // namespace

BATON_MPI_BODY(MPI_Type_dup)(const baton_mpi_where* site, MPI_Datatype oldtype, MPI_Datatype* newtype) {
    const call c("MPI_Type_dup", site, MPI_COMM_WORLD);
    // The same type map, committed if the old one is (MPI-3.1 §4.1.10).
    auto copy = std::make_shared<derived_type>(*map_of(c, oldtype));
    if (oldtype < first_derived_type) copy->committed = true;
    *output(c, newtype) = c.rank.datatypes.keep(std::make_unique<datatype_handle>(datatype_handle{std::move(copy)}),
                                                c.made_here());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_dup, (MPI_Datatype oldtype, MPI_Datatype* newtype), (oldtype, newtype))

BATON_MPI_BODY(MPI_Type_create_hindexed_block)(const baton_mpi_where* site, int count, int blocklength,
                                               const MPI_Aint displacements[], MPI_Datatype oldtype,
                                               MPI_Datatype* newtype) {
    const call c("MPI_Type_create_hindexed_block", site, MPI_COMM_WORLD);
    check_arrays(c, count, displacements, displacements);
    const auto old = map_of(c, oldtype);
    type_builder made(c);
    for (std::size_t i = 0; i < c.count(count); ++i)
        for (std::size_t j = 0; j < c.count(blocklength); ++j)
            made.add(*old, displacements[i] + static_cast<std::ptrdiff_t>(j) * old->extent);
    *output(c, newtype) = made.keep();
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_hindexed_block,
                       (int count, int blocklength, const MPI_Aint displacements[], MPI_Datatype oldtype,
                        MPI_Datatype* newtype),
                       (count, blocklength, displacements, oldtype, newtype))

// A block of an n-dimensional array (MPI-3.1 §4.1.3): its rows along the fastest dimension, each
// a run of subsizes[fastest] elements, and the whole array's extent, so that consecutive elements of
// the type are consecutive arrays.
BATON_MPI_BODY(MPI_Type_create_subarray)(const baton_mpi_where* site, int ndims, const int sizes[],
                                         const int subsizes[], const int starts[], int order, MPI_Datatype oldtype,
                                         MPI_Datatype* newtype) {
    const call c("MPI_Type_create_subarray", site, MPI_COMM_WORLD);
    if (ndims <= 0) fail(MPI_ERR_DIMS, c.comm, c.name, "ndims must be positive, not " + std::to_string(ndims), c.where);
    check_arrays(c, ndims, sizes, subsizes);
    check_arrays(c, ndims, starts, starts);
    if (order != MPI_ORDER_C && order != MPI_ORDER_FORTRAN)
        fail(MPI_ERR_ARG, c.comm, c.name, "the order is neither MPI_ORDER_C nor MPI_ORDER_FORTRAN", c.where);
    const auto dims = static_cast<std::size_t>(ndims);
    for (std::size_t d = 0; d < dims; ++d)
        if (sizes[d] <= 0 || subsizes[d] <= 0 || starts[d] < 0 || starts[d] + subsizes[d] > sizes[d])
            fail(MPI_ERR_ARG, c.comm, c.name,
                 "dimension " + std::to_string(d) + ": a block of " + std::to_string(subsizes[d]) + " from " +
                     std::to_string(starts[d]) + " does not fit in " + std::to_string(sizes[d]),
                 c.where);
    // Dimensions from the slowest to the fastest varying, and each one's stride in elements.
    std::vector<std::size_t> axis(dims);
    std::iota(axis.begin(), axis.end(), std::size_t{0});
    if (order == MPI_ORDER_FORTRAN) std::reverse(axis.begin(), axis.end());
    std::vector<std::ptrdiff_t> stride(dims);
    std::ptrdiff_t elements = 1;
    for (std::size_t k = dims; k-- > 0;) {
        stride[k] = elements;
        elements *= sizes[axis[k]];
    }
    const auto old = map_of(c, oldtype);
    type_builder made(c);
    std::vector<int> index(dims, 0);  // within the block, along each of `axis`
    const std::size_t fastest = dims - 1;
    for (bool more = true; more;) {
        std::ptrdiff_t first = 0;
        for (std::size_t k = 0; k < dims; ++k) first += (starts[axis[k]] + (k == fastest ? 0 : index[k])) * stride[k];
        for (int j = 0; j < subsizes[axis[fastest]]; ++j) made.add(*old, (first + j) * old->extent);
        // The next row: an odometer over every dimension but the fastest.
        more = false;
        for (std::size_t k = fastest; k-- > 0;) {
            if (++index[k] < subsizes[axis[k]]) {
                more = true;
                break;
            }
            index[k] = 0;
        }
    }
    *output(c, newtype) = made.keep(0, elements * old->extent);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_create_subarray,
                       (int ndims, const int sizes[], const int subsizes[], const int starts[], int order,
                        MPI_Datatype oldtype, MPI_Datatype* newtype),
                       (ndims, sizes, subsizes, starts, order, oldtype, newtype))

BATON_MPI_BODY(MPI_Type_get_true_extent)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Aint* true_lb,
                                         MPI_Aint* true_extent) {
    const call c("MPI_Type_get_true_extent", site, MPI_COMM_WORLD);
    std::ptrdiff_t lb = 0, extent = 0;
    true_bounds(*map_of(c, datatype), lb, extent);
    *checked_output(c, true_lb, "the true lower bound") = lb;
    *checked_output(c, true_extent, "the true extent") = extent;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_true_extent, (MPI_Datatype datatype, MPI_Aint* true_lb, MPI_Aint* true_extent),
                       (datatype, true_lb, true_extent))

BATON_MPI_BODY(MPI_Type_set_name)(const baton_mpi_where* site, MPI_Datatype datatype, const char* type_name) {
    const call c("MPI_Type_set_name", site, MPI_COMM_WORLD);
    map_of(c, datatype);  // a datatype
    const char* text = checked_output(c, type_name, "the name");
    c.rank.type_names[datatype] = std::string(text).substr(0, MPI_MAX_OBJECT_NAME - 1);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_set_name, (MPI_Datatype datatype, const char* type_name), (datatype, type_name))

// A predefined datatype is named as MPI names it; one the program made, as it named it, or "".
BATON_MPI_BODY(MPI_Type_get_name)(const baton_mpi_where* site, MPI_Datatype datatype, char* type_name,
                                  int* resultlen) {
    const call c("MPI_Type_get_name", site, MPI_COMM_WORLD);
    map_of(c, datatype);
    const auto named = c.rank.type_names.find(datatype);
    const std::string_view name = named != c.rank.type_names.end() ? std::string_view(named->second)
                                  : datatype < first_derived_type   ? basic_name(datatype)
                                                                    : std::string_view();
    put_text(name, checked_output(c, type_name, "the name"), checked_output(c, resultlen, "the name's length"),
             MPI_MAX_OBJECT_NAME);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_name, (MPI_Datatype datatype, char* type_name, int* resultlen),
                       (datatype, type_name, resultlen))

// The MPI_Count forms of the queries (MPI-3.1 §4.1.5, §4.1.8): the same figures, wider.
BATON_MPI_BODY(MPI_Type_size_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* size) {
    const call c("MPI_Type_size_x", site, MPI_COMM_WORLD);
    *checked_output(c, size, "the size") = static_cast<MPI_Count>(map_of(c, datatype)->size);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_size_x, (MPI_Datatype datatype, MPI_Count* size), (datatype, size))

BATON_MPI_BODY(MPI_Type_get_extent_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* lb,
                                      MPI_Count* extent) {
    const call c("MPI_Type_get_extent_x", site, MPI_COMM_WORLD);
    const auto map = map_of(c, datatype);
    *checked_output(c, lb, "the lower bound") = map->lb;
    *checked_output(c, extent, "the extent") = map->extent;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_extent_x, (MPI_Datatype datatype, MPI_Count* lb, MPI_Count* extent),
                       (datatype, lb, extent))

BATON_MPI_BODY(MPI_Type_get_true_extent_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* true_lb,
                                           MPI_Count* true_extent) {
    const call c("MPI_Type_get_true_extent_x", site, MPI_COMM_WORLD);
    std::ptrdiff_t lb = 0, extent = 0;
    true_bounds(*map_of(c, datatype), lb, extent);
    *checked_output(c, true_lb, "the true lower bound") = lb;
    *checked_output(c, true_extent, "the true extent") = extent;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_true_extent_x,
                       (MPI_Datatype datatype, MPI_Count* true_lb, MPI_Count* true_extent),
                       (datatype, true_lb, true_extent))

BATON_MPI_BODY(MPI_Get_elements_x)(const baton_mpi_where* site, const MPI_Status* status, MPI_Datatype datatype,
                                   MPI_Count* count) {
    int elements = 0;
    const int result = baton_MPI_Get_elements_at(site, status, datatype, &elements);
    if (result == MPI_SUCCESS && count) *count = elements == MPI_UNDEFINED ? MPI_UNDEFINED : elements;
    return result;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_elements_x, (const MPI_Status* status, MPI_Datatype datatype, MPI_Count* count),
                       (status, datatype, count))

// What a generalized request's query function sets (MPI-3.1 §12.3): the status's size in
// elements of `datatype`, and whether it was cancelled.
BATON_MPI_BODY(MPI_Status_set_elements)(const baton_mpi_where* site, MPI_Status* status, MPI_Datatype datatype,
                                        int count) {
    const call c("MPI_Status_set_elements", site, MPI_COMM_WORLD);
    checked_output(c, status, "the status")->baton_bytes = c.count(count) * map_of(c, datatype)->size;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Status_set_elements, (MPI_Status * status, MPI_Datatype datatype, int count),
                       (status, datatype, count))

BATON_MPI_BODY(MPI_Status_set_cancelled)(const baton_mpi_where* site, MPI_Status* status, int flag) {
    const call c("MPI_Status_set_cancelled", site, MPI_COMM_WORLD);
    checked_output(c, status, "the status")->baton_cancelled = flag != 0;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Status_set_cancelled, (MPI_Status * status, int flag), (status, flag))
