// MPI's communicator calls: dup, split, free and names. Each new communicator is the backend's,
// kept in the rank's table under a handle of its own.
#include <cstring>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

MPI_Comm call::keep_comm(std::unique_ptr<backend::comm_impl> made) const {
    if (!made) return MPI_COMM_NULL;
    const MPI_Comm kept = rank.comms.keep(std::move(made), made_here());
    if (const auto parent = rank.comm_errhandlers.find(handle); parent != rank.comm_errhandlers.end())
        rank.comm_errhandlers[kept] = parent->second;
    return kept;
}

BATON_MPI_BODY(MPI_Comm_dup)(const baton_mpi_where* site, MPI_Comm comm, MPI_Comm* newcomm) {
    const call c("MPI_Comm_dup", site, comm);
    *checked_output(c, newcomm, "the new communicator") = c.keep_comm(c.comm.dup(c.where));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_dup, (MPI_Comm comm, MPI_Comm* newcomm), (comm, newcomm))

// MPI_UNDEFINED is baton::undefined: the rank joins no communicator and gets MPI_COMM_NULL.
BATON_MPI_BODY(MPI_Comm_split)(const baton_mpi_where* site, MPI_Comm comm, int color, int key,
                               MPI_Comm* newcomm) {
    const call c("MPI_Comm_split", site, comm);
    if (color < 0 && color != MPI_UNDEFINED)
        fail(MPI_ERR_ARG, c.comm, c.name, "color " + std::to_string(color) + " is negative (and not MPI_UNDEFINED)",
                            c.where);
    checked_output(c, newcomm, "the new communicator");
    std::unique_ptr<backend::comm_impl> made = c.comm.split(color, key, c.where);
    *newcomm = c.keep_comm(std::move(made));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_split, (MPI_Comm comm, int color, int key, MPI_Comm* newcomm),
                       (comm, color, key, newcomm))

BATON_MPI_BODY(MPI_Comm_free)(const baton_mpi_where* site, MPI_Comm* comm) {
    const call c("MPI_Comm_free", site, comm ? *comm : MPI_COMM_NULL);
    if (*comm == MPI_COMM_WORLD || *comm == MPI_COMM_SELF)
        fail(MPI_ERR_COMM, c.comm, c.name,
             std::string(*comm == MPI_COMM_WORLD ? "MPI_COMM_WORLD" : "MPI_COMM_SELF") + " cannot be freed", c.where);
    c.rank.comm_names.erase(*comm);
    c.rank.comm_errhandlers.erase(*comm);
    c.rank.comms.take(*comm);
    *comm = MPI_COMM_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_free, (MPI_Comm * comm), (comm))

BATON_MPI_BODY(MPI_Comm_set_name)(const baton_mpi_where* site, MPI_Comm comm, const char* name) {
    const call c("MPI_Comm_set_name", site, comm);
    if (!name) fail(MPI_ERR_ARG, c.comm, c.name, "the name is NULL", c.where);
    c.rank.comm_names[comm] = std::string(name, strnlen(name, MPI_MAX_OBJECT_NAME - 1));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_set_name, (MPI_Comm comm, const char* name), (comm, name))

// The name set, else MPI's for the world and self and baton's own for the others ("world.split(1)").
BATON_MPI_BODY(MPI_Comm_get_name)(const baton_mpi_where* site, MPI_Comm comm, char* name, int* resultlen) {
    const call c("MPI_Comm_get_name", site, comm);
    if (!name || !resultlen) fail(MPI_ERR_ARG, c.comm, c.name, "the name or length pointer is NULL", c.where);
    const auto set = c.rank.comm_names.find(comm);
    const std::string text = set != c.rank.comm_names.end() ? set->second
                             : comm == MPI_COMM_WORLD       ? std::string("MPI_COMM_WORLD")
                             : comm == MPI_COMM_SELF        ? std::string("MPI_COMM_SELF")
                                                            : c.comm.name();
    put_text(text, name, resultlen, MPI_MAX_OBJECT_NAME);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_get_name, (MPI_Comm comm, char* name, int* resultlen), (comm, name, resultlen))
