#!/usr/bin/env bash
# test_io_faults.sh - what spreadbench does when its input is not what it
# should be or its output cannot be written, as a user meets it: devices,
# pipes and binary data refused at once; values no run could have written
# refused alike by show and compare; a damaged results file refused for
# appending, with the lines to keep; every output (standard output,
# report, plots, JSON, summaries, XML) checked, a failed write reported
# with its cause and a non-zero exit, and the previous file left whole.
# A full disk is met three ways: /dev/full, a file size limit (ulimit -f,
# with SIGXFSZ ignored so that a write fails with EFBIG) and, as root, a
# small tmpfs filled to the last byte.
source "$(dirname "$0")/lib.sh"
src=$(realpath "$(dirname "$0")/..")
base="$src/results/baseline/ci-demo.csv"
folder="$src/results/full-2core"
mnt=""
trap '[[ -n $mnt ]] && umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

# limited KIB CMD...: runs CMD with writes past KIB KiB of a file failing
# (EFBIG), as on a full disk.
limited() { (trap '' XFSZ; ulimit -f "$1"; shift; "$@"); }
# no temporary files left in FOLDER.
no_tmp() { ! ls -A "$1" | grep -q '\.tmp-'; }

# ---- input that is not a results file (issue 15 item 4) ----
for cmd in show "compare $base"; do
  timeout 60 "$bin" $cmd /dev/zero >/dev/null 2>"$tmp/err"; rc=$?
  check "$cmd /dev/zero: exit 2 at once" "[[ $rc -eq 2 ]] && grep -q \"'/dev/zero' is not a regular file\" '$tmp/err'"
done
mkfifo "$tmp/fifo.csv"
timeout 60 "$bin" show "$tmp/fifo.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "show of a pipe nobody writes: exit 2, no wait" "[[ $rc -eq 2 ]] && grep -q 'not a regular file' '$tmp/err'"
head -c 3000000 /dev/zero >"$tmp/zeros.csv"
timeout 60 "$bin" show "$tmp/zeros.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "a file of zeros: exit 2 naming line 1" "[[ $rc -eq 2 ]] && grep -q \"zeros.csv' line 1: longer than\" '$tmp/err'"
{ grep -v '^#' "$base" | head -3; printf 'serial,-,1,8\0\0\n'; } >"$tmp/nul.csv"
timeout 60 "$bin" compare "$base" "$tmp/nul.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "binary data: exit 2 naming the line" "[[ $rc -eq 2 ]] && grep -q \"nul.csv' line 4: a NUL byte\" '$tmp/err'"

# ---- one validation of a row for show and compare (item 12) ----
# set_cell COLUMN VALUE: the base file with that column of its third row replaced.
set_cell() {
  awk -F, -v OFS=, -v col="$1" -v val="$2" '/^#/ {print; next}
    !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; print; next}
    {if (++n == 3) $c[col] = val; print}' "$base"
}
line3=$(awk '/^#/ {n++; next} !h {n++; h = 1; next} {n++; if (++r == 3) {print n; exit}}' "$base")
for bad in "wall_s nan" "wall_s inf" "wall_s 1e999" "compute_s -0.5" "workers 1.5" "workers x" \
           "peak_pss_bytes -1" "peak_rss_sum_bytes 12abc" "valid yes" "jobs 0"; do
  read -r column value <<<"$bad"
  set_cell "$column" "$value" >"$tmp/bad.csv"
  "$bin" show "$tmp/bad.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "show refuses $column=$value" "[[ $rc -eq 2 ]] && grep -q \"bad.csv' line $line3: $column is '$value'\" '$tmp/err'"
  "$bin" compare "$base" "$tmp/bad.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "compare refuses $column=$value" "[[ $rc -eq 2 ]] && grep -q \"bad.csv' line $line3: $column is '$value'\" '$tmp/err'"
done
set_cell wall_s 1e-300 >"$tmp/tiny.csv"
"$bin" show "$tmp/tiny.csv" >/dev/null; rc=$?
check "a tiny but finite time is shown" "[[ $rc -eq 0 ]]"
# A byte-order mark, as a spreadsheet saves it, is skipped.
{ printf '\xef\xbb\xbf'; cat "$base"; } >"$tmp/bom.csv"
"$bin" show "$tmp/bom.csv" >"$tmp/out"; rc=$?
check "show skips a byte-order mark" "[[ $rc -eq 0 ]] && grep -q '^21 rows' '$tmp/out'"
"$bin" compare "$base" "$tmp/bom.csv" >/dev/null 2>&1; rc=$?
check "compare skips a byte-order mark" "[[ $rc -eq 0 ]]"

# ---- standard output (item 7) ----
for cmd in "show $base" "compare $base $base" "compare --format json $base $base" "list" "topo" \
           "fire --scenario tiny" "fire --scenario tiny --json"; do
  "$bin" $cmd >/dev/full 2>"$tmp/err"; rc=$?
  check "$cmd >/dev/full: exit 1 with the cause" \
    "[[ $rc -eq 1 ]] && grep -q 'cannot write standard output: No space left on device' '$tmp/err'"
  check "$cmd >/dev/full: said once" "[[ \$(grep -c 'cannot write' '$tmp/err') -eq 1 ]]"
done
"$bin" show "$base" >&- 2>"$tmp/err"; rc=$?
check "show with standard output closed: exit 1" "[[ $rc -eq 1 ]] && grep -q 'cannot write standard output' '$tmp/err'"

# ---- compare's files ----
"$bin" compare --summary /dev/full "$base" "$base" >/dev/null 2>"$tmp/err"; rc=$?
check "--summary /dev/full: exit 1" "[[ $rc -eq 1 ]] && grep -q \"cannot write '/dev/full': No space left\" '$tmp/err'"
"$bin" compare --export-json /dev/full "$base" "$base" >/dev/null 2>"$tmp/err"; rc=$?
check "--export-json /dev/full: exit 1" "[[ $rc -eq 1 ]] && grep -q \"cannot write '/dev/full'\" '$tmp/err'"
"$bin" compare --export-json "$tmp/nowhere/b.json" "$base" "$base" >/dev/null 2>"$tmp/err"; rc=$?
check "--export-json into a missing folder: exit 1 with why" "[[ $rc -eq 1 ]] && grep -q 'No such file or directory' '$tmp/err'"
"$bin" compare --export-json "$tmp/bench.json" "$base" "$base" >/dev/null; rc=$?
check "--export-json writes JSON" "[[ $rc -eq 0 ]] && python3 -c 'import json; json.load(open(\"$tmp/bench.json\"))'"
cp "$tmp/bench.json" "$tmp/bench.old"
# (Its message goes through a pipe: with a limit of 0 it could not be
# written to a file either.)
limited 0 "$bin" compare --export-json "$tmp/bench.json" "$base" "$base" 2>&1 >/dev/null | cat >"$tmp/err"
rc=${PIPESTATUS[0]}
check "--export-json past the size limit: exit 1, the old file whole" \
  "[[ $rc -eq 1 ]] && grep -q 'File too large' '$tmp/err' && cmp -s '$tmp/bench.json' '$tmp/bench.old' && no_tmp '$tmp'"
# A summary is appended to: a failed append leaves what was there.
head -c 1000 /dev/zero | tr '\0' 's' >"$tmp/summary.md"
cp "$tmp/summary.md" "$tmp/summary.old"
limited 1 "$bin" compare --summary "$tmp/summary.md" "$base" "$base" >/dev/null 2>"$tmp/err"; rc=$?
check "--summary past the size limit: exit 1, nothing half-appended" \
  "[[ $rc -eq 1 ]] && grep -q 'File too large' '$tmp/err' && cmp -s '$tmp/summary.md' '$tmp/summary.old'"
echo old >"$tmp/summary2.md"
"$bin" compare --summary "$tmp/summary2.md" "$base" "$base" >/dev/null; rc=$?
check "--summary appends" "[[ $rc -eq 0 ]] && head -1 '$tmp/summary2.md' | grep -qx old && grep -q '^| point |' '$tmp/summary2.md'"

# ---- report and plots (items 7 and 10) ----
cp -r "$folder" "$tmp/r"
"$bin" report "$tmp/r" >/dev/null; rc=$?
check "report writes report.md" "[[ $rc -eq 0 ]] && grep -q '^## Speedup' '$tmp/r/report.md' && no_tmp '$tmp/r'"
cp "$tmp/r/report.md" "$tmp/report.old"
limited 1 "$bin" report "$tmp/r" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "report past the size limit: exit 1 with the cause" "[[ $rc -eq 1 ]] && grep -q \"report.md': File too large\" '$tmp/err'"
check "report past the size limit: no success line" "! grep -q '^report:' '$tmp/out'"
check "report past the size limit: the old report whole, no temporary file" \
  "cmp -s '$tmp/r/report.md' '$tmp/report.old' && no_tmp '$tmp/r'"
ln -sf /dev/full "$tmp/r/report.md"
"$bin" report "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
check "report.md -> /dev/full: exit 1" "[[ $rc -eq 1 ]] && grep -q 'No space left on device' '$tmp/err'"
rm "$tmp/r/report.md"
printf '{"cores": 99999999999, "cpu_model": "a | b\\nc"' >"$tmp/r/context.json"
"$bin" report "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
check "a broken context.json: a warning, still a report" \
  "[[ $rc -eq 0 ]] && grep -q \"warning: '$tmp/r/context.json' line\" '$tmp/err' && [[ -s '$tmp/r/report.md' ]]"
printf '{"cores": 99999999999, "cpu_model": "a | b\\nc"}' >"$tmp/r/context.json"
"$bin" report "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
check "an edited context.json: the table stays a table" "[[ $rc -eq 0 ]] && grep -qF '| cpu_model | a &#124; b c |' '$tmp/r/report.md'"
rm "$tmp/r/context.json"; mkfifo "$tmp/r/context.json"
timeout 60 "$bin" report "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
check "context.json a pipe: no wait, a warning" "[[ $rc -eq 0 ]] && grep -q 'not a regular file' '$tmp/err'"
rm "$tmp/r/context.json"; cp "$folder/context.json" "$tmp/r/"

if command -v gnuplot >/dev/null; then
  "$bin" plot "$tmp/r" >/dev/null; rc=$?
  check "plot draws" "[[ $rc -eq 0 ]] && head -c 8 '$tmp/r/plots/speedup.png' | grep -q PNG && no_tmp '$tmp/r/plots'"
  cp -r "$tmp/r/plots" "$tmp/plots.old"
  limited 1 "$bin" plot "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
  check "plot past the size limit: exit 1 with the cause" "[[ $rc -eq 1 ]] && grep -q 'File too large' '$tmp/err'"
  check "plot past the size limit: every old plot and .dat whole, no temporary file" \
    "diff -r '$tmp/r/plots' '$tmp/plots.old' >/dev/null && no_tmp '$tmp/r/plots'"

  # fire --plot: a path that cannot be written is refused before the fire.
  "$bin" fire --scenario tiny --plot "$tmp/nowhere/f.png" >"$tmp/out" 2>"$tmp/err"; rc=$?
  check "fire --plot into a missing folder: exit 2 before the fire" \
    "[[ $rc -eq 2 ]] && grep -q \"cannot write '$tmp/nowhere/f.png': No such file\" '$tmp/err' && [[ ! -s '$tmp/out' ]]"
  check "fire --plot into a missing folder: no gnuplot noise" "[[ \$(wc -l <'$tmp/err') -eq 1 ]]"
  "$bin" fire --scenario tiny --plot /dev/full >/dev/null 2>"$tmp/err"; rc=$?
  check "fire --plot /dev/full: exit 1" "[[ $rc -eq 1 ]] && grep -q \"cannot draw '/dev/full': No space left\" '$tmp/err'"
  "$bin" fire --scenario tiny --plot "$tmp/f.png" >/dev/null; rc=$?
  cp "$tmp/f.png" "$tmp/f.old"
  limited 1 "$bin" fire --scenario tiny --job 2 --plot "$tmp/f.png" >/dev/null 2>"$tmp/err"; rc=$?
  check "fire --plot past the size limit: exit 1, the old picture whole" \
    "[[ $rc -eq 1 ]] && cmp -s '$tmp/f.png' '$tmp/f.old' && no_tmp '$tmp'"
fi

# ---- topo --xml (item 12) ----
"$bin" topo --xml "$tmp/nowhere/t.xml" >/dev/null 2>"$tmp/err"; rc=$?
check "topo --xml into a missing folder: exit 1 with why" \
  "[[ $rc -eq 1 ]] && grep -q \"cannot write '$tmp/nowhere/t.xml': No such file or directory\" '$tmp/err'"
"$bin" topo --xml /dev/full >/dev/null 2>"$tmp/err"; rc=$?
check "topo --xml /dev/full: exit 1 with why" "[[ $rc -eq 1 ]] && grep -q 'No space left on device' '$tmp/err'"
"$bin" topo --xml "$tmp/t.xml" >/dev/null; rc=$?
check "topo --xml writes hwloc's XML" "[[ $rc -eq 0 ]] && grep -q '<topology' '$tmp/t.xml'"

# ---- appending to a damaged results file (item 8) ----
run=(run --strategy serial --scenario tiny --jobs 2 --warmup 0)
"$bin" "${run[@]}" --csv "$tmp/a.csv" >/dev/null; rc=$?
check "a results file to damage" "[[ $rc -eq 0 ]]"
lines=$(wc -l <"$tmp/a.csv")
for damage in cut garbage; do
  cp "$tmp/a.csv" "$tmp/d.csv"
  if [[ $damage == cut ]]; then
    sed -n "${lines}p" "$tmp/a.csv" | head -c 40 >>"$tmp/d.csv"  # a row cut short, as a full disk leaves it
  else
    printf '\x89PNG\r\x1a\x00\xff\xfe binary,"\n' >>"$tmp/d.csv"  # what a stray binary write leaves
  fi
  cp "$tmp/d.csv" "$tmp/d.old"
  "$bin" "${run[@]}" --csv "$tmp/d.csv" >/dev/null 2>"$tmp/err"; rc=$?
  check "run --csv onto a $damage file: exit 2" "[[ $rc -eq 2 ]]"
  check "run --csv onto a $damage file: names the line and what to keep" \
    "grep -q \"d.csv' line $((lines + 1))\" '$tmp/err' && grep -q \"head -n $lines '$tmp/d.csv'\" '$tmp/err'"
  check "run --csv onto a $damage file: the file untouched" "cmp -s '$tmp/d.csv' '$tmp/d.old'"
done
# The repair it names works.
head -n "$lines" "$tmp/d.csv" >"$tmp/fixed.csv" && mv "$tmp/fixed.csv" "$tmp/d.csv"
"$bin" "${run[@]}" --csv "$tmp/d.csv" >/dev/null 2>&1; rc=$?
check "after the repair run appends again" "[[ $rc -eq 0 ]] && \"$bin\" show '$tmp/d.csv' | grep -q '^2 rows'"

# ---- a full filesystem (root only: mounting a tmpfs) ----
if [[ $(id -u) -eq 0 ]] && mkdir "$tmp/mnt" && mount -t tmpfs -o size=2m spreadbench-test "$tmp/mnt" 2>/dev/null; then
  mnt="$tmp/mnt"
  cp -r "$tmp/r" "$mnt/r"
  "$bin" report "$mnt/r" >/dev/null && cp "$mnt/r/report.md" "$tmp/report.tmpfs"
  dd if=/dev/zero of="$mnt/fill" bs=4k >/dev/null 2>&1 # until the filesystem is full
  "$bin" report "$mnt/r" >/dev/null 2>"$tmp/err"; rc=$?
  check "full disk: report exits 1 with the cause" "[[ $rc -eq 1 ]] && grep -q 'No space left on device' '$tmp/err'"
  check "full disk: the old report whole, no temporary file" "cmp -s '$mnt/r/report.md' '$tmp/report.tmpfs' && no_tmp '$mnt/r'"
  if command -v gnuplot >/dev/null; then
    cp -r "$mnt/r/plots" "$tmp/plots.tmpfs"
    "$bin" plot "$mnt/r" >/dev/null 2>"$tmp/err"; rc=$?
    check "full disk: plot exits 1, old plots whole" \
      "[[ $rc -eq 1 ]] && grep -q 'No space left on device' '$tmp/err' && diff -r '$mnt/r/plots' '$tmp/plots.tmpfs' >/dev/null && no_tmp '$mnt/r/plots'"
  fi
  "$bin" show "$base" >"$mnt/show.txt" 2>"$tmp/err"; rc=$?
  check "full disk: show >FILE exits 1" "[[ $rc -eq 1 ]] && grep -q 'No space left on device' '$tmp/err'"
  rm -f "$mnt/fill"
  "$bin" report "$mnt/r" >/dev/null; rc=$?
  check "space again: report writes" "[[ $rc -eq 0 ]]"
else
  echo "skip: full filesystem cases need root to mount a small tmpfs (the file size limit cases above stand in)"
fi

if ((fail)); then echo "test_io_faults: FAILED"; exit 1; fi
echo "test_io_faults: all checks passed"
