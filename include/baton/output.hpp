// Rank-tagged output, like `mpiexec --tag-output`:
//
//     baton::tagged(world) << "local average " << avg << '\n';   // prints "[rank 2] local average 13"
//
// On the simulator only one rank runs at a time, so lines come out whole and in schedule order.
#pragma once

#include <sstream>
#include <string>

#include <baton/communicator.hpp>

namespace baton {

class tagged_output {
public:
    explicit tagged_output(int rank) : rank_(rank) {}
    tagged_output(const tagged_output&) = delete;
    tagged_output& operator=(const tagged_output&) = delete;
    // Writes the collected text to std::cout, each line prefixed with the rank.
    ~tagged_output();

    template <class T>
    tagged_output& operator<<(const T& value) {
        text_ << value;
        return *this;
    }

private:
    int rank_;
    std::ostringstream text_;
};

inline tagged_output tagged(const communicator& comm) { return tagged_output(comm.rank()); }

}  // namespace baton
