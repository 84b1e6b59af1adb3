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
// reads the steady clock, as outside any run). Thread-local: simulated ranks on threads each set
// it on their own thread; fiber ranks share one clock object (it reads the running rank's time).
// Returns the one it replaces.
clock_impl* use_clock(clock_impl* clock) noexcept;

// `clock` is the calling thread's while this lives; then the one it replaced is back (a run nested
// in another backend's rank, a simulation inside an MPI rank, leaves the outer clock as it was).
class clock_scope {
public:
    explicit clock_scope(clock_impl* clock) noexcept : replaced_(use_clock(clock)) {}
    ~clock_scope() { use_clock(replaced_); }
    clock_scope(const clock_scope&) = delete;
    clock_scope& operator=(const clock_scope&) = delete;

private:
    clock_impl* replaced_;
};

}  // namespace detail

}  // namespace baton
