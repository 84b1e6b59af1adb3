// The files that options ask a run to write: --trace, --timeline, --report-json, --report-dot
// and --profile-json (which MPI's rank 0 writes too).
#pragma once

#include <string>
#include <string_view>

namespace baton::sim::detail {

class output_files {
public:
    // Writes the whole file, or says on stderr why it could not ("baton: cannot write --trace
    // run.json: No space left on device"). Checked after the file is closed: a full disk (or
    // /dev/full) only shows when the buffer is flushed. A device (/dev/stdout, /dev/stderr) is
    // appended to, after what the program printed: opened for writing it would truncate the file
    // the program's own output is redirected to.
    void write(const char* option, const std::string& path, std::string_view text);

    // Whether a file could not be written: the exit status is then 2.
    bool failed() const { return failed_; }

private:
    bool failed_ = false;
};

}  // namespace baton::sim::detail
