// The differential test's point-to-point steps: one message, a shift, many-to-one, a burst, a halo.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "program_steps.hpp"
#include "program_values.hpp"

namespace differential {

namespace {

class point_to_point_steps : step_log {
public:
    explicit point_to_point_steps(const step_log& log) : step_log(log) {}

    void run(const step& s, communicator& c) {
        switch (s.kind) {
            case step_kind::pair: return with_type(s.type, [&](auto t) { pair(s, c, t); });
            case step_kind::shift: return with_type(s.type, [&](auto t) { shift(s, c, t); });
            case step_kind::to_root_any: return with_type(s.type, [&](auto t) { to_root_any(s, c, t); });
            case step_kind::burst: return with_type(s.type, [&](auto t) { burst(s, c, t); });
            case step_kind::halo: return with_type(s.type, [&](auto t) { halo(s, c, t); });
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    // A receive of one message from `source` (a rank or any_source) with `tag` (or any_tag),
    // in the way `mode` says. `capacity`: room for a fixed buffer.
    template <class T>
    void receive(communicator& c, int source, int tag, int mode, std::size_t capacity) {
        using P = payload_t<T>;
        constexpr bool fixed_ok = !std::is_same_v<T, table_tag>;
        if (mode == 1 || mode == 3) {
            if constexpr (fixed_ok) {
                P storage;
                storage.resize(capacity);
                std::span<fixed_t<T>> room(storage.data(), storage.size());
                baton::status st;
                if (mode == 1) {
                    st = c.recv(room, source, tag);
                } else {
                    auto r = c.irecv(room, source, tag);
                    std::optional<baton::status> done;
                    while (!(done = r.test())) {
                    }
                    st = *done;
                }
                storage.resize(std::min(st.count<fixed_t<T>>(), storage.size()));
                out_("  fixed {} {}", text(storage), text(st));
                return;
            }
        }
        P got;
        baton::status st;
        switch (mode) {
            case 2: st = c.irecv(got, source, tag).wait(); break;
            case 4: {
                const auto probed = c.probe(source, tag);
                // A probe counts bytes on every backend (it once counted elements on the simulator).
                out_("  probed source {} tag {} bytes {}", probed.source, probed.tag, probed.bytes);
                st = c.recv(got, probed.source, probed.tag);
                break;
            }
            case 7: {
                baton::request one[] = {c.irecv(got, source, tag)};
                st = baton::wait_any(one)->status;
                break;
            }
            default: st = c.recv(got, source, tag); break;
        }
        out_("  got {} {}", text(got), text(st));
    }

    template <class T>
    void pair(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        const int source = s.a % n, dest = s.b % n;
        // Send modes: send, isend of an lvalue, isend of an rvalue, ssend, issend, bsend (from a
        // buffer attached for the step, detached once the receive is done).
        const int send_mode = s.mode % 6, recv_mode = (s.mode / 5) % 8;
        auto value = make_payload<T>(s.salt, source, s.size);
        std::optional<baton::request> sending;
        const bool buffered = send_mode == 5 && me == source;
        if (buffered) c.attach_buffer(std::size_t{16} << 20);  // the largest payloads are a few MiB
        if (me == source) {
            if (buffered) c.bsend(value, dest, s.tag);
            else if (send_mode == 2) sending = c.isend(make_payload<T>(s.salt, source, s.size), dest, s.tag);
            else if (send_mode >= 3 && (send_mode == 4 || source == dest)) sending = c.issend(value, dest, s.tag);
            else if (send_mode == 3) c.ssend(value, dest, s.tag);
            else if (send_mode == 1 || source == dest) sending = c.isend(value, dest, s.tag);
            else c.send(value, dest, s.tag);
        }
        if (me == dest) {
            const int source_asked = recv_mode == 6 ? baton::any_source : source;
            const int tag_asked = recv_mode == 5 ? baton::any_tag : s.tag;
            receive<T>(c, source_asked, tag_asked, recv_mode, s.size + s.salt % 3);
        }
        if (sending) out_("  sent {}", text(sending->wait()));
        if (buffered) out_("  detached {}", c.detach_buffer());
    }

    template <class T>
    void shift(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        const int d = s.k % n, to = (me + d) % n, from = (me - d + n) % n;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 3); };
        auto value = make_payload<T>(s.salt, me, size_of(me));
        payload_t<T> got;
        switch (s.mode % 4) {
            case 0: {
                const auto st = c.sendrecv(value, to, s.tag, got, from, s.tag);
                out_("  got {} {}", text(got), text(st));
                return;
            }
            case 2:
                if constexpr (!std::is_same_v<T, table_tag>) {
                    payload_t<T> storage;
                    storage.resize(size_of(from) + 1);
                    std::span<fixed_t<T>> room(storage.data(), storage.size());
                    baton::request both[] = {c.irecv(room, from, s.tag), c.isend(value, to, s.tag)};
                    std::vector<std::string> seen;
                    while (auto done = baton::wait_any(both)) seen.push_back(fmt::format("{} {}", done->index, text(done->status)));
                    std::sort(seen.begin(), seen.end());
                    storage.resize(storage.size() - 1);
                    out_("  fixed {} {} | {}", text(storage), seen[0], seen[1]);
                    return;
                }
                [[fallthrough]];
            case 1: {
                baton::request both[] = {c.irecv(got, from, s.tag), c.isend(value, to, s.tag)};
                const auto statuses = baton::wait_all(both);
                out_("  got {} {} sent {}", text(got), text(statuses[0]), text(statuses[1]));
                return;
            }
            default: {
                // Posted early, then a collective, then blocking sends: the receive must make
                // progress while its rank is blocked elsewhere.
                auto receiving = c.irecv(got, from, s.tag);
                c.barrier();
                c.send(value, to, s.tag);
                const auto st = receiving.wait();
                out_("  got {} {}", text(got), text(st));
                return;
            }
        }
    }

    template <class T>
    void to_root_any(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank(), root = s.a % n;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 2); };
        if (me != root) {
            c.send(make_payload<T>(s.salt, me, size_of(me)), root, s.tag);
            return;
        }
        std::vector<std::string> arrived;
        const int mode = s.mode % 4;
        if (mode >= 2) {
            std::vector<payload_t<T>> got(static_cast<std::size_t>(n - 1));
            std::vector<baton::request> requests;
            for (auto& g : got) requests.push_back(c.irecv(g, baton::any_source, s.tag));
            if (mode == 2) {
                const auto statuses = baton::wait_all(requests);
                for (std::size_t i = 0; i < got.size(); ++i)
                    arrived.push_back(fmt::format("{} {}", statuses[i].source, text(got[i])));
            } else {
                auto take = [&](const baton::completion& done) {
                    arrived.push_back(fmt::format("{} {}", done.status.source, text(got[done.index])));
                };
                // Completed one at a time, several at a time, or by polling (issue 14: completion).
                switch (s.salt % 3) {
                    case 0:
                        while (auto done = baton::wait_any(requests)) take(*done);
                        break;
                    case 1:
                        for (auto some = baton::wait_some(requests); !some.empty(); some = baton::wait_some(requests))
                            for (const auto& done : some) take(done);
                        break;
                    default:
                        while (std::ranges::any_of(requests, &baton::request::pending)) {
                            if (auto done = baton::test_any(requests)) take(*done);
                            for (const auto& done : baton::test_some(requests)) take(done);
                        }
                }
            }
        } else {
            for (int i = 1; i < n; ++i) {
                payload_t<T> got;
                baton::status st;
                if (mode == 0) {
                    st = c.recv(got, baton::any_source, s.tag);
                } else {
                    const auto probed = c.probe(baton::any_source, s.tag);
                    st = c.recv(got, probed.source, s.tag);
                }
                arrived.push_back(fmt::format("{} {}", st.source, text(got)));
            }
        }
        std::sort(arrived.begin(), arrived.end());
        for (const auto& a : arrived) out_("  from {}", a);
    }

    template <class T>
    void burst(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank();
        if (n == 1) return;
        const int source = s.a % n;
        int dest = s.b % n;
        if (dest == source) dest = (source + 1) % n;
        const int count = 2 + s.k % 4;
        std::vector<std::size_t> sizes;
        for (int i = 0; i < count; ++i) sizes.push_back(hash(s.salt, 1000, static_cast<std::uint64_t>(i)) % (s.size + 1));
        if (me == source) {
            std::vector<baton::request> sends;
            for (int i = 0; i < count; ++i)
                sends.push_back(c.isend(make_payload<T>(s.salt, i, sizes[static_cast<std::size_t>(i)]), dest, s.tag + i));
            for (const auto& st : baton::wait_all(sends)) out_("  sent {}", text(st));
        }
        if (me != dest) return;
        // Some messages by their tag first (in a shuffled order), then the rest with any_tag: with
        // one sender, which receive gets which message does not depend on timing.
        std::vector<int> order(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
        for (int i = count - 1; i > 0; --i)
            std::swap(order[static_cast<std::size_t>(i)], order[hash(s.salt, 2000, static_cast<std::uint64_t>(i)) % static_cast<std::uint64_t>(i + 1)]);
        const int by_tag = static_cast<int>(hash(s.salt, 3000) % static_cast<std::uint64_t>(count + 1));
        const std::size_t capacity = *std::max_element(sizes.begin(), sizes.end()) + 1;
        std::vector<payload_t<T>> resizable(static_cast<std::size_t>(count));
        std::vector<payload_t<T>> fixed(static_cast<std::size_t>(count));
        if constexpr (!std::is_same_v<T, table_tag>)
            for (auto& f : fixed) f.resize(capacity);
        std::vector<baton::request> requests(static_cast<std::size_t>(count));
        std::vector<baton::status> statuses(static_cast<std::size_t>(count));
        std::vector<int> how(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            const auto slot = static_cast<std::size_t>(i);
            const int tag = i < by_tag ? s.tag + order[slot] : baton::any_tag;
            int kind = static_cast<int>(hash(s.salt, 4000, slot) % 4);
            if (std::is_same_v<T, table_tag>) kind &= 1;  // no fixed buffers for serialized values
            how[slot] = kind;
            if constexpr (!std::is_same_v<T, table_tag>) {
                std::span<fixed_t<T>> room(fixed[slot].data(), fixed[slot].size());
                if (kind == 2) requests[slot] = c.irecv(room, source, tag);
                if (kind == 3) statuses[slot] = c.recv(room, source, tag);
            }
            if (kind == 0) statuses[slot] = c.recv(resizable[slot], source, tag);
            if (kind == 1) requests[slot] = c.irecv(resizable[slot], source, tag);
        }
        const auto waited = baton::wait_all(requests);
        for (std::size_t i = 0; i < how.size(); ++i) {
            const baton::status st = how[i] == 1 || how[i] == 2 ? waited[i] : statuses[i];
            if constexpr (!std::is_same_v<T, table_tag>) {
                if (how[i] >= 2) {
                    fixed[i].resize(std::min(st.count<fixed_t<T>>(), fixed[i].size()));
                    out_("  receive {} (fixed): {} {}", i, text(fixed[i]), text(st));
                    continue;
                }
            }
            out_("  receive {}: {} {}", i, text(resizable[i]), text(st));
        }
    }

    // Every rank sends to the rank d places to its right and receives from the one d places to
    // its left, on a line: past its ends the peer is proc_null, whose receive moves nothing.
    template <class T>
    void halo(const step& s, communicator& c, std::type_identity<T>) {
        const int n = c.size(), me = c.rank(), d = 1 + s.k % 2;
        const int to = me + d < n ? me + d : baton::proc_null, from = me >= d ? me - d : baton::proc_null;
        const auto size_of = [&](int rank) { return s.size + static_cast<std::size_t>(rank % 3); };
        auto value = make_payload<T>(s.salt, me, size_of(me));
        // What a receive buffer holds before: left as it is (a fixed one) where nothing comes.
        auto before = make_payload<T>(s.salt, 1000, 2);
        switch (s.mode % 4) {
            case 1: {
                const auto st = c.sendrecv_replace(value, to, s.tag, from, s.tag);
                out_("  replaced {} {}", text(value), text(st));
                return;
            }
            case 2: {
                baton::request both[] = {c.irecv(before, from, s.tag), c.isend(value, to, s.tag)};
                const auto statuses = baton::wait_all(both);
                out_("  got {} {} sent {}", text(before), text(statuses[0]), text(statuses[1]));
                return;
            }
            case 3:
                if constexpr (!std::is_same_v<T, table_tag>) {
                    payload_t<T> storage = make_payload<T>(s.salt, 2000, s.size + 3);
                    std::span<fixed_t<T>> room(storage.data(), storage.size());
                    const auto st = c.sendrecv(value, to, s.tag, room, from, s.tag);
                    out_("  fixed {} {}", text(storage), text(st));
                    return;
                }
                [[fallthrough]];
            default: {
                const auto st = c.sendrecv(value, to, s.tag, before, from, s.tag);
                out_("  got {} {}", text(before), text(st));
                return;
            }
        }
    }
};

}  // namespace

void run_point_to_point_step(const step& s, communicator& c, const step_log& log) { point_to_point_steps(log).run(s, c); }

}  // namespace differential
