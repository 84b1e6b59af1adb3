// status::count<T>() counts elements of T; a serialized value has none.
#include <map>
#include <string>
#include <vector>

#include <baton/baton.hpp>

// refused 1: a serialized value has no element count

std::size_t accepted(const baton::status& s) {
    return s.count<double>() + s.count<std::vector<double>>() + s.count<std::string>() + s.bytes;
}

std::size_t refused([[maybe_unused]] const baton::status& s) {
#if REFUSED == 1
    return s.count<std::map<int, int>>();
#else
    return 0;
#endif
}
