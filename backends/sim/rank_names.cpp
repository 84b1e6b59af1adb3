// Ranks named in the tools that list threads and processes (rank_names.hpp).
#include "rank_names.hpp"

#include <pthread.h>

#include <cstdio>

namespace baton::sim::detail {

void name_after_rank(int rank) noexcept {
    char name[16];  // Linux keeps 15 characters of a thread's name
    std::snprintf(name, sizeof name, "rank %d", rank);
    (void)::pthread_setname_np(::pthread_self(), name);
}

}  // namespace baton::sim::detail
