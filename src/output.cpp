#include <baton/output.hpp>

#include <iostream>
#include <string_view>

namespace baton {

tagged_output::~tagged_output() {
    const std::string text = text_.str();
    std::string out;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const auto line = rest.substr(0, end);
        out += "[rank " + std::to_string(rank_) + "] ";
        out += line;
        out += '\n';
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    std::cout << out << std::flush;
}

}  // namespace baton
