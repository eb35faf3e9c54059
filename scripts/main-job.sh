#!/usr/bin/env bash
# main-job.sh - set up, build, and run spreadbench's main job on a fresh
# Debian 12 machine: a demo fire with its figures and picture, then every
# built strategy measured on a batch of demo fires.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
mkdir -p results/latest
build/spreadbench fire --scenario demo --plot results/demo-fire.png | tee results/demo-fire.txt
csv=results/latest/quick.csv
rm -f "$csv"
for s in $(build/spreadbench list --built); do
  opts=(--workers 2)
  [ "$s" = serial ] && opts=()
  build/spreadbench run --strategy "$s" "${opts[@]}" --scenario demo --jobs 8 \
    --reps 3 --warmup 1 --csv "$csv"
done
build/spreadbench show "$csv"
echo "main-job: fire in results/demo-fire.{txt,png}, measurements in $csv"
