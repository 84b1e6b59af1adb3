// A first-in first-out list that keeps its storage: a vector whose front is an index. Taking the
// front moves no other entry, and when the list empties its storage stays for what comes next. A
// std::deque freed a block and took another every few entries of a list emptied as fast as it is
// filled, as a ping-pong's stored messages and posted receives are: a heap allocation every few
// calls (and an empty std::deque holds a block already).
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace baton::sim::detail {

template <class T>
class front_indexed_queue {
public:
    using iterator = typename std::vector<T>::iterator;
    using const_iterator = typename std::vector<T>::const_iterator;

    iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    iterator end() { return items_.end(); }
    const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    const_iterator end() const { return items_.end(); }
    bool empty() const { return head_ == items_.size(); }
    const T& front() const { return items_[head_]; }

    void push_back(T&& item) { items_.push_back(std::move(item)); }  // moved once, not twice

    // Takes the entry at `it` out of the list. The front's slot is left behind, moved from, until
    // the list empties (or, for a list that never empties, until the slots left behind are half
    // of it): then the storage is reused from its start.
    T take(iterator it) {
        T taken = std::move(*it);
        if (it != begin()) {
            items_.erase(it);  // an entry behind the front (a receive that skipped another tag)
        } else if (++head_ == items_.size()) {
            items_.clear();  // keeps the capacity
            head_ = 0;
        } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), begin());
            head_ = 0;
        }
        return taken;
    }

    // Removes every entry `unwanted` holds for, keeping the others' order.
    template <class Predicate>
    void remove_if(Predicate unwanted) {
        items_.erase(std::remove_if(begin(), end(), unwanted), end());
        if (empty()) {
            items_.clear();
            head_ = 0;
        }
    }

private:
    std::vector<T> items_;  // [head_, end) are in the list; those before were taken
    std::size_t head_ = 0;
};

}  // namespace baton::sim::detail
