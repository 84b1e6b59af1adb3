// What a process rank and its proxy in the engine say to each other over the rank's socket.
//
// A frame is a 4-byte length and that many bytes: a verb, then the verb's fields in a fixed
// order. A large payload is not in the frame but in the shared payload area (payload_area.hpp),
// which the frame names by offset (put_payload, get_payload). The rank sends one frame per baton call (the call's record: operation, communicator,
// peer, tag, types, counts, the user's line, the data it sends) and waits for the answer; while
// it waits, the engine may ask it to apply its reduction (verb::apply), since the function object
// lives in the rank's memory, or whether a pending request's buffer changed (verb::look), since the
// buffer does.
//
// The rank is forked from the engine's process, so its code and read-only data are at the same
// addresses: a source location, a type's name and a reduction's name travel as addresses into
// them (a type's name made at run time travels as text, which the engine keeps: reader::get_type).
// The engine never trusts one: an address is used only if it lies in a read-only mapping of
// the program (read_only_image), and every count is checked against the frame. A rank whose
// memory is corrupt can only get itself reported (malformed_frame), never crash the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <baton/backend.hpp>
#include <baton/datatype.hpp>
#include <baton/status.hpp>

namespace baton::sim::detail::wire {

enum class verb : std::uint8_t {
    // The engine to a rank.
    start,  // run the rank function
    reply,  // the call is over; its results follow
    error,  // the call threw; the exception follows
    apply,  // apply your reduction to these elements, then go on waiting
    look,   // has the buffer of your pending request changed since its call? (it completes now)
    debug_stop,  // --break-at: stop for a debugger here (debugger_stop.hpp), then go on waiting
    // A rank to the engine: its calls.
    send, recv, isend, irecv, probe, iprobe,
    ssend, issend,  // point-to-point, per-call send modes (issue 14)
    barrier, bcast, scatter, gather, allgather, alltoall, reduce, allreduce, scan, exscan,
    gatherv, allgatherv, scatterv, split, dup,
    alltoallv, reduce_scatter, reduce_scatter_block,
    igather, iallgather, iscatter, ialltoall, igatherv, iallgatherv, iscatterv, ialltoallv,  // issue 14: igather
    iscan, iexscan, ireduce_scatter_block, ireduce_scatter,  // non-blocking scans and reduce-scatter (issue 14: iscan)
    ibarrier, ibcast, ireduce, iallreduce,  // non-blocking collectives (issue 14: icoll)
    cart_create, cart_sub, neighbor_allgather, neighbor_alltoall,  // Cartesian topologies (issue 14)
    self,  // MPI_COMM_SELF's communicator (issue 15: groups)
    wtime,  // the rank's simulated clock (issue 16: sim_clock.hpp)

    abort, attach_buffer, detach_buffer, bsend, ibsend, rsend, irsend,  // issue 14's send modes and abort (modes)
    complete_set, cancel,  // wait_some, test_any, test_some, test_all; cancel (issue 14: completion)
    free_comm, wait, test, wait_any, free_request,
    applied,   // the answer to apply
    looked,    // the answer to look: request_changes' bits (the data given, a collective's result)
    finished,  // the rank function returned (with what it returned, if anything)
    failed,    // it threw (the exception follows)
    last = failed,
};

// A frame that does not say what it should: too short, a count beyond its end, an address outside
// the program. What the engine reports as the rank's failure.
struct malformed_frame : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where the program's read-only data and code are mapped in this process (from /proc/self/maps,
// read once, before ranks are forked): what an address from a rank may point into.
class read_only_image {
public:
    static const read_only_image& of_this_process();
    // Whether [address, address + bytes) lies wholly in one read-only mapping.
    bool holds(std::uintptr_t address, std::size_t bytes) const { return within(constant_, address, bytes); }
    // Whether it lies wholly in a mapping of the program's files, read-only or not: where the
    // compiler puts a source location's record (relocated at start-up, never written after).
    bool in_program(std::uintptr_t address, std::size_t bytes) const { return within(files_, address, bytes); }
    // A NUL-terminated string at `address` that lies wholly in a read-only mapping: its length,
    // or throws.
    std::size_t string_at(std::uintptr_t address) const;

private:
    using ranges = std::vector<std::pair<std::uintptr_t, std::uintptr_t>>;  // [begin, end), sorted
    static bool within(const ranges& in, std::uintptr_t address, std::size_t bytes);
    ranges constant_, files_;
};

// Puts a frame's length in front of it (the first 4 bytes were kept for it); returns the frame.
inline std::span<const std::byte> finish(std::vector<std::byte>& frame) {
    const auto length = static_cast<std::uint32_t>(frame.size() - 4);
    std::memcpy(frame.data(), &length, 4);
    return frame;
}

class writer {
public:
    explicit writer(std::vector<std::byte>& out, verb v) : out_(out) {
        out_.resize(4);  // the length, filled in by finish()
        put(v);
    }
    template <class T>
        requires std::is_trivially_copyable_v<T>
    writer& put(const T& value) {
        return put_bytes(&value, sizeof value);
    }
    writer& put_bytes(const void* data, std::size_t bytes) {
        const std::size_t at = out_.size();
        out_.resize(at + bytes);
        if (bytes) std::memcpy(out_.data() + at, data, bytes);
        return *this;
    }
    writer& put_string(std::string_view text) {
        put<std::uint64_t>(text.size());
        return put_bytes(text.data(), text.size());
    }
    // An address into the program's read-only data, as the other side will check it.
    writer& put_literal(std::string_view text) {
        put<std::uint64_t>(reinterpret_cast<std::uintptr_t>(text.data()));
        return put<std::uint64_t>(text.size());
    }
    writer& put_location(const std::source_location& where) { return put(where); }
    // An address in the rank's memory, which the engine compares and never reads.
    writer& put_address(const void* address) { return put<std::uint64_t>(reinterpret_cast<std::uintptr_t>(address)); }
    // A type's name goes as an address when it is the program's constant (a C++ type's name), else
    // as its text: one the rank made while it ran (an MPI derived datatype's type signature).
    writer& put_type(const type_desc& type) {
        put(type.kind);
        put<std::uint64_t>(type.size);
        const bool constant = type.name.empty() || read_only_image::of_this_process().holds(
                                                       reinterpret_cast<std::uintptr_t>(type.name.data()), type.name.size());
        put<std::uint8_t>(constant);
        return constant ? put_literal(type.name) : put_string(type.name);
    }
    writer& put_status(const status& s) {
        put<std::int32_t>(s.source);
        put<std::int32_t>(s.tag);
        put<std::uint64_t>(s.bytes);
        return put<std::uint8_t>(s.cancelled);
    }
    // The half of the shared payload area this side writes (payload_area.hpp): put_payload names
    // a payload that lies in it by its offset instead of copying it into the frame.
    writer& with_shared(std::span<const std::byte> half) {
        shared_ = half;
        return *this;
    }
    // `bytes` of payload at `data`: a flag, then its offset in the shared half if it lies there,
    // else the bytes themselves. How many bytes the reader knows from the call.
    writer& put_payload(const void* data, std::size_t bytes) {
        const auto* at = static_cast<const std::byte*>(data);
        if (bytes > 0 && !shared_.empty() && at >= shared_.data() && at + bytes <= shared_.data() + shared_.size()) {
            put<std::uint8_t>(1);
            return put<std::uint64_t>(static_cast<std::uint64_t>(at - shared_.data()));
        }
        put<std::uint8_t>(0);
        return put_bytes(data, bytes);
    }
    // The frame, its length in front.
    std::span<const std::byte> finish() { return wire::finish(out_); }

private:
    std::vector<std::byte>& out_;
    std::span<const std::byte> shared_;
};

class reader {
public:
    // `frame` without its length.
    explicit reader(std::span<const std::byte> frame) : in_(frame) {}
    template <class T>
        requires std::is_trivially_copyable_v<T>
    T get() {
        T value;
        std::memcpy(static_cast<void*>(&value), take(sizeof value).data(), sizeof value);
        return value;
    }
    verb get_verb() {
        const auto v = get<std::uint8_t>();
        if (v > static_cast<std::uint8_t>(verb::last)) throw malformed_frame("an unknown request");
        return static_cast<verb>(v);
    }
    int get_int() { return get<std::int32_t>(); }
    std::span<const std::byte> get_bytes(std::uint64_t bytes) { return take(bytes); }
    // The half of the shared payload area the other side writes, where get_payload finds a
    // payload named by its offset.
    reader& with_shared(std::span<const std::byte> half) {
        shared_ = half;
        return *this;
    }
    // A payload of `bytes` (writer::put_payload): in the frame, or in the shared half, wholly, or
    // the frame is malformed. What lies there is only bytes to copy: the other side may change
    // them, never where they are.
    std::span<const std::byte> get_payload(std::uint64_t bytes) {
        if (get<std::uint8_t>() == 0) return take(bytes);
        const auto offset = get<std::uint64_t>();
        if (offset > shared_.size() || bytes > shared_.size() - offset)
            throw malformed_frame("a payload outside the shared area");
        return shared_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(bytes));
    }
    std::string get_string() {
        const auto bytes = take(get<std::uint64_t>());
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
    const void* get_address() {
        return reinterpret_cast<const void*>(static_cast<std::uintptr_t>(get<std::uint64_t>()));
    }
    std::string_view get_literal();
    std::source_location get_location();
    type_desc get_type();
    status get_status() {
        status s;
        s.source = get_int();
        s.tag = get_int();
        s.bytes = static_cast<std::size_t>(get<std::uint64_t>());
        s.cancelled = get<std::uint8_t>() != 0;
        return s;
    }

private:
    std::span<const std::byte> take(std::uint64_t bytes) {
        if (bytes > in_.size() - at_) throw malformed_frame("a request shorter than it says");
        const auto part = in_.subspan(at_, static_cast<std::size_t>(bytes));
        at_ += static_cast<std::size_t>(bytes);
        return part;
    }
    std::span<const std::byte> in_;
    std::size_t at_ = 0;
    std::span<const std::byte> shared_;
};

// What arrived for a receive buffer, as an answer carries it: a flag, then, if anything did, how
// many elements and their bytes. The answer that completes a request always has one, the flag 0
// where this rank gets nothing back (an isend, an ibarrier, an ibcast at its root, an ireduce
// elsewhere, a cancelled receive), so that the rank reads the same bytes whatever the request: in
// one answer to wait_some or test_all the next completion follows it.
inline void put_arrived(writer& out, const void* data, std::uint64_t elements, std::size_t element_size) {
    out.put<std::uint8_t>(1);
    out.put<std::uint64_t>(elements);
    out.put_payload(data, elements * element_size);
}
inline void put_nothing_arrived(writer& out) { out.put<std::uint8_t>(0); }
struct arrived {
    std::uint64_t elements = 0;
    std::span<const std::byte> bytes;
};
inline std::optional<arrived> get_arrived(reader& in, std::size_t element_size) {
    if (in.get<std::uint8_t>() == 0) return std::nullopt;
    arrived got;
    got.elements = in.get<std::uint64_t>();
    if (element_size != 0 && got.elements > UINT64_MAX / element_size) throw malformed_frame("too many elements");
    got.bytes = in.get_payload(got.elements * element_size);
    return got;
}

// cart_create's grid and cart_sub's kept dimensions: a count, then an int or a byte each.
inline void put_flags(writer& out, const std::vector<bool>& flags) {
    out.put<std::uint64_t>(flags.size());
    for (const bool f : flags) out.put<std::uint8_t>(f);
}
inline std::vector<bool> get_flags(reader& in) {
    const auto n = in.get<std::uint64_t>();
    if (n > 4096) throw malformed_frame("a grid of too many dimensions");
    std::vector<bool> flags(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < flags.size(); ++i) flags[i] = in.get<std::uint8_t>() != 0;
    return flags;
}
// A grid: its periods (whose count is the grid's dimensions), then its dims.
inline void put_grid(writer& out, const backend::cartesian_grid& grid) {
    put_flags(out, grid.periods);
    for (const int d : grid.dims) out.put<std::int32_t>(d);
}
inline backend::cartesian_grid get_grid(reader& in) {
    backend::cartesian_grid grid;
    grid.periods = get_flags(in);
    for (std::size_t d = 0; d < grid.periods.size(); ++d) grid.dims.push_back(in.get_int());
    return grid;
}
}  // namespace baton::sim::detail::wire
