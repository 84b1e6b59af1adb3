// MPI_Finalize's warning about the objects the rank made and never freed (leaks.cpp).
#pragma once

#include <source_location>

#include "rank_state.hpp"

namespace baton::capi {

void warn_of_leaks(const rank_state& rank, const std::source_location& where);

}  // namespace baton::capi
