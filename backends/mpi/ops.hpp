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

#include "hidden.hpp"

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
BATON_MPI_HIDDEN extern mpi_reduction native_reductions[builtin_ops][element_kinds];
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

// The same for a non-blocking reduction (issue 14), whose function MPI calls in whichever later
// call makes progress, where no scope names the operation: the operation travels with the
// datatype instead, a duplicate of the elements' type made for this one request, which carries a
// pointer to this object as an attribute. Owned by the request until MPI is done with it.
class attached_reduction {
public:
    attached_reduction(const reduce_op& op, const type_desc& type);
    ~attached_reduction();  // frees the duplicate type
    attached_reduction(const attached_reduction&) = delete;
    attached_reduction& operator=(const attached_reduction&) = delete;

    const mpi_reduction& mpi() const { return mpi_; }
    // What the user's callable threw while MPI applied it, if anything (later calls are skipped).
    std::exception_ptr failure() const { return failure_; }

private:
    friend void apply_attached(void*, void*, int*, MPI_Datatype*);
    reduce_op op_;
    mpi_reduction mpi_;
    std::exception_ptr failure_;
};

// Frees the operations made with MPI_Op_create; called before MPI_Finalize.
void free_ops();

}  // namespace baton::mpi::detail
