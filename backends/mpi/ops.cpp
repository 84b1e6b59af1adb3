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

MPI_Op user_ops[2] = {MPI_OP_NULL, MPI_OP_NULL};      // [commutative]: apply_current
MPI_Op attached_ops[2] = {MPI_OP_NULL, MPI_OP_NULL};  // [commutative]: apply_attached
int attached_key = MPI_KEYVAL_INVALID;               // the datatype attribute naming the reduction

MPI_Op made_op(MPI_Op (&ops)[2], MPI_User_function* function, bool commutative) {
    MPI_Op& op = ops[commutative ? 1 : 0];
    if (op == MPI_OP_NULL) MPI_Op_create(function, commutative ? 1 : 0, &op);
    return op;
}

MPI_Op user_op(bool commutative) { return made_op(user_ops, &apply_current, commutative); }

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

// MPI calls this for a non-blocking reduction (attached_reduction), in whatever call makes
// progress: the reduction is the one the datatype's attribute names.
void apply_attached(void* in, void* inout, int* length, MPI_Datatype* type) {
    void* value = nullptr;
    int found = 0;
    if (MPI_Type_get_attr(*type, attached_key, &value, &found) != MPI_SUCCESS || !found || *length <= 0) return;
    auto& reduction = *static_cast<attached_reduction*>(value);
    if (reduction.failure_) return;
    try {
        reduction.op_.apply(in, inout, static_cast<std::size_t>(*length), reduction.op_.context);
    } catch (...) {
        reduction.failure_ = std::current_exception();
    }
}

attached_reduction::attached_reduction(const reduce_op& op, const type_desc& type) : op_(op) {
    if (attached_key == MPI_KEYVAL_INVALID)
        MPI_Type_create_keyval(MPI_TYPE_NULL_COPY_FN, MPI_TYPE_NULL_DELETE_FN, &attached_key, nullptr);
    mpi_.op = made_op(attached_ops, &apply_attached, op.commutative);
    MPI_Type_dup(transfer_type(type), &mpi_.type);
    MPI_Type_set_attr(mpi_.type, attached_key, this);
}

attached_reduction::~attached_reduction() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Type_free(&mpi_.type);
}

void free_ops() {
    for (MPI_Op* ops : {user_ops, attached_ops})
        for (int k = 0; k < 2; ++k)
            if (ops[k] != MPI_OP_NULL) MPI_Op_free(&ops[k]);
    if (attached_key != MPI_KEYVAL_INVALID) MPI_Type_free_keyval(&attached_key);
}

}  // namespace baton::mpi::detail
