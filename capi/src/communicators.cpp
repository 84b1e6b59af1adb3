// MPI's communicator calls: dup, split, free and names. Each new communicator is the backend's,
// kept in the rank's table under a handle of its own.
#include <cstring>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

MPI_Comm* checked_output(const call& c, MPI_Comm* newcomm) {
    if (!newcomm) detail::throw_usage(c.comm, c.name, "the pointer for the new communicator is NULL", c.where);
    return newcomm;
}

}  // namespace

extern "C" int baton_MPI_Comm_dup_at(const baton_mpi_where* site, MPI_Comm comm, MPI_Comm* newcomm) {
    const call c("MPI_Comm_dup", site, comm);
    *checked_output(c, newcomm) = c.rank.comms.keep(c.comm.dup(c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_dup, (MPI_Comm comm, MPI_Comm* newcomm), (comm, newcomm))

// MPI_UNDEFINED is baton::undefined: the rank joins no communicator and gets MPI_COMM_NULL.
extern "C" int baton_MPI_Comm_split_at(const baton_mpi_where* site, MPI_Comm comm, int color, int key,
                                       MPI_Comm* newcomm) {
    const call c("MPI_Comm_split", site, comm);
    if (color < 0 && color != MPI_UNDEFINED)
        detail::throw_usage(c.comm, c.name, "color " + std::to_string(color) + " is negative (and not MPI_UNDEFINED)",
                            c.where);
    checked_output(c, newcomm);
    std::unique_ptr<backend::comm_impl> made = c.comm.split(color, key, c.where);
    *newcomm = made ? c.rank.comms.keep(std::move(made)) : MPI_COMM_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_split, (MPI_Comm comm, int color, int key, MPI_Comm* newcomm),
                       (comm, color, key, newcomm))

extern "C" int baton_MPI_Comm_free_at(const baton_mpi_where* site, MPI_Comm* comm) {
    const call c("MPI_Comm_free", site, comm ? *comm : MPI_COMM_NULL);
    if (*comm == MPI_COMM_WORLD || *comm == MPI_COMM_SELF)
        detail::throw_usage(c.comm, c.name,
                            std::string(*comm == MPI_COMM_WORLD ? "MPI_COMM_WORLD" : "MPI_COMM_SELF") +
                                " cannot be freed",
                            c.where);
    c.rank.comm_names.erase(*comm);
    c.rank.comms.take(*comm);
    *comm = MPI_COMM_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_free, (MPI_Comm * comm), (comm))

extern "C" int baton_MPI_Comm_set_name_at(const baton_mpi_where* site, MPI_Comm comm, const char* name) {
    const call c("MPI_Comm_set_name", site, comm);
    if (!name) detail::throw_usage(c.comm, c.name, "the name is NULL", c.where);
    c.rank.comm_names[comm] = std::string(name, strnlen(name, MPI_MAX_OBJECT_NAME - 1));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_set_name, (MPI_Comm comm, const char* name), (comm, name))

// The name set, else MPI's for the world and self and baton's own for the others ("world.split(1)").
extern "C" int baton_MPI_Comm_get_name_at(const baton_mpi_where* site, MPI_Comm comm, char* name, int* resultlen) {
    const call c("MPI_Comm_get_name", site, comm);
    if (!name || !resultlen) detail::throw_usage(c.comm, c.name, "the name or length pointer is NULL", c.where);
    const auto set = c.rank.comm_names.find(comm);
    const std::string text = set != c.rank.comm_names.end() ? set->second
                             : comm == MPI_COMM_WORLD       ? std::string("MPI_COMM_WORLD")
                             : comm == MPI_COMM_SELF        ? std::string("MPI_COMM_SELF")
                                                            : c.comm.name();
    put_text(text, name, resultlen, MPI_MAX_OBJECT_NAME);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_get_name, (MPI_Comm comm, char* name, int* resultlen), (comm, name, resultlen))
