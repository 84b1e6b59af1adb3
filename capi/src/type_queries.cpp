// What a program asks of a datatype: its size, extent and true extent (each also in the MPI_Count
// form, MPI-3.1 §4.1.5, §4.1.8), its name; MPI_Get_elements_x; and what a generalized request's
// status is given.
#include <string>

#include "type_builder.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// MPI_Type_size and MPI_Type_size_x: the bytes of data in one element.
template <class Number>
int size_of(std::string_view name, const baton_mpi_where* site, MPI_Datatype datatype, Number* size) {
    const call c(name, site, MPI_COMM_WORLD);
    *checked_output(c, size, "the size") = static_cast<Number>(map_of(c, datatype)->size);
    return MPI_SUCCESS;
}

// MPI_Type_get_extent(_x) (`really` false: lb and extent as the type says) and
// MPI_Type_get_true_extent(_x) (`really` true: the bytes its data spans).
template <class Number>
int bounds_of(std::string_view name, const baton_mpi_where* site, MPI_Datatype datatype, Number* lb, Number* extent,
              bool really) {
    const call c(name, site, MPI_COMM_WORLD);
    const auto map = map_of(c, datatype);
    std::ptrdiff_t low = map->lb, span = map->extent;
    if (really) true_bounds(*map, low, span);
    *checked_output(c, lb, "the lower bound") = low;
    *checked_output(c, extent, "the extent") = span;
    return MPI_SUCCESS;
}

}  // namespace

BATON_MPI_BODY(MPI_Type_size)(const baton_mpi_where* site, MPI_Datatype datatype, int* size) {
    return size_of("MPI_Type_size", site, datatype, size);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_size, (MPI_Datatype datatype, int* size), (datatype, size))

BATON_MPI_BODY(MPI_Type_size_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* size) {
    return size_of("MPI_Type_size_x", site, datatype, size);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_size_x, (MPI_Datatype datatype, MPI_Count* size), (datatype, size))

BATON_MPI_BODY(MPI_Type_get_extent)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Aint* lb,
                                    MPI_Aint* extent) {
    return bounds_of("MPI_Type_get_extent", site, datatype, lb, extent, false);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_extent, (MPI_Datatype datatype, MPI_Aint* lb, MPI_Aint* extent),
                       (datatype, lb, extent))

BATON_MPI_BODY(MPI_Type_get_extent_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* lb,
                                      MPI_Count* extent) {
    return bounds_of("MPI_Type_get_extent_x", site, datatype, lb, extent, false);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_extent_x, (MPI_Datatype datatype, MPI_Count* lb, MPI_Count* extent),
                       (datatype, lb, extent))

BATON_MPI_BODY(MPI_Type_get_true_extent)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Aint* true_lb,
                                         MPI_Aint* true_extent) {
    return bounds_of("MPI_Type_get_true_extent", site, datatype, true_lb, true_extent, true);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_true_extent, (MPI_Datatype datatype, MPI_Aint* true_lb, MPI_Aint* true_extent),
                       (datatype, true_lb, true_extent))

BATON_MPI_BODY(MPI_Type_get_true_extent_x)(const baton_mpi_where* site, MPI_Datatype datatype, MPI_Count* true_lb,
                                           MPI_Count* true_extent) {
    return bounds_of("MPI_Type_get_true_extent_x", site, datatype, true_lb, true_extent, true);
}
BATON_MPI_WITHOUT_SITE(MPI_Type_get_true_extent_x,
                       (MPI_Datatype datatype, MPI_Count* true_lb, MPI_Count* true_extent),
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
