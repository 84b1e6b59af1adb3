// baton::run: reads baton's options from the command line and the environment, takes them out of
// argv, picks the backend and runs the rank function. Reports failures on stderr.
#include <baton/run.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

namespace baton {

namespace {

struct settings {
    sim::options sim;
    std::string backend = "auto";
};

// True when a launcher such as mpiexec started this process.
bool launched_by_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(variable)) return true;
    return false;
}

std::string quoted_command(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) {
        if (!text.empty()) text += ' ';
        const bool plain = !word.empty() && word.find_first_of(" \t\"'$\\") == std::string::npos;
        text += plain ? word : "'" + word + "'";
    }
    return text;
}

}  // namespace

int run(int& argc, char**& argv, const std::function<void(communicator&)>& body) {
    settings chosen;
    std::string schedule = "random", sends = "buffered";
    CLI::App app{"A baton program. Options read by baton (the program gets the other arguments):"};
    app.allow_extras();
    app.set_help_flag("--help", "Print baton's options and exit");
    app.add_option("--ranks", chosen.sim.ranks, "Simulated ranks")
        ->envname("BATON_RANKS")->check(CLI::Range(1, 1 << 24))->capture_default_str();
    app.add_option("--seed", chosen.sim.seed, "Seed of the simulator's scheduler")
        ->envname("BATON_SEED")->capture_default_str();
    app.add_option("--schedule", schedule, "How the simulator picks the next rank: random or round-robin")
        ->envname("BATON_SCHEDULE")->check(CLI::IsMember({"random", "round-robin"}))->capture_default_str();
    app.add_option("--sends", sends, "buffered (like MPI's eager sends) or synchronous (every send waits for its receive)")
        ->envname("BATON_SENDS")->check(CLI::IsMember({"buffered", "synchronous"}))->capture_default_str();
    app.add_option("--backend", chosen.backend, "sim, mpi, or auto (mpi when started by mpiexec)")
        ->envname("BATON_BACKEND")->check(CLI::IsMember({"auto", "sim", "mpi"}))->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    chosen.sim.schedule = *sim::parse_schedule(schedule);
    chosen.sim.sends = *sim::parse_send_mode(sends);

    // Hand the program back only its own arguments, in their order, as MPI_Init does.
    const std::vector<std::string> extras = app.remaining();
    std::vector<std::string> user_args;
    int kept = 1;
    std::size_t next_extra = 0;
    for (int i = 1; i < argc && next_extra < extras.size(); ++i)
        if (extras[next_extra] == argv[i]) {
            argv[kept++] = argv[i];
            user_args.push_back(extras[next_extra++]);
        }
    argv[kept] = nullptr;
    argc = kept;

    std::string backend = chosen.backend;
    if (backend == "auto") backend = launched_by_mpi() ? "mpi" : "sim";
    if (backend == "mpi") {
        std::cerr << "baton: the MPI backend is not part of this build; run without mpiexec (or with "
                     "--backend sim) to use simulated ranks\n";
        return 2;
    }

    std::vector<std::string> replay = {argv[0],
                                       "--ranks", std::to_string(chosen.sim.ranks),
                                       "--seed", std::to_string(chosen.sim.seed),
                                       "--schedule", sim::to_string(chosen.sim.schedule),
                                       "--sends", sim::to_string(chosen.sim.sends)};
    replay.insert(replay.end(), user_args.begin(), user_args.end());
    chosen.sim.replay_command = quoted_command(replay);

    try {
        sim::run_ranks(chosen.sim, body);
        return 0;
    } catch (const rank_failed& e) {
        std::cout << std::flush;
        std::cerr << "baton: " << e.what() << "\n  replay: " << chosen.sim.replay_command << '\n';
    } catch (const std::exception& e) {
        std::cout << std::flush;
        std::cerr << "baton: " << e.what() << '\n';
    }
    return 1;
}

}  // namespace baton
