// baton's reductions as MPI operations.
//
// A builtin on a type MPI reduces natively is MPI's predefined operation (op::sum on doubles is
// MPI_SUM on MPI_DOUBLE): a lookup in a table filled once, after MPI_Init. Anything else (user
// callables, minloc/maxloc on value_index, builtins on structs) goes through one of two operations
// made with MPI_Op_create, commutative or not, whose function calls reduce_op::apply. MPI's user
// functions get no context argument, so the reduce_op of the call under way is kept in a
// thread_local pointer that `user_reduction_scope` sets for the length of the MPI call (user
// functions run on the calling thread, inside it).
#pragma once

#include <exception>

#include <baton/datatype.hpp>
#include <baton/ops.hpp>
#include <baton/detail/mpi_c_api.hpp>

#include "datatypes.hpp"

namespace baton::mpi::detail {

struct mpi_reduction {
    MPI_Op op = MPI_OP_NULL;
    MPI_Datatype type = MPI_DATATYPE_NULL;
};

// Fills the table of MPI's own reductions; called once MPI is initialized.
void init_ops();

// MPI's own operation and datatype for `op` on elements of `type`; op is MPI_OP_NULL when MPI
// has none (then a user_reduction_scope is needed).
extern mpi_reduction native_reductions[builtin_ops][element_kinds];
inline const mpi_reduction& native_reduction(const reduce_op& op, const type_desc& type) {
    return native_reductions[static_cast<int>(op.id)][static_cast<int>(type.kind)];
}

// One of baton's MPI_Op_create operations, with `op` made the current one for as long as the
// scope lives (the previous one is restored after). A callable that throws has its exception kept
// (MPI's C code cannot carry it) and rethrown by `rethrow` once the MPI call has returned, so that
// this rank still takes its part in the collective and the others do not hang.
class user_reduction_scope {
public:
    user_reduction_scope(const reduce_op& op, const type_desc& type);
    ~user_reduction_scope();
    user_reduction_scope(const user_reduction_scope&) = delete;
    user_reduction_scope& operator=(const user_reduction_scope&) = delete;

    const mpi_reduction& mpi() const { return mpi_; }
    // Rethrows what the user's callable threw during the MPI call, if anything.
    void rethrow();

private:
    mpi_reduction mpi_;
    const reduce_op* previous_ = nullptr;
    std::exception_ptr previous_failure_;
};

// Frees the operations made with MPI_Op_create; called before MPI_Finalize.
void free_ops();

}  // namespace baton::mpi::detail
