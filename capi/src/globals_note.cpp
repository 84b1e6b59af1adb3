// The note that a program keeps writable globals, which every rank shares on thread and fiber
// ranks (an mpiexec rank is a process: each has its own). Found in the executable's own symbol
// table (/proc/self/exe, ELF .symtab): data objects in its writable sections (.data*, .bss) whose
// names are the program's own: not baton's or a library's (C++ names, mangled, start with _Z;
// the C and C++ runtimes' start with _, carry a version (stdout@GLIBC_2.2.5) or come from
// crtstuff.c; a sanitizer runtime's are hidden; the compiler's own have dots,
// DW.ref.__gxx_personality_v0).
#include "globals_note.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace baton::capi {

namespace {

// The executable, mapped read-only for as long as it is read.
class mapped_file {
public:
    explicit mapped_file(const char* path) {
        const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        struct stat info {};
        if (::fstat(fd, &info) == 0 && info.st_size > 0) {
            void* at = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
            if (at != MAP_FAILED) {
                data_ = static_cast<const std::byte*>(at);
                size_ = static_cast<std::size_t>(info.st_size);
            }
        }
        ::close(fd);
    }
    ~mapped_file() {
        if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
    }
    mapped_file(const mapped_file&) = delete;
    mapped_file& operator=(const mapped_file&) = delete;

    // `count` objects of T at `offset`, or null when they do not lie wholly in the file.
    template <class T>
    const T* at(std::uint64_t offset, std::uint64_t count = 1) const {
        if (!data_ || offset > size_ || count > (size_ - offset) / sizeof(T)) return nullptr;
        return reinterpret_cast<const T*>(data_ + offset);
    }
    // A NUL-terminated name at `offset` within a string table of `size` bytes at `table`.
    std::string_view name(std::uint64_t table, std::uint64_t size, std::uint64_t offset) const {
        const char* text = at<char>(table, size);
        if (!text || offset >= size) return {};
        return {text + offset, strnlen(text + offset, static_cast<std::size_t>(size - offset))};
    }

private:
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

// A C identifier: letters, digits and underscores, not starting with a digit.
bool identifier(std::string_view text) {
    constexpr std::string_view word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    return !text.empty() && (text.front() < '0' || text.front() > '9') && text.find_first_not_of(word) == std::string_view::npos;
}

bool writable_data_section(std::string_view name) {
    return (name.starts_with(".data") && !name.starts_with(".data.rel.ro")) || name.starts_with(".bss");
}

// A name the program's own source gave: not reserved (_x), not C++ (mangled), not a versioned
// symbol of a shared library copied into the program.
bool programs_own(std::string_view name) {
    return !name.empty() && name.front() != '_' && name.find('@') == std::string_view::npos &&
           !name.starts_with("baton_");
}

}  // namespace

std::vector<std::string> writable_globals(const char* executable) {
    std::vector<std::string> found;
    const mapped_file file(executable);
    const auto* header = file.at<Elf64_Ehdr>(0);
    if (!header || std::memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64 ||
        header->e_shentsize != sizeof(Elf64_Shdr))
        return found;
    const auto* sections = file.at<Elf64_Shdr>(header->e_shoff, header->e_shnum);
    if (!sections || header->e_shstrndx >= header->e_shnum) return found;
    const Elf64_Shdr& section_names = sections[header->e_shstrndx];
    auto section_name = [&](const Elf64_Shdr& s) {
        return file.name(section_names.sh_offset, section_names.sh_size, s.sh_name);
    };
    for (std::size_t i = 0; i < header->e_shnum; ++i) {
        const Elf64_Shdr& table = sections[i];
        if (table.sh_type != SHT_SYMTAB || table.sh_entsize != sizeof(Elf64_Sym) || table.sh_link >= header->e_shnum)
            continue;
        const Elf64_Shdr& strings = sections[table.sh_link];
        const auto* symbols = file.at<Elf64_Sym>(table.sh_offset, table.sh_size / sizeof(Elf64_Sym));
        if (!symbols) continue;
        std::string_view source;  // of the local symbols that follow an STT_FILE one
        for (std::size_t k = 0; k < table.sh_size / sizeof(Elf64_Sym); ++k) {
            const Elf64_Sym& symbol = symbols[k];
            std::string_view name = file.name(strings.sh_offset, strings.sh_size, symbol.st_name);
            if (ELF64_ST_TYPE(symbol.st_info) == STT_FILE) source = name;
            if (k >= table.sh_info) source = {};  // the globals, after every local one
            if (ELF64_ST_TYPE(symbol.st_info) != STT_OBJECT || symbol.st_shndx == SHN_UNDEF ||
                symbol.st_shndx >= header->e_shnum || !writable_data_section(section_name(sections[symbol.st_shndx])) ||
                source == "crtstuff.c" ||  // the C runtime's start-up code
                // A hidden global of the executable is a library's internal linked in whole (a
                // sanitizer's runtime: acquire_my_map_info_list); a program's own are visible.
                (k >= table.sh_info && ELF64_ST_VISIBILITY(symbol.st_other) == STV_HIDDEN))
                continue;
            // A static variable in a function: GCC names the program's `name` name.N, clang
            // function.name. Other dotted names are the compiler's own (DW.ref.__gxx_personality_v0).
            if (const auto dot = name.find('.'); dot != std::string_view::npos) {
                const std::string_view before = name.substr(0, dot), after = name.substr(dot + 1);
                if (!after.empty() && after.find_first_not_of("0123456789") == std::string_view::npos)
                    name = before;
                else if (identifier(before) && identifier(after))
                    name = after;
                else
                    continue;
            }
            if (programs_own(name)) found.emplace_back(name);
        }
    }
    return found;
}

void note_writable_globals() {
    // Once per run, whatever the ranks or explorations.
    static std::atomic<bool> noted{false};
    if (noted.exchange(true)) return;
    const std::vector<std::string> globals = writable_globals("/proc/self/exe");
    if (globals.empty()) return;
    std::string named;
    for (std::size_t i = 0; i < globals.size() && i < 3; ++i) named += (i ? ", " : "") + globals[i];
    if (globals.size() > 3) named += ", ... (" + std::to_string(globals.size()) + " in all)";
    std::fprintf(stderr,
                 "baton: note: the program has writable globals (%s), which every rank shares on thread and fiber "
                 "ranks; under mpiexec each rank has its own: run with --context process for that\n",
                 named.c_str());
}

}  // namespace baton::capi
