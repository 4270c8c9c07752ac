# tests/e2e/lib.sh - shared helpers of the e2e scripts (sourced, not run).
#
# Gives each script: $T, a temporary directory removed on exit; fail() and
# skip(); bt() to run benchtop capturing $T/out, $T/err, $rc and $bt_pid;
# expect_rc(); has() / hasnt() for fixed-string checks; json_check() to run
# Python assertions on a strict JSON document; no_segment_of() for shared
# memory left behind by one benchtop process.
#
# Scripts run from the source tree with BENCHTOP set (tests/run.sh does so).

: "${BENCHTOP:?set BENCHTOP to the benchtop binary (tests/run.sh does)}"
BENCHTOP_SRC=${BENCHTOP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_NAME=$(basename "$0" .sh)
LC_ALL=C
export LC_ALL
# the machine's own topology and profile directories, whatever the caller set
unset BENCHTOP_TOPOLOGY BENCHTOP_PROFILES

T=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-$E2E_NAME.XXXXXX") || exit 1
# A script that starts benchtop in the background puts its pid in $bpid
# (and other processes of its own in $kids): they are killed by pid if the
# script ends early, then $T is removed.
bpid=
kids=
e2e_cleanup() {
	[ -n "$bpid" ] && kill -KILL "$bpid" 2>/dev/null
	for k in $kids; do kill -KILL "$k" 2>/dev/null; done
	rm -rf "$T"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Whether pid is a live process (a zombie counts as gone).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# Print a failure and leave the script with status 1.
fail() {
	echo "FAIL $E2E_NAME: $*" >&2
	exit 1
}

# Leave the script as skipped (status 77); the message is its last line.
skip() {
	echo "$*"
	exit 77
}

# Run benchtop with the arguments; stdout in $T/out, stderr in $T/err,
# exit status in $rc and its pid in $bt_pid (for no_segment_of).
bt() {
	"$BENCHTOP" "$@" >"$T/out" 2>"$T/err" &
	bt_pid=$!
	wait "$bt_pid"
	rc=$?
}

# Show what the last bt() printed (for failure messages).
bt_output() {
	echo "--- stdout:"
	head -c 3000 "$T/out"
	echo "--- stderr:"
	head -c 3000 "$T/err"
}

# expect_rc N ARGS...: run benchtop and insist on exit status N.
expect_rc() {
	want=$1
	shift
	bt "$@"
	[ "$rc" -eq "$want" ] || fail "benchtop $*: exit $rc, want $want
$(bt_output)"
}

# has FRAGMENT FILE: FILE contains the fixed string FRAGMENT.
has() {
	grep -qF -- "$1" "$2" || fail "$(basename "$2") lacks '$1':
$(head -c 3000 "$2")"
}

# hasnt FRAGMENT FILE: FILE does not contain FRAGMENT.
hasnt() {
	if grep -qF -- "$1" "$2"; then
		fail "$(basename "$2") contains '$1':
$(head -c 3000 "$2")"
	fi
}

# no_segment_of PID: benchtop PID left no stats segment in /dev/shm.
no_segment_of() {
	for f in /dev/shm/benchtop-"$1"-*; do
		[ -e "$f" ] && fail "process $1 left $f behind"
	done
	return 0
}

# The system's python3 first: a version manager's shim can take 0.5 s a call.
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		PYTHON=/usr/bin/python3
	else
		PYTHON=$(command -v python3) || fail "python3 is needed (make deps installs it)"
	fi
fi

# json_check FILE: run the Python assertions read from stdin with `d` bound
# to the document in FILE ('-' = $T/out). The document must be strict JSON:
# NaN and Infinity are rejected. A failing assert fails the script and shows
# the assertion's line.
json_check() {
	src=$1
	[ "$src" = - ] && src=$T/out
	cat >"$T/check.py"
	"$PYTHON" - "$src" "$T/check.py" <<'EOF' || fail "JSON check of $1 failed (see above)"
import json, sys, traceback

def reject(name):
    raise ValueError("not strict JSON: " + name)

try:
    with open(sys.argv[1]) as f:
        d = json.loads(f.read(), parse_constant=reject)
except (ValueError, OSError) as e:
    print("cannot read JSON from %s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
with open(sys.argv[2]) as f:
    code = f.read()
try:
    exec(compile(code, "check", "exec"), {"d": d, "json": json})
except AssertionError as e:
    tb = traceback.extract_tb(sys.exc_info()[2])
    line = tb[-1].lineno if tb else 0
    text = code.splitlines()[line - 1].strip() if 0 < line <= len(code.splitlines()) else "?"
    print("assertion failed: %s %s" % (text, e), file=sys.stderr)
    sys.exit(1)
EOF
}
