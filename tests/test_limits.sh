#!/usr/bin/env bash
# test_limits.sh - nothing hangs, nothing claims success it did not have,
# nothing runs the machine out of memory, as a user meets it with `run`:
# a worker stopped or stuck while building its inputs (the setup limit),
# one killed there (replaced, counted and named), limits a strategy cannot
# keep (refused) and the whole-run limit of the thread strategies (row
# written, process ended), SIGTERM/SIGINT to the runner alone during the
# serial reference and while the ballast is touched, points that cannot
# fit in memory (refused, --force), the reference out of memory; and for
# mpi-shm a hung job, a rank stopped in setup, a launcher that fails, a
# low open-file limit and SIGTERM/SIGINT mid-batch, with nothing of Open
# MPI's left in $TMPDIR or /dev/shm.  No check depends on how fast the
# machine is: limits are a few seconds against runs that would take
# minutes, and every wait here has a generous bound.
source "$(dirname "$0")/lib.sh"

# gone PATTERN: no process whose command line matches PATTERN, waiting up
# to 10 s for ones that were just killed to be reaped.
gone() {
  for _ in $(seq 100); do
    pgrep -f -- "$1" >/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# ended PID: waits up to 60 s for PID to exit (killing it after that);
# true when it exited by itself.  Its status is left in $ended_rc.
ended() {
  for _ in $(seq 600); do
    kill -0 "$1" 2>/dev/null || { wait "$1"; ended_rc=$?; return 0; }
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null
  pkill -KILL -P "$1" 2>/dev/null
  wait "$1"
  ended_rc=$?
  return 1
}

seed=$own_seed

# ---- The setup limit: a worker stopped or stuck while building its inputs.
for case in "pool-copy fork stop" "pool-shm spawn hang"; do
  set -- $case
  "$bin" run --strategy "$1" --start "$2" --scenario tiny --seed "$seed" --workers 2 --jobs 4 \
    --fault "$3@setup" --setup-timeout 3 --csv "$tmp/setup.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "$1 $3@setup: exit 1" "[[ $rc -eq 1 ]]"
  check "$1 $3@setup: row timeout, naming the worker and the limit" \
    "[[ \$(cell '$tmp/setup.csv' status) == timeout ]] && cell '$tmp/setup.csv' error | grep -q 'worker 0 .*setup time limit'"
  check "$1 $3@setup: no worker left" "gone 'seed $seed '"
done
"$bin" run --strategy fork-per-job --scenario tiny --seed "$seed" --workers 1 --jobs 3 \
  --fault stop@setup --setup-timeout 3 --csv "$tmp/setup.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "fork-per-job stop@setup: exit 1, that job timed out, the others ran" \
  "[[ $rc -eq 1 && \$(cell '$tmp/setup.csv' status) == timeout && \$(cell '$tmp/setup.csv' jobs_ok) == 2 ]]"
check "the setup limit is in its column" "[[ \$(cell '$tmp/setup.csv' setup_timeout_s) == 3 ]]"
"$bin" run --strategy pool-copy --scenario tiny --workers 2 --jobs 2 --csv "$tmp/setup.csv" >/dev/null 2>&1
check "without --setup-timeout the limit comes from the reference (at least 120 s)" \
  "awk -v t=\$(cell '$tmp/setup.csv' setup_timeout_s) 'BEGIN { exit !(t >= 120) }'"

# ---- The serial reference keeps the same limits: the build, each job.
"$bin" run --strategy pool-copy --scenario demo --seed "$seed" --jobs 3 --setup-timeout 0.001 >/dev/null 2>"$tmp/err"; rc=$?
check "a reference slower than --setup-timeout to build: exit 1, saying so" \
  "[[ $rc -eq 1 ]] && grep -q 'reference did not build the inputs within 0.001 s' '$tmp/err'"
"$bin" run --strategy pool-copy --scenario demo --seed "$seed" --jobs 3 --job-timeout 0.001 >/dev/null 2>"$tmp/err"; rc=$?
check "a reference job slower than --job-timeout: exit 1, naming the job" \
  "[[ $rc -eq 1 ]] && grep -q 'reference did not finish job [0-9]* within 0.001 s' '$tmp/err'"
check "no reference left" "gone 'scenario demo --seed $seed --jobs 3 '"

# ---- A worker killed while building its inputs: replaced, and it shows.
"$bin" run --strategy pool-copy --scenario tiny --workers 2 --jobs 4 --fault segv@setup \
  --csv "$tmp/rep.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "segv@setup: exit 0, row ok and valid" \
  "[[ $rc -eq 0 && \$(cell '$tmp/rep.csv' status) == ok && \$(cell '$tmp/rep.csv' valid) == true ]]"
check "segv@setup: workers_replaced 1" "[[ \$(cell '$tmp/rep.csv' workers_replaced) == 1 ]]"
check "segv@setup: notes name the slot and the cause" \
  "cell '$tmp/rep.csv' notes | grep -q 'worker 0 replaced (killed by signal 11'"
"$bin" run --strategy pool-copy --scenario tiny --workers 2 --jobs 4 --csv "$tmp/rep.csv" >/dev/null 2>&1
check "a clean run: no replacement, no notes" \
  "[[ \$(cell '$tmp/rep.csv' workers_replaced) == 0 && -z \$(cell '$tmp/rep.csv' notes) ]]"

# ---- Limits a strategy cannot keep are refused, naming those that can.
for opt in "--job-timeout 5" "--setup-timeout 5" "--fault segv@0"; do
  exits2 run --strategy pthreads --scenario tiny $opt
  check "pthreads $opt: the error names the strategies that can" "grep -q 'pool-copy' '$tmp/err'"
done
exits2 run --strategy serial --scenario tiny --job-timeout 5
exits2 run --strategy pool-copy --scenario tiny --run-timeout 5
check "--run-timeout on pool-copy names the ones it is for" "grep -q 'pthreads' '$tmp/err'"

# ---- The whole-run limit of the thread strategies: thousands of equal
# fires (the reference computes one) against a limit of 2 s.
threads=pthreads
"$bin" list --built | grep -qx openmp && threads="pthreads openmp"
for st in $threads; do
  "$bin" run --strategy "$st" --scenario demo --mix identical --jobs 20000 --workers 2 --run-timeout 2 \
    --csv "$tmp/wd-$st.csv" >/dev/null 2>"$tmp/err" &
  pid=$!
  ended $pid; finished=$?
  check "$st --run-timeout 2: the process ends by itself" "[[ $finished -eq 0 ]]"
  check "$st --run-timeout 2: exit 1 and says why" "[[ $ended_rc -eq 1 ]] && grep -q 'time limit of 2 s' '$tmp/err'"
  check "$st --run-timeout 2: its row is whole and says timeout" \
    "[[ \$(cell '$tmp/wd-$st.csv' status) == timeout && \$(cell '$tmp/wd-$st.csv' run_timeout_s) == 2 ]]"
done

# ---- SIGTERM or SIGINT to the runner alone while the serial reference
# runs (2000 unequal demo fires: minutes of work) ends it at once.
for sig in TERM INT; do
  "$bin" run --strategy serial --scenario demo --seed "$seed" --jobs 2000 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    pgrep -P $pid >/dev/null && break
    sleep 0.05
  done
  sleep 0.2
  kill -$sig $pid
  ended $pid; finished=$?
  want=$((128 + $(kill -l $sig)))
  check "SIG$sig during the reference: exits $want soon after" "[[ $finished -eq 0 && $ended_rc -eq $want ]]"
  check "SIG$sig during the reference: the reference is gone" "gone 'scenario demo --seed $seed --jobs 2000'"
done

# ---- Memory: points that cannot fit are refused before anything runs.
exits2 run --strategy pool-copy --scenario prof --workers 4096 --jobs 4096
check "the refusal gives the estimate, the limit and --force" \
  "grep -q 'needs at least .* GiB at its peak (4096 copies' '$tmp/err' && grep -q ' is .*: refused (--force' '$tmp/err'"
exits2 run --strategy serial --scenario tiny --parent-rss 64T
check "--parent-rss 64T is refused as a ballast" "grep -q 'ballast' '$tmp/err'"
exits2 run --strategy pool-copy --scenario tiny --workers 4 --jobs 4 --memory-budget 1M
check "--memory-budget 1M: refused, the budget named" "grep -q 'the budget given is 1 MiB' '$tmp/err'"
"$bin" run --strategy pool-copy --scenario tiny --workers 4 --jobs 4 --memory-budget 1M --force \
  >/dev/null 2>"$tmp/err"; rc=$?
check "--force runs it anyway and says so" "[[ $rc -eq 0 ]] && grep -q 'running it anyway' '$tmp/err'"
if [[ -z ${SPREADBENCH_SANITIZED:-} ]]; then
  # The reference out of address space: prof's 1.4 GiB inputs under 1 GB.
  (ulimit -v 1000000; exec "$bin" run --strategy serial --scenario prof --jobs 1 --force) >/dev/null 2>"$tmp/err"; rc=$?
  check "ulimit -v: the reference says out of memory" "[[ $rc -eq 1 ]] && grep -q 'ran out of memory while allocating the inputs' '$tmp/err'"
else
  echo "skip: a sanitizer's runtime cannot start under ulimit -v"
fi
# SIGTERM while the ballast is touched: where 4 GiB fit easily, the runner
# is caught with part of it touched (it touches 64 MiB at a time).
# (Not under a sanitizer: ThreadSanitizer would shadow all 4 GiB.)
avail=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
if [[ -n ${SPREADBENCH_SANITIZED:-} ]]; then
  echo "skip: a 4 GiB ballast under a sanitizer"
elif [[ $avail -ge 16 ]]; then
  "$bin" run --strategy serial --scenario tiny --seed "$seed" --jobs 1 --parent-rss 4G >/dev/null 2>"$tmp/err" &
  pid=$!
  caught=0
  for _ in $(seq 3000); do
    rss=$(awk '/^VmRSS:/ { print int($2 / 1024) }' /proc/$pid/status 2>/dev/null)
    [[ -z $rss ]] && break
    if [[ $rss -ge 256 ]]; then
      [[ $rss -lt 3072 ]] && caught=1
      break
    fi
    sleep 0.01
  done
  kill -TERM $pid
  ended $pid; finished=$?
  if [[ $caught -eq 1 ]]; then
    check "SIGTERM while touching the ballast: exit 143 at once, saying so" \
      "[[ $finished -eq 0 && $ended_rc -eq 143 ]] && grep -q 'while touching --parent-rss' '$tmp/err'"
  else
    echo "skip: the ballast was touched before the signal could land in it"
  fi
else
  echo "skip: less than 16 GiB available for a 4 GiB ballast"
fi

# ---- mpi-shm, when built: its own folders in a TMPDIR of this test, so
# that anything of Open MPI's left behind is seen.
if ! "$bin" list --built | grep -qx mpi-shm; then
  echo "skip: mpi-shm is not built"
  exit $fail
fi
export TMPDIR=$tmp/mpitmp
mkdir -p "$TMPDIR"
# nothing_left PID WHAT: no rank or launcher of this test, nothing in its
# TMPDIR, no /dev/shm folder of that runner.
nothing_left() {
  check "$2: no rank or launcher left" "gone 'spreadbench-mpi .*--seed $seed ' && gone 'mpiexec .*--seed $seed '"
  check "$2: nothing left in TMPDIR" "[[ -z \$(ls -A '$TMPDIR') ]]"
  check "$2: nothing left in /dev/shm" "! ls -d /dev/shm/spreadbench-mpi.$1.* >/dev/null 2>&1"
}
# The runner itself must be the background job ($! its pid), so no
# function around it.
mpi=(run --strategy mpi-shm --scenario tiny --seed "$seed" --workers 2 --jobs 4)

"$bin" "${mpi[@]}" --fault hang@1 --job-timeout 3 --csv "$tmp/m.csv" >/dev/null 2>"$tmp/err" &
pid=$!
ended $pid; finished=$?
check "mpi-shm hang@1 --job-timeout 3: ends, exit 1" "[[ $finished -eq 0 && $ended_rc -eq 1 ]]"
check "mpi-shm hang@1: row timeout naming the job" \
  "[[ \$(cell '$tmp/m.csv' status) == timeout ]] && cell '$tmp/m.csv' error | grep -q 'job 1 passed its time limit on rank'"
nothing_left $pid "mpi-shm hang@1"

"$bin" "${mpi[@]}" --fault stop@setup --setup-timeout 3 --csv "$tmp/m.csv" >/dev/null 2>"$tmp/err" &
pid=$!
ended $pid; finished=$?
check "mpi-shm stop@setup --setup-timeout 3: ends, exit 1, row timeout" \
  "[[ $finished -eq 0 && $ended_rc -eq 1 && \$(cell '$tmp/m.csv' status) == timeout ]]"
nothing_left $pid "mpi-shm stop@setup"

# A launcher that fails after the answers were sent.
real=$(command -v mpiexec || true)
if [[ -n $real ]]; then
  printf '#!/bin/sh\n"%s" "$@"\nexit 137\n' "$real" >"$tmp/failing-mpiexec"
  chmod +x "$tmp/failing-mpiexec"
  SPREADBENCH_MPIEXEC=$tmp/failing-mpiexec "$bin" "${mpi[@]}" --csv "$tmp/m.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "a launcher exiting 137 after the batch: exit 1, row failed with the cause" \
    "[[ $rc -eq 1 && \$(cell '$tmp/m.csv' status) == failed ]] && cell '$tmp/m.csv' error | grep -q 'mpiexec exited with status 137 after the batch'"
else
  echo "skip: no mpiexec on PATH to wrap"
fi

# A low open-file limit is refused before launching, saying how many.
(ulimit -n 24; exec "$bin" run --strategy mpi-shm --scenario tiny --workers 2 --jobs 2) >/dev/null 2>"$tmp/err"; rc=$?
check "ulimit -n 24: exit 2, saying how many files are needed" \
  "[[ $rc -eq 2 ]] && grep -q 'needs about [0-9]* open files but the limit is 24' '$tmp/err'"

# SIGTERM and SIGINT to the runner alone mid-batch (a job hangs for good).
for sig in TERM INT; do
  "$bin" "${mpi[@]}" --fault hang@0 --job-timeout 600 >/dev/null 2>"$tmp/err" &
  pid=$!
  # Once the ranks have mapped their transport, every shared segment they
  # map must be in the runner's own folder.
  maps=
  for _ in $(seq 600); do
    for r in $(pgrep -f "spreadbench-mpi .*--seed $seed "); do
      maps+=$(grep -o '/dev/shm/[^ ]*' /proc/$r/maps 2>/dev/null)$'\n'
    done
    grep -q /dev/shm/ <<<"$maps" && break
    sleep 0.1
  done
  check "SIG$sig: the ranks' segments are in /dev/shm/spreadbench-mpi.$pid.*" \
    "grep -q /dev/shm/ <<<\"\$maps\" && ! grep /dev/shm/ <<<\"\$maps\" | grep -qv '/dev/shm/spreadbench-mpi\.$pid\.'"
  kill -$sig $pid
  ended $pid; finished=$?
  want=$((128 + $(kill -l $sig)))
  check "SIG$sig mid-batch: exits $want" "[[ $finished -eq 0 && $ended_rc -eq $want ]]"
  nothing_left $pid "SIG$sig mid-batch"
done

exit $fail
