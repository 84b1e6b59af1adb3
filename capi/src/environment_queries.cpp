// What a program asks of MPI itself: addresses and memory (MPI_Get_address, MPI_Alloc_mem,
// MPI_Free_mem), threads (MPI_Query_thread, MPI_Is_thread_main), the library's version, and
// whether a communicator is an intercommunicator (never, on baton).
#include <cstdint>
#include <cstdlib>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

BATON_MPI_BODY(MPI_Get_address)(const baton_mpi_where* site, const void* location, MPI_Aint* address) {
    const call c("MPI_Get_address", site, MPI_COMM_WORLD);
    *checked_output(c, address, "the address") = static_cast<MPI_Aint>(reinterpret_cast<std::uintptr_t>(location));
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_address, (const void* location, MPI_Aint* address), (location, address))

// Memory for messages: on the simulator any memory is as good, so the C library's.
BATON_MPI_BODY(MPI_Alloc_mem)(const baton_mpi_where* site, MPI_Aint size, MPI_Info, void* baseptr) {
    const call c("MPI_Alloc_mem", site, MPI_COMM_WORLD);
    if (size < 0) fail(MPI_ERR_SIZE, c.comm, c.name, "a negative size (" + std::to_string(size) + ")", c.where);
    void* made = std::malloc(size > 0 ? static_cast<std::size_t>(size) : 1);
    if (!made) fail(MPI_ERR_NO_MEM, c.comm, c.name, "no memory for " + std::to_string(size) + " bytes", c.where);
    *static_cast<void**>(checked_output(c, baseptr, "the pointer for the memory")) = made;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Alloc_mem, (MPI_Aint size, MPI_Info info, void* baseptr), (size, info, baseptr))

BATON_MPI_BODY(MPI_Free_mem)(const baton_mpi_where* site, void* base) {
    const call c("MPI_Free_mem", site, MPI_COMM_WORLD);
    std::free(base);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Free_mem, (void* base), (base))

BATON_MPI_BODY(MPI_Query_thread)(const baton_mpi_where* site, int* provided) {
    const call c("MPI_Query_thread", site, MPI_COMM_WORLD);
    *checked_output(c, provided, "the thread level") = c.rank.thread_level;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Query_thread, (int* provided), (provided))

// The rank's program runs on the thread (or fiber, or process) that called MPI_Init: its main.
BATON_MPI_BODY(MPI_Is_thread_main)(const baton_mpi_where* site, int* flag) {
    const call c("MPI_Is_thread_main", site, MPI_COMM_WORLD);
    *checked_output(c, flag, "the flag") = 1;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Is_thread_main, (int* flag), (flag))

BATON_MPI_BODY(MPI_Get_library_version)(const baton_mpi_where* site, char* version, int* resultlen) {
    (void)current("MPI_Get_library_version", location_of(site), true);  // callable before MPI_Init
    put_text("baton (MPI 3.1 on simulated ranks)", version, resultlen, MPI_MAX_LIBRARY_VERSION_STRING);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Get_library_version, (char* version, int* resultlen), (version, resultlen))

BATON_MPI_BODY(MPI_Comm_test_inter)(const baton_mpi_where* site, MPI_Comm comm, int* flag) {
    const call c("MPI_Comm_test_inter", site, comm);
    *checked_output(c, flag, "the flag") = 0;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_test_inter, (MPI_Comm comm, int* flag), (comm, flag))
