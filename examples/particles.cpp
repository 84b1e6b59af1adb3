// Custom datatypes: sending your own structs.
//
// Part 1: `particle` is trivially copyable (plain data, no pointers), so baton sends it as it is,
// straight from memory, like a double. The root makes the particles and scatters them; every rank
// moves its share; a reduction with our own combining function finds the center of mass; the
// root gathers the particles back. Moving every particle by the same step moves the center of
// mass by that step and keeps the total mass: the root checks both.
//
// Part 2: `summary` holds a std::string and a std::vector, so it is not trivially copyable. Give
// it a cereal `serialize` member and baton sends it as bytes, with the same calls.
#include <cmath>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/baton.hpp>

struct particle {
    double x, y, z, mass;
};

// What the center of mass needs: the mass-weighted sum of positions, and the total mass.
struct moment {
    double mx, my, mz, mass;
};

moment moment_of(const std::vector<particle>& particles) {
    moment m{0, 0, 0, 0};
    for (const particle& p : particles) {
        m.mx += p.mass * p.x;
        m.my += p.mass * p.y;
        m.mz += p.mass * p.z;
        m.mass += p.mass;
    }
    return m;
}

std::ostream& operator<<(std::ostream& out, const moment& m) {
    return out << '(' << m.mx / m.mass << ", " << m.my / m.mass << ", " << m.mz / m.mass << ')';
}

// Not trivially copyable: sent through cereal.
struct summary {
    std::string name;
    std::vector<double> masses;

    template <class Archive>
    void serialize(Archive& ar) {
        ar(name, masses);
    }
};

int main(int argc, char** argv) {
    return baton::run(argc, argv, [](baton::communicator& world) {
        constexpr int root = 0;
        constexpr int per_rank = 3;

        // ---- Part 1: a trivially copyable struct ---------------------------------------------
        std::vector<particle> all;
        moment before{};
        if (world.rank() == root) {
            for (int i = 0; i < per_rank * world.size(); ++i)
                all.push_back({double(i % 4), double(i % 3), double(i % 2), double(1 + i % 5)});
            before = moment_of(all);
            std::cout << all.size() << " particles, total mass " << before.mass
                      << ", center of mass " << before << '\n';
        }

        // Each rank gets per_rank particles (scatter cuts the root's vector into equal blocks).
        std::vector<particle> mine = world.scatter(all, root);

        // Every particle takes the same step.
        for (particle& p : mine) {
            p.x += 0.5;
            p.y -= 1.0;
            p.z += 2.0;
        }

        // A user reduction: any associative function of two values. baton applies it to the
        // ranks' values in rank order; every rank gets the result.
        const moment total = world.allreduce(moment_of(mine), [](const moment& a, const moment& b) {
            return moment{a.mx + b.mx, a.my + b.my, a.mz + b.mz, a.mass + b.mass};
        });
        baton::tagged(world) << mine.size() << " particles, mass " << moment_of(mine).mass
                             << "; center of mass of all: " << total;

        // Back to the root, in rank order.
        const std::vector<particle> moved = world.gather(mine, root);
        if (world.rank() == root) {
            const moment after = moment_of(moved);
            std::cout << "after the step: center of mass " << after << " (by reduction " << total << ")\n";
            std::cout << "total mass before: " << before.mass << ", after gather: " << after.mass << '\n';
            const bool conserved = after.mass == before.mass && total.mass == before.mass;
            const bool shifted = std::abs(after.mx / after.mass - (before.mx / before.mass + 0.5)) < 1e-12 &&
                                 std::abs(after.my / after.mass - (before.my / before.mass - 1.0)) < 1e-12 &&
                                 std::abs(after.mz / after.mass - (before.mz / before.mass + 2.0)) < 1e-12;
            if (!conserved || !shifted) throw std::logic_error("the particles did not move as a whole");
        }

        // ---- Part 2: a serialized type -------------------------------------------------------
        constexpr int summary_tag = 3;
        summary report{"rank " + std::to_string(world.rank()), {}};
        for (const particle& p : mine) report.masses.push_back(p.mass);

        if (world.rank() != root) {
            world.send(report, root, summary_tag);
        } else {
            for (int r = 0; r < world.size(); ++r) {
                summary received;
                if (r == root) received = report;
                else world.recv(received, r, summary_tag);  // name and masses arrive whole
                double mass = 0;
                for (const double m : received.masses) mass += m;
                std::cout << "summary from " << received.name << ": " << received.masses.size()
                          << " masses adding up to " << mass << '\n';
            }
        }
    });
}
