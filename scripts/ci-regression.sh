#!/usr/bin/env bash
# ci-regression.sh - this project's own regression check, run by CI after
# the tests (needs build/ from scripts/test.sh or the main job).
#
#   1. The kernel's cost in instructions on one fixed demo fire, counted by
#      callgrind: deterministic, so any growth past 25 % fails (a real 2x
#      slowdown of the kernel doubles it).
#   2. A small batch on the demo scenario for serial, pool-shm and pthreads,
#      7 repetitions each, compared with the committed baseline relative to
#      serial in the same file (so the machine's speed cancels out): a
#      change must pass 1.5x and p < 0.01, which noise on a shared 2-core
#      machine does not reach but a strategy twice as slow does.
#
# scripts/ci-regression.sh update   rewrites the baseline in results/baseline/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/spreadbench
base=results/baseline
out=build/ci-regression
mode=${1:-check}
rm -rf "$out"
mkdir -p "$out" "$base"

if [[ $mode == update ]]; then
  "$bin" count --method callgrind | tee "$out/count.txt"
  awk '/^instructions:/ {print $2}' "$out/count.txt" >"$base/instructions-demo-job1.txt"
else
  "$bin" count --method callgrind --baseline "$(cat "$base/instructions-demo-job1.txt")" --tolerance 0.25
fi

for s in serial pool-shm pthreads; do
  w=(--workers 2)
  [[ $s == serial ]] && w=()
  "$bin" run --strategy "$s" "${w[@]}" --scenario demo --jobs 8 --reps 7 --warmup 1 \
    --csv "$out/ci-demo.csv" >/dev/null
done

if [[ $mode == update ]]; then
  cp "$out/ci-demo.csv" "$base/ci-demo.csv"
  echo "ci-regression: baseline updated in $base"
else
  "$bin" compare --normalize serial --factor 1.5 --alpha 0.01 \
    --summary "$out/summary.md" --export-json "$out/benchmark.json" \
    "$base/ci-demo.csv" "$out/ci-demo.csv"
fi
