// What mpiexec (Open MPI's, MPICH's, or another PMI launcher) leaves in the environment of the
// processes it starts: read without MPI, so that a build without the MPI backend can tell too.
#pragma once

namespace baton::launch {

// True when a launcher such as mpiexec started this process.
bool started_by_mpiexec();

// False in every process of an mpiexec job but the first: they all read the same options, and only
// the first one warns about them.
bool first_process();

}  // namespace baton::launch
