#include "option_hints.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <string_view>

#include "option_values.hpp"
#include "warn.hpp"

namespace baton::launch {

namespace {

// Typos, counted as the optimal string alignment distance: a letter added, left out or changed,
// or two neighbours swapped.
std::size_t typos(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The baton options that an argument going to the program was likely meant to be: a name within
// one typo (two for names longer than five letters: a program's --runs is not --ranks), the start
// of a name (--sched), or mpiexec's -n and -np.
std::vector<std::string> meant(std::string_view word, const std::vector<std::string>& names) {
    const std::size_t start = word.find_first_not_of('-');
    if (start == 0 || start == std::string_view::npos || !std::isalpha(static_cast<unsigned char>(word[start])))
        return {};  // not an option, or a number such as -1
    const std::string_view name = word.substr(start, word.find('=') - start);
    if (name == "n" || name == "np") return {"--ranks"};
    // A misspelling first: "--rank" is --ranks, though --rank-timeout starts with it too.
    std::vector<std::string> misspelled, started;
    for (const auto& option : names) {
        if (typos(name, option) <= (option.size() > 5 ? 2u : 1u))
            misspelled.push_back("--" + option);
        else if (name.size() >= 3 && option.starts_with(name))
            started.push_back("--" + option);
    }
    return misspelled.empty() ? started : misspelled;
}

}  // namespace

void hint_typos(const CLI::App& app, const std::vector<std::string>& program_args) {
    if (const char* off = std::getenv("BATON_NO_OPTION_HINTS"); off && *off && std::string_view(off) != "0") return;
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options())
        for (const auto& name : option->get_lnames()) names.push_back(name);
    std::set<std::string> warned;
    for (const auto& word : program_args) {
        if (word == "--") break;
        const std::string shown = word.substr(0, word.find('='));
        if (const auto options = meant(word, names); !options.empty() && warned.insert(shown).second)
            warn("'" + shown + "' is not a baton option and goes to the program; did you mean " + one_of(options) +
                 "? (BATON_NO_OPTION_HINTS=1 silences this)");
    }
}

}  // namespace baton::launch
