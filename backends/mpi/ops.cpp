#include "ops.hpp"

#include <cstddef>

#include "datatypes.hpp"

namespace baton::mpi::detail {

namespace {

thread_local const reduce_op* current = nullptr;
thread_local std::exception_ptr failure;

// MPI calls this with (in, inout): inout[i] = in[i] op inout[i], `in` holding lower ranks'
// contributions, which is what reduce_op::apply computes.
void apply_current(void* in, void* inout, int* length, MPI_Datatype*) {
    if (failure || current == nullptr || *length <= 0) return;
    try {
        current->apply(in, inout, static_cast<std::size_t>(*length), current->context);
    } catch (...) {
        failure = std::current_exception();
    }
}

MPI_Op user_ops[2] = {MPI_OP_NULL, MPI_OP_NULL};  // [commutative]

MPI_Op user_op(bool commutative) {
    MPI_Op& op = user_ops[commutative ? 1 : 0];
    if (op == MPI_OP_NULL) MPI_Op_create(&apply_current, commutative ? 1 : 0, &op);
    return op;
}

MPI_Op predefined(builtin_op id) {
    switch (id) {
        case builtin_op::sum: return MPI_SUM;
        case builtin_op::prod: return MPI_PROD;
        case builtin_op::min: return MPI_MIN;
        case builtin_op::max: return MPI_MAX;
        case builtin_op::logical_and: return MPI_LAND;
        case builtin_op::logical_or: return MPI_LOR;
        case builtin_op::logical_xor: return MPI_LXOR;
        case builtin_op::bit_and: return MPI_BAND;
        case builtin_op::bit_or: return MPI_BOR;
        case builtin_op::bit_xor: return MPI_BXOR;
        default: return MPI_OP_NULL;
    }
}

}  // namespace

mpi_reduction native_reductions[builtin_ops][element_kinds] = {};

void init_ops() {
    for (int op = 0; op < builtin_ops; ++op)
        for (int kind = 0; kind < element_kinds; ++kind) {
            const type_desc type{static_cast<element_kind>(kind), 1, {}};
            const MPI_Datatype native = native_reduction_type(type, static_cast<builtin_op>(op));
            if (native != MPI_DATATYPE_NULL) native_reductions[op][kind] = {predefined(static_cast<builtin_op>(op)), native};
        }
}

user_reduction_scope::user_reduction_scope(const reduce_op& op, const type_desc& type)
    : mpi_{user_op(op.commutative), transfer_type(type)}, previous_(current), previous_failure_(failure) {
    current = &op;
    failure = nullptr;
}

user_reduction_scope::~user_reduction_scope() {
    current = previous_;
    failure = previous_failure_;
}

void user_reduction_scope::rethrow() {
    if (failure) {
        auto error = failure;
        failure = nullptr;
        std::rethrow_exception(error);
    }
}

void free_ops() {
    for (MPI_Op& op : user_ops)
        if (op != MPI_OP_NULL) MPI_Op_free(&op);
}

}  // namespace baton::mpi::detail
