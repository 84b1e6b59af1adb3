// The simulator's row of baton::run's table of backends (launch/backends.hpp): runs the ranks once,
// recorded for --trace and --timeline, or explores them (--explore), then prints what was found
// and writes the report files.
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <baton/errors.hpp>
#include <baton/profile.hpp>
#include <baton/sim.hpp>
#include <baton/trace.hpp>

#include "../../launch/backends.hpp"
#include "contexts.hpp"
#include "output_files.hpp"

namespace baton::launch {

namespace {

using sim::detail::output_files;

// Prints what the simulator found and writes the requested report files.
void report(const settings& chosen, output_files& files, const std::vector<finding>& findings) {
    std::cout << std::flush;
    for (const auto& f : findings) std::cerr << "baton: " << f.text() << '\n';
    if (!chosen.report_json.empty()) files.write("--report-json", chosen.report_json, to_json(findings) + '\n');
    if (!chosen.report_dot.empty())
        for (const auto& f : findings)
            if (f.kind == finding_kind::deadlock || f.kind == finding_kind::potential_deadlock) {
                files.write("--report-dot", chosen.report_dot, to_dot(f));
                break;
            }
}

// --explore: prints a summary line, then the failure if one was found. Returns the exit status.
int explore(const settings& chosen, output_files& files, const rank_function& body) {
    const sim::exploration result = chosen.deterministic
                                        ? sim::explore_output(chosen.sim, body, chosen.explore, *chosen.deterministic)
                                        : sim::explore(chosen.sim, body, chosen.explore);
    std::cout << std::flush;
    std::cerr << "baton: " << result.summary() << '\n';
    if (!result.failure) {
        report(chosen, files, {});  // the report file, with no findings
        return 0;
    }
    report(chosen, files, {*result.failure});
    return 1;
}

// Runs the ranks as the options say. Returns 0, 1 for a failure, or the code a rank gave abort.
int run_or_explore(const settings& chosen, output_files& files, const rank_function& body) {
    try {
        if (chosen.explore > 0) return explore(chosen, files, body);
        if (!chosen.trace.empty() || !chosen.timeline.empty()) {
            sim::options recorded = chosen.sim;
            recorded.record = true;
            const auto run = sim::run_and_record(recorded, body);
            if (!chosen.trace.empty()) files.write("--trace", chosen.trace, sim::to_chrome_trace(run.events));
            if (!chosen.timeline.empty()) files.write("--timeline", chosen.timeline, sim::to_timeline(run.events));
            if (run.error) std::rethrow_exception(run.error);
        } else {
            sim::run_ranks(chosen.sim, body);
        }
        report(chosen, files, {});  // the report file, with no findings
        return 0;
    } catch (const aborted& e) {
        // The program's own end, not a finding: the report file (if asked for) has none.
        report(chosen, files, {});
        std::cerr << "baton: " << e.what() << '\n';
        return e.code();
    } catch (const check_failed& e) {
        report(chosen, files, e.findings());
    } catch (const std::bad_alloc&) {
        // Not from the ranks (what they throw is a finding): the simulator's own state, per rank.
        std::cout << std::flush;
        std::cerr << "baton: out of memory (std::bad_alloc) for the simulator's state of " << chosen.sim.ranks
                  << " ranks\n";
        if (const std::string limit = sim::detail::address_space_limit(); !limit.empty())
            std::cerr << "  " << limit << '\n';
        std::cerr << "  use fewer ranks\n";
    } catch (const std::exception& e) {
        std::cout << std::flush;
        std::cerr << "baton: " << e.what() << '\n';
    }
    return 1;
}

// With --profile or --profile-json: the run profiled, its profile printed after what the run
// printed (also when it failed: where the time went up to the failure is worth seeing).
int simulate(const settings& chosen, output_files& files, const rank_function& body) {
    if (!chosen.profiling()) return run_or_explore(chosen, files, body);
    profile measured;
    settings profiled = chosen;
    profiled.sim.profile = &measured;
    const int status = run_or_explore(profiled, files, body);
    if (measured.ranks.empty()) return status;  // the ranks never started
    std::cout << std::flush;
    if (chosen.profile) std::cerr << to_text(measured);
    if (!chosen.profile_json.empty()) files.write("--profile-json", chosen.profile_json, to_json(measured));
    return status;
}

}  // namespace

int run_on_simulator(int&, char**&, const settings& chosen, const rank_function& body) {
    output_files files;
    const int status = simulate(chosen, files, body);
    return files.failed() ? 2 : status;
}

}  // namespace baton::launch
