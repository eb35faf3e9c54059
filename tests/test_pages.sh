#!/usr/bin/env bash
# test_pages.sh - the pages of shared inputs (--shm-pages): 4 KiB pages
# everywhere; each kind the machine can give, read back into the row's
# shm_page_bytes; a clear refusal (exit 2, why) of a kind it cannot give,
# never a silent fall-back.  Where it runs as root and may, it reserves
# hugetlb pages with scripts/hugepages.sh for the huge case and gives the
# reservation back afterwards; elsewhere that case is skipped, saying why.
# Also pool-cow, whose one private copy is shared by fork: its row is
# valid, and spawned workers are refused.
source "$(dirname "$0")/lib.sh"
src=$(realpath "$(dirname "$0")/..")

run() { "$bin" run --strategy "$1" --scenario demo --workers 2 --jobs 2 --mix identical "${@:2}"; }

run pool-shm --shm-pages 4k --csv "$tmp/4k.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "4k: exit 0" "[[ $rc -eq 0 ]]"
check "4k: 4096-byte pages in the row, valid" "row_is '$tmp/4k.csv' shm_pages=4k shm_page_bytes=4096 valid=true"
run pool-shm --csv "$tmp/auto.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "auto: exit 0, a page size recorded" "[[ $rc -eq 0 ]] && (( \$(cell '$tmp/auto.csv' shm_page_bytes) >= 4096 ))"

# Shared transparent huge pages: as shmem_enabled allows.
shmem=$(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null || echo none)
run pool-shm --shm-pages thp --csv "$tmp/thp.csv" >/dev/null 2>"$tmp/err"; rc=$?
if [[ $shmem =~ \[(always|within_size|advise|force)\] ]]; then
  check "thp: exit 0, 2 MiB pages" "[[ $rc -eq 0 ]] && row_is '$tmp/thp.csv' shm_page_bytes=2097152 valid=true"
else
  check "thp refused where shmem_enabled is off: exit 2, says why" \
    "[[ $rc -eq 2 ]] && grep -q 'shmem_enabled' '$tmp/err'"
fi

# hugetlb pages: reserve, run, give back (as root, where /proc/sys is writable).
before=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
free_pages=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo)
if ((free_pages >= 16)); then
  reserved=0
elif [[ $(id -u) -eq 0 ]] && bash "$src/scripts/hugepages.sh" $((before + 16)) >/dev/null 2>&1; then
  reserved=1
else
  reserved=-1
fi
if ((reserved >= 0)); then
  run pool-shm --shm-pages huge --csv "$tmp/huge.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "huge: exit 0, 2 MiB pages, valid" "[[ $rc -eq 0 ]] && row_is '$tmp/huge.csv' shm_pages=huge shm_page_bytes=2097152 valid=true"
  # hugetlb pages are outside the kernel's Rss and Pss lines: the one copy
  # must still be counted, once, as with 4 KiB pages.
  hp=$(cell "$tmp/huge.csv" peak_pss_bytes); kp=$(cell "$tmp/4k.csv" peak_pss_bytes)
  in=$(cell "$tmp/huge.csv" input_bytes)
  check "huge: the block is in the peak PSS, once ($hp bytes; 4k $kp; inputs $in)" \
    "(( ${hp:-0} > ${in:-1} && ${hp:-0} < ${kp:-0} + ${in:-0} / 2 ))"
  ((reserved == 1)) && bash "$src/scripts/hugepages.sh" "$before" >/dev/null 2>&1
  check "the reservation is given back" "[[ \$(cat /proc/sys/vm/nr_hugepages) -eq $before ]]"
else
  echo "skip: no free hugetlb pages, and they cannot be reserved here (not root, or /proc/sys read-only)"
  run pool-shm --shm-pages huge >/dev/null 2>"$tmp/err"; rc=$?
  check "huge without reserved pages: exit 2, says how to get them" \
    "[[ $rc -eq 2 ]] && grep -q 'hugepages.sh' '$tmp/err'"
fi
if "$bin" list --built | grep -qx mpi-shm; then
  exits2 run --strategy mpi-shm --scenario tiny --workers 2 --shm-pages huge
  check "mpi-shm refuses hugetlb pages and says why" "grep -q '/dev/shm' '$tmp/err'"
  run mpi-shm --shm-pages 4k --csv "$tmp/mpi.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "mpi-shm 4k: exit 0, 4096-byte pages, valid" "[[ $rc -eq 0 ]] && row_is '$tmp/mpi.csv' shm_page_bytes=4096 valid=true"
fi
exits2 run --strategy pool-copy --scenario tiny --shm-pages 4k
check "--shm-pages names the strategies it is for" "grep -q 'pool-shm' '$tmp/err'"

# pool-cow: one copy, by fork alone.
run pool-cow --csv "$tmp/cow.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "pool-cow: exit 0, valid" "[[ $rc -eq 0 ]] && row_is '$tmp/cow.csv' strategy=pool-cow start=fork valid=true"
check "pool-cow: its pages recorded" "(( \$(cell '$tmp/cow.csv' shm_page_bytes) >= 4096 ))"
exits2 run --strategy pool-cow --scenario tiny --start spawn
check "pool-cow refuses spawn and says why" "grep -q 'fork' '$tmp/err'"
exit $fail
