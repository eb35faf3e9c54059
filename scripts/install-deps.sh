#!/usr/bin/env bash
# install-deps.sh - install the Debian packages spreadbench builds and runs
# with, only those missing.  Needs root or sudo; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # compiler and build
  libcsv-dev                         # CSV reading and writing
  libjansson-dev                     # JSON output
  libhwloc-dev hwloc                 # topology (and lstopo for users)
  libjemalloc-dev libjemalloc2       # the jemalloc allocator option
  clang libomp-dev                   # the ThreadSanitizer build (LLVM OpenMP with Archer)
  libclang-rt-14-dev                 # libFuzzer and the sanitizer runtimes for clang (scripts/fuzz.sh)
  valgrind                           # instruction counts (spreadbench count)
  libopenmpi-dev openmpi-bin         # the mpi-shm strategy (Open MPI)
  git                                # the commit recorded with results
  gnuplot-nox                        # plots (run as an external program)
)

missing=()
for p in "${packages[@]}"; do
  [[ $p == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
