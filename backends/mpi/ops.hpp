// baton's reductions as MPI operations.
//
// A builtin on a type MPI reduces natively is MPI's predefined operation (op::sum on doubles is
// MPI_SUM on MPI_DOUBLE). Anything else (user callables, minloc/maxloc on value_index, builtins
// on structs) goes through one of two operations made with MPI_Op_create, commutative or not,
// whose function calls reduce_op::apply. MPI's user functions get no context argument, so the
// reduce_op of the call under way is kept in a thread_local pointer that `active_reduction`
// sets for the length of the MPI call (user functions run on the calling thread, inside it).
#pragma once

#include <exception>

#include <baton/datatype.hpp>
#include <baton/ops.hpp>

#include "datatypes.hpp"
#include "mpi_api.hpp"

namespace baton::mpi::detail {

struct mpi_reduction {
    MPI_Op op = MPI_OP_NULL;
    MPI_Datatype type = MPI_DATATYPE_NULL;
    bool user = false;  // one of baton's MPI_Op_create operations
};

// The MPI operation and datatype that reduce elements of `type` with `op`: MPI's own when it
// has one (a table lookup), else one of baton's.
const mpi_reduction* native_reductions();  // [op][kind]; op MPI_OP_NULL where there is none
mpi_reduction user_reduction(const reduce_op& op, const type_desc& type);
inline mpi_reduction reduction_for(const reduce_op& op, const type_desc& type) {
    const mpi_reduction& native =
        native_reductions()[static_cast<int>(op.id) * element_kinds + static_cast<int>(type.kind)];
    if (native.op != MPI_OP_NULL) return native;
    return user_reduction(op, type);
}

// For a user operation, makes `op` the one MPI's user function applies, for as long as it lives;
// a predefined operation needs nothing. A callable that throws has its exception kept (MPI's C
// code cannot carry it) and rethrown by `rethrow`.
class active_reduction {
public:
    active_reduction(const reduce_op& op, const type_desc& type) : mpi_(reduction_for(op, type)) {
        if (mpi_.user) enter(op);
    }
    ~active_reduction() {
        if (mpi_.user) leave();
    }
    active_reduction(const active_reduction&) = delete;
    active_reduction& operator=(const active_reduction&) = delete;

    const mpi_reduction& mpi() const { return mpi_; }
    // Rethrows what the user's callable threw during the MPI call, if anything.
    void rethrow() {
        if (mpi_.user) rethrow_user();
    }

private:
    void enter(const reduce_op& op);
    void leave();
    void rethrow_user();

    mpi_reduction mpi_;
    const reduce_op* previous_ = nullptr;
    std::exception_ptr previous_failure_;
};

// Frees the operations made with MPI_Op_create; called before MPI_Finalize.
void free_ops();

}  // namespace baton::mpi::detail
