#include "option_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <baton/errors.hpp>
#include <baton/sim.hpp>

namespace baton::launch {

const given& option_table::add(std::string flag, const char* env, const char* type, const std::string& default_text,
                               std::string description) {
    entry& e = entries_.emplace_back();
    e.flag = std::move(flag);
    e.env = env;
    if (env) description += std::string(" [env ") + env + "]";
    e.option = app_.add_option(e.flag, e.text, description)->type_name(type);
    if (!default_text.empty()) e.option->default_str(default_text);
    return e.value;
}

void option_table::resolve() {
    for (entry& e : entries_) {
        if (e.option->count() > 0) {
            e.value = {e.text, e.flag + ' ' + quoted_command({e.text}), true};
        } else if (const char* text = e.env ? std::getenv(e.env) : nullptr; text && *text) {
            e.value = {text, std::string(e.env) + '=' + text, false};
        }
    }
}

void reject(const given& value, const std::string& expected) {
    throw usage_error(value.where + ": expected " + expected);
}

std::optional<std::uint64_t> decimal(std::string_view text) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return number;
}

std::string one_of(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

void take_file(const given& value, std::string& target) {
    if (!value) return;
    // "--trace --ranks 4" would otherwise write a file named --ranks (a file named so: ./-name).
    if (value.text.empty() || value.text.front() == '-') reject(value, "a file name");
    target = value.text;
}

void take_positive(const given& value, double& target) {
    if (!value) return;
    double number = 0;
    const auto& text = value.text;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !(number > 0) || !std::isfinite(number))
        reject(value, "a positive number");
    target = number;
}

void take_network(const given& value, std::string& target) {
    if (!value) return;
    try {
        sim::check_network(value.text);
    } catch (const usage_error& e) {
        throw usage_error(value.where + ": " + e.what());
    }
    target = value.text;
}

std::string without_cli11_words(const CLI::ParseError& e) {
    const std::string what = e.what();
    const std::string flag = what.substr(0, what.find(':'));
    if (what.find(": 1 required ") != std::string::npos && what.ends_with(" missing"))  // "--ranks: 1 required N missing"
        return flag + ": the value is missing";
    if (what.find(": At Most 1 required but received ") != std::string::npos)
        return flag + ": given more than once";
    return what;
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

}  // namespace baton::launch
