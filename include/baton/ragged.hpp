// ragged<E>: one block of elements per rank, of unequal sizes; what gatherv gives and scatterv takes.
#pragma once

#include <cstddef>
#include <numeric>
#include <span>
#include <vector>

namespace baton {

template <class E>
class ragged {
public:
    using value_type = E;

    ragged() : offsets_{0} {}

    // `data` holds the blocks back to back; `counts[r]` is the size of block r.
    ragged(std::vector<E> data, const std::vector<std::size_t>& counts) : data_(std::move(data)) {
        offsets_.resize(counts.size() + 1, 0);
        std::inclusive_scan(counts.begin(), counts.end(), offsets_.begin() + 1);
    }

    // Room for one block of `counts[r]` value-initialized elements per entry: where a non-blocking
    // v-collective (igatherv, iallgatherv, ialltoallv) receives, as MPI wants a receiver's counts
    // before anything arrives.
    explicit ragged(const std::vector<std::size_t>& counts)
        : ragged(std::vector<E>(std::accumulate(counts.begin(), counts.end(), std::size_t{0})), counts) {}

    // One block per entry of `blocks`.
    static ragged from_blocks(const std::vector<std::vector<E>>& blocks) {
        std::vector<E> data;
        std::vector<std::size_t> counts;
        for (const auto& block : blocks) {
            data.insert(data.end(), block.begin(), block.end());
            counts.push_back(block.size());
        }
        return ragged(std::move(data), counts);
    }

    std::size_t blocks() const { return offsets_.size() - 1; }
    std::size_t count(std::size_t block) const { return offsets_[block + 1] - offsets_[block]; }
    std::vector<std::size_t> counts() const {
        std::vector<std::size_t> result(blocks());
        for (std::size_t b = 0; b < blocks(); ++b) result[b] = count(b);
        return result;
    }
    std::span<const E> operator[](std::size_t block) const {
        return std::span<const E>(data_).subspan(offsets_[block], count(block));
    }
    const std::vector<E>& data() const { return data_; }
    // Every block's elements back to back, writable (what a receive writes into); the blocks keep
    // their sizes.
    std::span<E> elements() { return data_; }

    friend bool operator==(const ragged&, const ragged&) = default;

    // So that a ragged result can travel, serialized (from a process rank, for one).
    template <class Archive>
    void serialize(Archive& archive) {
        archive(data_, offsets_);
    }

private:
    std::vector<E> data_;
    std::vector<std::size_t> offsets_;  // offsets_[b] is where block b starts; one extra at the end
};

}  // namespace baton
