// Ranks as OS threads. Each waits on its own semaphore; giving the CPU to another rank is one
// release of that rank's semaphore and one acquire of one's own, so exactly one thread runs.
#include <semaphore>
#include <thread>
#include <vector>

#include "contexts.hpp"

namespace baton::sim::detail {

namespace {

class thread_contexts final : public rank_contexts {
public:
    thread_contexts(int ranks, rank_entry entry) : entry_(std::move(entry)) {
        slots_.reserve(static_cast<std::size_t>(ranks));
        for (int r = 0; r < ranks; ++r) slots_.push_back(std::make_unique<slot>());
    }

    ~thread_contexts() override {
        for (auto& s : slots_)
            if (s->thread.joinable()) s->thread.join();
    }

    void create(int rank) override {
        slot_of(rank).thread = std::thread([this, rank] {
            slot_of(rank).turn.acquire();
            entry_(rank);
        });
    }

    void run(int first) override {
        slot_of(first).turn.release();
        done_.acquire();
        for (auto& s : slots_)
            if (s->thread.joinable()) s->thread.join();
    }

    void transfer(int self, int next) override {
        slot_of(next).turn.release();
        slot_of(self).turn.acquire();
    }

    void leave(int, int next) override {
        if (next < 0)
            done_.release();
        else
            slot_of(next).turn.release();
    }

private:
    struct slot {
        std::thread thread;
        std::binary_semaphore turn{0};
    };
    slot& slot_of(int rank) { return *slots_[static_cast<std::size_t>(rank)]; }

    rank_entry entry_;
    std::vector<std::unique_ptr<slot>> slots_;
    std::binary_semaphore done_{0};
};

}  // namespace

std::unique_ptr<rank_contexts> make_thread_contexts(int ranks, rank_entry entry) {
    return std::make_unique<thread_contexts>(ranks, std::move(entry));
}

}  // namespace baton::sim::detail
