#!/bin/sh
# rel_bad_input: bad input starts nothing and leaves nothing. Every command
# line of tests/bad/cmdlines.txt and every profile of tests/bad/profiles.txt
# (run for real, not --dry-run), plus a few cases of this script's own, must
# exit 2 before any worker is forked or any stats segment is created: under
# strace no fork/clone and no shm_open of /dev/shm/benchtop-*; without
# strace, no new segment.
. "$(dirname "$0")/lib.sh"

bad=$BENCHTOP_SRC/tests/bad
have_strace=0
if command -v strace >/dev/null 2>&1 &&
	strace -f -qq -o /dev/null "$BENCHTOP" --version >/dev/null 2>&1; then
	have_strace=1
fi
n=0

# check FRAGMENT ARGS...: exit 2, FRAGMENT on stderr, nothing started.
check() {
	frag=$1
	shift
	if [ $have_strace -eq 1 ]; then
		strace -f -qq -e trace=clone,clone3,fork,vfork,openat -o "$T/trace" \
			"$BENCHTOP" "$@" >"$T/out" 2>"$T/err" </dev/null
		rc=$?
		if grep -Eq '^[0-9]+ +(clone|clone3|fork|vfork)\(' "$T/trace"; then
			fail "benchtop $* forked: $(grep -E 'clone|fork' "$T/trace" | head -3)"
		fi
		if grep -q '/dev/shm/benchtop-' "$T/trace"; then
			fail "benchtop $* opened a stats segment: $(grep /dev/shm "$T/trace" | head -3)"
		fi
		pid=$(head -n 1 "$T/trace" | cut -d' ' -f1)
	else
		"$BENCHTOP" "$@" >"$T/out" 2>"$T/err" </dev/null &
		pid=$!
		wait $pid
		rc=$?
	fi
	[ $rc -eq 2 ] || fail "benchtop $*: exit $rc, want 2: $(cat "$T/err")"
	if [ -n "$frag" ] && ! grep -qF -- "$frag" "$T/err"; then
		fail "benchtop $*: stderr lacks '$frag': $(cat "$T/err")"
	fi
	grep -q '^\[[0-9]*/' "$T/err" && fail "benchtop $*: a configuration ran: $(cat "$T/err")"
	[ -n "$pid" ] && no_segment_of "$pid"
	n=$((n + 1))
}

# 1. the shared corpus of bad command lines
if [ -f "$bad/cmdlines.txt" ]; then
	while IFS= read -r line; do
		case $line in '#'*|'') continue ;; esac
		args=${line%% => *}
		frag=${line#* => }
		[ "$args" = "$line" ] && continue
		eval "set -- $args"
		check "" "$@"    # the messages are core_badcmd's to check
	done <"$bad/cmdlines.txt"
fi

# 2. the shared corpus of malformed profiles, run for real
if [ -f "$bad/profiles.txt" ]; then
	while IFS= read -r line; do
		case $line in '#'*|'') continue ;; esac
		file=${line%% => *}
		[ "$file" = "$line" ] && continue
		check "$file" run -p "$bad/$file" -q
	done <"$bad/profiles.txt"
fi

# 3. this script's own: ranges, suggestions, file:line:column
check "-n: '4097' is not a number from 1 to 4096" run -w fib -n 4097
check "-r: '0' is not a number from 1" run -w fib -r 0
check "-P nop.tasks: 100000001 is out of range 0..100000000" run -w nop -P nop.tasks=100000001
check "did you mean 'n'?" run -w fib -P fib.nn=3
check "did you mean 'crash_task'?" run -w fib -P fault.crash_tsk=1
check "did you mean 'pool'?" run -w fib -m pol
check "did you mean 'core'?" run -w fib --bind cor
check "did you mean 'quick'?" run -p quik
check "unknown option --jsn (did you mean '--json'?)" run -w fib --jsn x
check "unknown option --fail-fst (did you mean '--fail-fast'?)" run -w fib --fail-fst
check "--timeout: '0' is not a number of seconds" run -w fib --timeout 0
check "--chunksize: '0'" run -w nop --chunksize 0
printf '{\n  "workloads": {\n    "fib": { "n": "20", }\n  }\n}\n' >"$T/comma.json"
check "comma.json:3:" run -p "$T/comma.json"
printf '{ "workloads": { "fib": {} },\n  "workerz": 2 }\n' >"$T/key.json"
check "unknown key 'workerz' (did you mean 'workers'?)" run -p "$T/key.json"
printf '{ "workloads": { "heavy": { "iters": 0 } } }\n' >"$T/iters.json"
check "iters.json: workloads.heavy.iters: 0 is out of range" run -p "$T/iters.json"
check "" run -p "$T/does-not-exist.json"
echo "$n bad inputs: exit 2, nothing forked$([ $have_strace -eq 1 ] && echo ' (strace)'), no segment"
