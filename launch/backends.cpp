// The table of backends and the choice among them.
#include "backends.hpp"

#include <algorithm>
#include <array>
#include <iostream>

#include <fmt/format.h>

#include "mpiexec.hpp"

namespace baton::launch {

namespace {

// Defined for this layer when the MPI backend is built (backends/mpi/meson.build); without it the
// row stays, so that asking for MPI says how to get it instead of "no such backend".
#ifdef BATON_HAVE_MPI
constexpr entry mpi_entry = run_on_mpi;
#else
constexpr entry mpi_entry = nullptr;
#endif

constexpr std::array table{
    backend{.name = "sim", .title = "simulator", .run = run_on_simulator, .runs = "simulated ranks"},
    backend{.name = "mpi",
            .title = "MPI",
            .run = mpi_entry,
            .wanted = started_by_mpiexec,
            .wanted_when = "started by mpiexec",
            .runs = "MPI processes",
            .to_build = "configure it with -Dmpi=enabled, with an MPI such as Debian's libopenmpi-dev installed"},
};

const backend& fallback() {
    return *std::find_if(table.begin(), table.end(), [](const backend& b) { return b.wanted == nullptr; });
}

}  // namespace

std::span<const backend> backends() { return table; }

const backend& pick(std::string_view name) {
    if (name != "auto")
        return *std::find_if(table.begin(), table.end(), [&](const backend& b) { return b.name == name; });
    for (const backend& b : table)
        if (b.wanted && b.wanted()) return b;
    return fallback();
}

int missing(const backend& wanted, bool asked) {
    const std::string why = asked ? fmt::format("the {} backend was asked for (--backend {} or BATON_BACKEND={})",
                                                wanted.title, wanted.name, wanted.name)
                                  : fmt::format("this program was {}", wanted.wanted_when);
    std::cerr << fmt::format("baton: {}, but this build of baton has no {} backend ({}); run it plainly, or with "
                             "--backend {}, to use {}\n",
                             why, wanted.title, wanted.to_build, fallback().name, fallback().runs);
    return 2;
}

}  // namespace baton::launch
