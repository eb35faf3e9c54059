#!/usr/bin/env bash
# hugepages.sh - reserve or release hugetlb pages for spreadbench's shared
# inputs (--shm-pages huge), as root.  spreadbench never changes system
# settings itself; this script is for a user who wants huge pages for it.
#
#   scripts/hugepages.sh N        reserve N pages of the default size (2 MiB
#                                 on x86-64), or as many as the kernel gives
#   scripts/hugepages.sh 0        release them all
#   scripts/hugepages.sh          show what is reserved and free
#
# The prof scenario's 1.55 GB of inputs need about 760 pages of 2 MiB.
# Reserving needs that much free, unfragmented memory; the kernel may give
# fewer pages than asked, and the script says how many it got.
set -euo pipefail
nr=/proc/sys/vm/nr_hugepages
show() {
  awk '/^HugePages_(Total|Free|Rsvd)|^Hugepagesize/ {print "hugepages: " $0}' /proc/meminfo
}
if (($# == 0)); then
  show
  exit 0
fi
if ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/hugepages.sh [N]   (N pages to reserve; 0 releases them)" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "hugepages.sh: reserving huge pages needs root (it writes $nr)" >&2
  exit 1
fi
echo "$1" >"$nr"
got=$(cat "$nr")
show
if ((got < $1)); then
  echo "hugepages.sh: asked for $1 pages, the kernel gave $got (not enough free contiguous memory)" >&2
  exit 1
fi
