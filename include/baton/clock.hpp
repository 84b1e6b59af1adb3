// The calling rank's clock, as MPI_Wtime and MPI_Wtick give it:
//
//     const double start = baton::wtime();
//     world.allreduce(x, baton::op::sum);
//     std::println("{:.9f} s", baton::wtime() - start);
//
// Under MPI it is MPI_Wtime. On the simulator it is the rank's simulated clock (README,
// "Profiling and simulated time"): what the network model says the rank's calls took, and with
// --compute-time measured the CPU time it computed between them; with --compute-time zero a
// program that times itself prints the same numbers in every run of the same seed.
#pragma once

namespace baton {

// Seconds since an arbitrary time in the past, fixed for the rank's whole run.
double wtime();
// The resolution of wtime(), in seconds.
double wtick();

namespace detail {

// A backend's clock for the rank it runs on the calling thread.
class clock_impl {
public:
    virtual ~clock_impl() = default;
    virtual double now() = 0;
    virtual double tick() = 0;
};

// The backend running a rank on this thread says where its clock is (null: none, and wtime()
// reads the steady clock, as outside any run). Thread-local: simulated ranks on threads each have
// their own, and fiber ranks switch it as they switch. Returns the one it replaces, for a run
// nested in another backend's rank (a simulation inside an MPI rank) to put back.
clock_impl* use_clock(clock_impl* clock) noexcept;

}  // namespace detail

}  // namespace baton
