#!/usr/bin/env bash
# test_compare.sh - `spreadbench compare` as CI would use it: an A/A pair
# of real runs is not flagged; a planted 30 % slowdown of one strategy in
# otherwise identical data is, with exit status 1, also relative to serial;
# every ratio comes with its interval, and an A/A pair is judged "no change"
# (an equivalence), not merely "not worse"; too few repetitions are said so;
# files whose calibration probes differ by more than 10 % are warned about; folders, Markdown, JSON and the CI
# benchmark export work; mismatched or corrupt input exits 2 with a message.
source "$(dirname "$0")/lib.sh"

for s in serial pool-shm pthreads; do
  w=(--workers 2); [[ $s == serial ]] && w=()
  "$bin" run --strategy "$s" "${w[@]}" --scenario tiny --jobs 4 --reps 8 --csv "$tmp/base.csv" >/dev/null || fail=1
done
# NEW: the same rows (A/A), and a copy with pool-shm 30 % slower.  So that
# a loaded test machine cannot blur the planted change, pool-shm's wall
# times are first set to a known spread of 1.00-1.07 s on both sides.
plant() {
  awk -F, -v OFS=, -v slow="$1" '
    /^#/ { print; next }
    !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; print; next }
    $c["strategy"] == "pool-shm" { w = (1 + 0.01 * k++) * slow; $c["wall_s"] = w; $c["burned_cells_per_s"] = 1000 / w; $c["work_units_per_s"] = 1000 / w }
    { print }' "$tmp/measured.csv"
}
mv "$tmp/base.csv" "$tmp/measured.csv"
plant 1.0 >"$tmp/base.csv"
cp "$tmp/base.csv" "$tmp/same.csv"
plant 1.3 >"$tmp/slow.csv"

"$bin" compare "$tmp/base.csv" "$tmp/same.csv" >"$tmp/out" 2>&1; rc=$?
check "A/A: exit 0" "[[ $rc -eq 0 ]]"
check "A/A: nothing worse" "! grep -q ' worse' '$tmp/out'"

"$bin" compare "$tmp/base.csv" "$tmp/slow.csv" >"$tmp/out" 2>&1; rc=$?
check "planted slowdown: exit 1" "[[ $rc -eq 1 ]]"
check "planted slowdown: pool-shm wall worse" "grep -E '^pool-shm.* wall .* worse' '$tmp/out' >/dev/null"
check "planted slowdown: pool-shm throughput worse" "grep -E '^pool-shm.* throughput .* worse' '$tmp/out' >/dev/null"
check "planted slowdown: pthreads untouched" "! grep -E '^pthreads.* worse' '$tmp/out' >/dev/null"
check "planted slowdown: 2 regressions" "grep -q '^2 regressions' '$tmp/out'"

"$bin" compare --factor 1.5 "$tmp/base.csv" "$tmp/slow.csv" >/dev/null 2>&1; rc=$?
check "a 30 % change under --factor 1.5 is no regression" "[[ $rc -eq 0 ]]"

"$bin" compare --normalize serial "$tmp/base.csv" "$tmp/slow.csv" >"$tmp/out" 2>&1; rc=$?
check "relative to serial: exit 1" "[[ $rc -eq 1 ]] && grep -q 'relative to serial' '$tmp/out'"
check "relative to serial: serial itself not compared" "! grep -q '^serial' '$tmp/out'"

mkdir "$tmp/b" "$tmp/n"
cp "$tmp/base.csv" "$tmp/b/x.csv"; cp "$tmp/slow.csv" "$tmp/n/x.csv"
"$bin" compare --format json --export-json "$tmp/bench.json" --summary "$tmp/summary.md" \
  "$tmp/b" "$tmp/n" >"$tmp/out.json" 2>/dev/null; rc=$?
check "folders: exit 1" "[[ $rc -eq 1 ]]"
check "json output parses, 2 regressions" \
  "python3 -c 'import json,sys; d=json.load(open(\"$tmp/out.json\")); sys.exit(d[\"regressions\"] != 2)'"
check "benchmark export: name, unit, value, range" \
  "python3 -c 'import json,sys; d=json.load(open(\"$tmp/bench.json\")); sys.exit(not d or any(set(e) != {\"name\",\"unit\",\"value\",\"range\"} for e in d))'"
check "summary is a Markdown table" "grep -q '^| point | metric' '$tmp/summary.md' && grep -q '\*\*worse\*\*' '$tmp/summary.md'"
"$bin" compare --format md "$tmp/base.csv" "$tmp/same.csv" >"$tmp/out.md" 2>/dev/null
check "md format" "grep -q '^### spreadbench compare: no regression' '$tmp/out.md'"
check "md: ratios with their intervals" "grep -Eq '\| [0-9.]+ \[[0-9.]+, [0-9.]+\] \|' '$tmp/out.md'"
"$bin" compare "$tmp/base.csv" "$tmp/same.csv" >"$tmp/out" 2>&1
check "A/A: pool-shm's planted spread is judged no change, with its interval" \
  "grep -Eq '^pool-shm.* wall .* 1\.000 \[[0-9.]+, [0-9.]+\] +no change' '$tmp/out'"
check "json: every comparison has its interval" \
  "python3 -c 'import json,sys; d=json.load(open(\"$tmp/out.json\")); sys.exit(not all(\"interval_low\" in e and e[\"interval_low\"] <= e[\"ratio\"] <= e[\"interval_high\"] for e in d[\"points\"]))'"
# A NEW measured on a machine twice as slow at the calibration loop.
awk '/^# probe_cpu_s: / { $3 = $3 * 2 } { print }' "$tmp/same.csv" >"$tmp/other-machine.csv"
"$bin" compare "$tmp/base.csv" "$tmp/other-machine.csv" >/dev/null 2>"$tmp/err"
check "different calibration probes are warned about" "grep -q 'calibration probes differ by +100 %' '$tmp/err'"
"$bin" compare "$tmp/base.csv" "$tmp/same.csv" >/dev/null 2>"$tmp/err"
check "the same probes are not" "! grep -q 'calibration probes' '$tmp/err'"

# Too few repetitions: 2 against 2 can never reach p < 0.01.
"$bin" run --strategy serial --scenario tiny --jobs 2 --reps 2 --csv "$tmp/few.csv" >/dev/null
"$bin" compare "$tmp/few.csv" "$tmp/few.csv" >"$tmp/out" 2>&1; rc=$?
check "too few repetitions: said so" "[[ $rc -eq 0 ]] && grep -q 'too few repetitions' '$tmp/out'"

# A failed row in NEW is a regression.
cp "$tmp/base.csv" "$tmp/broken-new.csv"
"$bin" run --strategy pool-shm --scenario tiny --workers 2 --jobs 4 --reps 2 --fault exit@1 \
  --csv "$tmp/broken-new.csv" >/dev/null 2>&1
"$bin" compare "$tmp/base.csv" "$tmp/broken-new.csv" >"$tmp/out" 2>&1; rc=$?
check "failed rows in NEW: exit 1 with the cause" "[[ $rc -eq 1 ]] && grep -q 'failed or invalid' '$tmp/out'"

bad() { exits2 compare "$@"; }
bad "$tmp/base.csv"
bad "$tmp/base.csv" "$tmp/nowhere.csv"
printf 'strategy,start\n"open,x\n' >"$tmp/corrupt.csv"
bad "$tmp/base.csv" "$tmp/corrupt.csv"
check "corrupt file named" "grep -q corrupt.csv '$tmp/err'"
printf 'a,b\n1,2\n' >"$tmp/other.csv"
bad "$tmp/base.csv" "$tmp/other.csv"
"$bin" run --strategy serial --scenario demo --jobs 2 --reps 3 --csv "$tmp/demo.csv" >/dev/null
bad "$tmp/base.csv" "$tmp/demo.csv"
check "no common point said so" "grep -q 'no valid point in common' '$tmp/err'"
grep -v '^serial' "$tmp/base.csv" >"$tmp/noserial.csv"
bad --normalize serial "$tmp/noserial.csv" "$tmp/base.csv"
check "missing serial said so" "grep -q 'no valid serial run' '$tmp/err'"
bad --factor 0.5 "$tmp/base.csv" "$tmp/same.csv"
bad --format xml "$tmp/base.csv" "$tmp/same.csv"
mkdir "$tmp/empty"
bad "$tmp/empty" "$tmp/base.csv"
# count: the same instructions on every run, and the baseline verdicts.
# (Under a sanitizer the program cannot run inside valgrind.)
if [[ -z ${SPREADBENCH_SANITIZED:-} ]]; then
  n1=$("$bin" count --scenario tiny --job 2 --method callgrind | awk '/^instructions:/ {print $2}')
  n2=$("$bin" count --scenario tiny --job 2 --method callgrind | awk '/^instructions:/ {print $2}')
  check "count: a positive count, the same twice" "[[ -n '$n1' && '$n1' -gt 1000 && '$n1' == '$n2' ]]"
  "$bin" count --scenario tiny --job 2 --method callgrind --baseline "$n1" >/dev/null; rc=$?
  check "count at its baseline: exit 0" "[[ $rc -eq 0 ]]"
  "$bin" count --scenario tiny --job 2 --method callgrind --baseline $((n1 / 2)) --tolerance 0.25 >"$tmp/out"; rc=$?
  check "count twice its baseline: exit 1, worse" "[[ $rc -eq 1 ]] && grep -q '^verdict: worse' '$tmp/out'"
fi
"$bin" count --scenario nowhere >/dev/null 2>&1; rc=$?
check "count of an unknown scenario: exit 2" "[[ $rc -eq 2 ]]"
"$bin" count --method abacus >/dev/null 2>&1; rc=$?
check "count with an unknown method: exit 2" "[[ $rc -eq 2 ]]"
exit $fail
