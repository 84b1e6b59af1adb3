// One small program per kind of finding, for the golden-output tests: `findings_demo KIND`
// prints the simulator's report of that kind on stderr (compared with KIND.txt).
#include <array>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <baton/baton.hpp>

using baton::communicator;

namespace {

const std::map<std::string, std::function<void(communicator&)>> programs = {
    {"deadlock",  // each rank sends right, then waits for its right neighbour instead of its left
     [](communicator& world) {
         const int right = (world.rank() + 1) % world.size();
         world.send(world.allreduce(world.rank(), baton::op::sum), right, 0);
         world.recv<int>(right, 0);
     }},
    {"potential-deadlock",  // run with --sends synchronous
     [](communicator& world) {
         const int other = 1 - world.rank();
         world.send(world.rank(), other, 0);
         world.recv<int>(other, 0);
     }},
    {"collective-mismatch",
     [](communicator& world) {
         if (world.rank() == 0) world.allreduce(1, baton::op::sum);
         else world.allreduce(1, baton::op::max);
     }},
    {"type-mismatch",
     [](communicator& world) {
         if (world.rank() == 0) world.send(1.5, 1, 0);
         else world.recv<int>(0, 0);
     }},
    {"truncation",
     [](communicator& world) {
         if (world.rank() == 0) {
             world.send(std::vector<int>(8), 1, 0);
         } else {
             std::array<int, 4> small{};
             world.recv(small, 0, 0);
         }
     }},
    {"invalid-argument", [](communicator& world) { world.send(1, world.rank(), 40000); }},
    {"request-leak",
     [](communicator& world) {
         int value = 0;
         if (world.rank() == 0) baton::request forgotten = world.irecv(value, 1, 0);
         else world.send(1, 0, 0);
     }},
    {"unreceived-message", [](communicator& world) { if (world.rank() == 1) world.send(7, 0, 3); }},
    {"send-buffer-modified",
     [](communicator& world) {
         if (world.rank() == 0) {
             int value = 1;
             baton::request sending = world.isend(value, 1, 0);
             value = 2;
             sending.wait();
         } else {
             world.recv<int>(0, 0);
         }
     }},
    {"receive-buffer-modified",
     [](communicator& world) {
         if (world.rank() == 0) {
             int value = 0;
             baton::request receiving = world.irecv(value, 1, 0);
             value = 5;
             receiving.wait();
         } else {
             world.send(1, 0, 0);
         }
     }},
    {"rank-failure",
     [](communicator& world) {
         world.barrier();
         if (world.rank() == 1) throw std::runtime_error("input file not found");
         world.barrier();
     }},
    {"schedule-dependence",  // run with --explore 100 --deterministic
     [](communicator& world) {
         if (world.rank() == 0) {
             const auto first = world.recv<int>(baton::any_source, 0);
             baton::tagged(world) << "first: " << first;
             world.recv<int>(baton::any_source, 0);
         } else {
             world.send(world.rank(), 0, 0);
         }
     }},
    {"nondeterminism",  // run with --replay v1.1/2, recorded when two ranks sent (say, on a Monday)
     [](communicator& world) {
         if (world.rank() == 0) world.recv<int>(baton::any_source, 0);
         else if (world.rank() == 1) world.send(1, 0, 0);
     }},
    // Issue #12: reports that point at the fix.
    {"null-communicator",  // rank 0 is in no half, and still calls the barrier of its half
     [](communicator& world) {
         communicator half = world.split(world.rank() == 0 ? baton::undefined : world.rank() % 2, 0);
         half.barrier();
     }},
    {"wrong-tag",  // rank 0 sends tag 7, rank 1 waits for tag 8
     [](communicator& world) {
         if (world.rank() == 0) world.send(1, 1, 7);
         else world.recv<int>(0, 8);
         world.barrier();
     }},
    {"sub-communicator",  // in each pair, the second waits for tag 2 and the first sent tag 1
     [](communicator& world) {
         communicator pair = world.split(world.rank() % 2, 0);
         if (pair.rank() == 0) {
             pair.send(world.rank(), 1, 1);
             pair.recv<int>(1, 3);
         } else {
             pair.recv<int>(0, 2);
             pair.send(world.rank(), 0, 3);
         }
     }},
    {"output-per-rank",  // each worker prints a line once rank 0 has heard from it, in any order
     [](communicator& world) {
         if (world.rank() == 0) {
             for (int i = 1; i < world.size(); ++i) world.send(0, world.recv<int>(baton::any_source, 0), 1);
         } else {
             world.send(world.rank(), 0, 0);
             world.recv<int>(0, 1);
             baton::tagged(world) << "done";
         }
     }},
    {"ready-send-without-receive",  // rank 1 posts its receive only after the rsend's next message
     [](communicator& world) {
         if (world.rank() == 0) {
             world.rsend(2.5, 1, 4);
             world.send(0, 1, 5);
         } else {
             world.recv<int>(0, 5);
             world.recv<double>(0, 4);
         }
     }},
};

}  // namespace

int main(int argc, char** argv) {
    const std::string kind = argc > 1 ? argv[argc - 1] : "";
    const auto program = programs.find(kind);
    if (program == programs.end()) return 2;
    return baton::run(argc, argv, program->second);
}
