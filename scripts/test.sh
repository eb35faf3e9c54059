#!/usr/bin/env bash
# test.sh - set up, build with warnings as errors, and run every test;
# then again under AddressSanitizer and UndefinedBehaviorSanitizer, then
# the fuzz targets for a bounded time (scripts/fuzz.sh, 60 s each), and the
# tests that start threads under ThreadSanitizer (built with clang, whose
# OpenMP runtime tells ThreadSanitizer about its synchronisation).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSPREADBENCH_WERROR=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPREADBENCH_SANITIZE=ON -DSPREADBENCH_WERROR=ON
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
scripts/fuzz.sh 60
# (Without MPI: Open MPI's own threads are not instrumented.)
cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPREADBENCH_TSAN=ON -DSPREADBENCH_WERROR=ON -DSPREADBENCH_MPI=OFF
cmake --build build-tsan -j "$jobs"
# die_after_fork=0: the pool's workers are forked from the runner, which
# has threads of its own (the memory sampler), and a worker with
# --job-threads 2 starts its fire's OpenMP team; ThreadSanitizer refuses
# that by default, though glibc and the fire need nothing from the
# parent's other threads.
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 ignore_noninstrumented_modules=1 die_after_fork=0" \
  ctest --test-dir build-tsan -L threads --output-on-failure -j "$jobs"
# LLVM's OpenMP runtime registers each process that uses it in
# /dev/shm/__KMP_REGISTERED_LIB_<pid>_<uid>; forked workers that end with
# _exit never remove theirs.  Remove those of processes that are gone.
for f in /dev/shm/__KMP_REGISTERED_LIB_*; do
  [[ -e $f ]] || continue
  pid=${f#/dev/shm/__KMP_REGISTERED_LIB_}
  pid=${pid%%_*}
  kill -0 "$pid" 2>/dev/null || rm -f "$f"
done
