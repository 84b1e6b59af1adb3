// MPI groups as the rank keeps them (rank_state's `groups`): lists of world ranks. What the group
// calls (groups.cpp) and the communicator calls that take or give a group
// (communicator_groups.cpp) share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <mpi.h>

#include "arguments.hpp"

namespace baton::capi {

// The members of the group `group` names (MPI_GROUP_EMPTY: none), or a usage_error naming the
// call and `role` ("group", "group1", ...): MPI_GROUP_NULL, or a handle never made or freed.
const std::vector<int>& group_members(const call& c, MPI_Group group, std::string_view role);

// A new group handle for `world_ranks` (MPI_GROUP_EMPTY when there are none, as MPI-3.1 gives
// for an empty MPI_Group_incl and as Open MPI gives for every empty result), made by the call.
MPI_Group keep_group(const call& c, std::vector<int> world_ranks);

// The position of `world_rank` in `members`, or MPI_UNDEFINED.
int rank_in(const std::vector<int>& members, int world_rank);

}  // namespace baton::capi
