// The corpus: small programs, each labelled correct or with the one kind of finding its error must
// give, and how to run it (ranks, send and collective modes). run_corpus.cpp runs them all at
// several seeds and measures the simulator's checks: precision and recall must both be 1.0.
//
// A program is a function of the world communicator, registered with one or more runs:
//
//     CORPUS_PROGRAM(head_to_head) {                 // void head_to_head(baton::communicator& world)
//         world.send(1, 1 - world.rank());
//         world.recv<int>(1 - world.rank(), 0);
//     }
//     CORPUS_RUN(head_to_head, "buffering hazard", potential_deadlock, .ranks = 2, .sends = synchronous);
//     CORPUS_RUN(head_to_head, "buffering hazard", correct, .ranks = 2);
//
// The label is `correct` or a baton::finding_kind; what follows it initializes baton::sim::options
// (its seed and schedule are the runner's). Inside a corpus file, `synchronous`, `eager`, `local`
// and the finding kinds can be named without their namespaces.
//
// A program labelled K passes a run when the run's findings include K and nothing else; a correct
// one when there are none. A program whose error depends on a race must give its finding at every
// seed: design it so that every outcome of the race is wrong.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/baton.hpp>

namespace corpus {

struct program {
    std::string name;      // the function's name
    std::string category;  // the kind of bug it is about, in the MBI's spirit ("buffering hazard", ...)
    std::optional<baton::finding_kind> label;  // nothing: correct
    baton::sim::options options;
    void (*body)(baton::communicator&) = nullptr;
    const char* file = "";
    int line = 0;
};

// Every registered run, in registration order within each file.
std::vector<program>& registry();

struct registrar {
    explicit registrar(program p) { registry().push_back(std::move(p)); }
};

// What a correct program checks about its results: a wrong value makes the rank fail, which the
// runner counts as a false finding (the simulator got MPI's semantics wrong).
inline void expect(bool condition, const char* what) {
    if (!condition) throw std::logic_error(std::string("corpus: wrong result: ") + what);
}

// The labels and mode names the registration macros accept.
namespace names {
inline constexpr std::optional<baton::finding_kind> correct{};
using enum baton::finding_kind;
using enum baton::sim::send_mode;
using enum baton::sim::collective_mode;
}  // namespace names

}  // namespace corpus

#define CORPUS_CONCAT_(a, b) a##b
#define CORPUS_CONCAT(a, b) CORPUS_CONCAT_(a, b)

// Declares the program's function; its body follows.
#define CORPUS_PROGRAM(name) static void name([[maybe_unused]] baton::communicator& world)

// Registers a run of program `name`. `...` initializes baton::sim::options.
#define CORPUS_RUN(name, category, label, ...)                                                         \
    static const ::corpus::registrar CORPUS_CONCAT(corpus_run_, __COUNTER__)([] {                     \
        using namespace ::corpus::names;                                                               \
        return ::corpus::program{#name, category, label, ::baton::sim::options{__VA_ARGS__}, &name,     \
                                 __FILE__, __LINE__};                                                  \
    }())
