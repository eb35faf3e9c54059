# lib.sh - what every shell test starts with: the program under test (the
# first argument, as an absolute path), a private temporary folder removed
# on exit, and the checks.  A test sources it and ends with `exit $fail`.
set -u
bin=$(realpath "$1")
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A landscape seed of this test run alone (7 digits: 1000000 + pid), so that
# processes it starts can be found by their command line and told from
# those of other tests, or of another copy of the suite, running beside it.
own_seed=$((1000000 + $$))

# check NAME CONDITION: evaluates CONDITION, prints ok/FAIL, remembers a failure.
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

# exits2 COMMAND ARGS...: `spreadbench COMMAND ARGS` must exit 2 and say
# why on stderr (kept in $tmp/err for further checks).
exits2() {
  local cmd=$1
  shift
  "$bin" "$cmd" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  check "exit 2: $*" "[[ $rc -eq 2 ]] && [[ -s '$tmp/err' ]]"
}

# cell FILE COLUMN [ROW]: the cell of COLUMN in data row ROW (1 first;
# default the last) of a results CSV, its quotes undone; comment lines
# (the context) skipped.  Checks name the columns they mean, so that
# columns added at the end never break them.
cell() {
  awk -v want="$2" -v row="${3:-0}" '
    function fields(line, out,   n, i, c, q, f) {
      n = 0; f = ""; q = 0
      for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
          if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 }
          else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = f; f = "" }
        else f = f c
      }
      out[++n] = f
      return n
    }
    /^#/ { next }
    !seen { n = fields($0, h); for (i = 1; i <= n; i++) if (h[i] == want) k = i; seen = 1; next }
    { r++; fields($0, c); last = k ? c[k] : ""; if (r == row) { print last; done = 1; exit } }
    END { if (!done && row == 0) print last }' "$1"
}

# row_is FILE COL=VALUE...: every COL of the last row of FILE holds VALUE.
row_is() {
  local file=$1 kv
  shift
  for kv in "$@"; do
    [[ $(cell "$file" "${kv%%=*}") == "${kv#*=}" ]] || return 1
  done
}
