#!/usr/bin/env bash
# main-job.sh - set up, build, and run spreadbench's main job on a fresh
# Debian 12 machine: a demo fire with its figures and picture, then the
# quick sweep (every built strategy, core counts from hwloc, 3 interleaved
# repetitions) into results/latest/, and its table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
mkdir -p results
build/spreadbench fire --scenario demo --plot results/demo-fire.png | tee results/demo-fire.txt
rm -rf results/latest
build/spreadbench sweep --preset quick --out results/latest
build/spreadbench show results/latest/results.csv
echo "main-job: fire in results/demo-fire.{txt,png}, sweep, plots and report in results/latest/" \
  "(results.csv, context.json, topology.xml)"
