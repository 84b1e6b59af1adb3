// The note, on thread and fiber ranks, that the program has writable globals (globals_note.cpp).
#pragma once

#include <string>
#include <vector>

namespace baton::capi {

// The program's own writable global (and function-static) variables, from the symbol table of the
// ELF executable at `executable`; none when it has no symbol table (stripped) or is not ELF64.
std::vector<std::string> writable_globals(const char* executable);

// Prints one "baton: note:" naming a few of them, once per run, if there are any.
void note_writable_globals();

}  // namespace baton::capi
