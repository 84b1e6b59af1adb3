// Exceptions crossing between a process rank and the engine (process_wire.hpp). What a rank
// throws is rebuilt in the engine with the same type where baton and the standard library know
// it, and otherwise as a foreign_exception that keeps the type's name and message, so that the
// report reads as it would on threads. Errors the engine throws into a rank's call travel the
// other way and, if the rank lets them escape, come back as the very exception the engine threw.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "process_wire.hpp"

namespace baton::sim::detail {

// What a process rank threw that is not rebuilt with its own type.
class foreign_exception : public std::exception {
public:
    foreign_exception(std::string type, std::string what) : type_(std::move(type)), what_(std::move(what)) {}
    const char* what() const noexcept override { return what_.c_str(); }
    const std::string& type_name() const noexcept { return type_; }

private:
    std::string type_, what_;
};

// Likewise for something thrown that is not a std::exception (a failed Catch2 REQUIRE).
class foreign_non_std_exception {
public:
    explicit foreign_non_std_exception(std::string type) : type_(std::move(type)) {}
    const std::string& type_name() const noexcept { return type_; }

private:
    std::string type_;
};

// A process rank that ended without its rank function returning or throwing: killed by a
// signal, exited, or broke the protocol. `how` says which: "died of SIGSEGV (segmentation fault)".
class rank_process_ended : public std::exception {
public:
    explicit rank_process_ended(std::string how) : how_(std::move(how)) {}
    const char* what() const noexcept override { return how_.c_str(); }

private:
    std::string how_;
};

namespace wire {

// Writes the exception being handled (`forwarded`: its index in the list the engine keeps of the
// errors it threw into this rank's calls, or none).
void put_current_exception(writer& out, std::uint32_t forwarded = UINT32_MAX);
// Reads one; the index of a forwarded exception is returned through `forwarded`.
std::exception_ptr get_exception(reader& in, std::uint32_t& forwarded);

}  // namespace wire

}  // namespace baton::sim::detail
