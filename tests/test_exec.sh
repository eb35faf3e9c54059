#!/usr/bin/env bash
# test_exec.sh - `spreadbench exec` end to end: a helper of known memory
# (private and shared) gives the expected peak PSS (shared pages once),
# summed RSS (once per process) and largest process; a failing command is
# recorded with its exit status and the series goes on; a hanging one is
# ended at --timeout with its whole tree, also what left its process
# group; SIGINT keeps every finished row and leaves nothing behind; a
# missing command and other bad input exit 2; --vs prints ratios with
# intervals and verdicts; a parameter scan records its worker counts, and
# plot, report, compare and recommend take exec rows beside strategies'.
# Nothing here depends on how fast this machine is: the only times are
# lower bounds (a timeout cannot end a run early) and generous limits.
source "$(dirname "$0")/lib.sh"
helper=$(realpath "$2")

# col FILE NAME: the column's cells, one per row (labels may hold commas,
# so the CSV is read as CSV).
col() {
  python3 -c '
import csv, sys
rows = csv.reader(l for l in open(sys.argv[1]) if not l.startswith("#"))
head = next(rows)
for r in rows: print(r[head.index(sys.argv[2])])' "$1" "$2"
}
rows() { grep -v '^#' "$1" | tail -n +2 | wc -l; }
mib=1048576

# Memory: 3 processes, each mapping the same 64 MiB shared and holding
# 16 MiB of its own.  PSS counts the shared pages once: 64 + 3 x 16 =
# 112 MiB; summed RSS three times: 3 x (64 + 16) = 240 MiB; the largest
# process holds 64 + 16 = 80 MiB.  Each process adds what a small C
# program holds (libc), and the largest high-water mark what the measuring
# child held before execve, allowed for below.  (The helper takes up and
# gives up its shared pages in an order that no sample can count twice,
# and is never built with a sanitizer: see exec_memhelper.c and
# CMakeLists.txt.)
"$bin" exec --reps 2 --csv "$tmp/mem.csv" -- "$helper" 64 16 3 2 >"$tmp/out" 2>&1; rc=$?
check "memory helper: exit 0" "[[ $rc -eq 0 ]]"
check "memory helper: 2 rows, ok and valid" "[[ \$(rows '$tmp/mem.csv') -eq 2 && \$(col '$tmp/mem.csv' status | sort -u) == ok ]]"
for r in 1 2; do
  pss=$(col "$tmp/mem.csv" peak_pss_bytes | sed -n ${r}p)
  rss=$(col "$tmp/mem.csv" peak_rss_sum_bytes | sed -n ${r}p)
  hwm=$(col "$tmp/mem.csv" max_worker_hwm_bytes | sed -n ${r}p)
  procs=$(col "$tmp/mem.csv" max_procs | sed -n ${r}p)
  check "run $r: PSS $pss within [112, 112 + 3 x 4] MiB" "(( pss >= 112 * mib && pss <= 124 * mib ))"
  check "run $r: summed RSS $rss within [240, 240 + 3 x 8] MiB" "(( rss >= 240 * mib && rss <= 264 * mib ))"
  check "run $r: summed RSS - PSS = the shared pages twice more: 128 MiB, within 3 x 8" \
    "(( rss - pss >= 104 * mib && rss - pss <= 152 * mib ))"
  check "run $r: largest process $hwm within [80, 80 + 12] MiB" "(( hwm >= 80 * mib && hwm <= 92 * mib ))"
  check "run $r: 3 processes seen" "[[ $procs -eq 3 ]]"
done
check "rows: strategy exec, label, exit status 0, the command" \
  "[[ \$(col '$tmp/mem.csv' strategy | sort -u) == exec && \$(col '$tmp/mem.csv' exit_status | sort -u) == 0 ]] && [[ \$(col '$tmp/mem.csv' label | sort -u) == 'exec_memhelper 64 16 3 2' ]] && col '$tmp/mem.csv' command | grep -q '/exec_memhelper 64 16 3 2\$'"
check "the rows read back as 'run' rows" "'$bin' show '$tmp/mem.csv' >/dev/null"
check "the command line is in the context" "grep -q '^# exec command: .*exec_memhelper 64 16 3 2' '$tmp/mem.csv'"
check "the summary: PSS and summed RSS" "grep -q 'peak PSS MiB' '$tmp/out' && grep -q 'summed RSS MiB' '$tmp/out'"
# Memory that rises until the command exits (64 MiB in 16 steps over 0.8 s)
# cannot be sampled at the end of its work, as a strategy's is: the sampler
# walks at every tick instead, so its peak sees most of it (a walk in the
# last 0.6 s is enough here; an estimate that waits for a plateau saw ~1).
"$bin" exec --reps 1 --csv "$tmp/grow.csv" -- "$helper" 0 64 1 0.8 grow >/dev/null 2>&1; rc=$?
pss=$(col "$tmp/grow.csv" peak_pss_bytes)
check "memory rising to the end: exit 0, peak PSS $pss >= 16 MiB" "[[ $rc -eq 0 ]] && (( pss >= 16 * mib ))"

# A failing command: every run recorded with its exit status, the series
# goes on, exit 1; the same for a signal; the other command's runs are ok.
"$bin" exec --reps 3 --csv "$tmp/fail.csv" --label three --label ok --vs true -- sh -c 'exit 3' \
  >"$tmp/out" 2>"$tmp/err"; rc=$?
check "failing command: exit 1" "[[ $rc -eq 1 ]]"
check "failing command: 6 rows, 3 of each" "[[ \$(rows '$tmp/fail.csv') -eq 6 ]]"
check "failing command: status failed, exit 3, said why" \
  "[[ \$(col '$tmp/fail.csv' exit_status | sort | uniq -c | awk '{print \$1 \":\" \$2}' | paste -sd' ') == '3:0 3:3' ]] && grep -q 'exited with status 3' '$tmp/fail.csv' && grep -q '^exec,.*,failed,false,' '$tmp/fail.csv'"
check "failing command: the other command's runs are ok" "[[ \$(grep -c '^exec,.*,ok,true,' '$tmp/fail.csv') -eq 3 ]]"
check "failing command: labels" "[[ \$(col '$tmp/fail.csv' label | sort -u | paste -sd' ') == 'ok three' ]]"
"$bin" exec --reps 1 --csv "$tmp/sig.csv" -- sh -c 'kill -SEGV $$' >/dev/null 2>&1; rc=$?
check "a command killed by a signal: exit 1, exit status 139, the signal named" \
  "[[ $rc -eq 1 && \$(col '$tmp/sig.csv' exit_status) == 139 ]] && grep -q 'killed by signal 11' '$tmp/sig.csv'"

# A hanging command ends at --timeout with its whole tree: a background
# process in its group and one that left it (setsid) included.
mark=9$own_seed
"$bin" exec --reps 2 --timeout 1 --csv "$tmp/hang.csv" --shell -- \
  "sleep ${mark}1 & setsid sleep ${mark}2 & sleep ${mark}3; wait" >/dev/null 2>&1; rc=$?
check "hang: exit 1" "[[ $rc -eq 1 ]]"
check "hang: 2 rows, status timeout, exit status 137" \
  "[[ \$(rows '$tmp/hang.csv') -eq 2 && \$(col '$tmp/hang.csv' status | sort -u) == timeout && \$(col '$tmp/hang.csv' exit_status | sort -u) == 137 ]]"
check "hang: the error says so" "grep -q 'ran past --timeout 1 s' '$tmp/hang.csv'"
check "hang: no run ended before its timeout" "col '$tmp/hang.csv' wall_s | awk '\$1 < 1 {bad = 1} END {exit bad}'"
check "hang: nothing of the tree is left" "! pgrep -f 'sleep ${mark}' >/dev/null"
# Whatever a command that exits leaves running is ended too.
"$bin" exec --reps 1 --shell -- "setsid sleep ${mark}4 &" >/dev/null 2>&1; rc=$?
check "a command's leftovers are ended when it exits" "[[ $rc -eq 0 ]] && ! pgrep -f 'sleep ${mark}4' >/dev/null"

# SIGINT: exit 130, every finished row kept whole, the running command's
# process group ended.
"$bin" exec --reps 1000 --csv "$tmp/int.csv" -- sleep 0.3$own_seed >/dev/null 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1200); do
  [[ -f "$tmp/int.csv" ]] && [[ $(rows "$tmp/int.csv") -ge 2 ]] && break
  sleep 0.1
done
kill -INT $pid
wait $pid; rc=$?
check "SIGINT: exit 130" "[[ $rc -eq 130 ]]"
check "SIGINT: the finished rows are kept, whole" "[[ \$(rows '$tmp/int.csv') -ge 2 ]] && '$bin' show '$tmp/int.csv' >/dev/null"
check "SIGINT: says so" "grep -q 'interrupted by signal 2' '$tmp/int.err'"
check "SIGINT: no command left" "! pgrep -f 'sleep 0.3$own_seed' >/dev/null"

# Bad input: exit 2 with a message.
exits2 exec --reps 1 -- nosuchcommand$own_seed
check "a missing command is named" "grep -q \"cannot find the command 'nosuchcommand$own_seed' in PATH\" '$tmp/err'"
exits2 exec --reps 1 -- /nonexistent/prog
exits2 exec --reps 1
exits2 exec --reps 1 --vs nosuchcommand$own_seed -- true
exits2 exec --reps 1 --vs "echo 'unclosed" -- true
exits2 exec --param 'n=1,,2' -- echo {n}
exits2 exec --param-range 'n=4:1' -- echo {n}
exits2 exec --param 'n=1,2' -- true
check "an unused parameter is named" "grep -q \"'n' is used by no command\" '$tmp/err'"
exits2 exec --workers-param m --param 'n=1,2' -- echo {n}
exits2 exec --workers-param n --param 'n=a,b' -- echo {n}
exits2 exec --label a --label b -- true
exits2 exec --label 'a"b' -- true
exits2 exec --label x --label x --vs true -- true
exits2 exec --reps 0 -- true
exits2 exec --timeout 0 -- true
exits2 exec --precision 2% -- true

# Side by side: the ratio with its interval and the verdict rules of compare.
"$bin" exec --reps 4 --vs 'sleep 0.3' -- true >"$tmp/vs" 2>&1; rc=$?
check "--vs: exit 0" "[[ $rc -eq 0 ]]"
check "--vs: sleep 0.3 against true is slower, with an interval" \
  "grep -Eq \"^against 'true' at 1 worker\" '$tmp/vs' && grep -Eq '^  sleep 0.3 +wall +[0-9.e+]+x \\[[0-9.e+]+, [0-9.e+]+\\] +slower' '$tmp/vs'"

# A parameter scan as the worker count, beside strategies in one folder:
# plot draws the command's speedup over its own 1-worker run, the report
# lists it, compare and recommend take it as a point.
mkdir -p "$tmp/dir"
for w in 1 2; do
  "$bin" run --strategy serial --scenario tiny --jobs $w --reps 2 --csv "$tmp/dir/results.csv" >/dev/null 2>&1 || fail=1
  "$bin" run --strategy pthreads --scenario tiny --workers $w --jobs $w --reps 2 --csv "$tmp/dir/results.csv" \
    >/dev/null 2>&1 || fail=1
done
"$bin" exec --reps 2 --jobs 2 --label 'fires_w' --param w=1,2 --csv "$tmp/dir/results.csv" -- \
  "$bin" run --strategy pthreads --scenario tiny --workers {w} --jobs 2 >/dev/null 2>&1; rc=$?
check "scan: exit 0" "[[ $rc -eq 0 ]]"
check "scan: workers 1 and 2 recorded, one label" \
  "[[ \$(grep '^exec,' '$tmp/dir/results.csv' | cut -d, -f3 | sort -u | paste -sd' ') == '1 2' && \$(col '$tmp/dir/results.csv' label | sort -u | paste -sd' ') == '- fires_w' ]]"
check "scan: jobs 2, jobs_per_s from them" "[[ \$(grep '^exec,' '$tmp/dir/results.csv' | cut -d, -f4 | sort -u) == 2 ]]"
"$bin" plot "$tmp/dir" >"$tmp/out" 2>&1; rc=$?
check "plot: exit 0" "[[ $rc -eq 0 ]]"
check "plot: the command's speedup line, beside pthreads" \
  "grep -q '\"exec fires_w\"' '$tmp/dir/plots/speedup.dat' && grep -q '\"pthreads, 1 job/core\"' '$tmp/dir/plots/speedup.dat'"
check "plot: its speedup at 1 worker is 1" "awk '/exec fires_w/ {on = 1; next} on && \$1 == 1 {exit !(\$2 == 1)} ' '$tmp/dir/plots/speedup.dat'"
check "plot: its memory" "grep -q '\"exec fires_w\"' '$tmp/dir/plots/memory.dat'"
check "plot: no throughput in cells for it" "! grep -q 'exec' '$tmp/dir/plots/throughput.dat'"
"$bin" report "$tmp/dir" >"$tmp/out" 2>&1; rc=$?
check "report: exit 0" "[[ $rc -eq 0 ]]"
check "report: the command in the speedup table" "grep -q '^| exec fires_w (over its own 1-worker run) |' '$tmp/dir/report.md'"
check "report: the commands section, beside serial" "grep -q '^## Commands' '$tmp/dir/report.md' && grep -Eq '^\\| exec fires_w \\| 2 \\| 2 \\| 2 \\| [0-9.e-]+ \\| [0-9.e-]+ \\| [0-9.e-]+ \\((serial|pthreads)' '$tmp/dir/report.md'"
check "report: the scenario is the strategies'" "grep -q 'runs of the tiny scenario' '$tmp/dir/report.md'"
"$bin" compare "$tmp/dir/results.csv" "$tmp/dir/results.csv" >"$tmp/out" 2>&1; rc=$?
check "compare: exit 0, the command's points by label" "[[ $rc -eq 0 ]] && grep -Eq '^exec workers=2 (jobs=2 )?fires_w +wall' '$tmp/out'"
check "compare: no throughput in cells for a command" "! grep -q '^exec.*throughput' '$tmp/out'"
"$bin" compare --normalize serial "$tmp/dir/results.csv" "$tmp/dir/results.csv" >"$tmp/out" 2>&1; rc=$?
check "compare --normalize serial leaves the commands out, says so" \
  "[[ $rc -eq 0 ]] && grep -q 'leaves out 8 rows of commands' '$tmp/out'"
"$bin" recommend "$tmp/dir" --jobs 2 >"$tmp/out" 2>&1; rc=$?
check "recommend: exit 0, with the folder's points" "[[ $rc -eq 0 ]] && grep -q 'use:' '$tmp/out'"

exit $fail
