// The datatype constructors beyond the common ones (datatypes.cpp): MPI_Type_dup and
// MPI_Type_create_subarray.
#include <numeric>
#include <vector>

#include "type_builder.hpp"

using namespace baton;
using namespace baton::capi;

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

