#!/usr/bin/env bash
# test_run_cli.sh - `spreadbench list`, `run` and `show` as a user runs
# them: CSV rows with the documented columns, appending, clear errors with
# exit status 2, exit status 1 for a failed job, workers at a nice value
# and a competing load, and SIGINT in the middle of a run: exit 130, every
# worker and load process gone, every written row whole.
source "$(dirname "$0")/lib.sh"

# col FILE NAME [STRATEGY]: column NAME of the last row of FILE (of that
# strategy, if given), a row whose cells before it hold no quoted commas.
col() {
  awk -F, -v name="$2" -v st="${3:-}" '/^#/ { next }
    !c { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
    st == "" || $1 == st { v = $c } END { print v }' "$1"
}

"$bin" list >"$tmp/list"; rc=$?
check "list exits 0" "[[ $rc -eq 0 ]]"
for s in serial fork-per-job pool-copy pool-shm; do
  check "list shows $s as built" "grep -Eq '^$s +yes' '$tmp/list'"
done
"$bin" list --built >"$tmp/built"
check "list --built names the built strategies, one per line" \
  "[[ \$(grep -c ' yes ' '$tmp/list') -eq \$(wc -l <'$tmp/built') ]] && grep -qx pool-shm '$tmp/built'"

"$bin" run --strategy pool-shm --scenario tiny --workers 2 --jobs 4 --reps 2 --warmup 1 \
  --csv "$tmp/a.csv" 2>"$tmp/err"; rc=$?
check "run to csv exits 0" "[[ $rc -eq 0 ]]"
check "csv has context lines" "grep -q '^# cores: ' '$tmp/a.csv' && grep -q '^# command: ' '$tmp/a.csv'"
header=$(grep -v '^#' "$tmp/a.csv" | head -1)
check "csv header starts with the documented columns" \
  "[[ '$header' == strategy,start,workers,jobs,schedule,chunksize,attach,scenario,rep,status,valid,setup_s,compute_s,teardown_s,wall_s,user_s,sys_s,peak_pss_bytes,peak_rss_sum_bytes,max_worker_hwm_bytes,start_latency_s,jobs_per_s,burned_cells_per_s,mha_per_cpu_hr,error* ]]"
check "two rows" "[[ \$(grep -vc '^#' '$tmp/a.csv') -eq 3 ]]"
"$bin" run --strategy serial --scenario tiny --jobs 4 --csv "$tmp/a.csv" 2>>"$tmp/err"; rc=$?
check "append exits 0" "[[ $rc -eq 0 ]]"
check "append adds a row, no second header" \
  "[[ \$(grep -vc '^#' '$tmp/a.csv') -eq 4 && \$(grep -c '^strategy,' '$tmp/a.csv') -eq 1 ]]"
"$bin" show "$tmp/a.csv" >"$tmp/show"; rc=$?
check "show reads the file" "[[ $rc -eq 0 ]] && grep -q '3 rows' '$tmp/show'"

out=$("$bin" run --strategy pool-copy --start spawn --scenario tiny --workers 2 --jobs 3); rc=$?
check "table output" "[[ $rc -eq 0 ]] && grep -q '^pool-copy .*spawn .* ok .* true' <<<\"\$out\""

"$bin" run --strategy pool-copy --scenario tiny --workers 2 --jobs 4 --fault segv@1 \
  --csv "$tmp/f.csv" 2>"$tmp/err"; rc=$?
check "crashed worker exits 1" "[[ $rc -eq 1 ]]"
check "crash row says failed and why" "grep -q 'failed,false' '$tmp/f.csv' && grep -q 'signal 11' '$tmp/f.csv'"

bad() { exits2 run "$@"; }
bad --scenario tiny
bad --strategy nowhere --scenario tiny
bad --strategy serial --scenario tiny --workers 3
bad --strategy serial --scenario tiny --start spawn
bad --strategy pool-copy --scenario tiny --attach job
bad --strategy pool-shm --scenario nowhere
bad --strategy pool-shm --scenario tiny --workers 0
bad --strategy pool-shm --scenario tiny --schedule random
bad --strategy pool-shm --scenario tiny --fault hang@0
bad --strategy pool-shm --scenario tiny --jobs 2 --fault segv@5
bad --strategy pool-shm --scenario tiny --parent-rss lots
echo "strategy,start" >"$tmp/other.csv"; echo "x,y" >>"$tmp/other.csv"
bad --strategy serial --scenario tiny --csv "$tmp/other.csv"
check "mismatched csv names the file" "grep -q 'other.csv' '$tmp/err'"
printf 'strategy,start\n"open quote,x\n' >"$tmp/broken.csv"
"$bin" show "$tmp/broken.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "show of a broken file exits 2" "[[ $rc -eq 2 ]] && grep -q 'broken.csv' '$tmp/err'"

# Thread strategies, their options, and options they refuse.
"$bin" run --strategy pthreads --scenario tiny --workers 2 --jobs 4 --pin --schedule dynamic \
  --csv "$tmp/t.csv" >/dev/null 2>>"$tmp/err"; rc=$?
check "pthreads --pin exits 0" "[[ $rc -eq 0 ]]"
check "pthreads row says pin true" "grep -q '^pthreads,.*,true,glibc,0,-,-,0,[0-9]*,drawn,[0-9.e-]*,[0-9]*,[0-9]*,[0-9.]*,-,-,-\$' '$tmp/t.csv'"
if "$bin" list --built | grep -qx openmp; then
  "$bin" run --strategy openmp --mode single --scenario tiny --workers 2 --jobs 3 \
    --csv "$tmp/t.csv" >/dev/null 2>>"$tmp/err"; rc=$?
  check "openmp single exits 0" "[[ $rc -eq 0 ]]"
  check "openmp single row: mode single, 2 threads per fire" "grep -q '^openmp,.*,single,2,false,glibc,0,-,-,0,[0-9]*,drawn,[0-9.e-]*,[0-9]*,[0-9]*,[0-9.]*,-,-,-\$' '$tmp/t.csv'"
  "$bin" run --strategy pool-shm --scenario tiny --workers 2 --jobs 3 --fire-threads 2 \
    --csv "$tmp/t.csv" >/dev/null 2>>"$tmp/err"; rc=$?
  check "nested pool-shm --fire-threads 2 exits 0" "[[ $rc -eq 0 ]]"
  check "nested row: 2 threads per fire" "grep -q '^pool-shm,.*,-,2,-,glibc,0,-,0,0,[0-9]*,drawn,[0-9.e-]*,[0-9]*,[0-9]*,[0-9.]*,-,-,-\$' '$tmp/t.csv'"
  bad --strategy openmp --scenario tiny --mode single --schedule dynamic
fi
bad --strategy pool-shm --scenario tiny --pin
bad --strategy pthreads --scenario tiny --mode single
bad --strategy pthreads --scenario tiny --fire-threads 2
bad --strategy pthreads --scenario tiny --start spawn
bad --strategy pthreads --scenario tiny --allocator tcmalloc
# jemalloc is preloaded into a re-run of the program; a sanitizer's
# runtime must come first among preloaded libraries, so not there.
if [[ -z ${SPREADBENCH_SANITIZED:-} ]]; then
  "$bin" run --strategy pthreads --scenario tiny --workers 2 --jobs 4 --allocator jemalloc \
    --csv "$tmp/t.csv" >/dev/null 2>>"$tmp/err"; rc=$?
  check "--allocator jemalloc exits 0" "[[ $rc -eq 0 ]]"
  check "jemalloc row" "grep -q '^pthreads,.*,jemalloc,0,-,-,0,[0-9]*,drawn,[0-9.e-]*,[0-9]*,[0-9]*,[0-9.]*,-,-,-\$' '$tmp/t.csv'"
  jem=$(ldconfig -p | awk '/libjemalloc.so.2 /{print $NF; exit}')
  if [[ -n $jem ]]; then
    LD_PRELOAD=$jem "$bin" run --strategy pthreads --scenario tiny --jobs 2 --allocator glibc \
      >/dev/null 2>"$tmp/err"; rc=$?
    check "--allocator glibc under a preloaded jemalloc exits 2" "[[ $rc -eq 2 ]] && grep -q LD_PRELOAD '$tmp/err'"
  fi
fi
"$bin" show "$tmp/t.csv" >/dev/null; rc=$?
check "thread rows all valid" "[[ $rc -eq 0 ]]"

# mpi-shm, when built: a run with two virtual nodes, and its options.
if "$bin" list --built | grep -qx mpi-shm; then
  # This test's own seed tells its ranks from those of tests beside it.
  "$bin" run --strategy mpi-shm --scenario tiny --seed "$own_seed" --workers 2 --jobs 4 --virtual-nodes 2 \
    --schedule dynamic --csv "$tmp/m.csv" >/dev/null 2>>"$tmp/err"; rc=$?
  check "mpi-shm with 2 virtual nodes exits 0" "[[ $rc -eq 0 ]]"
  check "mpi-shm row: valid, 2 virtual nodes, local" "grep -q '^mpi-shm,-,2,4,dynamic,.*,true,.*,2,local,-,0,[0-9]*,drawn,[0-9.e-]*,[0-9]*,[0-9]*,[0-9.]*,-,-,-\$' '$tmp/m.csv'"
  bad --strategy mpi-shm --scenario tiny --workers 2 --hostfile "$tmp/nowhere"
  bad --strategy mpi-shm --scenario tiny --workers 2 --virtual-nodes 3
  check "no rank left" "! pgrep -f 'spreadbench-mpi .*--seed $own_seed ' >/dev/null"
else
  check "list says how to build mpi-shm" "grep -q '^mpi-shm .*no .*SPREADBENCH_MPI' '$tmp/list'"
fi
bad --strategy pool-shm --scenario tiny --virtual-nodes 2

# Workers at a nice value: the column says it, for both ways to start them.
"$bin" run --strategy fork-per-job --scenario tiny --workers 2 --jobs 2 --nice 5 \
  --csv "$tmp/n.csv" >/dev/null 2>>"$tmp/err"; rc=$?
check "fork-per-job --nice 5 exits 0" "[[ $rc -eq 0 ]]"
check "its row: valid, nice 5" "[[ \$(col '$tmp/n.csv' valid) == true && \$(col '$tmp/n.csv' nice) == 5 ]]"
"$bin" run --strategy pool-shm --start spawn --scenario tiny --workers 2 --jobs 2 --nice 5 \
  --csv "$tmp/n.csv" >/dev/null 2>>"$tmp/err"; rc=$?
check "pool-shm --start spawn --nice 5 exits 0" "[[ $rc -eq 0 ]]"
check "its row: valid, nice 5" "[[ \$(col '$tmp/n.csv' valid) == true && \$(col '$tmp/n.csv' nice) == 5 ]]"
check "nice is - for threads" "[[ \$(col '$tmp/t.csv' nice pthreads) == - ]]"
check "without --nice: nice 0 for pool-shm, - for serial" \
  "[[ \$(awk -F, '/^#/ {next} !h {for (i = 1; i <= NF; i++) c[\$i] = i; h = 1; next} \$1 == \"pool-shm\" && \$c[\"nice\"] == 0' '$tmp/a.csv' | wc -l) -eq 2 && \$(col '$tmp/a.csv' nice) == - ]]"
# --reps auto: repetitions until the median is known to the precision
# asked, at least the 6 that bound a 95 % interval, at most --max-reps.
"$bin" run --strategy pthreads --scenario tiny --workers 2 --jobs 2 --reps auto --precision 50% \
  --csv "$tmp/auto.csv" >"$tmp/out" 2>&1; rc=$?
check "--reps auto: exit 0, 6 rows or more, the interval said" \
  "[[ $rc -eq 0 && \$(grep -vc '^#' '$tmp/auto.csv') -ge 7 ]] && grep -q '95 % interval' '$tmp/out'"
"$bin" run --strategy pthreads --scenario tiny --workers 2 --jobs 2 --reps auto --precision 0.01% --max-reps 7 \
  --csv "$tmp/auto2.csv" >"$tmp/out" 2>&1; rc=$?
check "--reps auto: stops at --max-reps and says the precision was not reached" \
  "[[ $rc -eq 0 && \$(grep -vc '^#' '$tmp/auto2.csv') -eq 8 ]] && grep -q 'not reached' '$tmp/out'"
bad --strategy pthreads --scenario tiny --precision 5%
bad --strategy pthreads --scenario tiny --reps auto --precision lots
# ... and the workers really run at it: each one started is looked at from
# outside while one of them hangs on its job, then the run is interrupted.
for start in fork spawn; do
  "$bin" run --strategy pool-copy --start $start --scenario tiny --workers 2 --jobs 2 --nice 5 \
    --fault hang@0 --job-timeout 300 >/dev/null 2>&1 &
  pid=$!
  nices=
  for _ in $(seq 600); do
    nices=$(ps -o ni= --ppid $pid | tr -d ' ' | sort -u | paste -sd ' ')
    [[ $nices == 5 ]] && break
    sleep 0.1
  done
  kill -INT $pid
  wait $pid
  check "$start workers run at nice 5 (seen: '$nices')" "[[ '$nices' == 5 ]]"
done
# A runner niced above the value cannot give it to its workers without the
# right to raise a priority: the run fails and says why.  Tried where that
# right can be dropped here (root drops it from its bounding set).
lowered() {
  if [[ $(id -u) -eq 0 ]]; then setpriv --bounding-set=-sys_nice nice -n 10 "$@"; else nice -n 10 "$@"; fi
}
if lowered nice -n -5 true 2>&1 | grep -q 'cannot set niceness'; then
  lowered "$bin" run --strategy pool-copy --scenario tiny --workers 2 --jobs 2 --nice 5 \
    --csv "$tmp/nf.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "--nice under a more niced runner exits 1 and says why" \
    "[[ $rc -eq 1 ]] && grep -q 'cannot set nice 5: Permission denied' '$tmp/nf.csv'"
else
  echo "skip: the right to raise a priority cannot be dropped here"
fi
bad --strategy pthreads --scenario tiny --nice 5
bad --strategy serial --scenario tiny --nice 0
bad --strategy pool-shm --scenario tiny --nice 20

# A competing load: the column says it, it is not in the tree's figures,
# and none of it is left after the run.
"$bin" run --strategy pool-shm --scenario tiny --workers 2 --jobs 2 --load 2 \
  --csv "$tmp/l.csv" >/dev/null 2>>"$tmp/err" &
pid=$!
wait $pid; rc=$?
check "--load 2 exits 0" "[[ $rc -eq 0 ]]"
check "its row: valid, load 2" "[[ \$(col '$tmp/l.csv' valid) == true && \$(col '$tmp/l.csv' load) == 2 ]]"
check "the load is not in max_procs" "[[ \$(col '$tmp/l.csv' max_procs) -eq 3 ]]"
check "no load process left" "! pgrep -f -- '--spin --parent $pid\$' >/dev/null"
check "load is 0 without --load" "[[ \$(col '$tmp/n.csv' load) == 0 ]]"
setup_peak=$(col "$tmp/l.csv" setup_peak_pss_bytes)
peak=$(col "$tmp/l.csv" peak_pss_bytes)
check "0 < setup_peak_pss_bytes <= peak_pss_bytes ($setup_peak, $peak)" \
  "[[ $setup_peak -gt 0 && $setup_peak -le $peak ]]"
bad --strategy pool-shm --scenario tiny --load 1025

# SIGINT in the middle: a long batch on the demo scenario, with this test's
# own seed so leftover workers can be found by their command line.
# It is interrupted once a first row is written (header and row), which
# a sanitizer build may take a minute to reach.
"$bin" run --strategy pool-shm --scenario demo --seed "$own_seed" --workers 2 --jobs 4 --reps 500 \
  --csv "$tmp/int.csv" >/dev/null 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1200); do
  [[ -f "$tmp/int.csv" ]] && [[ $(grep -vc '^#' "$tmp/int.csv") -ge 2 ]] && break
  sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid; rc=$?
check "SIGINT exits 130" "[[ $rc -eq 130 ]]"
sleep 0.2
check "no worker left after SIGINT" "! pgrep -f 'seed $own_seed ' >/dev/null"
"$bin" show "$tmp/int.csv" >/dev/null 2>&1; rc=$?
check "csv readable after SIGINT" "[[ $rc -eq 0 || $rc -eq 1 ]]"

# SIGINT while a load spins: the runner stops it as it stops its workers.
"$bin" run --strategy pool-copy --scenario tiny --seed "$own_seed" --workers 2 --jobs 2 --reps 100000 \
  --load 2 --csv "$tmp/lint.csv" >/dev/null 2>"$tmp/lint.err" &
pid=$!
loads=0
for _ in $(seq 1200); do
  [[ -f "$tmp/lint.csv" ]] && [[ $(grep -vc '^#' "$tmp/lint.csv") -ge 2 ]] && break
  sleep 0.1
done
for _ in $(seq 100); do
  loads=$(pgrep -P $pid -x sb-load | wc -l)
  [[ $loads -eq 2 ]] && break
  sleep 0.05
done
kill -INT $pid
wait $pid; rc=$?
check "SIGINT during --load exits 130" "[[ $rc -eq 130 ]]"
check "the load ran as 2 children named sb-load" "[[ $loads -eq 2 ]]"
check "no load process or worker left after SIGINT" \
  "! pgrep -f -- '--spin --parent $pid\$' >/dev/null && ! pgrep -f 'seed $own_seed ' >/dev/null"

exit $fail
