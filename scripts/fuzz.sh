#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets (tests/fuzz) with clang
# under AddressSanitizer and UndefinedBehaviorSanitizer, and run each for
# SECONDS (default 60) on one core, starting from the committed results
# (results/*/*.csv, results/*/context.json) and the inputs that once broke
# a target (tests/fuzz-regress/TARGET).  Exits non-zero when a target
# crashes or breaks a property; the input that did it is in
# build-fuzz/crashes/TARGET/ and belongs, once fixed, in
# tests/fuzz-regress/TARGET/, which ctest replays in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
targets=(csv append sidecar args)
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPREADBENCH_FUZZ=ON -DSPREADBENCH_WERROR=ON -DSPREADBENCH_MPI=OFF -DSPREADBENCH_OPENMP=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
fail=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t
  mkdir -p "$corpus" "$crashes"
  # Seeds: the committed results, under names of their own.
  # Inputs are kept to 16 KiB: a results file's header and its first
  # rows hold every kind of field, and small inputs run many times faster.
  case $t in
    csv | append) seeds=(results/*/*.csv) max=16384 ;;
    sidecar) seeds=(results/*/context.json) max=16384 ;;
    *) seeds=() max=256 ;;
  esac
  for s in "${seeds[@]}"; do cp "$s" "$corpus/seed-${s//\//-}"; done
  log=build-fuzz/fuzz-$t.log
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    build-fuzz/tests/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max" \
      -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "tests/fuzz-regress/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $t: ${runs:-?} executions in ${secs} s, no crash"
  else
    echo "fuzz: $t: CRASH (log $log, input in $crashes/):"
    grep -E 'ERROR|SUMMARY|property failed|runtime error' "$log" | head -5 || true
    fail=1
  fi
done
exit $fail
