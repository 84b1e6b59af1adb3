// A failed collective as the C API reports it: the backends name their own operation and what they
// were given ("scatter(root=0, 0 x MPI_INT)", a non-root's empty send included); a C program's
// report names the MPI function it called and the arguments that apply on the rank that failed
// ("MPI_Scatter(recvcount=1, recvtype=MPI_INT, root=0)"). The typed API's reports are the
// backends' own, unchanged.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "arguments.hpp"

namespace baton::capi {

// An MPI call and its arguments as a report shows them: "MPI_Bcast(count=1, datatype=MPI_INT, root=0)".
class call_text {
public:
    explicit call_text(const call& c) : text_(c.name) {}
    call_text& number(std::string_view name, int value);
    call_text& type(std::string_view name, MPI_Datatype datatype);
    call_text& op(MPI_Op op);
    call_text& in_place(std::string_view buffer);  // "sendbuf=MPI_IN_PLACE"
    // A send or receive buffer's arguments: "sendbuf=MPI_IN_PLACE", or its count and datatype.
    call_text& send(const void* sendbuf, int sendcount, MPI_Datatype sendtype);
    call_text& receive(const void* recvbuf, int recvcount, MPI_Datatype recvtype);
    std::string done() const { return text_ + "(" + arguments_ + ")"; }

private:
    call_text& add(std::string_view name, std::string_view value);
    std::string text_, arguments_;
};

// The error a backend's collective raised about this rank's own call, `operation` (its name in
// the backends' reports: "scatter"), thrown again as the same kind of error naming the MPI call
// `described` instead, in the headline and in the rank's line.
[[noreturn]] void throw_as_called(const call& c, std::string_view operation, const std::string& described,
                                  const usage_error& e);

// Runs `collective`, a call of the backend's `operation`; an error it raises names the MPI call
// that `describe` says (called only then: nothing is formatted on the way that succeeds).
template <class Describe, class Collective>
void as_called(const call& c, std::string_view operation, Describe&& describe, Collective&& collective) {
    try {
        std::forward<Collective>(collective)();
    } catch (const mpi_error&) {
        throw;  // the C API's own check, which names the MPI call already
    } catch (const usage_error& e) {
        throw_as_called(c, operation, std::forward<Describe>(describe)(), e);
    }
}

}  // namespace baton::capi
