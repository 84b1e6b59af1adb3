// MPI's predefined attributes of a communicator (MPI-3.1 §8.1.2), which programs read for the
// largest tag or whether the clocks agree, and MPI_Pcontrol.
#include <array>

#include <baton/status.hpp>

#include "arguments.hpp"

using namespace baton;
using namespace baton::capi;

namespace {

// The values, by key: MPI hands out a pointer to each (the program reads `*(int*)value`), so they
// live as long as the program. The same for every rank and communicator.
//   MPI_TAG_UB: the largest tag baton accepts (the one every MPI accepts);
//   MPI_HOST: no host is special; MPI_IO: every rank can do I/O (MPI_ANY_SOURCE);
//   MPI_WTIME_IS_GLOBAL: every rank reads one clock, the machine's;
//   MPI_APPNUM: the one program; MPI_LASTUSEDCODE: no codes of the program's own.
std::array<int, MPI_LASTUSEDCODE + 1> values = [] {
    std::array<int, MPI_LASTUSEDCODE + 1> made{};
    made[MPI_TAG_UB] = max_tag;
    made[MPI_HOST] = MPI_PROC_NULL;
    made[MPI_IO] = MPI_ANY_SOURCE;
    made[MPI_WTIME_IS_GLOBAL] = 1;
    made[MPI_APPNUM] = 0;
    made[MPI_LASTUSEDCODE] = MPI_ERR_LASTCODE;
    return made;
}();

int get_attribute(const call& c, int keyval, void* attribute_val, int* flag) {
    checked_output(c, flag, "the flag");
    checked_output(c, attribute_val, "the attribute's value");
    if (keyval < MPI_TAG_UB || keyval > MPI_LASTUSEDCODE)
        fail(MPI_ERR_KEYVAL, c.comm, c.name,
             "key " + std::to_string(keyval) +
                 " is not one of MPI's predefined attributes (baton does not support keys of the program's own)",
             c.where);
    // MPI_UNIVERSE_SIZE: the ranks the run has (a rank's copy: the others read theirs).
    if (keyval == MPI_UNIVERSE_SIZE) c.rank.universe_size = c.rank.world.size();
    int* value = keyval == MPI_UNIVERSE_SIZE ? &c.rank.universe_size : &values[static_cast<std::size_t>(keyval)];
    *static_cast<int**>(attribute_val) = value;
    *flag = 1;
    return MPI_SUCCESS;
}

}  // namespace

BATON_MPI_BODY(MPI_Comm_get_attr)(const baton_mpi_where* site, MPI_Comm comm, int keyval, void* attribute_val,
                                  int* flag) {
    return get_attribute(call("MPI_Comm_get_attr", site, comm), keyval, attribute_val, flag);
}
BATON_MPI_WITHOUT_SITE(MPI_Comm_get_attr, (MPI_Comm comm, int keyval, void* attribute_val, int* flag),
                       (comm, keyval, attribute_val, flag))

BATON_MPI_BODY(MPI_Attr_get)(const baton_mpi_where* site, MPI_Comm comm, int keyval, void* attribute_val, int* flag) {
    return get_attribute(call("MPI_Attr_get", site, comm), keyval, attribute_val, flag);
}
BATON_MPI_WITHOUT_SITE(MPI_Attr_get, (MPI_Comm comm, int keyval, void* attribute_val, int* flag),
                       (comm, keyval, attribute_val, flag))

extern "C" int baton_MPI_Pcontrol(const int, ...) { return MPI_SUCCESS; }
