// Reductions: MPI's predefined ones (types.cpp) and the program's own, made by MPI_Op_create, which
// a reduction calls as MPI does: f(invec, inoutvec, &len, &datatype), inoutvec = invec op inoutvec.
#include <algorithm>
#include <vector>

#include "arguments.hpp"
#include "datatypes.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// The program's buffers of `count` elements of a derived type, as its function takes them: laid out
// as the type map says (gaps and all), for the packed elements a reduction carries.
class laid_out_elements {
public:
    laid_out_elements(const derived_type& type, std::size_t count) {
        std::ptrdiff_t low = 0, span = 0;
        true_bounds(type, low, span);
        // From the origin (or the lowest byte below it) up: the origin points into the buffer.
        std::ptrdiff_t high = std::max<std::ptrdiff_t>(low + span, 0);
        low = std::min<std::ptrdiff_t>(low, 0);
        const std::ptrdiff_t last = count ? static_cast<std::ptrdiff_t>(count - 1) * type.extent : 0;
        low = std::min(low, low + last);
        high = std::max(high, high + last);
        bytes_.assign(static_cast<std::size_t>(high - low), std::byte{});
        origin_ = bytes_.data() - low;
    }
    void* origin() { return origin_; }

private:
    std::vector<std::byte> bytes_;
    std::byte* origin_ = nullptr;
};

// MPI calls the function on the program's layout of the datatype: both operands are unpacked from
// the packed elements the backends reduce, and the result packed back.
void apply_on_derived(const user_operation& op, const void* in, void* inout, std::size_t n) {
    const derived_type& type = *op.map;
    const std::size_t bytes = n * op.packed_element_bytes;
    const std::size_t count = type.size ? bytes / type.size : 0;
    laid_out_elements lhs(type, count), rhs(type, count);
    unpack(type, static_cast<const std::byte*>(in), bytes, lhs.origin(), count);
    unpack(type, static_cast<const std::byte*>(inout), bytes, rhs.origin(), count);
    int length = static_cast<int>(count);
    MPI_Datatype datatype = op.datatype;
    op.function(lhs.origin(), rhs.origin(), &length, &datatype);
    pack_into(type, rhs.origin(), count, static_cast<std::byte*>(inout));
}

void apply_user_function(const void* in, void* inout, std::size_t n, const void* context) {
    const auto& op = *static_cast<const user_operation*>(context);
    if (op.map) return apply_on_derived(op, in, inout, n);
    int length = static_cast<int>(n);
    MPI_Datatype datatype = op.datatype;
    op.function(const_cast<void*>(in), inout, &length, &datatype);
}

}  // namespace

reduce_op call::reduction(MPI_Op op, MPI_Datatype datatype) const {
    user_operation* own = rank.operations.find(op);
    if (!own) {
        // MPI-3.1 §5.9.2: the predefined reductions are defined on the predefined datatypes only
        // (only MPI_Accumulate takes a derived one built of one predefined type).
        if (datatype >= first_derived_type && op >= MPI_SUM && op <= MPI_MAXLOC)
            fail(MPI_ERR_OP, comm, name,
                 "MPI's predefined reductions apply to predefined datatypes only, not to a derived one (" +
                     std::to_string(datatype) + "): reduce it with a function of the program's (MPI_Op_create)",
                 where);
        return reduction_of(comm, op, datatype, name, where);
    }
    // The datatype the function is told is this call's: one call at a time uses the operation.
    own->datatype = datatype;
    own->map = nullptr;
    if (datatype >= first_derived_type) {
        const wire_form form = wire(datatype);
        own->map = form.map;
        own->packed_element_bytes = form.element.size;
    } else {
        type_of(comm, datatype, name, where);  // a datatype the backends know
    }
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

BATON_MPI_BODY(MPI_Op_commutative)(const baton_mpi_where* site, MPI_Op op, int* commute) {
    const call c("MPI_Op_commutative", site, MPI_COMM_WORLD);
    const user_operation* own = c.rank.operations.find(op);
    if (!own && (op < MPI_SUM || op > MPI_MAXLOC))
        fail(MPI_ERR_OP, c.comm, c.name, std::to_string(op) + " is not a reduction (MPI_Op)", c.where);
    *checked_output(c, commute, "the flag") = own ? own->commutative : 1;  // every predefined one is
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Op_commutative, (MPI_Op op, int* commute), (op, commute))

// inoutbuf = inbuf op inoutbuf, on this rank alone (MPI-3.1 §5.9.7): the reduction a collective
// would apply, on the elements as the backends carry them (a derived datatype's packed, then
// unpacked into the program's layout again).
BATON_MPI_BODY(MPI_Reduce_local)(const baton_mpi_where* site, const void* inbuf, void* inoutbuf, int count,
                                 MPI_Datatype datatype, MPI_Op op) {
    const call c("MPI_Reduce_local", site, MPI_COMM_WORLD);
    const reduce_op reduction = c.reduction(op, datatype);
    // A derived datatype's buffers are staged packed, and inoutbuf unpacked when the call ends.
    const auto in = c.send_view(inbuf, count, datatype);
    const auto inout = c.recv_buffer(inoutbuf, count, datatype);
    reduction.apply(in.data, inout.data, inout.count, reduction.context);
    return MPI_SUCCESS;
}
BATON_MPI_WITHOUT_SITE(MPI_Reduce_local,
                       (const void* inbuf, void* inoutbuf, int count, MPI_Datatype datatype, MPI_Op op),
                       (inbuf, inoutbuf, count, datatype, op))
