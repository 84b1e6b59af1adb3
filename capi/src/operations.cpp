// Reductions: MPI's predefined ones (types.cpp) and the program's own, made by MPI_Op_create, which
// a reduction calls as MPI does: f(invec, inoutvec, &len, &datatype), inoutvec = invec op inoutvec.
#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

void apply_user_function(const void* in, void* inout, std::size_t n, const void* context) {
    const auto& op = *static_cast<const user_operation*>(context);
    int length = static_cast<int>(n);
    MPI_Datatype datatype = op.datatype;
    op.function(const_cast<void*>(in), inout, &length, &datatype);
}

}  // namespace

reduce_op call::reduction(MPI_Op op, MPI_Datatype datatype) const {
    user_operation* own = rank.operations.find(op);
    if (!own) return reduction_of(comm, op, datatype, name, where);
    type_of(comm, datatype, name, where);  // a datatype the backends know
    // The datatype the function is told is this call's: one call at a time uses the operation.
    own->datatype = datatype;
    reduce_op made;
    made.id = builtin_op::user;
    made.name = "a reduction made by MPI_Op_create";
    made.apply = &apply_user_function;
    made.context = own;
    made.commutative = own->commutative;
    return made;
}

BATON_MPI_BODY(MPI_Op_create)(const baton_mpi_where* site, MPI_User_function* user_fn, int commute, MPI_Op* op) {
    const call c("MPI_Op_create", site, MPI_COMM_WORLD);
    if (!user_fn || !op) fail(MPI_ERR_ARG, c.comm, c.name, "the function or the MPI_Op pointer is NULL", c.where);
    auto made = std::make_unique<user_operation>();
    made->function = user_fn;
    made->commutative = commute != 0;
    *op = c.rank.operations.keep(std::move(made), c.made_here());
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Op_create, (MPI_User_function * user_fn, int commute, MPI_Op* op), (user_fn, commute, op))

BATON_MPI_BODY(MPI_Op_free)(const baton_mpi_where* site, MPI_Op* op) {
    const call c("MPI_Op_free", site, MPI_COMM_WORLD);
    if (!op || !c.rank.operations.take(*op))
        fail(MPI_ERR_OP, c.comm, c.name, "not a reduction made by MPI_Op_create (or freed already)", c.where);
    *op = MPI_OP_NULL;
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Op_free, (MPI_Op * op), (op))
