// Ranks as OS threads. Each waits for its own turn; giving the CPU to another rank is handing
// that rank its turn and waiting for one's own, so exactly one thread runs.
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <semaphore>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include <baton/errors.hpp>

#include "contexts.hpp"
#include "core_binding.hpp"
#include "process_exit.hpp"
#include "rank_names.hpp"

namespace baton::sim::detail {

namespace {

// A rank's permission to run. Waiting sleeps in the kernel (a futex, through std::atomic::wait),
// which costs an OS wake-up of a few microseconds per hand-off. When every rank has a core of its
// own, a waiting rank first spins briefly: the rank it handed the CPU to often hands it back that
// soon (a ping-pong), and a wake-up is then a cache-line transfer instead.
//
// The spin is bounded by time, not by a count of PAUSE instructions, whose cost varies tenfold
// between CPUs (4 000 of them took 94 µs on an EPYC, not the 10 µs meant). Why about 100 µs and
// not a few: on a machine busy with other processes the rank handed the turn must itself be
// scheduled before it answers, which often takes tens of µs; a rank that stops spinning sooner
// sleeps, and each wake-up then waits for a core, for milliseconds (issue #11, measured: a 2-rank
// ping-pong with 2 burners went from ~0.1-0.4 ms to over 1.5 ms per round trip with a 5 µs spin,
// with or without backing off after failed spins).
// With more ranks than cores, spinning would steal the CPU from the one rank that runs: no spin,
// and the ranks share one core instead (core_binding.hpp). The cores counted are those the run
// may use: on 2 ranks under `taskset -c 0` a spin held the only core (380 µs per round trip).
class turn {
public:
    void give() {
        state_.store(given, std::memory_order_release);
        state_.notify_one();
    }
    void take(bool spin) {
        if (spin) spin_until_given();
        while (state_.exchange(waiting, std::memory_order_acquire) != given) state_.wait(waiting, std::memory_order_relaxed);
    }

private:
    void spin_until_given() {
        const auto deadline = std::chrono::steady_clock::now() + spin_time;
        for (;;) {
            for (int i = 0; i < pauses_per_check; ++i) {
                if (state_.load(std::memory_order_acquire) == given) return;
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            }
            if (std::chrono::steady_clock::now() >= deadline) return;
        }
    }

    static constexpr int waiting = 0, given = 1;
    static constexpr auto spin_time = std::chrono::microseconds(100);
    static constexpr int pauses_per_check = 16;  // a clock read (~25 ns) per ~0.4 µs of pauses
    std::atomic<int> state_{waiting};
};

// The stack of the rank running on this thread, noted when its thread starts (pthread_getattr_np
// allocates and takes locks: not something to call in a signal handler), for
// in_thread_stack_overflow. initial-exec: read in a signal handler.
struct stack_bounds {
    std::uintptr_t low = 0;  // the lowest usable address
    std::size_t bytes = 0, guard = 0;
};
[[gnu::tls_model("initial-exec")]] thread_local stack_bounds rank_stack;

void note_rank_stack() {
    pthread_attr_t attributes;
    if (::pthread_getattr_np(::pthread_self(), &attributes) != 0) return;
    void* low = nullptr;
    std::size_t bytes = 0, guard = 0;
    if (::pthread_attr_getstack(&attributes, &low, &bytes) == 0 && ::pthread_attr_getguardsize(&attributes, &guard) == 0)
        rank_stack = {reinterpret_cast<std::uintptr_t>(low), bytes, guard};
    ::pthread_attr_destroy(&attributes);
}

// Why a rank's thread could not be made, and what to change.
std::string no_thread_for(std::size_t ranks, const std::system_error& why) {
    std::size_t stack = 0;
    pthread_attr_t defaults;
    if (::pthread_getattr_default_np(&defaults) == 0) {
        ::pthread_attr_getstacksize(&defaults, &stack);
        ::pthread_attr_destroy(&defaults);
    }
    std::string text = fmt::format("its thread could not be made ({})\n  {} thread ranks reserve {} of address space "
                                   "for their stacks ({} each: the stack size ulimit -s gives threads)",
                                   why.code().message(), ranks, in_binary_units(ranks * stack), in_binary_units(stack));
    const std::string limit = address_space_limit();
    text += "\n  " + (limit.empty() ? "the system limits threads too (ulimit -u, /proc/sys/kernel/threads-max)" : limit);
    return text + "\n  use fewer ranks, or fiber ranks (--context fiber), which take far less";
}

class thread_contexts final : public rank_contexts {
public:
    thread_contexts(int ranks, rank_entry entry)
        : entry_(std::move(entry)), spin_(each_rank_has_a_core(ranks)) {
        slots_.reserve(static_cast<std::size_t>(ranks));
        for (int r = 0; r < ranks; ++r) slots_.push_back(std::make_unique<slot>());
    }

    ~thread_contexts() override {
        for (auto& s : slots_)
            if (s->thread.joinable()) s->thread.join();
    }

    void create(int rank) override {
        try {
            slot_of(rank).thread = std::thread([this, rank] {
                name_after_rank(rank);
                note_rank_stack();
                slot_of(rank).turn.take(false);
                entry_(rank);
            });
        } catch (const std::system_error& e) {
            throw error(no_thread_for(slots_.size(), e));
        }
    }

    void run(int first) override {
        slot_of(first).turn.give();
        done_.acquire();
        for (auto& s : slots_)
            if (s->thread.joinable()) s->thread.join();
    }

    void transfer(int self, int next) override {
        slot_of(next).turn.give();
        slot_of(self).turn.take(spin_);
    }

    void leave(int, int next) override {
        if (next < 0)
            done_.release();
        else
            slot_of(next).turn.give();
    }

private:
    struct slot {
        std::thread thread;
        class turn turn;
    };
    slot& slot_of(int rank) { return *slots_[static_cast<std::size_t>(rank)]; }

    rank_entry entry_;
    const bool spin_;  // every rank has a core of its own (the thread that started the run sleeps)
    std::vector<std::unique_ptr<slot>> slots_;
    std::binary_semaphore done_{0};
};

}  // namespace

bool in_thread_stack_overflow(const void* address, std::size_t& stack_bytes) noexcept {
    // A stack overflow faults in the guard page below the stack, or a little further down when a
    // frame larger than the guard page (a big local array) skips over it.
    constexpr std::uintptr_t reach = 64 * 1024;
    const auto a = reinterpret_cast<std::uintptr_t>(address);
    const stack_bounds& s = rank_stack;
    if (s.bytes == 0 || a >= s.low || s.low - a > s.guard + reach) return false;
    stack_bytes = s.bytes;
    return true;
}

std::unique_ptr<rank_contexts> make_thread_contexts(int ranks, rank_entry entry) {
    return std::make_unique<thread_contexts>(ranks, std::move(entry));
}

}  // namespace baton::sim::detail
