// BATON_MPI_HIDDEN: a global of the MPI backend that every call's short path reads or writes.
//
// libbaton's objects are position-independent code (a static library too, so that it can go into a
// shared object), and there a global of default visibility is reached through the GOT: an extra
// load per access, or its address kept in a callee-saved register across the MPI call, which the
// function then saves and restores. A hidden one is addressed directly, relative to the code.
// Nothing outside libbaton names these.
#pragma once

#define BATON_MPI_HIDDEN [[gnu::visibility("hidden")]]
