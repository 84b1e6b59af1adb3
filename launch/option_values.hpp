// baton's options' values. CLI11 reads every value as text and the functions below convert it,
// strictly: so that a bad value is one line naming it as the user gave it ("--ranks 0",
// "BATON_RANKS=0") and exit status 2. (CLI11 itself wraps "-1" to 2^64-1, reads "0x10" as 16,
// names an environment variable as its flag and prints two lines with its own exit codes.)
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace baton::launch {

// An option's value, if it was given, and where from.
struct given {
    std::string text;
    std::string where;  // "--ranks 0" or "BATON_RANKS=0"; empty when not given
    bool on_command_line = false;
    explicit operator bool() const { return !where.empty(); }
};

class option_table {
public:
    explicit option_table(CLI::App& app) : app_(app) {}

    // --flag VALUE, or the environment variable `env` (if any) when the command line does not
    // give it. The reference stays valid; it is filled in by resolve().
    const given& add(std::string flag, const char* env, const char* type, const std::string& default_text,
                     std::string description);

    // After parsing. The environment is read here, not by CLI11, to know which one gave a value.
    // An empty variable counts as unset, as it does for CLI11 and BATON_CONTEXT.
    void resolve();

private:
    struct entry {
        std::string flag;
        const char* env = nullptr;
        std::string text;  // what CLI11 read
        CLI::Option* option = nullptr;
        given value;
    };
    CLI::App& app_;
    std::deque<entry> entries_;  // a deque: add() hands out references
};

[[noreturn]] void reject(const given& value, const std::string& expected);

// Decimal digits only: from_chars takes no sign (strtoull would read "-1" as 2^64-1), no "0x"
// and no spaces, and says when the number does not fit.
std::optional<std::uint64_t> decimal(std::string_view text);

// The take_* functions set `target` from a value that was given, or throw usage_error naming it.
template <class T>
void take_number(const given& value, T& target, std::uint64_t least,
                 std::uint64_t most = std::numeric_limits<T>::max()) {
    if (!value) return;
    const auto number = decimal(value.text);
    if (!number || *number < least || *number > most)
        reject(value, "a whole number from " + std::to_string(least) + " to " + std::to_string(most));
    target = static_cast<T>(*number);
}

// "a, b or c"
std::string one_of(const std::vector<std::string>& names);

template <class T>
void take_choice(const given& value, T& target, const std::vector<std::pair<std::string, T>>& choices) {
    if (!value) return;
    std::vector<std::string> names;
    for (const auto& [name, meaning] : choices) {
        if (value.text == name) {
            target = meaning;
            return;
        }
        names.push_back(name);
    }
    reject(value, one_of(names));
}

void take_file(const given& value, std::string& target);
// A positive decimal number ("1", "0.5", "2e-3").
void take_positive(const given& value, double& target);
// A network for simulated time (sim::options::network).
void take_network(const given& value, std::string& target);

// CLI11's own errors (a value missing, an option given twice) as the rest of baton's line.
std::string without_cli11_words(const CLI::ParseError& e);

// The words as a shell would need them: quoted where they have spaces, quotes, $ or \.
std::string quoted_command(const std::vector<std::string>& words);

}  // namespace baton::launch
