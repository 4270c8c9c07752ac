#!/bin/sh
# rel_parent_kill: benchtop itself SIGKILLed mid-run. Every worker is gone
# within 1 s (parent-death signal), the stats segment stays behind as stale,
# and the next `benchtop clean`, or the next `benchtop run`, removes it.
. "$(dirname "$0")/lib.sh"

# kill_mid_run TAG: start a long pool run, SIGKILL benchtop once both
# workers run, check they die within 1 s; leaves $seg, the stale segment.
kill_mid_run() {
	"$BENCHTOP" run -w heavy -P heavy.iters=4000M -m pool -n 2 -r 1 --warmup 0 -q \
		>"$T/$1.out" 2>"$T/$1.err" &
	bpid=$!
	i=0
	n=0
	while [ $n -lt 2 ]; do
		kids=$(ps -o pid= --ppid "$bpid" | tr -d ' ')
		n=$(echo $kids | wc -w)
		i=$((i + 1))
		[ $i -le 200 ] || fail "$1: 2 workers not seen within 10 s (got '$kids')"
		alive "$bpid" || fail "$1: benchtop ended early: $(cat "$T/$1.err")"
		sleep 0.05
	done
	sleep 0.2   # past the barrier: computing
	set -- "$1" /dev/shm/benchtop-"$bpid"-*
	seg=$2
	[ -e "$seg" ] || fail "$1: no stats segment for benchtop $bpid"
	t0=$(date +%s%N)
	kill -KILL "$bpid"
	wait "$bpid" 2>/dev/null
	dead=$bpid
	bpid=
	# every worker gone within 1 s
	while :; do
		left=
		for k in $kids; do
			alive "$k" && left="$left $k"
		done
		[ -z "$left" ] && break
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ $ms -lt 1000 ] || fail "$1: workers$left alive $ms ms after benchtop was SIGKILLed"
		sleep 0.01
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$1: workers $(echo $kids) gone $ms ms after SIGKILL of $dead"
	kids=
	[ -e "$seg" ] || fail "$1: segment $seg vanished although its owner was SIGKILLed"
}

# 1. `benchtop clean` removes the stale segment
kill_mid_run clean
expect_rc 0 clean
[ -e "$seg" ] && fail "benchtop clean left the stale $seg"
grep -q '^removed [1-9][0-9]* stale' "$T/out" || fail "clean output: $(cat "$T/out")"

# 2. the next run sweeps it at start
kill_mid_run run
expect_rc 0 run -w nop -m single -r 1 --warmup 0 -q
[ -e "$seg" ] && fail "the next benchtop run did not sweep the stale $seg"
no_segment_of "$bt_pid"
exit 0
