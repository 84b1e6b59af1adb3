// The differential test's persistent requests (send_init, ssend_init, recv_init started several
// times) and cancelled receives (issue 14), so that both backends are compared on them.
#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "program_steps.hpp"
#include "program_values.hpp"

namespace differential {

namespace {

// Completes `r` as the step's `how` says: wait, or test until it completes.
baton::status complete(baton::request& r, int how) {
    if (how % 2 == 0) return r.wait();
    for (;;)
        if (auto done = r.test()) return *done;
}

class persistent_steps : step_log {
public:
    explicit persistent_steps(const step_log& log) : step_log(log) {}

    void run(const step& s, communicator& c) {
        switch (s.kind) {
            case step_kind::persistent: return with_type(s.type, [&](auto t) { persistent(s, c, t); });
            case step_kind::cancel: return with_type(s.type, [&](auto t) { cancel(s, c, t); });
            default: throw std::logic_error(fmt::format("step kind {} is not run here", static_cast<int>(s.kind)));
        }
    }

private:
    // One persistent send and one persistent receive (or an irecv each round), started 2 to 4
    // times: the sender changes its value between activations (allowed while it is inactive), the
    // receiver's fixed buffer has room for one element more than comes. One rank alone sends to
    // itself, starting the receive first.
    template <class T>
    void persistent(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (persistent_type<T>) {
            const int n = c.size(), me = c.rank(), source = s.a % n;
            const int dest = n == 1 ? source : (s.b % n == source ? (source + 1) % n : s.b % n);
            const int rounds = 2 + s.k % 3;
            const bool synchronous = s.mode % 2 == 1, irecv_each = (s.mode / 2) % 4 == 0, both_at_once = n == 1;
            const int how = s.mode / 8;
            std::vector<T> value = make_payload<T>(s.salt, source, s.size);
            std::vector<T> room(s.size + 1);
            std::optional<baton::request> sending, receiving;
            if (me == source) sending = synchronous ? c.ssend_init(value, dest, s.tag) : c.send_init(value, dest, s.tag);
            if (me == dest && !irecv_each) receiving = c.recv_init(room, source, s.tag);
            for (int round = 0; round < rounds; ++round) {
                if (me == source) {
                    const auto fresh = make_payload<T>(s.salt, 100 + round, s.size);
                    std::copy(fresh.begin(), fresh.end(), value.begin());  // its memory stays that of init
                }
                if (both_at_once) {
                    std::array<baton::request, 2> pair{irecv_each ? c.irecv(room, source, s.tag) : std::move(*receiving),
                                                       std::move(*sending)};
                    if (irecv_each) pair[1].start();
                    else baton::start_all(pair);
                    const auto statuses = baton::wait_all(pair);
                    if (!irecv_each) receiving = std::move(pair[0]);
                    sending = std::move(pair[1]);
                    log_received(round, room, statuses[0]);
                    out_("  round {} sent {}", round, text(statuses[1]));
                    continue;
                }
                if (me == source) {
                    sending->start();
                    out_("  round {} sent {}", round, text(complete(*sending, how)));
                }
                if (me == dest) {
                    baton::request once;
                    if (irecv_each) once = c.irecv(room, source, s.tag);
                    else receiving->start();
                    log_received(round, room, complete(irecv_each ? once : *receiving, how / 2));
                }
            }
            if (sending) out_("  sender persistent {} pending {}", sending->persistent(), sending->pending());
        }
    }

    template <class T>
    void log_received(int round, const std::vector<T>& room, const baton::status& st) {
        const std::vector<T> got(room.begin(), room.begin() + static_cast<std::ptrdiff_t>(std::min(st.count<T>(), room.size())));
        out_("  round {} got {} {}", round, text(got), text(st));
    }

    // A receive nothing will match, cancelled (an irecv, or a started recv_init which is then
    // started again and gets the left neighbour's message); and, on two ranks, a receive already
    // matched (its sender's ssend has completed) whose cancel does nothing: it completes with the
    // message. What a cancelled receive's buffer holds is not a message: it is not logged.
    template <class T>
    void cancel(const step& s, communicator& c, std::type_identity<T>) {
        if constexpr (persistent_type<T>) {
            const int n = c.size(), me = c.rank(), right = (me + 1) % n, left = (me + n - 1) % n;
            const int how = s.mode / 4;
            std::vector<T> room(s.size + 1);
            if (s.mode % 2 == 0) {
                baton::request never = c.irecv(room, left, s.tag + 2);
                never.cancel();
                out_("  cancelled {}", complete(never, how).cancelled);
            } else {
                baton::request again = c.recv_init(room, left, s.tag + 3);
                again.start();
                again.cancel();
                out_("  cancelled {}", complete(again, how).cancelled);
                c.barrier();  // no message is sent before every rank's first activation is cancelled
                again.start();
                const auto value = make_payload<T>(s.salt, me, s.size);
                baton::request sending = c.isend(value, right, s.tag + 3);
                const auto st = complete(again, how / 2);
                out_("  then cancelled {}", st.cancelled);
                log_received(0, room, st);
                sending.wait();
            }
            if (n == 1 || (s.mode / 2) % 2 == 1) return;
            const int receiver = s.a % n, sender = (receiver + 1 + s.b % (n - 1)) % n;
            if (me == sender) {
                c.ssend(make_payload<T>(s.salt, sender, s.size), receiver, s.tag);
                c.send(1, receiver, s.tag + 1);  // after the ssend: its receive has matched
            }
            if (me == receiver) {
                baton::request matched = c.irecv(room, sender, s.tag);
                c.recv<int>(sender, s.tag + 1);
                matched.cancel();
                const auto st = complete(matched, how);
                out_("  matched, cancelled {}", st.cancelled);
                log_received(1, room, st);
            }
        }
    }
};

}  // namespace

void run_persistent_step(const step& s, communicator& c, const step_log& log) { persistent_steps(log).run(s, c); }

}  // namespace differential
