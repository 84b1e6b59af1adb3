// A failed collective's report in the MPI call the program made (collective_reports.hpp).
#include "collective_reports.hpp"

#include <vector>

#include <baton/detail/validate.hpp>

namespace baton::capi {

namespace {

// MPI's name of a predefined reduction (by its handle in mpi.h), or nullptr.
const char* predefined_op_name(MPI_Op op) {
    static constexpr const char* names[] = {"MPI_OP_NULL", "MPI_SUM",  "MPI_PROD", "MPI_MIN",  "MPI_MAX",
                                            "MPI_LAND",    "MPI_LOR",  "MPI_LXOR", "MPI_BAND", "MPI_BOR",
                                            "MPI_BXOR",    "MPI_MINLOC", "MPI_MAXLOC"};
    static_assert(MPI_MAXLOC == 12 && MPI_MINLOC == 11 && MPI_BXOR == 10);
    return op >= 0 && op < static_cast<int>(std::size(names)) ? names[op] : nullptr;
}

}  // namespace

call_text& call_text::add(std::string_view name, std::string_view value) {
    if (!arguments_.empty()) arguments_ += ", ";
    arguments_.append(name).append("=").append(value);
    return *this;
}

call_text& call_text::number(std::string_view name, int value) { return add(name, std::to_string(value)); }

// A predefined datatype by its MPI name; one the program made by its handle, as the C API's other
// reports name it ("datatype 64").
call_text& call_text::type(std::string_view name, MPI_Datatype datatype) {
    if (predefined_type(datatype)) return add(name, basic_name(datatype));
    return add(name, "datatype " + std::to_string(datatype));
}

call_text& call_text::op(MPI_Op op) {
    if (const char* predefined = predefined_op_name(op)) return add("op", predefined);
    return add("op", "reduction " + std::to_string(op));  // one of MPI_Op_create's
}

call_text& call_text::in_place(std::string_view buffer) { return add(buffer, "MPI_IN_PLACE"); }

call_text& call_text::send(const void* sendbuf, int sendcount, MPI_Datatype sendtype) {
    if (sendbuf == MPI_IN_PLACE) return in_place("sendbuf");
    return number("sendcount", sendcount).type("sendtype", sendtype);
}

call_text& call_text::receive(const void* recvbuf, int recvcount, MPI_Datatype recvtype) {
    if (recvbuf == MPI_IN_PLACE) return in_place("recvbuf");
    return number("recvcount", recvcount).type("recvtype", recvtype);
}

void throw_as_called(const call& c, std::string_view operation, const std::string& described, const usage_error& e) {
    const std::string at = detail::format_location(c.where);
    // The headline names the operation just before its line: "rank 1: scatter at f.c:9: ..." on the
    // simulator, "...: scatter(root=0, MPI_INT, comm=world) at f.c:9: ..." on MPI. The first
    // becomes the MPI function, the second the MPI call with its arguments; the rest of the
    // headline (what was wrong) stays the backend's.
    std::string what = e.what();
    if (const std::size_t end = what.find(" at " + at + ":"); end != std::string::npos) {
        const std::size_t start = what.rfind(operation, end);
        if (start != std::string::npos && (start == 0 || what[start - 1] == ' ')) {
            const bool with_arguments = what.compare(start + operation.size(), 1, "(") == 0;
            what.replace(start, end - start, with_arguments ? described : std::string(c.name));
        }
    }
    // The rank's own line, its call as the program made it.
    std::vector<rank_call> calls = e.calls();
    for (rank_call& line : calls)
        if (line.location == at && line.call.starts_with(std::string(operation) + "(")) line.call = described;
    // Thrown as the same kind of error: MPI_ERR_TRUNCATE for a result too large for its buffer.
    if (dynamic_cast<const truncation_error*>(&e)) throw truncation_error(what, std::move(calls));
    if (dynamic_cast<const type_mismatch_error*>(&e)) throw type_mismatch_error(what, std::move(calls));
    throw usage_error(what, std::move(calls));
}

}  // namespace baton::capi
