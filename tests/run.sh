#!/bin/sh
# tests/run.sh - run benchtop's tests: the Criterion unit binary, then every
# tests/e2e/*.sh script, then a check that nothing was left behind.
#
#   BENCHTOP=/abs/build/benchtop UNIT_TESTS=/abs/build/unit_tests sh tests/run.sh
#   BENCHTOP=/abs/build/benchtop sh tests/run.sh e2e      (scripts only)
#
# One line per check (PASS/FAIL/SKIP name, seconds); a failing check's
# output follows it, indented. Every check counts in the closing line
# "e2e: N passed, M failed[, K skipped]": the unit binary, each script, and
# the leftover check (no new /dev/shm/benchtop-* segment, no process started
# by the tests still alive). Exit status 0 only when nothing failed.
#
# An e2e script exits 0 (pass), 77 (skip) or anything else (fail); it runs
# with a timeout of $E2E_TIMEOUT seconds (default 120) and sees BENCHTOP,
# BENCHTOP_SRC (the source tree) and BENCHTOP_TEST_TAG (see below).

LC_ALL=C
export LC_ALL

mode=${1:-all}
case $mode in
all|e2e) ;;
*) echo "usage: sh tests/run.sh [e2e]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
: "${BENCHTOP:=$root/build/benchtop}"
case $BENCHTOP in
/*) ;;
*) BENCHTOP=$(pwd)/$BENCHTOP ;;
esac
if [ ! -x "$BENCHTOP" ]; then
	echo "tests/run.sh: BENCHTOP=$BENCHTOP is not an executable" >&2
	exit 2
fi
BENCHTOP_SRC=$root
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-600}
export BENCHTOP BENCHTOP_SRC

# Every process the tests start carries this tag in its environment (forked
# workers inherit it), so leftovers are told apart from other people's
# benchtops running on the same machine at the same time.
BENCHTOP_TEST_TAG=run-$$-$(date +%s%N)
export BENCHTOP_TEST_TAG

work=$(mktemp -d "${TMPDIR:-/tmp}/benchtop-run.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
skipped=0

# Milliseconds since the epoch.
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# The benchtop-* segments in /dev/shm, one name a line.
shm_list() {
	ls /dev/shm 2>/dev/null | grep '^benchtop-' | sort
}

# Record one check: result name start_ms [log file].
report() {
	res=$1 name=$2 start=$3 log=$4
	ms=$(( $(now_ms) - start ))
	printf '%-4s %s (%d.%d s)\n' "$res" "$name" $((ms / 1000)) $((ms % 1000 / 100))
	case $res in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*)
		failed=$((failed + 1))
		if [ -n "$log" ] && [ -s "$log" ]; then
			tail -n 40 "$log" | sed 's/^/    /'
		fi
		;;
	esac
}

shm_list >"$work/shm.before"

# 1. Unit tests.
if [ "$mode" = all ] && [ -n "${UNIT_TESTS:-}" ]; then
	start=$(now_ms)
	# sanitizer builds: a leak inside Criterion itself is not ours
	LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export LSAN_OPTIONS
	timeout -k 10 "$UNIT_TIMEOUT" "$UNIT_TESTS" --jobs 2 >"$work/unit.log" 2>&1
	rc=$?
	# Criterion's summary line, so the counts are visible.
	grep '^\[====\] Synthesis' "$work/unit.log" | sed 's/^\[====\] /     /'
	# on failure show the failed assertions, not the tail of the log
	{
		grep -E '^\[(----|FAIL)\]|Assertion|Crash|Timeout|runtime error' "$work/unit.log"
		# a sanitizer's report whole, with its stack
		sed -n '/ERROR: [A-Za-z]*Sanitizer/,/^SUMMARY/p' "$work/unit.log"
	} | head -n 80 >"$work/unit.fail"
	[ -s "$work/unit.fail" ] || tail -n 40 "$work/unit.log" >"$work/unit.fail"
	if [ $rc -eq 0 ]; then
		report PASS unit_tests "$start"
	elif [ $rc -eq 124 ]; then
		report FAIL "unit_tests (timed out after $UNIT_TIMEOUT s)" "$start" "$work/unit.fail"
	else
		report FAIL "unit_tests (exit $rc)" "$start" "$work/unit.fail"
	fi
fi

# 2. End-to-end scripts, in name order (lib.sh and tmux_lib.sh are their
#    shared libraries).
for f in "$root"/tests/e2e/*.sh; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .sh)
	case $name in lib | tmux_lib) continue ;; esac
	start=$(now_ms)
	(cd "$root" && timeout -k 5 "$E2E_TIMEOUT" sh "$f") >"$work/$name.log" 2>&1 </dev/null
	rc=$?
	case $rc in
	0) report PASS "$name" "$start" ;;
	77) report SKIP "$name: $(tail -n 1 "$work/$name.log")" "$start" ;;
	124) report FAIL "$name (timed out after $E2E_TIMEOUT s)" "$start" "$work/$name.log" ;;
	*) report FAIL "$name (exit $rc)" "$start" "$work/$name.log" ;;
	esac
done

# 3. Leftovers. The tag is dropped first so the checking tools don't match.
tag=$BENCHTOP_TEST_TAG
unset BENCHTOP_TEST_TAG

# Pids of live processes whose environment carries the tag (one grep for
# all of /proc: a process per pid would make this take seconds).
tagged_pids() {
	grep -lszx "BENCHTOP_TEST_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
		sed -e 's|^/proc/||' -e 's|/environ$||' | grep -vx "$$"
}

# Whether the owner of a segment is someone else's live process: alive, not
# a zombie, and without the tag.
owner_is_foreign() {
	[ -r "/proc/$1/environ" ] || return 1
	case $(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) in
	''|Z|X) return 1 ;;
	esac
	echo "$pids" | grep -qx "$1" && return 1
	return 0
}

start=$(now_ms)
# workers die with their parent asynchronously (PR_SET_PDEATHSIG): allow a
# moment for that before calling anything a leftover
tries=0
while :; do
	pids=$(tagged_pids)
	[ -z "$pids" ] || [ $tries -ge 30 ] && break
	tries=$((tries + 1))
	sleep 0.1
done
: >"$work/leftovers.log"
shm_list >"$work/shm.after"
segs=
for seg in $(comm -13 "$work/shm.before" "$work/shm.after"); do
	owner=${seg#benchtop-}
	owner=${owner%%-*}
	case $owner in
	''|*[!0-9]*) ;;
	*) owner_is_foreign "$owner" && continue ;;   # someone else's live run
	esac
	segs="$segs $seg"
done
for pid in $pids; do
	printf 'process %s still running: %s; killed\n' "$pid" \
		"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >>"$work/leftovers.log"
	kill -KILL "$pid" 2>/dev/null
done
for seg in $segs; do
	echo "segment /dev/shm/$seg left behind; removed" >>"$work/leftovers.log"
	rm -f "/dev/shm/$seg"
done
if [ -s "$work/leftovers.log" ]; then
	report FAIL leftovers "$start" "$work/leftovers.log"
else
	report PASS "no leftovers" "$start"
fi

if [ $skipped -gt 0 ]; then
	echo "e2e: $passed passed, $failed failed, $skipped skipped"
else
	echo "e2e: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
