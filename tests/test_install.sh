#!/usr/bin/env bash
# test_install.sh - the README's walkthrough of a plug-in, as written:
# cmake --install into a fresh prefix, the plug-in of "A plug-in in C"
# taken from the README and built with pkg-config against the installed
# header, then run by the installed spreadbench under a process pool with
# spawned workers (which load it themselves) and under threads.
#   test_install.sh SPREADBENCH BUILD-DIR README
source "$(dirname "$0")/lib.sh"
build=$(realpath "$2")
readme=$(realpath "$3")
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1; rc=$?
check "cmake --install: exit 0" "[[ $rc -eq 0 ]]"
check "the header and the pkg-config file are installed" \
  "[[ -f '$tmp/prefix/include/spreadbench/workload.h' ]] && ls '$tmp'/prefix/lib*/pkgconfig/spreadbench.pc >/dev/null"
awk '/^### A plug-in in C/ {on = 1} on && /^```c$/ {code = 1; next} code && /^```$/ {exit} code {print}' \
  "$readme" >"$tmp/mine.c"
check "the README has the plug-in" "grep -q 'spreadbench_workload' '$tmp/mine.c'"
pc=$(dirname "$(ls "$tmp"/prefix/lib*/pkgconfig/spreadbench.pc | head -1)")
cflags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags spreadbench); rc=$?
check "pkg-config --cflags spreadbench" "[[ $rc -eq 0 && -n '$cflags' ]]"
(cd "$tmp" && cc -O2 -Wall -Wextra -Werror -fPIC -shared $cflags mine.c -o libmine.so) 2>"$tmp/cc.log"; rc=$?
check "the plug-in builds against the installed header, warnings clean" "[[ $rc -eq 0 ]]"
[[ $rc -ne 0 ]] && cat "$tmp/cc.log"
sb=$tmp/prefix/bin/spreadbench
for args in "--strategy pool-shm --start spawn" "--strategy pthreads"; do
  (cd "$tmp" && "$sb" run --workload ./libmine.so $args --workers 2 --jobs 4 --csv "$tmp/mine.csv" >/dev/null 2>"$tmp/err"); rc=$?
  check "the installed spreadbench runs it ($args): exit 0, valid" \
    "[[ $rc -eq 0 ]] && row_is '$tmp/mine.csv' work_unit=reads valid=true"
done
exit $fail
