#!/usr/bin/env bash
# Installs what bench/run.py uses, from Debian/Ubuntu packages, only what is missing:
#   hyperfine                    times whole processes (case a)
#   openmpi-bin libopenmpi-dev   Open MPI's mpicc and mpiexec (the plain-MPI rows; case e)
#   libsimgrid-dev               SimGrid's smpicc and smpirun (the SimGrid rows)
# bench/run.py itself installs nothing: a row whose tool is missing says so and is skipped.
# Building baton needs what scripts/setup.sh installs (meson, ninja-build, g++, ...).
set -euo pipefail

packages=(hyperfine openmpi-bin libopenmpi-dev libsimgrid-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "bench-setup: everything is installed (${packages[*]})"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "bench-setup: missing ${missing[*]}; as root, run:" >&2
  echo "  apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "bench-setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bench-setup: done"
