#!/bin/sh
# rel_limits: resource limits give a clear error naming the limit and leave
# nothing behind. (a) RLIMIT_NPROC: a pool of 8 under `prlimit --nproc=4`
# as user nobody (root ignores RLIMIT_NPROC); (b) a full /dev/shm: a 64 kB
# tmpfs, filled, mounted on /dev/shm in a private mount namespace; (c) POSIX
# message-queue limits: a depth above the kernel's HARD_MSGMAX (any user),
# and above fs.mqueue.msg_max as user nobody. Each part is skipped (77 when
# all are) if the machine does not allow it.
. "$(dirname "$0")/lib.sh"

ran=0
why=

# (a) RLIMIT_NPROC
nproc_cmd=
if [ "$(id -u)" -ne 0 ]; then
	nproc_cmd="prlimit --nproc=4:4 --"
	# a non-root user's own other processes count against the limit too
	[ "$(ps -u "$(id -u)" -o pid= | wc -l)" -lt 4 ] || nproc_cmd=
	[ -n "$nproc_cmd" ] || why="$why; too many processes of this user for a limit of 4"
elif command -v setpriv >/dev/null 2>&1 && command -v prlimit >/dev/null 2>&1 &&
	[ "$(ps -u nobody -o pid= | wc -l)" -eq 0 ] &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$BENCHTOP" --version >/dev/null 2>&1; then
	nproc_cmd="prlimit --nproc=4:4 -- setpriv --reuid=nobody --regid=nogroup --clear-groups"
else
	why="$why; cannot run benchtop as nobody with setpriv/prlimit"
fi
if command -v prlimit >/dev/null 2>&1 && [ -n "$nproc_cmd" ]; then
	# shellcheck disable=SC2086
	$nproc_cmd "$BENCHTOP" run -w heavy -P heavy.iters=50M -m pool -n 8 -r 1 --warmup 0 \
		>"$T/np.out" 2>"$T/np.err" &
	pid=$!
	wait $pid
	rc=$?
	[ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "RLIMIT_NPROC: exit $rc, want 1 or 2: $(cat "$T/np.err")"
	grep -q 'RLIMIT_NPROC' "$T/np.err" "$T/np.out" ||
		fail "RLIMIT_NPROC not named: $(cat "$T/np.err" "$T/np.out")"
	grep -q 'cannot start worker' "$T/np.err" "$T/np.out" || fail "no 'cannot start worker': $(cat "$T/np.err")"
	no_segment_of "$pid"
	# the workers that did start (as nobody) are gone
	sleep 0.1
	left=$(ps -u nobody -o pid= 2>/dev/null | tr -d ' ')
	if [ "$(id -u)" -eq 0 ] && [ -n "$left" ]; then
		for p in $left; do
			alive "$p" && grep -qa benchtop "/proc/$p/cmdline" 2>/dev/null &&
				fail "RLIMIT_NPROC: worker $p left behind"
		done
	fi
	echo "RLIMIT_NPROC: exit $rc: $(cat "$T/np.err" "$T/np.out" | grep RLIMIT_NPROC | head -n 1)"
	ran=$((ran + 1))
fi

# (b) /dev/shm full, in a private mount namespace
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m true 2>/dev/null; then
	cat >"$T/full.sh" <<EOF
mount --make-rprivate / || exit 90
mount -t tmpfs -o size=64k tmpfs /dev/shm || exit 91
dd if=/dev/zero of=/dev/shm/fill bs=4k 2>/dev/null
"$BENCHTOP" run -w fib -r 1 --warmup 0 -q >"$T/full.out" 2>"$T/full.err"
echo \$? >"$T/full.rc"
ls /dev/shm >"$T/full.ls"
EOF
	unshare -m sh "$T/full.sh"
	src=$?
	if [ $src -eq 90 ] || [ $src -eq 91 ]; then
		why="$why; cannot mount a tmpfs in a private namespace"
	else
		rc=$(cat "$T/full.rc")
		[ "$rc" -eq 2 ] || fail "/dev/shm full: exit $rc, want 2: $(cat "$T/full.err")"
		grep -q '/dev/shm full' "$T/full.err" || fail "/dev/shm not named: $(cat "$T/full.err")"
		[ "$(cat "$T/full.ls")" = fill ] || fail "/dev/shm full: left $(cat "$T/full.ls")"
		hasnt '[1/' "$T/full.err"
		echo "/dev/shm full: exit $rc: $(cat "$T/full.err")"
		ran=$((ran + 1))
	fi
else
	why="$why; not root or unshare -m not permitted"
fi

# (c) message-queue limits: the run fails (exit 1) naming the limit;
# no segment is left (the queue is unlinked as soon as it is made)
mq_case() { # NAME CAPACITY PATTERN [RUNNER...]
	name=$1 cap=$2 pat=$3
	shift 3
	"$@" "$BENCHTOP" run -w prodcons -m pool -n 1 -r 1 --warmup 0 -q \
		-P prodcons.queue=mq -P prodcons.capacity="$cap" -P prodcons.items=10 \
		>"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	wait $pid
	rc=$?
	[ $rc -eq 1 ] || fail "$name: exit $rc, want 1: $(cat "$T/$name.err")"
	grep -q "$pat" "$T/$name.out" || fail "$name: '$pat' not named: $(cat "$T/$name.out")"
	no_segment_of "$pid"
	echo "$name: exit $rc: $(grep -o 'queue=mq: .*' "$T/$name.out" | head -n 1)"
	ran=$((ran + 1))
}
mq_case mq-hard 100000 'HARD_MSGMAX'
msg_max=$(cat /proc/sys/fs/mqueue/msg_max 2>/dev/null)
if [ -n "$msg_max" ] && [ "$msg_max" -lt 65536 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		mq_case mq-msg_max $((msg_max + 1)) 'fs/mqueue/msg_max'
	elif command -v setpriv >/dev/null 2>&1 &&
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$BENCHTOP" --version >/dev/null 2>&1; then
		# root may exceed msg_max (CAP_SYS_RESOURCE): run as nobody
		mq_case mq-msg_max $((msg_max + 1)) 'fs/mqueue/msg_max' \
			setpriv --reuid=nobody --regid=nogroup --clear-groups
	else
		why="$why; cannot run benchtop as nobody for the msg_max case"
	fi
fi

[ $ran -gt 0 ] || skip "${why#; }"
[ -z "$why" ] || echo "partly skipped: ${why#; }"
exit 0
