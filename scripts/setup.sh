#!/usr/bin/env bash
# Installs what baton needs from Debian/Ubuntu packages (only what is missing), then configures
# and builds it in build/ (or the directory given as $1, with any further meson options after it).
#   scripts/setup.sh                       # build/
#   scripts/setup.sh build-asan -Db_sanitize=address,undefined
#   EXTRA_PACKAGES="clang-16 libclang-rt-16-dev" CXX=clang++-16 scripts/setup.sh build-clang
#   CONFIGURE_ONLY=1 scripts/setup.sh build-tsan -Db_sanitize=thread  # no build: `meson test
#       --suite core` then builds only what that suite's tests need
# On a machine without apt, or as a user who can neither install nor sudo, it installs nothing:
# it prints what to install and the plain meson commands, and exits with status 1.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian/Ubuntu package names. Open MPI is optional (without it baton builds the simulator only).
packages=(meson ninja-build g++ pkg-config cmake python3 catch2 gdb libfmt-dev libcli11-dev libcereal-dev
          nlohmann-json3-dev libboost-context-dev libxxhash-dev libopenmpi-dev openmpi-bin ${EXTRA_PACKAGES:-})

instructions() {
  cat >&2 <<'TEXT'
setup: cannot install packages here; install these yourself, then build with meson:
  a C++20 compiler: g++ >= 11 or clang >= 15        (Debian/Ubuntu: g++)
  meson >= 1.0, ninja, pkg-config, cmake, python3    (meson ninja-build pkg-config cmake python3)
  fmt >= 8                                           (libfmt-dev)
  Boost.Context >= 1.74                              (libboost-context-dev)
  xxHash >= 0.8, to build baton only                 (libxxhash-dev)
  cereal >= 1.3, CLI11 >= 2.1, nlohmann_json >= 3.9  (libcereal-dev libcli11-dev nlohmann-json3-dev)
  Catch2 2.13 or 3, for the tests only               (catch2)
  gdb, for two tests only (optional)                 (gdb)
  an MPI implementation, optional                    (libopenmpi-dev openmpi-bin)

  meson setup build && ninja -C build && meson test -C build
TEXT
}

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  echo "setup: this is not a Debian or Ubuntu machine (no apt-get)" >&2
  instructions
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: missing ${missing[*]}, and this user is not root and has no sudo" >&2
      instructions
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build=${1:-build}
shift || true
if [ ! -f "$build/build.ninja" ]; then
  # On success only meson's summary (what was found, "MPI backend: YES" or NO, what will be
  # built); on failure all that meson said.
  if ! log=$(meson setup "$build" "$@" 2>&1); then
    echo "$log" >&2
    exit 1
  fi
  echo "$log" | sed -n '/^baton [0-9]/,/^Found ninja/p' | grep -v '^Found ninja'
fi
[ "${CONFIGURE_ONLY:-}" = 1 ] || ninja -C "$build"
