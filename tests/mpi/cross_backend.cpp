// The cross-backend suite: every communicator operation, run under mpiexec on MPI and, in the
// same process, on the simulator with the same number of ranks; every rank's record must be the
// same on both. Run it as `mpiexec -n N cross_backend [name-filter]`; started plainly it compares
// the simulator with itself under another schedule.
//
// Every scenario is safe without buffering (MPI may make any send wait for its receive): ranks
// exchange with sendrecv or isend/irecv, never with two blocking sends facing each other.
#include <algorithm>
#include <cmath>
#include <array>
#include <complex>
#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <regex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <mpi.h>

#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "harness.hpp"

using baton::communicator;
using harness::record;

namespace {

using harness::text;

struct pod {
    std::int32_t a;
    double b;
    char c;
};
std::string text(const pod& p) { return fmt::format("pod({},{},{})", p.a, p.b, static_cast<int>(p.c)); }

struct pod_sum {
    pod operator()(const pod& x, const pod& y) const {
        return {x.a + y.a, x.b + y.b, static_cast<char>(x.c ^ y.c)};
    }
};

// Affine maps x -> m*x + c (mod 1000003), composed: associative, not commutative.
struct affine {
    std::int64_t m, c;
};
std::string text(const affine& f) { return fmt::format("affine({},{})", f.m, f.c); }
// (g after f): first f (the lower rank), then g.
affine compose(const affine& f, const affine& g) {
    constexpr std::int64_t p = 1000003;
    return {(g.m * f.m) % p, (g.m * f.c + g.c) % p};
}

struct message {
    std::string name;
    std::vector<int> values;
    std::map<int, std::string> labels;
    template <class Archive>
    void serialize(Archive& ar) {
        ar(name, values, labels);
    }
};
std::string text(const message& m) {
    std::string labels;
    for (const auto& [k, v] : m.labels) labels += fmt::format("{}={};", k, v);
    return fmt::format("message({}, {}, {})", m.name, harness::text(m.values), labels);
}

int right_of(const communicator& c, int k = 1) { return (c.rank() + k) % c.size(); }
int left_of(const communicator& c, int k = 1) { return (c.rank() - k % c.size() + c.size()) % c.size(); }

// ---- Point-to-point ------------------------------------------------------------------------

template <class T>
void exchange_scalar(communicator& world, record& out, T mine, std::string_view name) {
    T got{};
    const auto s = world.sendrecv(mine, right_of(world), 3, got, left_of(world), 3);
    out("{}: got {} {}", name, text(got), text(s));
}

std::string scalars(communicator& world) {
    record out;
    const int r = world.rank();
    exchange_scalar(world, out, 7 * r - 3, "int");
    exchange_scalar(world, out, static_cast<std::int8_t>(-r), "int8");
    exchange_scalar(world, out, static_cast<std::uint16_t>(60000 + r), "uint16");
    exchange_scalar(world, out, static_cast<std::uint64_t>(1) << (40 + r), "uint64");
    exchange_scalar(world, out, static_cast<long>(-5'000'000'000L * (r + 1)), "long");
    exchange_scalar(world, out, 0.1 * r, "double");
    exchange_scalar(world, out, 1.5f / static_cast<float>(r + 1), "float");
    exchange_scalar(world, out, static_cast<long double>(r) / 3.0L, "long double");
    exchange_scalar(world, out, static_cast<char>('a' + r), "char");
    exchange_scalar(world, out, r % 2 == 0, "bool");
    exchange_scalar(world, out, std::complex<double>(r, -r * 0.5), "complex<double>");
    exchange_scalar(world, out, std::complex<float>(1.0f + r, 2.0f), "complex<float>");
    exchange_scalar(world, out, pod{r, r * 1.25, static_cast<char>(r)}, "pod");
    exchange_scalar(world, out, baton::value_index<double>{r * 2.5, r}, "value_index");
    return out.text();
}

std::string containers(communicator& world) {
    record out;
    const int r = world.rank();
    std::vector<double> v(static_cast<std::size_t>(r + 1));
    std::iota(v.begin(), v.end(), 0.5 * r);
    std::vector<double> got;
    auto s = world.sendrecv(v, right_of(world), 1, got, left_of(world), 1);
    out("vector<double>: {} {}", text(got), text(s));

    std::string word(static_cast<std::size_t>(r), static_cast<char>('x' + r % 3));
    std::string word_got = "previous content";
    s = world.sendrecv(word, right_of(world), 2, word_got, left_of(world), 2);
    out("string: {} {}", text(word_got), text(s));

    std::vector<pod> pods;
    for (int i = 0; i <= r; ++i) pods.push_back({i, i * 0.5, static_cast<char>('A' + i)});
    std::vector<pod> pods_got;
    s = world.sendrecv(pods, right_of(world), 3, pods_got, left_of(world), 3);
    std::string shown;
    for (const auto& p : pods_got) shown += text(p) + " ";
    out("vector<pod>: {} {}", shown, text(s));

    // An empty vector arrives as an empty vector.
    std::vector<int> empty, empty_got{1, 2, 3};
    s = world.sendrecv(empty, right_of(world), 4, empty_got, left_of(world), 4);
    out("empty: {} {}", text(empty_got), text(s));

    // Fixed buffers: an array of the exact size, a span larger than the message.
    std::array<int, 4> fixed{r, r + 1, r + 2, r + 3}, fixed_got{};
    s = world.sendrecv(fixed, right_of(world), 5, fixed_got, left_of(world), 5);
    out("array: {} {}", text(fixed_got), text(s));
    std::vector<short> three{static_cast<short>(r), 2, 3}, storage(10, -1);
    std::span<short> room(storage);
    s = world.sendrecv(three, right_of(world), 6, room, left_of(world), 6);
    out("span of 10 got {} {}", text(storage), text(s));
    return out.text();
}

std::string serialized(communicator& world) {
    record out;
    const int r = world.rank();
    message m{"from " + std::to_string(r), {r, r * r}, {{r, "self"}, {r + 10, "ten more"}}};
    message got;
    auto s = world.sendrecv(m, right_of(world), 9, got, left_of(world), 9);
    out("message: {} tag {} source {}", text(got), s.tag, s.source);

    std::vector<std::vector<int>> nested{{r}, {}, {1, 2, r}};
    std::vector<std::vector<int>> nested_got;
    s = world.sendrecv(nested, right_of(world), 10, nested_got, left_of(world), 10);
    std::string shown;
    for (const auto& inner : nested_got) shown += text(inner);
    out("nested: {}", shown);

    std::map<std::string, double> table{{"rank", r}, {"half", r / 2.0}};
    auto request = world.isend(table, right_of(world), 11);
    std::map<std::string, double> table_got;
    auto receive = world.irecv(table_got, left_of(world), 11);
    receive.wait();
    request.wait();
    for (const auto& [k, v] : table_got) out("table {} = {}", k, v);
    return out.text();
}

std::string to_self(communicator& world) {
    record out;
    const int r = world.rank();
    auto request = world.isend(std::vector<int>{r, r, r}, r, 4);
    out("self: {}", text(world.recv<std::vector<int>>(r, 4)));
    out("send status: {}", text(request.wait()));
    out("again: {}", harness::thrown_by([&] { request.wait(); }));  // waiting twice is a usage_error
    return out.text();
}

std::string nonblocking(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    // Every rank to every rank (itself included): resizable irecvs, then isends, then wait_all.
    std::vector<std::vector<int>> inbox(static_cast<std::size_t>(n));
    std::vector<baton::request> requests;
    for (int from = 0; from < n; ++from) requests.push_back(world.irecv(inbox[static_cast<std::size_t>(from)], from, 7));
    for (int to = 0; to < n; ++to)
        requests.push_back(world.isend(std::vector<int>(static_cast<std::size_t>(to + 1), r * 100 + to), to, 7));
    const auto statuses = baton::wait_all(requests);
    for (int from = 0; from < n; ++from)
        out("from {}: {} {}", from, text(inbox[static_cast<std::size_t>(from)]),
            text(statuses[static_cast<std::size_t>(from)]));
    for (int to = 0; to < n; ++to) out("sent: {}", text(statuses[static_cast<std::size_t>(n + to)]));

    // Fixed irecv completed by polling test().
    int value = -1;
    auto receive = world.irecv(value, left_of(world), 8);
    auto send = world.isend(r * 3, right_of(world), 8);
    std::optional<baton::status> done;
    while (!(done = receive.test())) {
    }
    send.wait();
    out("tested: {} {} pending={}", value, text(*done), receive.pending());
    return out.text();
}

// Receives posted before their messages arrive, into resizable containers: on MPI they are
// deferred until a matched probe finds the message. They must take the messages in the order
// they were posted, mixed with fixed receives, blocking receives and probes.
std::string posted_early(communicator& world) {
    record out;
    if (world.size() < 2) return "needs two ranks\n";
    const int r = world.rank();
    if (r == 1) {
        std::vector<double> first;
        std::array<int, 2> second{};
        std::string third;
        std::vector<double> big;
        auto a = world.irecv(first, 0, baton::any_tag);
        auto b = world.irecv(second, 0, baton::any_tag);
        auto c = world.irecv(third, 0, baton::any_tag);
        world.barrier();  // rank 0 sends only now
        const auto fourth = world.recv<std::vector<int>>(0, baton::any_tag);
        auto d = world.irecv(big, 0, 25);
        const auto probed = world.probe(0, baton::any_tag);
        const auto fifth = world.recv<std::string>(0, baton::any_tag);
        out("probe before the fifth: source {} tag {}", probed.source, probed.tag);
        // Each wait before its buffer is read (an argument list has no order of evaluation).
        const auto first_status = a.wait();
        out("first: {} {}", text(first), text(first_status));
        const auto second_status = b.wait();
        out("second: {} {}", text(second), text(second_status));
        const auto third_status = c.wait();
        out("third: {} {}", text(third), text(third_status));
        out("fourth: {}", text(fourth));
        out("fifth: {}", text(fifth));
        const auto big_status = d.wait();
        out("big: {} elements, sum {} {}", big.size(), std::accumulate(big.begin(), big.end(), 0.0), text(big_status));
    } else {
        world.barrier();
    }
    if (r == 0) {
        // Blocking sends: the large one (a rendezvous on MPI) must find its deferred receive
        // started while rank 1 is blocked elsewhere.
        world.send(std::vector<double>{1.5, 2.5}, 1, 21);
        world.send(std::array<int, 2>{7, 8}, 1, 22);
        world.send(std::string("third"), 1, 23);
        world.send(std::vector<int>{4, 4, 4, 4}, 1, 24);
        world.send(std::vector<double>(300000, 0.25), 1, 25);
        world.send(std::string("fifth"), 1, 26);
    }
    world.barrier();
    // A receive behind a deferred one still takes the messages the deferred one does not accept:
    // rank 1's first receive (from rank 0) is matched only after its second (from anyone, tag 77)
    // has received rank 2's message, because rank 0 sends only once rank 1 says so.
    if (world.size() >= 3) {
        if (r == 1) {
            std::vector<int> from_zero;
            int from_anyone = 0;
            auto first = world.irecv(from_zero, 0, baton::any_tag);
            auto second = world.irecv(from_anyone, baton::any_source, 77);
            const auto s2 = second.wait();
            world.send(1, 0, 78);
            const auto s1 = first.wait();
            out("second {} {}, then first {} {}", from_anyone, text(s2), text(from_zero), text(s1));
        } else if (r == 2) {
            world.send(42, 1, 77);
        } else if (r == 0) {
            world.recv<int>(1, 78);
            world.send(std::vector<int>{7, 7}, 1, 79);
        }
    }
    world.barrier();
    return out.text();
}

// Receives into vectors: without a bound a vector takes the whole message whatever its capacity
// (on MPI a matched probe sizes it first); with baton::at_most it is one receive of up to that
// many elements, cut to what came, and a longer message is a truncation_error, never cut short in
// silence. Wildcard receives of every kind, mixed, take each sender's messages in the order sent,
// and a probe with any_source names the message that a receive of its source and tag then gets.
std::string vector_receives(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    // Longer than the capacity: an eager message, then one above Open MPI's eager limit.
    std::vector<double> small(1000), large(100000);
    std::iota(small.begin(), small.end(), r);
    std::iota(large.begin(), large.end(), -r);
    auto first = world.isend(small, right_of(world), 50);
    auto second = world.isend(large, right_of(world), 51);
    std::vector<double> got{0.5};  // capacity 1, as a benchmark's ball
    auto s = world.recv(got, left_of(world), 50);
    out("1000 into capacity 1: {} elements, sum {} {}", got.size(), std::accumulate(got.begin(), got.end(), 0.0), text(s));
    s = world.recv(got, left_of(world), 51);  // capacity 1000 now
    out("100000 into capacity 1000: {} elements, sum {} {}", got.size(), std::accumulate(got.begin(), got.end(), 0.0),
        text(s));
    first.wait();
    second.wait();

    // Bounded: fewer, as many and more than the bound; a string; from proc_null.
    auto a = world.isend(std::vector<int>{r, r, r}, right_of(world), 52);
    auto b = world.isend(std::vector<int>(8, r), right_of(world), 53);
    auto c = world.isend(std::vector<int>(9, r), right_of(world), 54);
    auto d = world.isend(std::string("word"), right_of(world), 55);
    std::vector<int> bounded(20, -1);
    s = world.recv(bounded, left_of(world), 52, baton::at_most(8));
    out("at_most(8) of 3: {} {}", text(bounded), text(s));
    s = world.recv(bounded, left_of(world), 53, baton::at_most(8));
    out("at_most(8) of 8: {} {}", text(bounded), text(s));
    out("at_most(8) of 9: {}", harness::thrown_by([&] { world.recv(bounded, left_of(world), 54, baton::at_most(8)); }));
    const auto word = world.recv<std::string>(left_of(world), 55, baton::at_most(4));
    out("string at_most(4): {}", text(word));
    std::vector<int> nothing{1, 2};
    s = world.recv(nothing, baton::proc_null, 56, baton::at_most(3));
    out("from proc_null: {} {}", text(nothing), text(s));
    baton::request sent[] = {std::move(a), std::move(b), std::move(c), std::move(d)};
    baton::wait_all(sent);

    // Every other rank sends rank 0 four messages of different lengths, tags 1 to 4 in order; rank
    // 0 takes them all with any_source and any_tag, turn by turn unbounded, bounded, into a fixed
    // buffer and by probe then a bounded receive of the probed source and tag. Which sender comes
    // when depends on timing on MPI; each sender's messages must come in the order sent.
    world.barrier();
    if (r == 0) {
        std::map<int, std::vector<std::string>> by_source;
        for (int i = 0; i < 4 * (n - 1); ++i) {
            std::vector<std::int16_t> into;
            std::array<std::int16_t, 8> fixed{};
            switch (i % 4) {
                case 0: s = world.recv(into, baton::any_source, baton::any_tag); break;
                case 1: s = world.recv(into, baton::any_source, baton::any_tag, baton::at_most(8)); break;
                case 2:
                    s = world.recv(fixed, baton::any_source, baton::any_tag);
                    into.assign(fixed.begin(), fixed.begin() + static_cast<std::ptrdiff_t>(s.count<std::int16_t>()));
                    break;
                default: {
                    const auto probed = world.probe(baton::any_source, baton::any_tag);
                    s = world.recv(into, probed.source, probed.tag, baton::at_most(probed.count<std::int16_t>()));
                    if (s.source != probed.source || s.tag != probed.tag || s.bytes != probed.bytes)
                        out("the receive after the probe got another message: {} then {}", text(probed), text(s));
                }
            }
            by_source[s.source].push_back(fmt::format("tag {}: {}", s.tag, text(into)));
        }
        for (const auto& [source, messages] : by_source) out("from {}: {}", source, fmt::join(messages, "; "));
    } else {
        for (int tag = 1; tag <= 4; ++tag)
            world.send(std::vector<std::int16_t>(static_cast<std::size_t>((tag * 3 + r) % 8 + 1),
                                                 static_cast<std::int16_t>(r * 10 + tag)),
                       0, tag);
    }
    world.barrier();
    return out.text();
}

std::string wildcards(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    // Everyone sends its rank to rank 0; rank 0 takes them with any_source, in whatever order.
    if (r == 0) {
        std::vector<std::pair<int, int>> got;
        for (int i = 1; i < n; ++i) {
            int value = 0;
            const auto s = world.recv(value, baton::any_source, 12);
            got.push_back({s.source, value});
        }
        std::sort(got.begin(), got.end());
        for (const auto& [source, value] : got) out("any_source: {} sent {}", source, value);
    } else {
        world.send(r * 11, 0, 12);
    }
    // Tags in sending order from one source: any_tag takes them in that order.
    if (r == 0) {
        for (int to = 1; to < n; ++to) {
            auto a = world.isend(std::string("x"), to, 30);
            auto b = world.isend(std::string("yy"), to, 31);
            auto c = world.isend(std::string("zzz"), to, 32);
            baton::request all[] = {std::move(a), std::move(b), std::move(c)};
            baton::wait_all(all);
        }
    } else {
        // A specific tag first, then any_tag twice: they get 31, then 30 and 32.
        const auto second = world.recv<std::string>(0, 31);
        std::string first, third;
        const auto s1 = world.recv(first, 0, baton::any_tag);
        const auto s3 = world.recv(third, 0, baton::any_tag);
        out("specific {} then any_tag {} (tag {}), {} (tag {})", second, first, s1.tag, third, s3.tag);
    }
    // Probe with wildcards, then receive exactly what was probed.
    if (r == 0) {
        std::vector<std::string> got;
        for (int i = 1; i < n; ++i) {
            const auto p = world.probe(baton::any_source, 13);
            const auto value = world.recv<std::string>(p.source, p.tag);
            got.push_back(fmt::format("{}:{}:{}", p.source, value, p.count<char>()));
        }
        std::sort(got.begin(), got.end());
        out("probed: {}", fmt::join(got, ", "));
    } else {
        world.send(std::string(static_cast<std::size_t>(r), 'p'), 0, 13);
    }
    // iprobe until the message is there.
    if (n > 1 && r == 1) world.send(std::string("late"), 0, 14);
    if (n > 1 && r == 0) {
        std::optional<baton::status> s;
        while (!(s = world.iprobe(baton::any_source, 14))) {
        }
        out("iprobe: source {} tag {}", s->source, s->tag);
        out("then: {}", world.recv<std::string>(s->source, 14));
    }
    world.barrier();
    return out.text();
}

// A probe's status counts bytes on every backend, and count<T>() elements of T: a program that
// sizes its buffer from a probe gets the same size on MPI as on the simulator. Each rank r > 0
// sends r + 1 doubles and r structs; rank 0 sizes exact buffers (spans, which a longer message
// would overflow into a truncation_error) from the probes, blocking and not.
std::string probe_counts(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    if (r == 0) {
        std::vector<std::string> got;
        for (int i = 1; i < n; ++i) {
            const baton::status p = world.probe(baton::any_source, 40);
            std::vector<double> storage(p.count<double>());
            std::span<double> exact(storage);
            const baton::status s = world.recv(exact, p.source, 40);
            const bool right = p.bytes == sizeof(double) * static_cast<std::size_t>(p.source + 1) &&
                               s.bytes == p.bytes && storage.back() == p.source + 0.5;
            std::optional<baton::status> q;
            while (!(q = world.iprobe(p.source, 41))) {
            }
            std::vector<pod> pods(q->count<std::vector<pod>>());
            std::span<pod> exact_pods(pods);
            const baton::status t = world.recv(exact_pods, p.source, 41);
            const bool pods_right = q->bytes == sizeof(pod) * static_cast<std::size_t>(p.source) &&
                                    t.count<pod>() == pods.size() && (pods.empty() || pods.back().a == p.source);
            // Wrong on both backends alike would compare equal: say so instead.
            if (!right || !pods_right)
                throw std::runtime_error(fmt::format("probe_counts: from rank {}: {} bytes of doubles, {} of pods",
                                                     p.source, p.bytes, q->bytes));
            got.push_back(fmt::format("{}: {} doubles, {} bytes; {} pods, {} bytes", p.source, p.count<double>(),
                                      p.bytes, q->count<pod>(), q->bytes));
        }
        std::sort(got.begin(), got.end());
        for (const auto& line : got) out("probed {}", line);
    } else {
        std::vector<double> values(static_cast<std::size_t>(r + 1), 0.25);
        values.back() = r + 0.5;
        world.send(values, 0, 40);
        world.send(std::vector<pod>(static_cast<std::size_t>(r), pod{r, 1.5, 'x'}), 0, 41);
    }
    world.barrier();
    return out.text();
}

// A string literal travels as its text, without the NUL, on both backends.
std::string literals(communicator& world) {
    record out;
    baton::request sending = world.isend("hello", right_of(world), 42);
    std::string got;
    const baton::status s = world.recv(got, left_of(world), 42);
    sending.wait();
    if (got != "hello") throw std::runtime_error("literals: received '" + got + "'");
    out("literal: {} {}", got, text(s));
    return out.text();
}

std::string wait_any(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    if (r == 0) {
        std::vector<std::vector<int>> inbox(static_cast<std::size_t>(n));
        std::vector<int> fixed(static_cast<std::size_t>(n), -1);
        std::vector<baton::request> requests;
        for (int from = 1; from < n; ++from) {
            requests.push_back(world.irecv(inbox[static_cast<std::size_t>(from)], from, 15));
            requests.push_back(world.irecv(fixed[static_cast<std::size_t>(from)], from, 16));
        }
        world.barrier();
        std::vector<std::string> seen;
        while (auto done = baton::wait_any(requests))
            seen.push_back(fmt::format("request {} {}", done->index, text(done->status)));
        std::sort(seen.begin(), seen.end());
        for (const auto& s : seen) out("{}", s);
        for (int from = 1; from < n; ++from)
            out("from {}: {} and {}", from, text(inbox[static_cast<std::size_t>(from)]), fixed[static_cast<std::size_t>(from)]);
        out("none pending: {}", !baton::wait_any(requests).has_value());
    } else {
        world.barrier();
        world.send(std::vector<int>(static_cast<std::size_t>(r), r), 0, 15);
        world.send(-r, 0, 16);
    }
    return out.text();
}

// The halo exchange of a line that does not wrap around: the ranks at its ends send to and
// receive from proc_null with the same calls as every other rank.
// wait_some, test_any, test_some, test_all (MPI_Waitsome, MPI_Testany, MPI_Testsome, MPI_Testall):
// which calls complete which requests differs with timing, so what is recorded is the set of
// completions and statuses, sorted, and what must hold whatever the timing.
std::string completion(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    auto pending = [](std::span<baton::request> requests) {
        return std::ranges::any_of(requests, [](const baton::request& q) { return q.pending(); });
    };
    for (int round = 0; round < 3; ++round) {
        if (r != 0) {
            world.barrier();  // rank 0 has posted its receives and tested them
            world.send(std::vector<int>(static_cast<std::size_t>(r), r + round), 0, 20 + round);
            world.send(-r - round, 0, 30 + round);
            continue;
        }
        std::vector<std::vector<int>> inbox(static_cast<std::size_t>(n));
        std::vector<int> fixed(static_cast<std::size_t>(n), 0);
        std::vector<baton::request> requests;
        for (int from = 1; from < n; ++from) {
            requests.push_back(world.irecv(inbox[static_cast<std::size_t>(from)], from, 20 + round));
            requests.push_back(world.irecv(fixed[static_cast<std::size_t>(from)], from, 30 + round));
        }
        if (n > 1)
            out("round {} before any send: test_any {}, test_some {}, test_all {}", round,
                baton::test_any(requests).has_value(), baton::test_some(requests).size(),
                baton::test_all(requests).has_value());
        world.barrier();
        std::vector<std::string> seen;
        if (round == 0) {
            for (auto done = baton::wait_some(requests); !done.empty(); done = baton::wait_some(requests))
                for (const auto& d : done) seen.push_back(fmt::format("request {} {}", d.index, text(d.status)));
        } else if (round == 1) {
            for (bool some = true; pending(requests); some = !some) {
                if (some)
                    for (const auto& d : baton::test_some(requests))
                        seen.push_back(fmt::format("request {} {}", d.index, text(d.status)));
                else if (auto d = baton::test_any(requests))
                    seen.push_back(fmt::format("request {} {}", d->index, text(d->status)));
            }
        } else {
            std::optional<std::vector<baton::status>> all;
            while (!(all = baton::test_all(requests))) {
            }
            for (std::size_t i = 0; i < all->size(); ++i) seen.push_back(fmt::format("request {} {}", i, text((*all)[i])));
        }
        std::sort(seen.begin(), seen.end());
        for (const auto& line : seen) out("round {}: {}", round, line);
        for (int from = 1; from < n; ++from)
            out("round {} from {}: {} and {}", round, from, text(inbox[static_cast<std::size_t>(from)]),
                fixed[static_cast<std::size_t>(from)]);
        out("round {} after: wait_some {}, test_any {}, test_all {}", round, baton::wait_some(requests).size(),
            baton::test_any(requests).has_value(), baton::test_all(requests).has_value());
    }
    return out.text();
}

// Persistent requests (MPI_Send_init, MPI_Ssend_init, MPI_Recv_init, MPI_Start, MPI_Startall):
// made once around a ring, started each round with new values in the same buffers.
std::string persistent(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    const int right = (r + 1) % n, left = (r + n - 1) % n;
    int value = 0, got = -1;
    std::vector<double> row(4, 0.0), got_row(4, -1.0);
    std::array<baton::request, 3> requests{world.recv_init(got, left, 40), world.recv_init(got_row, left, 41),
                                           world.send_init(row, right, 41)};
    baton::request plain = world.send_init(value, right, 40), synchronous = world.ssend_init(value, right, 40);
    out("inactive before start: {} {}", requests[0].pending(), plain.pending());
    for (int round = 0; round < 4; ++round) {
        value = r * 10 + round;
        row = {double(r), double(round), 0.5 * r, -double(round)};
        baton::start_all(requests);
        baton::request& sending = round % 2 ? synchronous : plain;
        sending.start();
        const auto statuses = baton::wait_all(requests);
        const auto sent = sending.wait();
        out("round {}: {} {} | {} {} | sent {}", round, got, text(statuses[0]), text(got_row), text(statuses[1]),
            text(sent));
    }
    // A receive into a fixed buffer takes less than its size: status::count says how much.
    std::vector<int> room(8, 0);
    baton::request partial = world.recv_init(room, left, 42);
    partial.start();
    world.send(std::vector<int>{r, r + 1}, right, 42);
    const auto st = partial.wait();
    out("partial: {} {} {}", st.count<int>(), room[0], room[1]);
    return out.text();
}

// Cancelling receives (MPI_Cancel, MPI_Test_cancelled): one nobody sends to is cancelled, into a
// fixed buffer (posted in MPI) and into a vector (deferred until its message comes); one that a
// synchronous send has matched completes normally. Cancelling a send is refused on both backends.
std::string cancel(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    int fixed = 0, matched = 0;
    std::vector<int> many(2, 7);
    baton::request lonely = world.irecv(fixed, baton::any_source, 60);
    baton::request deferred = world.irecv(many, baton::any_source, 60);
    baton::request taken = world.irecv(matched, (r + n - 1) % n, 61);
    world.ssend(r, (r + 1) % n, 61);  // returns once `taken` on the next rank has matched it
    world.barrier();
    lonely.cancel();
    deferred.cancel();
    taken.cancel();
    const auto a = lonely.wait(), b = deferred.wait(), c = taken.wait();
    out("cancelled: {} {} {}; bytes {} {}; vector size {}", a.cancelled, b.cancelled, c.cancelled, a.bytes, b.bytes,
        many.size());
    out("matched: {} {}", matched, text(c));
    const int value = r;
    baton::request sending = world.isend(value, r, 62);
    try {
        sending.cancel();
        out("send cancelled");
    } catch (const baton::usage_error&) {
        out("cancel of a send refused");
    }
    world.recv<int>(r, 62);
    sending.wait();
    return out.text();
}

// Non-blocking collectives (MPI_Ibarrier, MPI_Ibcast, MPI_Ireduce, MPI_Iallreduce): point-to-point
// between the start and the wait, completion out of order and through wait_any and test; a
// cancel and a result in the input's memory are refused on both backends.
std::string nonblocking_collectives(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank(), root = n - 1;
    int value = r == root ? 17 : 0;
    std::vector<double> vector(3, r == root ? 2.5 : 0.0);
    long reduced = -1;
    std::vector<int> all_max;
    int all_sum = 0;
    baton::request barrier = world.ibarrier();
    baton::request bcast = world.ibcast(value, root);
    baton::request bcast_vector = world.ibcast(vector, root);
    baton::request reduce = world.ireduce(static_cast<long>(r + 1), reduced, baton::op::sum, 0);
    const std::vector<int> mine{r, -r};
    baton::request allreduce = world.iallreduce(mine, all_max, baton::op::max);
    baton::request to_right = world.isend(r, (r + 1) % n, 70);  // point-to-point while they are under way
    const int from_left = world.recv<int>((r + n - 1) % n, 70);
    to_right.wait();
    try {
        barrier.cancel();
        out("collective cancelled");
    } catch (const baton::usage_error&) {
        out("cancel of a collective refused");
    }
    // The result in the input's own memory: refused on every rank before anything starts.
    int both = r;
    out("into its input: {}", harness::thrown_by([&] { world.iallreduce(both, both, baton::op::sum).wait(); }));
    allreduce.wait();
    reduce.wait();
    while (!bcast.test()) {
    }
    std::array<baton::request, 3> rest{std::move(barrier), std::move(bcast_vector),
                                       world.iallreduce(r, all_sum, baton::op::sum)};
    int completed = 0;
    while (baton::wait_any(rest)) ++completed;
    out("left {}; bcast {} [{}]; reduce {}; max [{}]; sum {}; completed {}", from_left, value,
        fmt::join(vector, " "), reduced, fmt::join(all_max, " "), all_sum, completed);
    return out.text();
}

// Non-blocking gathers, scatters and all-to-alls (MPI_Igather ... MPI_Ialltoallv): every one
// started before any is waited for, point-to-point in between, completed out of order; the
// v-forms' receivers shaped beforehand, rank r giving r % 3 elements (none from rank 0).
std::string nonblocking_gathers(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank(), root = n - 1;
    std::vector<double> pairs;
    for (int s = 0; s < n; ++s) pairs.insert(pairs.end(), {s + 0.5, -s - 0.5});
    std::vector<std::size_t> sizes, from_each;
    for (int s = 0; s < n; ++s) {
        sizes.push_back(static_cast<std::size_t>(s % 3));
        from_each.push_back(static_cast<std::size_t>((s + r) % 3));
    }
    std::vector<std::vector<long>> to_each;
    for (int s = 0; s < n; ++s) to_each.push_back(std::vector<long>(static_cast<std::size_t>((r + s) % 3), 10L * r + s));
    const std::vector<long> mine(static_cast<std::size_t>(r % 3), 100L * r);
    std::vector<std::vector<long>> parts;
    for (int s = 0; s < n; ++s) parts.push_back(std::vector<long>(sizes[static_cast<std::size_t>(s)], -s));
    std::vector<int> gathered, allgathered;
    std::vector<double> scattered(2), swapped;
    std::vector<long> scatteredv(static_cast<std::size_t>(r % 3));
    baton::ragged<long> gatheredv, allgatheredv(sizes), swappedv(from_each);
    if (r == root) gatheredv = baton::ragged<long>(sizes);
    std::vector<baton::request> started;
    started.push_back(world.igather(r * 3, gathered, root));
    started.push_back(world.iallgather(std::array<int, 2>{r, n}, allgathered));
    started.push_back(world.iscatter(pairs, scattered, root));
    started.push_back(world.ialltoall(pairs, swapped));
    started.push_back(world.igatherv(mine, gatheredv, root));
    started.push_back(world.iallgatherv(mine, allgatheredv));
    started.push_back(world.iscatterv(baton::ragged<long>::from_blocks(parts), scatteredv, root));
    started.push_back(world.ialltoallv(baton::ragged<long>::from_blocks(to_each), swappedv));
    baton::request to_right = world.isend(r, (r + 1) % n, 71);  // point-to-point while they are under way
    const int from_left = world.recv<int>((r + n - 1) % n, 71);
    to_right.wait();
    for (std::size_t i = started.size(); i-- > 0;) started[i].wait();
    out("left {}; gather [{}]; allgather [{}]; scatter [{}]; alltoall [{}]", from_left, fmt::join(gathered, " "),
        fmt::join(allgathered, " "), fmt::join(scattered, " "), fmt::join(swapped, " "));
    out("gatherv [{}] {}; allgatherv [{}]; scatterv [{}]; alltoallv [{}] [{}]", fmt::join(gatheredv.data(), " "),
        gatheredv.blocks(), fmt::join(allgatheredv.data(), " "), fmt::join(scatteredv, " "),
        fmt::join(swappedv.data(), " "), fmt::join(swappedv.counts(), " "));
    return out.text();
}

std::string null_peer(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    const int left = r > 0 ? r - 1 : baton::proc_null, right = r + 1 < n ? r + 1 : baton::proc_null;
    int from_left = -7;
    out("sendrecv: {} {}", from_left, text(world.sendrecv(r * 10, right, 1, from_left, left, 1)));
    out("  got {}", from_left);
    std::array<double, 2> ghost{-1.0, -1.0};
    const std::array<double, 2> mine{r + 0.5, r + 0.25};
    out("fixed: {}", text(world.sendrecv(mine, left, 2, ghost, right, 2)));
    out("  got {} {}", ghost[0], ghost[1]);
    std::vector<int> grown{99};
    out("vector: {}", text(world.sendrecv(std::vector<int>(static_cast<std::size_t>(r + 1), r), left, 3, grown, right, 3)));
    out("  got {}", text(grown));
    // A resizable irecv from a rank, still waiting (deferred on MPI), then one from nobody: that
    // one completes at once, ahead of it.
    std::vector<int> late{5}, nothing{6, 6};
    auto waiting = world.irecv(late, left, 4);
    auto at_once = world.irecv(nothing, baton::proc_null, 4);
    const auto nobody = at_once.wait();  // before the buffer is read: arguments have no order
    out("from nobody first: {} {}", text(nobody), text(nothing));
    world.send(std::vector<int>{r, r}, right, 4);
    const auto then = waiting.wait();
    out("then: {} {}", text(then), text(late));
    std::string words = "rank " + std::to_string(r);
    out("replace: {}", text(world.sendrecv_replace(words, right, 5, left, 5)));
    out("  got {}", words);
    std::map<int, std::string> table{{r, std::string(static_cast<std::size_t>(r), 'x')}};
    out("replace serialized: {}", text(world.sendrecv_replace(table, left, 6, right, 6)));
    for (const auto& [k, v] : table) out("  table {} = {}", k, v);
    out("probe: {}", text(world.probe(baton::proc_null, 7)));
    const auto seen = world.iprobe(baton::proc_null, baton::any_tag);
    out("iprobe: {}", seen ? text(*seen) : "nothing");
    world.send(1, baton::proc_null, 8);
    int kept = 3;
    out("recv: {} {}", text(world.recv(kept, baton::proc_null, 8)), kept);
    out("isend: {}", text(world.isend(std::vector<int>{1, 2}, baton::proc_null, 8).wait()));
    return out.text();
}

// ssend and issend complete only once their receive has matched, on both backends.
std::string send_modes(communicator& world) {
    record out;
    const int r = world.rank();
    auto sending = world.issend(std::vector<int>{r, r}, right_of(world), 20);
    out("pending before the receive: {}", !sending.test().has_value());
    world.barrier();  // no rank receives before every rank has tested
    out("got {}", text(world.recv<std::vector<int>>(left_of(world), 20)));
    out("sent {}", text(sending.wait()));
    int got = -1;
    auto receiving = world.irecv(got, left_of(world), 21);
    world.ssend(r * 3, right_of(world), 21);
    const auto received = receiving.wait();
    out("ssend: {} {}", text(received), got);
    world.ssend(std::string("nobody"), baton::proc_null, 22);
    out("to nobody: {}", text(world.issend(2, baton::proc_null, 22).wait()));
    return out.text();
}

// bsend and ibsend complete at once from the attached buffer; rsend and irsend go to receives
// posted before a barrier; detach_buffer gives back the size attached, on both backends.
std::string buffered_and_ready(communicator& world) {
    record out;
    const int r = world.rank();
    // Room for exactly the two messages in flight at once: a vector of 3 ints and a string.
    const std::string words = "bsend " + std::to_string(r);
    const std::size_t room = 3 * sizeof(int) + words.size() + 2 * baton::bsend_overhead;
    out("detach of nothing: {}", harness::thrown_by([&] { world.detach_buffer(); }));
    out("bsend without a buffer: {}", harness::thrown_by([&] { world.bsend(r, right_of(world), 34); }));
    world.attach_buffer(room);
    out("second attach: {}", harness::thrown_by([&] { world.attach_buffer(room); }));
    world.bsend(std::vector<int>{r, r + 1, r + 2}, right_of(world), 30);
    auto sending = world.ibsend(words, right_of(world), 31);
    out("ibsend: {}", text(sending.wait()));
    out("bsend got {}", text(world.recv<std::vector<int>>(left_of(world), 30)));
    out("ibsend got {}", world.recv<std::string>(left_of(world), 31));
    out("detached {} of {}", world.detach_buffer() == room, room);
    int got = -1;
    std::vector<double> values;
    baton::request receives[] = {world.irecv(got, left_of(world), 32), world.irecv(values, left_of(world), 33)};
    world.barrier();  // every rank's receives are posted
    world.rsend(r * 5, right_of(world), 32);
    auto ready = world.irsend(std::vector<double>{0.5, double(r)}, right_of(world), 33);
    baton::wait_all(receives);
    out("irsend: {}", text(ready.wait()));
    out("rsend got {} and {}", got, values.size() == 2 ? values[1] : -1.0);
    return out.text();
}

std::string errors(communicator& world) {
    record out;
    const int r = world.rank();
    // A fixed buffer too small for the message: truncation_error, blocking and non-blocking.
    std::vector<int> five{1, 2, 3, 4, 5};
    std::array<int, 3> small{};
    auto send = world.isend(five, right_of(world), 40);
    out("recv into 3 of 5: {}", harness::thrown_by([&] { world.recv(small, left_of(world), 40); }));
    send.wait();
    send = world.isend(five, right_of(world), 41);
    auto receive = world.irecv(small, left_of(world), 41);
    out("irecv into 3 of 5: {}", harness::thrown_by([&] { receive.wait(); }));
    send.wait();
    // Another type (12 bytes of ints into doubles): type_mismatch_error.
    send = world.isend(std::vector<int>{1, 2, 3}, right_of(world), 42);
    std::vector<double> doubles;
    out("ints into doubles: {}", harness::thrown_by([&] { world.recv(doubles, left_of(world), 42); }));
    send.wait();
    send = world.isend(std::array<std::int32_t, 3>{1, 2, 3}, right_of(world), 43);
    std::array<double, 4> fixed_doubles{};
    out("ints into fixed doubles: {}", harness::thrown_by([&] { world.recv(fixed_doubles, left_of(world), 43); }));
    send.wait();
    // Arguments baton refuses on every backend, before anything is sent.
    out("bad dest: {}", harness::thrown_by([&] { world.send(1, world.size(), 0); }));
    out("bad tag: {}", harness::thrown_by([&] { world.send(1, 0, baton::max_tag + 1); }));
    int value = r;
    out("bad root: {}", harness::thrown_by([&] { world.bcast(value, -2); }));
    out("uneven scatter: {}", harness::thrown_by([&] {
            if (world.rank() == 0) world.scatter(std::vector<int>(static_cast<std::size_t>(world.size()) + 1), 0);
            else throw baton::usage_error("only the root knows");
        }));
    // A rank carries on after catching them.
    out("afterwards: {}", world.allreduce(r, baton::op::sum));
    return out.text();
}

// ---- Collectives ---------------------------------------------------------------------------

std::string broadcasts(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    for (int root = 0; root < n; ++root) {
        int scalar = r == root ? 42 + root : -1;
        world.bcast(scalar, root);
        std::vector<double> v;
        if (r == root) v = {1.0 * root, 2.0, 3.5};
        world.bcast(v, root);
        std::string s = r == root ? std::string(static_cast<std::size_t>(root + 1), '#') : "";
        world.bcast(s, root);
        std::array<std::int16_t, 3> a{};
        if (r == root) a = {1, static_cast<std::int16_t>(root), 3};
        world.bcast(a, root);
        message m;
        if (r == root) m = {"root " + std::to_string(root), {root}, {{1, "one"}}};
        world.bcast(m, root);
        std::vector<int> empty;
        if (r == root) empty.clear();
        world.bcast(empty, root);
        out("root {}: {} {} {} {} {} {}", root, scalar, text(v), text(s), text(a), text(m), text(empty));
    }
    return out.text();
}

std::string scatters_and_gathers(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    const int root = n - 1;
    std::vector<int> all;
    if (r == root) {
        all.resize(static_cast<std::size_t>(3 * n));
        std::iota(all.begin(), all.end(), 100);
    }
    const auto mine = world.scatter(all, root);
    out("scatter: {}", text(mine));
    std::vector<std::string> words;
    if (r == root)
        for (int i = 0; i < 2 * n; ++i) words.push_back(std::string(static_cast<std::size_t>(i), 'w'));
    out("scatter serialized: {}", text(world.scatter(words, root)));
    out("gather scalar: {}", text(world.gather(r * r, root)));
    out("gather vector: {}", text(world.gather(std::vector<double>{r * 0.5, -1.0}, 0)));
    out("gather serialized: {}", text(world.gather(std::vector<std::string>(static_cast<std::size_t>(r), "g"), 0)));
    out("allgather: {}", text(world.allgather(static_cast<std::uint8_t>(r + 200))));
    out("allgather array: {}", text(world.allgather(std::array<char, 2>{'a', static_cast<char>('a' + r)})));
    out("allgather serialized: {}", text(world.allgather(std::map<int, int>{{r, -r}})));
    std::vector<int> blocks;
    for (int to = 0; to < n; ++to)
        for (int k = 0; k < 2; ++k) blocks.push_back(r * 1000 + to * 10 + k);
    out("alltoall: {}", text(world.alltoall(blocks)));
    out("alltoall empty: {}", text(world.alltoall(std::vector<int>{})));
    world.barrier();
    return out.text();
}

std::string variable_size(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    const std::vector<int> mine(static_cast<std::size_t>(r), r);  // rank 0 contributes nothing
    for (int root = 0; root < n; ++root) {
        const auto all = world.gatherv(mine, root);
        out("gatherv to {}: {} counts {}", root, text(all.data()), text(all.counts()));
    }
    const auto every = world.allgatherv(std::vector<double>(static_cast<std::size_t>(n - r), 0.5 * r));
    out("allgatherv: {} counts {}", text(every.data()), text(every.counts()));
    out("allgatherv scalar: {}", text(world.allgatherv(r * 3).data()));
    baton::ragged<std::int64_t> parts;
    if (r == 0) {
        std::vector<std::vector<std::int64_t>> blocks(static_cast<std::size_t>(n));
        for (int to = 0; to < n; ++to)
            for (int k = 0; k < (to * 2) % 3; ++k) blocks[static_cast<std::size_t>(to)].push_back(to * 100 + k);
        parts = baton::ragged<std::int64_t>::from_blocks(blocks);
    }
    out("scatterv: {}", text(world.scatterv(parts, 0)));
    return out.text();
}

template <class T, class Op>
void reduce_all_ways(communicator& world, record& out, std::string_view name, const T& mine, const Op& op) {
    for (int root = 0; root < world.size(); ++root) out("{} reduce to {}: {}", name, root, text(world.reduce(mine, op, root)));
    out("{} allreduce: {}", name, text(world.allreduce(mine, op)));
    out("{} scan: {}", name, text(world.scan(mine, op)));
    out("{} exscan: {}", name, text(world.exscan(mine, op)));
}

template <class T>
void arithmetic_reductions(communicator& world, record& out, std::string_view name, T mine) {
    reduce_all_ways(world, out, fmt::format("{} sum", name), mine, baton::op::sum);
    reduce_all_ways(world, out, fmt::format("{} prod", name), mine, baton::op::prod);
    if constexpr (!std::is_same_v<T, std::complex<double>>) {
        reduce_all_ways(world, out, fmt::format("{} min", name), mine, baton::op::min);
        reduce_all_ways(world, out, fmt::format("{} max", name), mine, baton::op::max);
    }
}

std::string reductions(communicator& world) {
    record out;
    const int r = world.rank();
    arithmetic_reductions(world, out, "int", 3 * r - 4);
    arithmetic_reductions(world, out, "int8", static_cast<std::int8_t>(r - 2));
    arithmetic_reductions(world, out, "uint32", static_cast<std::uint32_t>(r + 1));
    arithmetic_reductions(world, out, "int64", static_cast<std::int64_t>(r) * 1'000'000'007LL);
    arithmetic_reductions(world, out, "double", r - 1.5);
    arithmetic_reductions(world, out, "float", static_cast<float>(r) * 0.5f);
    arithmetic_reductions(world, out, "long double", static_cast<long double>(r) - 0.25L);
    // Builtins refuse text (ops.hpp): chars are combined by a callable of the program's own.
    reduce_all_ways(world, out, "char by a callable", static_cast<char>(r + 1),
                    [](char a, char b) { return static_cast<char>(a + b); });
    arithmetic_reductions(world, out, "complex", std::complex<double>(r, 1));
    for (const auto& [name, value] : {std::pair{"int", r}, std::pair{"int zero at 1", r == 1 ? 0 : 5}}) {
        reduce_all_ways(world, out, fmt::format("{} land", name), value, baton::op::logical_and);
        reduce_all_ways(world, out, fmt::format("{} lor", name), value * 0, baton::op::logical_or);
        reduce_all_ways(world, out, fmt::format("{} lxor", name), value, baton::op::logical_xor);
        reduce_all_ways(world, out, fmt::format("{} band", name), value + 6, baton::op::bit_and);
        reduce_all_ways(world, out, fmt::format("{} bor", name), value, baton::op::bit_or);
        reduce_all_ways(world, out, fmt::format("{} bxor", name), value, baton::op::bit_xor);
    }
    reduce_all_ways(world, out, "bool land", r != 2, baton::op::logical_and);
    reduce_all_ways(world, out, "bool lor", r == 2, baton::op::logical_or);
    reduce_all_ways(world, out, "bool lxor", r % 2 == 0, baton::op::logical_xor);
    reduce_all_ways(world, out, "bool min (a user op on MPI)", r == 1, baton::op::min);
    reduce_all_ways(world, out, "uint16 bxor", static_cast<std::uint16_t>(1 << r), baton::op::bit_xor);
    reduce_all_ways(world, out, "std::plus", r * 2, std::plus<int>{});
    reduce_all_ways(world, out, "std::multiplies", r + 2.0, std::multiplies<double>{});
    return out.text();
}

std::string user_reductions(communicator& world) {
    record out;
    const int r = world.rank();
    // Not commutative: the results show that contributions are combined in rank order.
    const affine f{r + 2, 3 * r + 1};
    const auto compose_op = [](const affine& a, const affine& b) { return compose(a, b); };
    for (int root = 0; root < world.size(); ++root) out("affine reduce to {}: {}", root, text(world.reduce(f, compose_op, root)));
    out("affine allreduce: {}", text(world.allreduce(f, compose_op)));
    out("affine scan: {}", text(world.scan(f, compose_op)));
    out("affine exscan: {}", text(world.exscan(f, compose_op)));
    const auto first = [](double a, double) { return a; };
    const auto last = [](double, double b) { return b; };
    reduce_all_ways(world, out, "first", r * 1.5, first);
    reduce_all_ways(world, out, "last", r * 1.5, last);
    // Element-wise over vectors, and a builtin on a struct (a user op on MPI).
    std::vector<affine> fs{{r + 1, 1}, {2, r}, {1, 1}};
    std::string shown;
    for (const auto& g : world.allreduce(fs, compose_op)) shown += text(g);
    out("affine vector allreduce: {}", shown);
    out("pod sum: {}", text(world.allreduce(pod{r, r * 0.5, static_cast<char>(r)}, pod_sum{})));
    // minloc / maxloc; ties go to the smaller index.
    const baton::value_index<double> vi{static_cast<double>(r % 2), r};
    reduce_all_ways(world, out, "minloc", vi, baton::op::minloc);
    reduce_all_ways(world, out, "maxloc", vi, baton::op::maxloc);
    // Vectors, arrays and spans of elements.
    std::vector<int> v{r, -r, r * r, 1};
    reduce_all_ways(world, out, "vector sum", v, baton::op::sum);
    reduce_all_ways(world, out, "vector max", v, baton::op::max);
    reduce_all_ways(world, out, "array min", std::array<double, 2>{r * 1.0, -r * 1.0}, baton::op::min);
    reduce_all_ways(world, out, "span sum", std::span<const int>(v).subspan(1, 2), baton::op::sum);
    reduce_all_ways(world, out, "empty vector sum", std::vector<double>{}, baton::op::sum);
    // A large reduction.
    std::vector<double> big(200000, static_cast<double>(r + 1));
    const auto sums = world.allreduce(big, baton::op::sum);
    out("big allreduce: {} elements, first {}, last {}", sums.size(), sums.front(), sums.back());
    return out.text();
}

// alltoallv, reduce_scatter(_block) and the reductions in place (issue 14).
std::string exchanges_and_in_place(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    // Block d of rank r: (r + d) % 3 elements, empty blocks too.
    std::vector<std::vector<std::int64_t>> blocks(static_cast<std::size_t>(n));
    for (int d = 0; d < n; ++d)
        for (int k = 0; k < (r + d) % 3; ++k) blocks[static_cast<std::size_t>(d)].push_back(r * 1000 + d * 10 + k);
    const auto got = world.alltoallv(baton::ragged<std::int64_t>::from_blocks(blocks));
    out("alltoallv: {} counts {}", text(got.data()), text(got.counts()));
    out("alltoallv empty: {}", text(world.alltoallv(baton::ragged<int>::from_blocks(
                                        std::vector<std::vector<int>>(static_cast<std::size_t>(n)))).counts()));
    std::vector<int> mine(static_cast<std::size_t>(2 * n));
    std::iota(mine.begin(), mine.end(), r * 7);
    out("reduce_scatter_block sum: {}", text(world.reduce_scatter_block(mine, baton::op::sum)));
    out("reduce_scatter_block max: {}", text(world.reduce_scatter_block(mine, baton::op::max)));
    std::vector<std::size_t> counts;
    for (int d = 0; d < n; ++d) counts.push_back(static_cast<std::size_t>(d == 0 ? 2 * n : 0));  // all to rank 0
    out("reduce_scatter to rank 0: {}", text(world.reduce_scatter(mine, counts, baton::op::sum)));
    counts.assign(static_cast<std::size_t>(n), 2);
    const auto compose_op = [](const affine& a, const affine& b) { return compose(a, b); };
    std::vector<affine> fs;
    for (int i = 0; i < 2 * n; ++i) fs.push_back({r + i + 2, 3 * r + 1});
    std::string shown;
    for (const auto& g : world.reduce_scatter(fs, counts, compose_op)) shown += text(g);
    out("affine reduce_scatter: {}", shown);
    // In place: MPI_IN_PLACE on MPI.
    std::vector<double> values{r * 1.0, -0.5 * r, 2.0};
    world.allreduce_in_place(values, baton::op::sum);
    out("allreduce_in_place: {}", text(values));
    for (int root = 0; root < n; ++root) {
        std::array<int, 2> data{r, r * r};
        world.reduce_in_place(std::span<int>(data), baton::op::max, root);
        out("reduce_in_place to {}: {}", root, text(data));
    }
    std::array<affine, 1> f{{{r + 2, 3 * r + 1}}};
    world.scan_in_place(std::span<affine>(f), compose_op);
    out("affine scan_in_place: {}", text(f[0]));
    f = {{{r + 2, 3 * r + 1}}};
    world.exscan_in_place(std::span<affine>(f), compose_op);
    out("affine exscan_in_place: {}", text(f[0]));
    std::vector<long> prefix{r + 1L, 10L};
    world.exscan_in_place(prefix, baton::op::sum);
    out("exscan_in_place sum: {}", text(prefix));
    // Without a reduction: MPI_IN_PLACE at a gather's root, in allgather and alltoall.
    const auto at = static_cast<std::size_t>(2 * r);
    for (int root = 0; root < n; ++root) {
        std::vector<int> gathered{r, -r};
        if (r == root) {
            gathered.assign(static_cast<std::size_t>(2 * n), 0);
            gathered[at] = r;
            gathered[at + 1] = -r;
        }
        world.gather_in_place(gathered, root);
        out("gather_in_place to {}: {}", root, text(gathered));
    }
    std::vector<double> everyone(static_cast<std::size_t>(2 * n), 0.0);
    everyone[at] = r + 0.5;
    everyone[at + 1] = -r;
    world.allgather_in_place(everyone);
    out("allgather_in_place: {}", text(everyone));
    std::vector<std::int64_t> exchanged;
    for (int d = 0; d < 2 * n; ++d) exchanged.push_back(r * 100 + d);
    world.alltoall_in_place(std::span<std::int64_t>(exchanged));
    out("alltoall_in_place: {}", text(exchanged));
    return out.text();
}

// Non-blocking scans and reduce-scatter (MPI_Iscan, MPI_Iexscan, MPI_Ireduce_scatter_block,
// MPI_Ireduce_scatter), completed out of order; iexscan's rank 0 keeps its result as it was.
std::string nonblocking_scans(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    long scanned = 0;
    int exscanned = -1;
    std::vector<double> exscanned_vector;
    std::vector<int> block, blocks;
    std::vector<int> mine(static_cast<std::size_t>(2 * n));
    std::iota(mine.begin(), mine.end(), r * 7);
    std::vector<std::size_t> counts(static_cast<std::size_t>(n), 1);
    counts[0] = static_cast<std::size_t>(n + 1);  // 2n elements: n + 1 to rank 0, 1 to each other
    std::array<baton::request, 5> requests{
        world.iscan(static_cast<long>(r + 1), scanned, baton::op::sum),
        world.iexscan(r + 2, exscanned, baton::op::prod),
        world.iexscan(std::vector<double>{0.5 * r, 1.0}, exscanned_vector, baton::op::max),
        world.ireduce_scatter_block(mine, block, baton::op::sum),
        world.ireduce_scatter(mine, counts, blocks, baton::op::min)};
    requests[4].wait();
    while (!baton::wait_some(requests).empty()) {
    }
    out("iscan {}; iexscan {} [{}]; ireduce_scatter_block [{}]; ireduce_scatter [{}]", scanned, exscanned,
        text(exscanned_vector), text(block), text(blocks));
    return out.text();
}

// The non-blocking reductions with operations of the program's own (on MPI: a datatype made for
// the request carries the operation, which MPI applies in whichever call makes progress), all
// started before any is waited for, point-to-point in between: callables, a builtin on a struct,
// minloc, bool, in place.
std::string nonblocking_user_reductions(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank(), root = n / 2;
    const affine f{r + 2, 3 * r + 1};
    const auto compose_op = [](const affine& a, const affine& b) { return compose(a, b); };
    std::vector<affine> fs;
    for (int b = 0; b < 2 * n; ++b) fs.push_back({r + b + 1, b});
    affine reduced{1, 0}, prefix{1, 0}, before{1, 0};
    std::vector<affine> all, block;
    pod summed{};
    baton::value_index<double> lowest;
    bool any = false;
    std::vector<affine> in_place{{r + 3, 1}, {1, r}};
    std::vector<baton::request> requests;
    requests.push_back(world.ireduce(f, reduced, compose_op, root));
    requests.push_back(world.iallreduce(fs, all, compose_op));
    requests.push_back(world.iscan(f, prefix, compose_op));
    requests.push_back(world.iexscan(f, before, compose_op));
    requests.push_back(world.ireduce_scatter_block(fs, block, compose_op));
    requests.push_back(world.iallreduce(pod{r, r * 0.5, static_cast<char>(r)}, summed, pod_sum{}));
    requests.push_back(world.iallreduce(baton::value_index<double>{static_cast<double>(r % 2), r}, lowest,
                                        baton::op::minloc));
    requests.push_back(world.iallreduce(r % 2 == 1, any, baton::op::logical_or));
    requests.push_back(world.iallreduce_in_place(in_place, compose_op));
    requests.push_back(world.isend(r, right_of(world), 72));
    const int from_left = world.recv<int>(left_of(world), 72);
    while (!baton::wait_some(requests).empty()) {
    }
    std::string shown;
    for (const auto& g : all) shown += text(g);
    for (const auto& g : block) shown += " " + text(g);
    for (const auto& g : in_place) shown += " in place " + text(g);
    out("left {}; ireduce {}; iscan {}; iexscan {}", from_left, text(reduced), text(prefix), text(before));
    out("iallreduce, ireduce_scatter_block, iallreduce_in_place {}; pod {}; minloc {}@{}; any {}", shown,
        text(summed), lowest.value, lowest.index, any);
    return out.text();
}

// The non-blocking in-place forms (MPI_IN_PLACE in MPI_Iallreduce ... MPI_Ialltoall): all started
// before any is waited for, point-to-point in between, completed by wait_some; iexscan's rank 0
// keeps its data as it was.
std::string nonblocking_in_place(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank(), root = n - 1;
    const auto at = static_cast<std::size_t>(2 * r);
    std::vector<double> summed{r * 1.0, -0.5 * r, 2.0};
    std::array<int, 2> maxed{r, r * r};
    std::vector<long> scanned{r + 1L, 10L - r}, exscanned{r + 1L, 3L};
    std::vector<int> gathered{r, -r};
    if (r == root) {
        gathered.assign(static_cast<std::size_t>(2 * n), 0);
        gathered[at] = r;
        gathered[at + 1] = -r;
    }
    std::vector<double> everyone(static_cast<std::size_t>(2 * n), 0.0);
    everyone[at] = r + 0.5;
    everyone[at + 1] = -r;
    std::vector<std::int64_t> exchanged;
    for (int d = 0; d < 2 * n; ++d) exchanged.push_back(r * 100 + d);
    std::vector<baton::request> requests;
    requests.push_back(world.iallreduce_in_place(summed, baton::op::sum));
    requests.push_back(world.ireduce_in_place(std::span<int>(maxed), baton::op::max, root));
    requests.push_back(world.iscan_in_place(scanned, baton::op::prod));
    requests.push_back(world.iexscan_in_place(exscanned, baton::op::sum));
    requests.push_back(world.igather_in_place(gathered, root));
    requests.push_back(world.iallgather_in_place(everyone));
    requests.push_back(world.ialltoall_in_place(std::span<std::int64_t>(exchanged)));
    requests.push_back(world.isend(r, right_of(world), 71));
    const int from_left = world.recv<int>(left_of(world), 71);
    while (!baton::wait_some(requests).empty()) {
    }
    out("left {}; iallreduce_in_place {}; ireduce_in_place {}; iscan_in_place {}; iexscan_in_place {}", from_left,
        text(summed), text(maxed), text(scanned), text(exscanned));
    out("igather_in_place {}; iallgather_in_place {}; ialltoall_in_place {}", text(gathered), text(everyone),
        text(exchanged));
    return out.text();
}

// ---- Communicators -------------------------------------------------------------------------

std::string communicators(communicator& world) {
    record out;
    const int n = world.size(), r = world.rank();
    out("world: {} rank {} of {}", world.name(), world.rank(), world.size());
    communicator halves = world.split(r % 2, -r);  // keys reversed: the highest rank comes first
    out("split: {} rank {} of {}", halves.name(), halves.rank(), halves.size());
    out("sum over {}: {}", halves.name(), halves.allreduce(r, baton::op::sum));
    out("gather over {}: {}", halves.name(), text(halves.gather(r, 0)));
    communicator some = world.split(r == 0 ? baton::undefined : 7, 0);
    out("without rank 0: {}", static_cast<bool>(some));
    if (some) {
        out("{} rank {} of {}; max {}", some.name(), some.rank(), some.size(), some.allreduce(r, baton::op::max));
        communicator inner = some.split(some.rank() / 2, some.rank());
        out("{} rank {} of {}", inner.name(), inner.rank(), inner.size());
        inner.barrier();
    }
    out("null communicator: {}", harness::thrown_by([] { communicator none; (void)none.rank(); }));
    communicator copy = world.dup();
    out("dup: {} rank {} of {}", copy.name(), copy.rank(), copy.size());
    // The same tag on world and on its duplicate: each receive gets its own communicator's message.
    auto on_world = world.isend(std::string("on world"), right_of(world), 5);
    auto on_copy = copy.isend(std::string("on the copy"), right_of(copy), 5);
    out("copy first: {}", copy.recv<std::string>(left_of(copy), 5));
    out("then world: {}", world.recv<std::string>(left_of(world), 5));
    on_world.wait();
    on_copy.wait();
    communicator again = world.dup();
    out("second dup: {}", again.name());
    communicator by_third = world.split(r / 3, r);
    out("thirds: {} rank {} of {}", by_third.name(), by_third.rank(), by_third.size());
    (void)n;
    return out.text();
}

// ---- Cartesian topologies ----------------------------------------------------------------------

// A grid's communicators and neighbour collectives. Grids include periodic dimensions of 1 and 2
// ranks, where one rank is the neighbour below and above: Open MPI 4.1.4 follows the standard
// there (the block from below is the one that rank sent upwards), as the simulator does.
// A new communicator's name without its sequence number: under mpiexec the world has made the
// earlier scenarios' communicators too, on the simulator each scenario starts a new world.
std::string unnumbered(const std::string& name) {
    return std::regex_replace(name, std::regex("\\.(cart|sub)[0-9]+"), ".$1");
}

void on_grid(communicator& world, record& out, const std::vector<int>& dims, const std::vector<bool>& periods) {
    baton::cart_communicator grid = world.cart_create(dims, periods);
    out("cart_create {} {}: {}", text(dims), periods.size(), static_cast<bool>(grid));
    if (!grid) return;
    const int r = grid.rank();
    out("{} rank {} of {} at {}", unnumbered(grid.name()), r, grid.size(), text(grid.coords()));
    for (int d = 0; d < grid.ndims(); ++d)
        for (const int by : {1, -1, 2}) {
            const auto [source, dest] = grid.shift(d, by);
            out("shift {} by {}: {} {}", d, by, source, dest);
        }
    out("neighbor_allgather: {}", text(grid.neighbor_allgather(std::array<int, 2>{r + 1, -(r + 1)})));
    std::vector<double> blocks;
    for (int i = 0; i < 2 * grid.ndims(); ++i) blocks.push_back(r * 100 + i + 0.5);
    out("neighbor_alltoall: {}", text(grid.neighbor_alltoall(blocks)));
    baton::cart_communicator copy = grid.dup();  // MPI_Comm_dup keeps the grid
    out("dup: {} at {}, neighbor_allgather {}", text(copy.dims()), text(copy.coords()),
        text(copy.neighbor_allgather(r)));
    for (std::size_t d = 0; d < dims.size(); ++d) {
        std::vector<bool> keep(dims.size(), false);
        keep[d] = true;
        baton::cart_communicator line = grid.cart_sub(keep);
        out("cart_sub {}: {} rank {} of {}, members {}", d, unnumbered(line.name()), line.rank(), line.size(),
            text(line.allgather(world.rank())));
    }
}

std::string topologies(communicator& world) {
    record out;
    const int n = world.size();
    out("dims_create: {} {} {}", text(baton::dims_create(n, 1)), text(baton::dims_create(n, 2)),
        text(baton::dims_create(n, 3)));
    on_grid(world, out, baton::dims_create(n, 2), {false, true});
    on_grid(world, out, baton::dims_create(n, 2), {true, true});
    on_grid(world, out, {n}, {false});
    on_grid(world, out, {1, n, 1}, {true, false, true});
    if (n > 1) on_grid(world, out, {n - 1}, {true});  // the last rank is left out
    return out.text();
}

// ---- The clock (issue 16) ---------------------------------------------------------------------

// baton::wtime() is MPI_Wtime on MPI and the rank's simulated clock on the simulator (which starts
// at 0 and advances only by the network model here: no --network, so no computing counts).
std::string clock(communicator& world) {
    record out;
    const double before = baton::wtime();
    world.barrier();
    const double after = baton::wtime();
    out("wtime goes on: {}", text(after >= before));
    out("wtick: {}", text(baton::wtick() > 0 && baton::wtick() <= 1e-6));
    const bool simulated = baton::sim::running_rank() >= 0;
    const bool backends_clock =
        simulated ? after < 1e-3 && (world.size() == 1 || after > before) : std::abs(baton::wtime() - MPI_Wtime()) < 1e-3;
    out("the backend's clock: {}", text(backends_clock));
    return out.text();
}

struct scenario {
    const char* name;
    std::function<std::string(communicator&)> run;
};

const std::vector<scenario>& scenarios() {
    static const std::vector<scenario> all = {
        {"scalars", scalars},
        {"containers", containers},
        {"serialized", serialized},
        {"to_self", to_self},
        {"nonblocking", nonblocking},
        {"posted_early", posted_early},
        {"wildcards", wildcards},
        {"vector_receives", vector_receives},
        {"probe_counts", probe_counts},
        {"literals", literals},
        {"wait_any", wait_any},
        {"completion", completion},
        {"persistent", persistent},
        {"cancel", cancel},
        {"nonblocking_collectives", nonblocking_collectives},
        {"nonblocking_gathers", nonblocking_gathers},
        {"null_peer", null_peer},
        {"send_modes", send_modes},
        {"buffered_and_ready", buffered_and_ready},
        {"errors", errors},
        {"broadcasts", broadcasts},
        {"scatters_and_gathers", scatters_and_gathers},
        {"variable_size", variable_size},
        {"reductions", reductions},
        {"user_reductions", user_reductions},
        {"exchanges_and_in_place", exchanges_and_in_place},
        {"nonblocking_scans", nonblocking_scans},
        {"nonblocking_in_place", nonblocking_in_place},
        {"nonblocking_user_reductions", nonblocking_user_reductions},
        {"communicators", communicators},
        {"topologies", topologies},
        {"clock", clock},
    };
    return all;
}

}  // namespace

int main(int argc, char** argv) {
    return baton::run(argc, argv, [&](communicator& world) {
        const std::string filter = argc > 1 ? argv[1] : "";
        const bool mpi = harness::on_mpi();
        int ran = 0, failed = 0;
        for (const auto& s : scenarios()) {
            if (!filter.empty() && std::string_view(s.name).find(filter) == std::string_view::npos) continue;
            ++ran;
            std::string here;
            try {
                here = s.run(world);
            } catch (const std::exception& e) {
                // The other ranks may be waiting for this one: end the job (MPI_Abort).
                throw std::runtime_error(fmt::format("scenario {} threw: {}", s.name, e.what()));
            }
            // Started plainly, compare the simulator with itself under another seed.
            const auto expected = harness::on_simulator(world.size(), mpi ? 1 : 99, s.run);
            const std::string& there = expected[static_cast<std::size_t>(world.rank())];
            if (here != there) {
                ++failed;
                std::fprintf(stderr, "MISMATCH scenario %s on rank %d of %d: %s\n", s.name, world.rank(),
                             world.size(), harness::first_difference(here, there).c_str());
            }
        }
        const int failures = world.allreduce(failed, baton::op::sum);
        if (world.rank() == 0)
            std::printf("%d scenarios on %d ranks (%s against the simulator): %s\n", ran, world.size(),
                        mpi ? "MPI" : "the simulator", failures == 0 ? "all equal" : "MISMATCHES");
        if (failures > 0) throw std::runtime_error(fmt::format("{} scenario results differ", failures));
    });
}
