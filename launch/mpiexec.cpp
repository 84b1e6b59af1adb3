#include "mpiexec.hpp"

#include <cstdlib>
#include <string_view>

namespace baton::launch {

bool started_by_mpiexec() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(variable)) return true;
    return false;
}

bool first_process() {
    for (const char* variable : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"})
        if (const char* rank = std::getenv(variable); rank && std::string_view(rank) != "0") return false;
    return true;
}

}  // namespace baton::launch
