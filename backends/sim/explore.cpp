// Exploration: run a program under every distinct way its wildcard receives (and wait_any) can
// match, depth first, stopping at the first failure; then shrink that failure's schedule.
//
// Systematic runs (schedule::systematic) do not branch on which rank runs: in a program without
// shared memory that changes only timing. They match a wildcard receive only once every rank is
// blocked, so every message it could take is there, and take the choice from a plan. Each run
// records its choices; the next run keeps the longest prefix that still has an untried
// alternative and takes that alternative, as in ISP's POE and stateless model checkers.
#include <algorithm>

#include <fmt/format.h>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

#include "engine.hpp"
#include "rank_output.hpp"

namespace baton::sim {

namespace {

// What may fail a run that ended well: the comparison with the first execution.
using run_check = std::function<std::optional<finding>()>;

// The first finding of a failed run (of a stuck one, the deadlock, not what came before it).
finding first_finding(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const deadlock_error& e) {
        return e.deadlock();
    } catch (const check_failed& e) {
        return e.findings().front();
    } catch (const aborted& e) {
        // An abort ends its execution; exploration stops there, as at a rank's failure.
        return {finding_kind::rank_failure, e.what(), {{e.rank(), fmt::format("abort({})", e.code()), e.location()}},
                {}, {}, ""};
    } catch (const std::exception& e) {
        return {finding_kind::rank_failure, e.what(), {}, {}, {}, ""};
    } catch (...) {
        return {finding_kind::rank_failure, "the run failed", {}, {}, {}, ""};
    }
}

struct attempt {
    std::optional<finding> failure;
    std::vector<choice> choices;
    std::optional<std::size_t> poison_choice;  // which choice picked the irecv poison (engine::irecv_poison)
};

// One execution. With `output`, what its ranks print is captured for `check` to compare.
attempt run_once(const options& opts, const std::function<void(communicator&)>& body, const run_check& check,
                 detail::rank_output* output = nullptr) {
    detail::engine eng(opts, body);
    if (output) output->begin(eng);
    auto outcome = eng.run();
    attempt result{std::nullopt, std::move(outcome.choices), outcome.poison_choice};
    if (outcome.error) {
        result.failure = first_finding(outcome.error);
    } else if (check) {
        if (auto f = check()) {
            f->replay = eng.replay_hint();
            result.failure = std::move(f);
        }
    }
    return result;
}

// The choice that made the difference between the first execution and a failing one whose
// choices are `plan`: its first forced one (until then both made the same choices, so the program
// was in the same state). Described by running that execution again and asking the scheduler.
std::optional<detail::choice_site> choice_made(const options& opts, const std::function<void(communicator&)>& body,
                                               const std::vector<choice>& plan, std::size_t& chosen) {
    const auto forced = std::find_if(plan.begin(), plan.end(), [](const choice& c) { return c.chosen != 0; });
    if (forced == plan.end()) return std::nullopt;
    options again = opts;
    again.plan = plan;
    detail::engine eng(again, body);
    eng.sched().explain(static_cast<std::size_t>(forced - plan.begin()));
    (void)eng.run();
    chosen = forced->chosen;
    return eng.sched().explained();
}

// The explored failure's report says which choice made the difference: a note, and for a
// difference in output (which names no call of its own) the call that chose.
void add_choice(finding& failure, const detail::choice_site& site, std::size_t chosen) {
    if (chosen >= site.alternatives.size()) return;
    std::string note = fmt::format("the choice that made the difference: {}: {} in the first execution, {} in this one",
                                   site.question, site.alternatives.front(), site.alternatives[chosen]);
    if (site.alternatives.size() > 2) {
        note += " (of";
        for (std::size_t i = 0; i < site.alternatives.size(); ++i) note += (i ? "; " : " ") + site.alternatives[i];
        note += ')';
    }
    failure.notes.push_back(std::move(note));
    if (failure.kind == finding_kind::schedule_dependence && site.call.rank >= 0) failure.calls.push_back(site.call);
}

exploration explore_with(const options& base, const std::function<void(communicator&)>& body,
                         std::size_t max_executions, const run_check& check, detail::rank_output* output);

std::size_t forced(const std::vector<choice>& choices) {
    std::size_t n = 0;
    for (const auto& c : choices) n += c.chosen != 0;
    return n;
}

// Whether a run's only forced choice is the irecv poison: then it differs from the first execution
// in nothing but what pending irecv buffers hold, and a different output means a rank read one.
bool only_poison_forced(const attempt& run) {
    return run.poison_choice && forced(run.choices) == 1 && run.choices[*run.poison_choice].chosen != 0;
}

}  // namespace

exploration explore(const options& base, const std::function<void(communicator&)>& body,
                    std::size_t max_executions, const std::function<std::optional<std::string>()>& check) {
    run_check as_finding;
    if (check)
        as_finding = [&]() -> std::optional<finding> {
            auto difference = check();
            if (!difference) return std::nullopt;
            return finding{finding_kind::schedule_dependence, *difference, {}, {}, {}, ""};
        };
    return explore_with(base, body, max_executions, as_finding, nullptr);
}

exploration explore_output(const options& base, const std::function<void(communicator&)>& body,
                           std::size_t max_executions, output_comparison how) {
    detail::rank_output output;
    std::optional<detail::printed> first;
    const run_check same_output = [&]() -> std::optional<finding> {
        detail::printed now = output.take();
        if (!first) {
            first = std::move(now);
            return std::nullopt;
        }
        auto difference = detail::compare(*first, now, base.ranks, how == output_comparison::interleaving);
        if (!difference) return std::nullopt;
        finding f{finding_kind::schedule_dependence, std::move(difference->summary), {}, {}, {}, ""};
        f.notes = std::move(difference->notes);
        return f;
    };
    return explore_with(base, body, max_executions, same_output, &output);
}

namespace {

exploration explore_with(const options& base, const std::function<void(communicator&)>& body,
                         std::size_t max_executions, const run_check& check, detail::rank_output* output) {
    // The signal handlers every run installs for its duration (a rank's crash or Ctrl-C named)
    // stay installed from one execution to the next instead: the execution's runs nest in these.
    const detail::active_run fatal_signals_named;
    const baton::detail::handlers_kept stop_signals_reported;
    options opts = base;
    opts.schedule = schedule::systematic;
    opts.plan.clear();
    exploration result;
    while (result.executions < max_executions) {
        attempt run = run_once(opts, body, check, output);
        ++result.executions;
        if (run.failure) {
            // Shrink: take back forced choices, last first, as long as the run still fails the
            // same way. The plan is no longer a recorded run, so divergence is expected.
            options trial = opts;
            trial.plan_is_exact = false;
            std::vector<choice> best = run.choices;
            finding failure = *run.failure;
            bool poison_only = only_poison_forced(run);
            for (std::size_t i = best.size(); i-- > 0;) {
                if (best[i].chosen == 0) continue;
                trial.plan = best;
                trial.plan[i].chosen = 0;
                attempt smaller = run_once(trial, body, check, output);
                if (smaller.failure && smaller.failure->kind == failure.kind && forced(smaller.choices) < forced(best)) {
                    best = smaller.choices;
                    failure = *smaller.failure;
                    poison_only = only_poison_forced(smaller);
                    i = std::min(i, best.size());
                }
            }
            // Greedy zeroing can stop at a local minimum: try every schedule with one forced
            // choice at the positions the failing run had, if that is fewer.
            for (std::size_t i = 0; i < best.size() && forced(best) > 1; ++i) {
                for (std::uint32_t c = 1; c < best[i].of && forced(best) > 1; ++c) {
                    trial.plan.assign(i + 1, choice{0, 0});
                    for (std::size_t j = 0; j < i; ++j) trial.plan[j] = {0, best[j].of};
                    trial.plan[i] = {c, best[i].of};
                    attempt single = run_once(trial, body, check, output);
                    if (single.failure && single.failure->kind == failure.kind && forced(single.choices) == 1) {
                        best = single.choices;
                        failure = *single.failure;
                        poison_only = only_poison_forced(single);
                    }
                }
            }
            if (poison_only && failure.kind == finding_kind::schedule_dependence)
                failure.summary += "; the only difference from the first execution is the poison in irecv buffers "
                                   "before they complete: likely a rank reads an irecv's buffer before its wait or test";
            // Report the shrunk run with a replay command that reproduces exactly it.
            trial.plan = best;
            trial.plan_is_exact = true;
            failure.replay = detail::engine(trial, body).replay_hint();
            std::size_t chosen = 0;
            if (const auto site = choice_made(trial, body, best, chosen)) add_choice(failure, *site, chosen);
            result.failure = std::move(failure);
            result.plan = std::move(best);
            return result;
        }
        // Backtrack to the last choice with an untried alternative. The other poison is tried once
        // on each path to the first irecv, not under every choice after it: a run with it differs
        // only where a rank reads a pending irecv's buffer, which one execution shows.
        auto& made = run.choices;
        std::size_t depth = made.size();
        if (run.poison_choice && made[*run.poison_choice].chosen != 0) depth = *run.poison_choice;
        while (depth > 0 && made[depth - 1].chosen + 1 >= made[depth - 1].of) --depth;
        if (depth == 0) {
            result.complete = true;
            return result;
        }
        opts.plan.assign(made.begin(), made.begin() + static_cast<std::ptrdiff_t>(depth));
        ++opts.plan.back().chosen;
    }
    return result;
}

}  // namespace

std::string exploration::summary() const {
    std::string text = fmt::format("explored {} execution{}: {}", executions, executions == 1 ? "" : "s",
                                   failure ? "found a failure" : complete ? "every schedule passed (complete)"
                                                                         : "no failure, but the bound was reached "
                                                                           "(incomplete)");
    if (failure) text += fmt::format(" after shrinking to {} forced choice{}", forced(plan), forced(plan) == 1 ? "" : "s");
    return text;
}

}  // namespace baton::sim
