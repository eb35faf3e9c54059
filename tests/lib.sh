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
