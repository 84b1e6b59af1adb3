// Forking, watching and reaping the processes of process ranks (process_ranks.hpp).
#include "process_ranks.hpp"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include <baton/errors.hpp>

#include "contexts.hpp"
#include "debugger_stop.hpp"
#include "payload_area.hpp"
#include "process_child.hpp"
#include "process_errors.hpp"
#include "process_wire.hpp"
#include "rank_names.hpp"

namespace baton::sim::detail {

namespace asio = boost::asio;
using socket_type = asio::local::stream_protocol::socket;

namespace {

struct child {
    explicit child(asio::io_context& io) : socket(io) {}
    pid_t pid = -1;
    socket_type socket;
    // Bytes read from the socket and not yet taken: a frame's length and its body usually
    // arrive together, and one read takes both (and whatever follows).
    std::vector<std::byte> unread = std::vector<std::byte>(4096);
    std::size_t unread_begin = 0, unread_end = 0;
    bool finished = false;  // its rank function is over: its process may end
    bool reaped = false;
    int wait_status = 0;
};

// Moves all of `bytes` with `some` (a socket's read_some or write_some), going on after a signal
// (SIGCHLD) interrupts: false if the socket ended.
template <class Buffer, class Transfer>
bool transfer_all(Buffer bytes, Transfer some) {
    while (bytes.size() > 0) {
        boost::system::error_code error;
        const std::size_t done = some(bytes, error);
        if (error == asio::error::interrupted) continue;
        if (error) return false;
        bytes += done;
    }
    return true;
}
bool read_all(socket_type& socket, asio::mutable_buffer bytes) {
    return transfer_all(bytes, [&socket](const auto& part, auto& error) { return socket.read_some(part, error); });
}
bool write_all(socket_type& socket, asio::const_buffer bytes) {
    return transfer_all(bytes, [&socket](const auto& part, auto& error) { return socket.write_some(part, error); });
}

}  // namespace

struct process_ranks::impl {
    asio::io_context io;
    asio::signal_set child_signals{io, SIGCHLD};
    bool some_child_ended = false;
    std::chrono::steady_clock::time_point next_look{};  // ended_early's next look without look_anyway
    std::vector<std::unique_ptr<child>> children;
    // Large payloads, both ways (payload_area.hpp); the engine's room in each rank's half it writes.
    std::unique_ptr<payload_area> payloads;
    std::vector<payload_space> to_ranks;
    // The most a frame may claim to hold: a rank cannot make the engine allocate more.
    std::uint64_t largest_frame = std::uint64_t{1} << 36;

    void watch_children() {
        child_signals.async_wait([this](const boost::system::error_code& error, int) {
            if (error) return;
            some_child_ended = true;
            watch_children();
        });
    }

    // Waits for rank `rank`'s process to end (its socket has) and says how it did.
    std::string ended(int rank) {
        auto& c = *children[static_cast<std::size_t>(rank)];
        if (!c.reaped) {
            while (::waitpid(c.pid, &c.wait_status, 0) < 0 && errno == EINTR) {
            }
            c.reaped = true;
        }
        return how_process_ended(c.wait_status);
    }
};

process_ranks::process_ranks(int ranks, const std::function<void(communicator&)>& body) : impl_(std::make_unique<impl>()) {
    if (const std::uint64_t memory = memory_and_swap(); memory > 0) impl_->largest_frame = memory;
    (void)wire::read_only_image::of_this_process();  // read before the children can change nothing of it
    impl_->watch_children();
    impl_->payloads = std::make_unique<payload_area>(ranks);
    for (int r = 0; r < ranks; ++r) impl_->to_ranks.emplace_back(impl_->payloads->to_rank(r));
    // What the program printed before the run must not be printed again by every child.
    std::cout.flush();
    std::fflush(nullptr);
    const pid_t engine = ::getpid();
    impl_->children.reserve(static_cast<std::size_t>(ranks));
    for (int r = 0; r < ranks; ++r) {
        auto c = std::make_unique<child>(impl_->io);
        socket_type theirs(impl_->io);
        asio::local::connect_pair(c->socket, theirs);
        const pid_t pid = ::fork();
        if (pid == 0) {
            // The child ends with the engine's thread, even if that is killed (no cleanup there).
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != engine) ::_exit(1);
            name_after_rank(r);
            ::close(c->socket.native_handle());
            for (const auto& sibling : impl_->children) ::close(sibling->socket.native_handle());
            impl_->payloads->keep_only(r);
            run_process_rank(r, theirs.native_handle(), impl_->payloads->to_engine(r), impl_->payloads->to_ranks(), body);
        }
        if (pid < 0)
            throw error(fmt::format("could not fork a process for rank {}: {} (ulimit -u limits processes)", r,
                                    ::strerror(errno)));
        c->pid = pid;
        theirs.close();
        impl_->children.push_back(std::move(c));
    }
}

process_ranks::~process_ranks() {
    for (auto& c : impl_->children) {
        boost::system::error_code ignored;
        c->socket.close(ignored);  // a child waiting for an answer sees the end, and ends
        if (!c->finished && !c->reaped) ::kill(c->pid, SIGKILL);
    }
    for (auto& c : impl_->children)
        if (!c->reaped)
            while (::waitpid(c->pid, &c->wait_status, 0) < 0 && errno == EINTR) {
            }
}

void process_ranks::send(int rank, std::span<const std::byte> frame) {
    auto& c = *impl_->children[static_cast<std::size_t>(rank)];
    if (!write_all(c.socket, asio::const_buffer(frame.data(), frame.size())))
        throw rank_process_ended(impl_->ended(rank));
}

pid_t process_ranks::pid_of(int rank) const { return impl_->children[static_cast<std::size_t>(rank)]->pid; }

void process_ranks::stop_for_debugger(int rank) {
    std::vector<std::byte> frame;
    send(rank, wire::writer(frame, wire::verb::debug_stop).finish());
    // A debugger that started the program debugs the engine's process and does not follow the
    // ranks' forks: stop it here as well, where it can look at the run (`baton ranks`) and attach
    // to the rank's process (`baton rank N`), which waits for that. Without a debugger the engine
    // just waits for the rank.
    if (debugger_attached()) std::raise(SIGTRAP);
}

void process_ranks::receive(int rank, std::vector<std::byte>& frame) {
    auto& c = *impl_->children[static_cast<std::size_t>(rank)];
    // At least `bytes` unread, reading as much as comes: false if the socket ended.
    auto have = [&c](std::size_t bytes) {
        if (c.unread_end - c.unread_begin >= bytes) return true;
        if (c.unread_begin > 0) {
            std::copy(c.unread.begin() + static_cast<std::ptrdiff_t>(c.unread_begin),
                      c.unread.begin() + static_cast<std::ptrdiff_t>(c.unread_end), c.unread.begin());
            c.unread_end -= c.unread_begin;
            c.unread_begin = 0;
        }
        while (c.unread_end < bytes) {
            boost::system::error_code error;
            const std::size_t got =
                c.socket.read_some(asio::mutable_buffer(c.unread.data() + c.unread_end, c.unread.size() - c.unread_end), error);
            if (error == asio::error::interrupted) continue;
            if (error) return false;
            c.unread_end += got;
        }
        return true;
    };
    std::uint32_t length = 0;
    if (!have(sizeof length)) throw rank_process_ended(impl_->ended(rank));
    std::memcpy(&length, c.unread.data() + c.unread_begin, sizeof length);
    c.unread_begin += sizeof length;
    if (length == 0 || length > impl_->largest_frame) throw wire::malformed_frame("a request of an impossible size");
    frame.resize(length);
    // What was read already, then the rest straight into the frame (a large one is copied once).
    const std::size_t buffered = std::min<std::size_t>(length, c.unread_end - c.unread_begin);
    std::memcpy(frame.data(), c.unread.data() + c.unread_begin, buffered);
    c.unread_begin += buffered;
    if (buffered < length && !read_all(c.socket, asio::mutable_buffer(frame.data() + buffered, length - buffered)))
        throw rank_process_ended(impl_->ended(rank));
}

std::span<const std::byte> process_ranks::from_rank(int rank) const { return impl_->payloads->to_engine(rank); }

payload_space& process_ranks::to_rank(int rank) { return impl_->to_ranks[static_cast<std::size_t>(rank)]; }

std::span<const std::byte> process_ranks::to_ranks() const { return impl_->payloads->to_ranks(); }

payload_block process_ranks::share(const void* at, std::size_t bytes) {
    const int rank = impl_->payloads->to_rank_holding(at);
    if (rank < 0) return {};
    return impl_->to_ranks[static_cast<std::size_t>(rank)].share(static_cast<const std::byte*>(at), bytes);
}

void process_ranks::finished(int rank) { impl_->children[static_cast<std::size_t>(rank)]->finished = true; }

int process_ranks::ended_early(std::string& how, bool look_anyway) {
    if (!look_anyway) {
        const auto now = std::chrono::steady_clock::now();
        if (now < impl_->next_look) return -1;
        impl_->next_look = now + std::chrono::milliseconds(1);
    }
    impl_->io.poll();
    if (!impl_->some_child_ended && !look_anyway) return -1;
    impl_->some_child_ended = false;
    for (std::size_t r = 0; r < impl_->children.size(); ++r) {
        auto& c = *impl_->children[r];
        if (c.reaped) continue;
        if (::waitpid(c.pid, &c.wait_status, WNOHANG) != c.pid) continue;
        c.reaped = true;
        if (c.finished) continue;
        how = how_process_ended(c.wait_status);
        // Others may have ended at the same time: look again at the next call.
        impl_->some_child_ended = true;
        return static_cast<int>(r);
    }
    return -1;
}

std::string how_process_ended(int wait_status) {
    if (WIFSIGNALED(wait_status)) {
        const int signal = WTERMSIG(wait_status);
        const char* abbreviation = ::sigabbrev_np(signal);
        const char* description = ::sigdescr_np(signal);
        std::string how = abbreviation ? fmt::format("died of SIG{}", abbreviation) : fmt::format("died of signal {}", signal);
        if (description) how += fmt::format(" ({})", description);
        if (WCOREDUMP(wait_status)) how += ", core dumped";
        return how;
    }
    if (WIFEXITED(wait_status))
        return fmt::format("exited with status {} before its rank function returned", WEXITSTATUS(wait_status));
    return "ended";
}

}  // namespace baton::sim::detail
