#!/usr/bin/env bash
# main-job.sh - set up, build, and run spreadbench's main job on a fresh
# Debian 12 machine: a demo fire, its figures and its picture.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
mkdir -p results
build/spreadbench fire --scenario demo --plot results/demo-fire.png | tee results/demo-fire.txt
echo "main-job: figures in results/demo-fire.txt, picture in results/demo-fire.png"
