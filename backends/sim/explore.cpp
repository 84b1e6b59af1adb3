// Exploration: run a program under every distinct way its wildcard receives (and wait_any) can
// match, depth first, stopping at the first failure; then shrink that failure's schedule.
//
// Systematic runs (schedule::systematic) do not branch on which rank runs: in a program without
// shared memory that changes only timing. They match a wildcard receive only once every rank is
// blocked, so every message it could take is there, and take the choice from a plan. Each run
// records its choices; the next run keeps the longest prefix that still has an untried
// alternative and takes that alternative, as in ISP's POE and stateless model checkers.
#include <fmt/format.h>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

#include "engine.hpp"

namespace baton::sim {

namespace {

// The first finding of a failed run.
finding first_finding(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const check_failed& e) {
        return e.findings().front();
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

attempt run_once(const options& opts, const std::function<void(communicator&)>& body,
                 const std::function<std::optional<std::string>()>& check) {
    detail::engine eng(opts, body);
    auto outcome = eng.run();
    attempt result{std::nullopt, std::move(outcome.choices), outcome.poison_choice};
    if (outcome.error) {
        result.failure = first_finding(outcome.error);
    } else if (check) {
        if (auto difference = check()) {
            finding f{finding_kind::schedule_dependence, *difference, {}, {}, {}, eng.replay_hint()};
            result.failure = std::move(f);
        }
    }
    return result;
}

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
    options opts = base;
    opts.schedule = schedule::systematic;
    opts.plan.clear();
    exploration result;
    while (result.executions < max_executions) {
        attempt run = run_once(opts, body, check);
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
                attempt smaller = run_once(trial, body, check);
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
                    attempt single = run_once(trial, body, check);
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

std::string exploration::summary() const {
    std::string text = fmt::format("explored {} execution{}: {}", executions, executions == 1 ? "" : "s",
                                   failure ? "found a failure" : complete ? "every schedule passed (complete)"
                                                                         : "no failure, but the bound was reached "
                                                                           "(incomplete)");
    if (failure) text += fmt::format(" after shrinking to {} forced choice{}", forced(plan), forced(plan) == 1 ? "" : "s");
    return text;
}

}  // namespace baton::sim
