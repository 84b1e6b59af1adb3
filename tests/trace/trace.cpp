// The event log as a Chrome trace and as a text timeline: a run's trace parsed back and checked.
#include "catch2_compat.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <baton/baton.hpp>
#include <baton/trace.hpp>

using baton::communicator;
using baton::sim::event;
using nlohmann::json;

namespace {

constexpr int ranks = 3;
constexpr int ping_tag = 7;
constexpr int rounds = 3;

// Rank 1's receive of the ping, on the line after the constant that names it: known before any
// rank runs (a line a rank wrote into a variable would stay in its own process on process ranks).
constexpr int pong_line = __LINE__ + 1;
void receive_ping(communicator& world, std::vector<std::int32_t>& ball) { world.recv(ball, 0, ping_tag); }

// A ping-pong between ranks 0 and 1 (32 bytes each way, rank 2 idle), then a bcast from rank 2.
int program(communicator& world) {
    std::vector<std::int32_t> ball(8, 0);
    for (int round = 0; round < rounds; ++round) {
        if (world.rank() == 0) {
            world.send(ball, 1, ping_tag);
            world.recv(ball, 1, ping_tag + 1);
        } else if (world.rank() == 1) {
            receive_ping(world, ball);
            ++ball[0];
            world.send(ball, 0, ping_tag + 1);
        }
    }
    int value = world.rank() == 2 ? 42 : 0;
    world.bcast(value, 2);
    return value;
}

baton::sim::result<int> run(std::uint64_t seed = 3, baton::sim::schedule policy = baton::sim::schedule::random,
                            baton::sim::send_mode sends = baton::sim::send_mode::buffered) {
    return baton::sim::run({.ranks = ranks, .seed = seed, .schedule = policy, .sends = sends, .record = true}, program);
}

std::string rank_name(int rank) { return "rank " + std::to_string(rank); }

// The log's messages: (comm, id) -> indices of their send and receive, in log order.
std::map<std::pair<std::string, std::uint64_t>, std::vector<std::size_t>> messages_of(const std::vector<event>& log) {
    std::map<std::pair<std::string, std::uint64_t>, std::vector<std::size_t>> out;
    for (std::size_t i = 0; i < log.size(); ++i)
        if (log[i].message != 0) out[{log[i].comm, log[i].message}].push_back(i);
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("the Chrome trace has a track per rank, every event, and an arrow per message", "[trace]") {
    // Whatever the interleaving: several schedules, and sends that wait for their receive.
    const auto policy = GENERATE(baton::sim::schedule::random, baton::sim::schedule::round_robin, baton::sim::schedule::pct);
    const auto sends = GENERATE(baton::sim::send_mode::buffered, baton::sim::send_mode::synchronous);
    const auto seed = GENERATE(1u, 3u, 8u);
    INFO("schedule " << baton::sim::to_string(policy) << ", sends " << baton::sim::to_string(sends) << ", seed " << seed);
    const auto result = run(seed, policy, sends);
    REQUIRE(result.values == std::vector<int>(ranks, 42));
    const auto& log = result.events;
    // 3 rounds * 2 messages * (send + receive) + one bcast per rank
    REQUIRE(log.size() == rounds * 2 * 2 + ranks);
    REQUIRE(std::is_sorted(log.begin(), log.end(), [](const event& a, const event& b) { return a.step < b.step; }));

    // Written to a file and parsed back, as a viewer would.
    const auto path = std::filesystem::temp_directory_path() / ("baton-trace-test-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << baton::sim::to_chrome_trace(log);
    json trace;
    {
        std::ifstream in(path);
        trace = json::parse(in);
    }
    std::filesystem::remove(path);
    REQUIRE(trace.is_object());
    REQUIRE(trace.contains("traceEvents"));
    const json& all = trace["traceEvents"];
    REQUIRE(all.is_array());

    std::vector<json> slices, starts, finishes;
    std::map<int, std::vector<std::string>> thread_names;  // tid -> names given
    int processes = 0;
    for (const json& e : all) {
        REQUIRE(e.contains("ph"));
        REQUIRE(e.at("pid") == 1);
        const std::string ph = e["ph"];
        if (ph == "M" && e["name"] == "thread_name") thread_names[e["tid"].get<int>()].push_back(e["args"]["name"]);
        if (ph == "M" && e["name"] == "process_name") {
            ++processes;
            CHECK(e["args"]["name"] == "baton");
        }
        if (ph == "X") slices.push_back(e);
        if (ph == "s") starts.push_back(e);
        if (ph == "f") finishes.push_back(e);
    }
    CHECK(processes == 1);

    // One named track per rank: tid rank + 1, "rank N".
    REQUIRE(thread_names.size() == ranks);
    for (int r = 0; r < ranks; ++r) {
        REQUIRE(thread_names.count(r + 1) == 1);
        CHECK(thread_names[r + 1] == std::vector<std::string>{rank_name(r)});
    }
    const auto tid_of = [](int rank) { return rank + 1; };

    // Every event, in step order, as a slice on its rank's track.
    REQUIRE(slices.size() == log.size());
    for (std::size_t i = 0; i < log.size(); ++i) {
        INFO("event " << i << ": " << baton::sim::to_string(log[i]));
        const json& s = slices[i];
        CHECK(s["name"] == log[i].operation);
        CHECK(s["tid"] == tid_of(log[i].rank));
        CHECK(s["dur"].get<double>() > 0);
        const json& args = s["args"];
        CHECK(args["peer"] == log[i].peer);
        CHECK(args["tag"] == log[i].tag);
        CHECK(args["bytes"] == log[i].bytes);
        CHECK(args["comm"] == log[i].comm);
        CHECK(args["location"] == log[i].location);
        CHECK(args["step"] == log[i].step);
        // An event alone in its step starts at step * 10 µs.
        const auto same_step = std::count_if(log.begin(), log.end(), [&](const event& e) { return e.step == log[i].step; });
        if (same_step == 1) CHECK(s["ts"].get<double>() == 10.0 * static_cast<double>(log[i].step));
        CHECK(s["ts"].get<double>() >= 10.0 * static_cast<double>(log[i].step));
        CHECK(s["ts"].get<double>() + s["dur"].get<double>() <= 10.0 * static_cast<double>(log[i].step + 1));
    }
    // The program's own events are where the program is.
    for (const event& e : log) CHECK(e.location.find("tests/trace/trace.cpp:") != std::string::npos);

    // A rank's slices never overlap.
    for (int r = 0; r < ranks; ++r) {
        std::vector<std::pair<double, double>> spans;
        for (const json& s : slices)
            if (s["tid"] == tid_of(r)) spans.emplace_back(s["ts"].get<double>(), s["ts"].get<double>() + s["dur"].get<double>());
        std::sort(spans.begin(), spans.end());
        for (std::size_t k = 1; k < spans.size(); ++k) {
            INFO("rank " << r << " slice " << k);
            CHECK(spans[k - 1].second <= spans[k].first);
        }
    }

    // Every message: exactly one "s" on the sender's track inside its send slice and one "f"
    // ("bp": "e") later on the receiver's track inside its receive slice, with the same id.
    const auto messages = messages_of(log);
    REQUIRE(messages.size() == rounds * 2);
    REQUIRE(starts.size() == messages.size());
    REQUIRE(finishes.size() == messages.size());
    std::set<std::uint64_t> ids;
    for (const json& s : starts) ids.insert(s["id"].get<std::uint64_t>());
    CHECK(ids.size() == starts.size());
    const auto inside = [](const json& flow, const json& slice) {
        const double ts = flow["ts"].get<double>(), from = slice["ts"].get<double>();
        return flow["tid"] == slice["tid"] && from <= ts && ts <= from + slice["dur"].get<double>();
    };
    std::set<std::uint64_t> matched;
    for (const auto& [key, ends] : messages) {
        INFO("message " << key.second << " of " << key.first);
        REQUIRE(ends.size() == 2);
        const event& send = log[ends[0]];
        const event& receive = log[ends[1]];
        CHECK(send.operation == "send");
        CHECK(receive.operation == "recv");
        CHECK(receive.peer == send.rank);
        CHECK(send.peer == receive.rank);
        // The "s" inside the send's slice, and the one "f" with its id inside the receive's.
        std::vector<json> s_here;
        for (const json& s : starts)
            if (inside(s, slices[ends[0]])) s_here.push_back(s);
        REQUIRE(s_here.size() == 1);
        const json& s = s_here[0];
        CHECK(s["cat"] == "message");
        const std::uint64_t id = s["id"];
        CHECK(matched.insert(id).second);
        std::vector<json> f_same_id;
        for (const json& f : finishes)
            if (f["id"] == id) f_same_id.push_back(f);
        REQUIRE(f_same_id.size() == 1);
        const json& f = f_same_id[0];
        CHECK(f["cat"] == "message");
        CHECK(f["bp"] == "e");
        CHECK(s["tid"] == tid_of(send.rank));
        CHECK(f["tid"] == tid_of(receive.rank));
        CHECK(inside(f, slices[ends[1]]));
        CHECK(s["ts"].get<double>() < f["ts"].get<double>());
    }
    CHECK(matched.size() == messages.size());
}

TEST_CASE("the timeline has a line per event, in step order", "[trace]") {
    const auto result = run();
    const auto& log = result.events;
    const auto lines = lines_of(baton::sim::to_timeline(log));
    REQUIRE(lines.size() == log.size());

    // Rank 1's first receive of the ping, column by column. The step column is four wide, the
    // operations five ("bcast"), the other sides nine ("<- rank 0"), tags five, bytes four.
    const auto first_ping = std::find_if(log.begin(), log.end(), [](const event& e) {
        return e.rank == 1 && e.operation == "recv";
    });
    REQUIRE(first_ping != log.end());
    const std::size_t at = static_cast<std::size_t>(first_ping - log.begin());
    const std::string where = "tests/trace/trace.cpp:" + std::to_string(pong_line);
    CHECK(first_ping->location == where);
    std::string step = std::to_string(first_ping->step);
    step.insert(0, 4 - step.size(), ' ');
    CHECK(lines[at] == step + "  rank 1  recv   <- rank 0  tag 7  32 B  world  " + where);

    // Every line starts with its event's step, in order.
    for (std::size_t i = 0; i < log.size(); ++i) {
        INFO(lines[i]);
        CHECK(std::stoull(lines[i]) == log[i].step);
        CHECK(lines[i].find(rank_name(log[i].rank)) != std::string::npos);
    }
    // The bcast lines name the root.
    for (std::size_t i = 0; i < log.size(); ++i)
        if (log[i].operation == "bcast") CHECK(lines[i].find("bcast  root 2") != std::string::npos);
}

TEST_CASE("a timeline and a trace from a hand-written log", "[trace]") {
    const std::vector<event> log = {
        {.step = 3, .rank = 0, .operation = "isend", .peer = 2, .tag = 1, .bytes = 4, .comm = "world", .location = "ring.cpp:31", .message = 1},
        {.step = 3, .rank = 2, .operation = "irecv", .peer = 0, .tag = 1, .bytes = 4, .comm = "world", .location = "ring.cpp:30", .message = 1},
        {.step = 9, .rank = 1, .operation = "barrier", .comm = "world", .location = "ring.cpp:40"},
        {.step = 12, .rank = 1, .operation = "send", .peer = 0, .tag = 5, .bytes = 1024, .comm = "world", .location = "ring.cpp:50", .message = 2},
        {.step = 120, .rank = 0, .operation = "bcast", .peer = 0, .bytes = 8, .comm = "world.0", .location = "ring.cpp:60"},
    };
    CHECK(baton::sim::to_timeline(log) ==
          "   3  rank 0  isend    -> rank 2  tag 1     4 B  world    ring.cpp:31\n"
          "   3  rank 2  irecv    <- rank 0  tag 1     4 B  world    ring.cpp:30\n"
          "   9  rank 1  barrier                       0 B  world    ring.cpp:40\n"
          "  12  rank 1  send     -> rank 0  tag 5  1024 B  world    ring.cpp:50\n"
          " 120  rank 0  bcast    root 0               8 B  world.0  ring.cpp:60\n");
    CHECK(baton::sim::to_timeline({}).empty());

    const json trace = json::parse(baton::sim::to_chrome_trace(log));
    std::vector<json> slices, flows;
    for (const json& e : trace["traceEvents"]) {
        if (e["ph"] == "X") slices.push_back(e);
        if (e["ph"] == "s" || e["ph"] == "f") flows.push_back(e);
    }
    REQUIRE(slices.size() == 5);
    // Step 3 has two events: they share its 10 µs, each 4 µs long.
    CHECK(slices[0]["ts"] == 30);
    CHECK(slices[0]["dur"] == 4);
    CHECK(slices[1]["ts"] == 35);
    CHECK(slices[1]["dur"] == 4);
    CHECK(slices[2]["ts"] == 90);
    CHECK(slices[2]["dur"] == 8);
    CHECK(slices[2]["args"]["peer"] == -1);
    CHECK_FALSE(slices[2]["args"].contains("message"));
    CHECK(slices[3]["args"]["message"] == 2);
    // Only the received message gets an arrow: the send at step 12 never was.
    REQUIRE(flows.size() == 2);
    CHECK(flows[0]["ph"] == "s");
    CHECK(flows[0]["tid"] == 1);
    CHECK(flows[0]["ts"] == 32);
    CHECK(flows[1]["ph"] == "f");
    CHECK(flows[1]["tid"] == 3);
    CHECK(flows[1]["ts"] == 37);
    CHECK(flows[0]["id"] == flows[1]["id"]);
    CHECK(json::parse(baton::sim::to_chrome_trace({}))["traceEvents"].size() == 1);  // the process name
}

TEST_CASE("messages of different communicators with the same id get different arrows", "[trace]") {
    const std::vector<event> log = {
        {.step = 1, .rank = 0, .operation = "send", .peer = 1, .tag = 0, .bytes = 4, .comm = "world", .message = 1},
        {.step = 2, .rank = 1, .operation = "send", .peer = 0, .tag = 0, .bytes = 4, .comm = "world.0", .message = 1},
        {.step = 3, .rank = 1, .operation = "recv", .peer = 0, .tag = 0, .bytes = 4, .comm = "world", .message = 1},
        {.step = 4, .rank = 0, .operation = "recv", .peer = 1, .tag = 0, .bytes = 4, .comm = "world.0", .message = 1},
    };
    const json trace = json::parse(baton::sim::to_chrome_trace(log));
    std::map<std::uint64_t, std::vector<json>> by_id;
    for (const json& e : trace["traceEvents"])
        if (e["ph"] == "s" || e["ph"] == "f") by_id[e["id"]].push_back(e);
    REQUIRE(by_id.size() == 2);
    for (const auto& [id, ends] : by_id) {
        REQUIRE(ends.size() == 2);
        CHECK(ends[0]["ph"] == "s");
        CHECK(ends[1]["ph"] == "f");
        CHECK(ends[0]["tid"] != ends[1]["tid"]);
    }
    const auto lines = lines_of(baton::sim::to_timeline(log));
    REQUIRE(lines.size() == 4);
    CHECK(lines[2].find("recv  <- rank 0") != std::string::npos);
    CHECK(lines[3].find("recv  <- rank 1") != std::string::npos);
}

// ---- Simulated time (issue 16): with a network, the trace's clock is the ranks' ----------------

namespace {

// L = 1 us, o = g = 0.5 us, 1 GB/s: an 8-byte message is sent in 0.5 us and received 2.008 us after
// its send began; a barrier of 2 ranks is one step of 2 us after the later one arrives.
baton::sim::options timed_trace(baton::sim::compute_time computing) {
    baton::sim::options opts{.ranks = 2, .sends = baton::sim::send_mode::eager, .record = true};
    opts.network = "latency=1us,bandwidth=1GB/s,overhead=0.5us,gap=0.5us";
    opts.computing = computing;
    return opts;
}

// Each rank's clock (in microseconds, to the picosecond) after each of its calls.
std::vector<double> send_then_barrier(communicator& world) {
    std::vector<double> clocks;
    const auto now = [] { return std::round(baton::wtime() * 1e12) / 1e6; };
    if (world.rank() == 0) {
        volatile double sum = 0;  // some CPU time, counted with compute_time::measured
        for (int i = 0; i < 200'000; ++i) sum = sum + i * 0.5;
        world.send(std::int64_t{5}, 1, 0);
    } else {
        (void)world.recv<std::int64_t>(0, 0);
    }
    clocks.push_back(now());
    world.barrier();
    clocks.push_back(now());
    return clocks;
}

// The trace's slices of `name` on rank `rank`'s track.
std::vector<json> slices(const json& trace, int rank, const std::string& name) {
    std::vector<json> out;
    for (const json& e : trace["traceEvents"])
        if (e["ph"] == "X" && e["tid"] == rank + 1 && e["name"] == name) out.push_back(e);
    return out;
}

double end_of(const json& slice) { return slice["ts"].get<double>() + slice["dur"].get<double>(); }

}  // namespace

TEST_CASE("with simulated time the trace's slices are the ranks' clocks", "[trace][time]") {
    const auto result = baton::sim::run(timed_trace(baton::sim::compute_time::zero), send_then_barrier);
    const json trace = json::parse(baton::sim::to_chrome_trace(result.events));
    const auto send = slices(trace, 0, "send"), recv = slices(trace, 1, "recv");
    const auto barrier0 = slices(trace, 0, "barrier"), barrier1 = slices(trace, 1, "barrier");
    REQUIRE(send.size() == 1);
    REQUIRE(recv.size() == 1);
    REQUIRE(barrier0.size() == 1);
    REQUIRE(barrier1.size() == 1);
    // Worked out by hand: the send from 0 to 0.5 us, the receive (posted at 0) until 0.5 + L + 8 G
    // + o = 2.008, the barrier from each rank's arrival until 2.008 + 2.
    CHECK(send[0]["ts"] == 0);
    CHECK(send[0]["dur"] == 0.5);
    CHECK(recv[0]["ts"] == 0);
    CHECK(recv[0]["dur"] == 2.008);
    CHECK(barrier0[0]["ts"] == 0.5);
    CHECK(barrier0[0]["dur"] == 3.508);
    CHECK(barrier1[0]["ts"] == 2.008);
    CHECK(barrier1[0]["dur"] == 2);
    // And each slice ends at its rank's clock after the call.
    CHECK(end_of(send[0]) == result.values[0][0]);
    CHECK(end_of(barrier0[0]) == result.values[0][1]);
    CHECK(end_of(recv[0]) == result.values[1][0]);
    CHECK(end_of(barrier1[0]) == result.values[1][1]);
    CHECK(slices(trace, 0, "compute").empty());  // --compute-time zero: no computing
}

TEST_CASE("with measured compute time the trace shows the computing before a call", "[trace][time]") {
    const auto result = baton::sim::run(timed_trace(baton::sim::compute_time::measured), send_then_barrier);
    const json trace = json::parse(baton::sim::to_chrome_trace(result.events));
    const auto compute = slices(trace, 0, "compute"), send = slices(trace, 0, "send");
    REQUIRE(send.size() == 1);
    REQUIRE(!compute.empty());
    CHECK(compute[0]["dur"].get<double>() > 0);
    CHECK(std::abs(end_of(compute[0]) - send[0]["ts"].get<double>()) < 1e-6);
    // wtime after the send counts the computing in between too.
    CHECK(end_of(send[0]) <= result.values[0][0] + 1e-6);
}

TEST_CASE("without simulated time the trace keeps scheduler steps", "[trace][time]") {
    auto opts = timed_trace(baton::sim::compute_time::zero);
    opts.network.clear();
    const auto result = baton::sim::run(opts, send_then_barrier);
    for (const auto& e : result.events) CHECK(e.sim_start == -1);
    // Step s's slices lie in [10 s, 10 s + 10) us.
    const json trace = json::parse(baton::sim::to_chrome_trace(result.events));
    const auto send = slices(trace, 0, "send");
    REQUIRE(send.size() == 1);
    for (const auto& e : result.events)
        if (e.operation == "send") CHECK(send[0]["ts"].get<double>() >= 10.0 * static_cast<double>(e.step));
}
