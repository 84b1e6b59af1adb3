// A rank's objects of one kind (communicators, requests, ...) by MPI handle: small integers from
// `first` on, so that a handle never made, or already freed, is told apart from a live one and
// reported, never followed. A freed handle's number is given again to the next object made.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace baton::capi {

template <class T>
class handle_table {
public:
    explicit handle_table(int first) : first_(first) {}

    int keep(std::unique_ptr<T> object) {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (!slots_[i]) {
                slots_[i] = std::move(object);
                return first_ + static_cast<int>(i);
            }
        slots_.push_back(std::move(object));
        return first_ + static_cast<int>(slots_.size()) - 1;
    }
    // The live object `handle` names, or null.
    T* find(int handle) const {
        const std::unique_ptr<T>* slot = slot_of(handle);
        return slot ? slot->get() : nullptr;
    }
    // Takes the object out (it is freed); null when `handle` names none.
    std::unique_ptr<T> take(int handle) {
        std::unique_ptr<T>* slot = slot_of(handle);
        return slot ? std::move(*slot) : nullptr;
    }
    // Calls `visit(handle, object)` for each live one.
    template <class Visit>
    void each(Visit&& visit) const {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i]) visit(first_ + static_cast<int>(i), *slots_[i]);
    }
    // How many are live (what MPI_Finalize finds not freed).
    std::size_t live() const {
        std::size_t n = 0;
        for (const auto& slot : slots_) n += slot != nullptr;
        return n;
    }

private:
    std::unique_ptr<T>* slot_of(int handle) const {
        if (handle < first_ || static_cast<std::size_t>(handle - first_) >= slots_.size()) return nullptr;
        auto& slot = const_cast<std::unique_ptr<T>&>(slots_[static_cast<std::size_t>(handle - first_)]);
        return slot ? &slot : nullptr;
    }

    int first_;
    std::vector<std::unique_ptr<T>> slots_;
};

}  // namespace baton::capi
