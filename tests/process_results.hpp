// What the test suites need so that the values their rank functions return travel back from
// process ranks (BATON_CONTEXT=process), where every rank runs in a process of its own.
//
// Plain data (a struct of ints, a baton::status, a vector of them) travels back as its bytes. A
// struct that holds a vector, a string or a map must be serialized by cereal, and so must every
// type inside it: such a struct lists its fields with BATON_TEST_RESULT_FIELDS, and a plain struct
// that is inside one lists its own too (cereal does not serialize plain data by itself).
//
// Nothing else travels back: a rank that writes a variable of the test's (a line number, a
// counter) writes its own copy, which the test never sees; and a Catch2 CHECK made inside a rank
// body is recorded in the rank's process and lost. Rank bodies return what the test checks, and
// check inside themselves only with REQUIRE, whose failure ends the rank and so the run.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <memory>
#include <new>
#include <system_error>

#include <baton/detail/serialize.hpp>
#include <baton/ops.hpp>
#include <baton/status.hpp>

// Inside a struct a rank function returns (or that is inside one): the fields that travel back
// from a process rank, every one of them. One function for each of the two archives that results
// travel in, not a template: most of these structs are local to a test case, where a member
// template is not allowed.
#define BATON_TEST_RESULT_FIELDS(...)                                                 \
    void serialize(cereal::BinaryOutputArchive& archive) { archive(__VA_ARGS__); }   \
    void serialize(cereal::BinaryInputArchive& archive) { archive(__VA_ARGS__); }

namespace baton {

// baton::status is plain data, so it travels back as bytes on its own or in a vector; inside a
// serialized struct cereal needs this. (Found by argument-dependent lookup, so in namespace baton.)
template <class Archive>
void serialize(Archive& archive, status& st) {
    archive(st.source, st.tag, st.bytes, st.cancelled);
}

// The same for what minloc and maxloc reduce.
template <class Archive, class T>
void serialize(Archive& archive, value_index<T>& v) {
    archive(v.value, v.index);
}

}  // namespace baton

namespace baton_test {

// A T that every rank shares, on process ranks too: made in an anonymous shared mapping before the
// run, which the ranks' processes inherit when they are forked. Only for tests about what ranks
// see of each other's progress (a barrier's arrivals, counted with lock-free atomics, which work
// across processes), which only shared memory can show.
template <class T>
std::shared_ptr<T> shared_by_ranks() {
    void* memory = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    return std::shared_ptr<T>(new (memory) T{}, [](T* shared) {
        shared->~T();
        ::munmap(shared, sizeof(T));
    });
}

}  // namespace baton_test
