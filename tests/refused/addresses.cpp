// Values whose bytes hold an address are refused where they would be sent as bytes: on the
// simulator's threads the receiver could read the sender's memory through them, and under mpiexec
// they point nowhere. What the refusal suggests instead compiles.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <baton/baton.hpp>

// refused 1: send the pointee instead
// refused 2: send the pointee instead
// refused 3: send the pointee instead
// refused 4: send the pointee instead
// refused 5: a character pointer is an address, not the text it points to

struct node {
    double* data;
    int n;
};
struct alias {
    int n;
    const double& first;
};
struct window {
    std::span<double> values;
};
// The same as node, serialized: what it points to travels, not where.
struct saved_node {
    double* data = nullptr;
    int n = 0;
    template <class Archive>
    void serialize(Archive& archive) { archive(n); }
};

void accepted(baton::communicator& world, saved_node& saved, std::vector<double>& pointee) {
    world.send(saved, 1);
    world.recv(saved, 0, 0);
    world.send(pointee, 1);
    world.send(std::span<const double>(pointee), 1);
    world.send(std::string_view("text"), 1);
    world.bcast(pointee, 0);
}

void refused([[maybe_unused]] baton::communicator& world) {
#if REFUSED == 1
    node n{};
    world.send(n, 1);
#elif REFUSED == 2
    std::vector<alias> many;
    world.recv(many, 0, 0);
#elif REFUSED == 3
    window w{};
    world.bcast(w, 0);
#elif REFUSED == 4
    double x = 0;
    world.gather(&x, 0);
#elif REFUSED == 5
    const char* text = "hello";
    world.send(text, 1);
#endif
}
