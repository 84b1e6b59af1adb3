#include "output_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace baton::sim::detail {

void output_files::write(const char* option, const std::string& path, std::string_view text) {
    int error = 0;
    const bool device = path.starts_with("/dev/");
    if (device) {
        std::cout.flush();
        std::fflush(stdout);
    }
    if (std::FILE* file = std::fopen(path.c_str(), device ? "a" : "w")) {
        if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) error = errno;
        if (std::fclose(file) != 0 && error == 0) error = errno;
    } else {
        error = errno;
    }
    if (error == 0) return;
    std::cerr << "baton: cannot write " << option << ' ' << path << ": " << std::strerror(error) << '\n';
    failed_ = true;
}

}  // namespace baton::sim::detail
