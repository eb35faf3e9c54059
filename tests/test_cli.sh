#!/usr/bin/env bash
# test_cli.sh - `spreadbench fire` as a user runs it: the stable keys, the
# JSON form, a picture, and clear errors with exit status 2 on bad input.
source "$(dirname "$0")/lib.sh"

out=$("$bin" fire --scenario tiny 2>"$tmp/err")
check "fire exits 0" "[[ $? -eq 0 ]]"
for key in burned_cells crowned_cells crown_fraction acres length_to_width steps stop_time_min \
           stop_condition setup_s runtime_s ms_per_burned_cell mha_per_cpu_hr checksum; do
  check "key $key" "grep -q '^$key: ' <<<\"\$out\""
done
burned=$(sed -n 's/^burned_cells: //p' <<<"$out")
check "tiny fire burns cells" "[[ ${burned:-0} -gt 50 ]]"

json=$("$bin" fire --scenario tiny --json)
check "json object" "[[ \${json:0:1} == '{' ]]"
check "json burned_cells" "grep -q '\"burned_cells\": $burned' <<<\"\$json\""
sum1=$(sed -n 's/^checksum: //p' <<<"$out")
check "json checksum equals text checksum" "grep -q \"\\\"checksum\\\": \\\"$sum1\\\"\" <<<\"\$json\""

# Without --latency no probe runs; with it, both figures and the same fire.
check "no latency unless asked" "! grep -q '^memory_latency' <<<\"\$out\""
lat=$("$bin" fire --scenario tiny --latency)
for key in memory_latency_1gib_ns memory_latency_1gib_huge_ns; do
  v=$(sed -n "s/^$key: //p" <<<"$lat")
  check "--latency gives $key ($v ns)" "awk -v v='$v' 'BEGIN { exit !(v > 1 && v < 100000) }'"
done
check "--latency leaves the fire alone" "grep -q '^checksum: $sum1' <<<\"\$lat\""

"$bin" fire --scenario tiny --job 3 --plot "$tmp/fire.png" >/dev/null
check "plot exits 0" "[[ $? -eq 0 ]]"
check "plot is a PNG" "[[ \$(head -c 8 '$tmp/fire.png' | od -An -tx1 | tr -d ' ') == 89504e470d0a1a0a ]]"

"$bin" fire --scenario nowhere >/dev/null 2>"$tmp/err"; rc=$?
check "unknown scenario exits 2" "[[ $rc -eq 2 ]]"
check "unknown scenario says so" "grep -q \"unknown scenario 'nowhere'\" '$tmp/err'"
"$bin" fire --scenario tiny --ignite 500,5 >/dev/null 2>"$tmp/err"; rc=$?
check "ignition outside exits 2" "[[ $rc -eq 2 ]] && grep -q outside '$tmp/err'"
"$bin" fire --scenario tiny --duration -5 >/dev/null 2>"$tmp/err"; rc=$?
check "negative duration exits 2" "[[ $rc -eq 2 ]]"
"$bin" fire --scenario tiny --duration 100000 >/dev/null 2>"$tmp/err"; rc=$?
check "too long exits 2" "[[ $rc -eq 2 ]]"
"$bin" bogus >/dev/null 2>&1; rc=$?
check "unknown command exits 2" "[[ $rc -eq 2 ]]"

if ((fail)); then echo "test_cli: FAILED"; exit 1; fi
echo "test_cli: all checks passed"
