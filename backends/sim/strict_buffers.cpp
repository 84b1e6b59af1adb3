// --strict-buffers: pending buffers' pages protected with mprotect, faults recorded by the
// SIGSEGV handler (see strict_buffers.hpp for what it catches and what it does not).
#include "strict_buffers.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "process_exit.hpp"

extern char** environ;

namespace baton::sim::detail::strict_buffers {

namespace {

// One protected buffer. The handler reads slots without a lock (it may interrupt anything), so a
// slot is filled before it is marked live and marked free before it is reused; protect and
// release, in ordinary code, take `writers` among themselves (runs in several threads).
struct slot {
    std::atomic<bool> live{false};
    std::atomic<bool> claimed{false};  // the handler has recorded a fault (and given the pages back)
    std::atomic<bool> faulted{false};  // ... and finished recording it
    std::uintptr_t begin = 0, end = 0;
    int protection = PROT_NONE;
    access seen;
};
slot table[slots];
std::atomic<int> live_slots{0};
std::mutex writers;

std::uintptr_t page_size() {
    static const auto size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

bool overlaps(const slot& s, std::uintptr_t begin, std::uintptr_t end) { return s.begin < end && begin < s.end; }

// Whether [begin, end) is ordinary read-write memory, which release() may give back as such: the
// heap, a stack, an anonymous mapping. A binary's static data may be read-only (.rodata, where a
// const global lives): there /proc/self/maps says.
bool plainly_writable(std::uintptr_t begin, std::uintptr_t end) {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(begin), &info) == 0 || !info.dli_fbase) return true;
    const int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    std::string maps;
    char block[4096];
    for (ssize_t n; (n = ::read(fd, block, sizeof block)) > 0;) maps.append(block, static_cast<std::size_t>(n));
    ::close(fd);
    std::string_view rest = maps;
    while (!rest.empty()) {
        const std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(std::min(rest.size(), line.size() + 1));
        unsigned long low = 0, high = 0;
        char perms[5] = {};
        if (std::sscanf(std::string(line.substr(0, 64)).c_str(), "%lx-%lx %4s", &low, &high, perms) != 3) continue;
        if (begin >= low && begin < high) return end <= high && perms[0] == 'r' && perms[1] == 'w';
    }
    return false;
}

// Gives back the pages of `s` that are still protected, and re-protects those that another live
// slot, not yet faulted, covers.
void unprotect(const slot& s) {
    ::mprotect(reinterpret_cast<void*>(s.begin), s.end - s.begin, PROT_READ | PROT_WRITE);
    for (const slot& other : table) {
        if (&other == &s || !other.live.load(std::memory_order_acquire) || other.claimed.load() || !overlaps(other, s.begin, s.end))
            continue;
        const std::uintptr_t low = std::max(s.begin, other.begin), high = std::min(s.end, other.end);
        ::mprotect(reinterpret_cast<void*>(low), high - low, other.protection);
    }
}

// ---- Naming the line of an access -----------------------------------------------------------

// The path of a binary as addr2line can open it: the running program is its own /proc/self/exe
// (dladdr names it by argv[0], which may be relative or a name found on PATH).
std::string binary_path(const char* name) {
    if (name && *name && std::string_view(name) != program_invocation_name) return name;
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string(name ? name : "");
}

// What `addr2line -a -C -f -i -e binary ADDRESS...` prints, or nothing if it cannot be run.
std::string run_addr2line(const std::string& binary, const std::vector<std::uintptr_t>& addresses) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return {};
    std::vector<std::string> words = {"addr2line", "-a", "-C", "-f", "-i", "-e", binary};
    for (const auto a : addresses) words.push_back(fmt::format("{:#x}", a));
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t child = 0;
    const int failed = ::posix_spawnp(&child, "addr2line", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string text;
    if (failed == 0) {
        char block[4096];
        for (;;) {
            const ssize_t n = ::read(out[0], block, sizeof block);
            if (n > 0) text.append(block, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR) break;
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    }
    ::close(out[0]);
    return text;
}

struct source_line {
    std::string function, file;
    unsigned line = 0;
};

// addr2line's answer: for each address, its lines, innermost inlined function first.
std::vector<std::vector<source_line>> parse_addr2line(std::string_view text) {
    std::vector<std::vector<source_line>> result;
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.push_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with("0x")) {
            result.emplace_back();
            continue;
        }
        if (result.empty() || i + 1 >= lines.size()) break;
        source_line place{std::string(lines[i]), {}, 0};
        std::string_view where = lines[++i];
        where = where.substr(0, where.find(" (discriminator"));
        const std::size_t colon = where.rfind(':');
        if (colon != std::string_view::npos) {
            place.file = where.substr(0, colon);
            place.line = static_cast<unsigned>(std::strtoul(std::string(where.substr(colon + 1)).c_str(), nullptr, 10));
        }
        result.back().push_back(std::move(place));
    }
    return result;
}

// A path from the debug information ("/src/build/../app.cpp") as reports name files: relative to
// the source root when it ends with the request's own file, else to the working directory.
std::string as_reported(const std::string& file, std::string_view hint) {
    const std::string normal = std::filesystem::path(file).lexically_normal().string();
    while (hint.starts_with("../")) hint.remove_prefix(3);
    if (!hint.empty() && (normal == hint || normal.ends_with("/" + std::string(hint)))) return std::string(hint);
    std::error_code error;
    const std::string here = std::filesystem::current_path(error).string();
    if (!error && normal.starts_with(here + "/")) return normal.substr(here.size() + 1);
    return normal;
}

bool system_file(std::string_view file) { return file.empty() || file.starts_with("??") || file.starts_with("/usr/"); }

}  // namespace

int protect(const void* data, std::size_t bytes, bool no_access) {
    // backtrace() loads libgcc on its first call: here, not in the signal handler.
    static std::once_flag warmed;
    std::call_once(warmed, [] {
        void* frame[1];
        ::backtrace(frame, 1);
    });
    const std::uintptr_t page = page_size(), first = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t begin = (first + page - 1) / page * page, end = (first + bytes) / page * page;
    if (begin >= end || !plainly_writable(begin, end)) return -1;
    const int protection = no_access ? PROT_NONE : PROT_READ;
    std::lock_guard lock(writers);
    slot* free = nullptr;
    for (slot& s : table) {
        if (!s.live.load(std::memory_order_relaxed)) {
            if (!free) free = &s;
        } else if (overlaps(s, begin, end) && s.protection != protection) {
            return -1;  // an irecv into an isend's buffer: reported when posted (buffer_checks.cpp)
        }
    }
    if (!free) return -1;
    free->begin = begin;
    free->end = end;
    free->protection = protection;
    free->seen = access{};
    free->claimed.store(false);
    free->faulted.store(false);
    free->live.store(true, std::memory_order_release);
    live_slots.fetch_add(1);
    if (::mprotect(reinterpret_cast<void*>(begin), end - begin, protection) != 0) {
        free->live.store(false);
        live_slots.fetch_sub(1);
        return -1;
    }
    return static_cast<int>(free - table);
}

access release(int index) {
    std::lock_guard lock(writers);
    slot& s = table[index];
    s.live.store(false, std::memory_order_release);
    live_slots.fetch_sub(1);
    const bool faulted = s.faulted.load(std::memory_order_acquire);
    if (!s.claimed.load()) unprotect(s);  // a slot that faulted was given back by the handler
    return faulted ? s.seen : access{};
}

bool on_fault(int signal, siginfo_t* info, void* context) noexcept {
    if (signal != SIGSEGV || info->si_code != SEGV_ACCERR || live_slots.load(std::memory_order_acquire) == 0)
        return false;
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    bool ours = false;
    for (slot& s : table) {
        if (!s.live.load(std::memory_order_acquire) || address < s.begin || address >= s.end) continue;
        ours = true;
        if (!s.claimed.exchange(true)) {
            access& seen = s.seen;
            seen.seen = true;
            seen.rank = current_rank();
            seen.address = address;
#if defined(__x86_64__)
            const auto& registers = static_cast<const ucontext_t*>(context)->uc_mcontext.gregs;
            seen.what = (registers[REG_ERR] & 2) ? access::write : access::read;  // the page fault's W bit
            seen.pc = static_cast<std::uintptr_t>(registers[REG_RIP]);
#elif defined(__aarch64__)
            seen.pc = static_cast<std::uintptr_t>(static_cast<const ucontext_t*>(context)->uc_mcontext.pc);
#else
            (void)context;
#endif
            void* frames[access::max_frames];
            seen.frame_count = ::backtrace(frames, access::max_frames);
            for (int i = 0; i < seen.frame_count; ++i) seen.frames[i] = reinterpret_cast<std::uintptr_t>(frames[i]);
            s.faulted.store(true, std::memory_order_release);
        }
        // Whatever else happened, this page must be accessible when the instruction runs again.
        ::mprotect(reinterpret_cast<void*>(s.begin), s.end - s.begin, PROT_READ | PROT_WRITE);
    }
    return ours;
}

std::string where(const access& seen, std::string_view source_hint) {
    // The frames from the faulting instruction outwards (the handler's own come first), each a
    // return address but the first: one byte back is inside the call.
    std::vector<std::uintptr_t> frames;
    if (seen.pc) frames.push_back(seen.pc);
    const std::uintptr_t* start = std::find(seen.frames, seen.frames + seen.frame_count, seen.pc);
    if (start != seen.frames + seen.frame_count)
        for (const std::uintptr_t* f = start + 1; f < seen.frames + seen.frame_count; ++f) frames.push_back(*f - 1);
    struct frame {
        std::string binary, symbol;
        std::uintptr_t offset = 0;
        std::vector<source_line> lines;
    };
    std::vector<frame> resolved;
    std::map<std::string, std::vector<std::size_t>> by_binary;
    for (const std::uintptr_t address : frames) {
        frame f;
        Dl_info info{};
        if (::dladdr(reinterpret_cast<void*>(address), &info) == 0 || !info.dli_fbase) continue;
        f.binary = binary_path(info.dli_fname);
        if (info.dli_sname) {
            int status = 0;
            char* name = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
            f.symbol = status == 0 && name ? name : info.dli_sname;
            std::free(name);
        }
        // A position-independent binary is looked up by offset, a fixed-address one by address.
        const auto* header = static_cast<const ElfW(Ehdr)*>(info.dli_fbase);
        f.offset = header->e_type == ET_EXEC ? address : address - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
        by_binary[f.binary].push_back(resolved.size());
        resolved.push_back(std::move(f));
    }
    for (auto& [binary, indices] : by_binary) {
        std::vector<std::uintptr_t> offsets;
        for (const auto i : indices) offsets.push_back(resolved[i].offset);
        const auto answers = parse_addr2line(run_addr2line(binary, offsets));
        for (std::size_t k = 0; k < indices.size() && k < answers.size(); ++k) resolved[indices[k]].lines = answers[k];
    }
    // The innermost line in the program's own sources: not a system header's (std::fill, memset).
    for (const auto& f : resolved)
        for (const auto& line : f.lines)
            if (!system_file(line.file) && line.line > 0) {
                // A lambda inlined into std::function's invoker is named after the invoker: no help.
                const bool named = !line.function.empty() && !line.function.starts_with("std::") &&
                                   !line.function.starts_with("??");
                return fmt::format("{}:{}{}", as_reported(line.file, source_hint), line.line,
                                   named ? " (in " + line.function + ")" : "");
            }
    for (const auto& f : resolved)
        if (!system_file(f.binary) && !f.binary.starts_with("/lib"))
            return fmt::format("{}{}+{:#x} (no line: build with -g for one)", f.symbol.empty() ? "" : f.symbol + " in ",
                               f.binary, f.offset);
    return fmt::format("address {:#x}", seen.pc);
}

}  // namespace baton::sim::detail::strict_buffers
