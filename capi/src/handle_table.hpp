// A rank's objects of one kind (communicators, requests, ...) by MPI handle: small integers from
// `first` on, so that a handle never made, or already freed, is told apart from a live one and
// reported, never followed. A freed handle's number is given again to the next object made. Each
// object keeps the call that made it, for the reports that name it (MPI_Finalize's leaks).
#pragma once

#include <cstddef>
#include <memory>
#include <source_location>
#include <string_view>
#include <vector>

namespace baton::capi {

// The MPI call that made an object, and its line in the program.
struct origin {
    std::string_view made_by;
    std::source_location made_at;
};

template <class T>
class handle_table {
public:
    explicit handle_table(int first) : first_(first) {}

    int keep(std::unique_ptr<T> object, origin made) {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (!slots_[i]) {
                slots_[i] = std::move(object);
                origins_[i] = made;
                return first_ + static_cast<int>(i);
            }
        slots_.push_back(std::move(object));
        origins_.push_back(made);
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
    // Calls `visit(handle, object, origin)` for each live one.
    template <class Visit>
    void each(Visit&& visit) const {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i]) visit(first_ + static_cast<int>(i), *slots_[i], origins_[i]);
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
    std::vector<origin> origins_;  // by slot, as slots_
};

}  // namespace baton::capi
