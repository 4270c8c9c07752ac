#!/bin/sh
# `benchtop watch`: nothing to watch -> exit 2 with a message; then attach
# (in tmux) to a headless `benchtop run` in the background, see its label
# and worker rows, let it end (SIGTERM by pid) and check watch exits with a
# message; nothing is left running or mapped.
. "$(dirname "$0")/tmux_lib.sh"

# a pid that owns no region (our own shell): exit 2 and say why
"$BENCHTOP" watch $$ >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] || fail "watch of a pid without a run: exit $rc, expected 2"
grep -q "nothing to watch" "$TMP/err" || fail "no 'nothing to watch' message: $(cat "$TMP/err")"

# a headless run that lasts a while
"$BENCHTOP" run -q -w fib -m pool -n 2 -r 200 --warmup 0 -P fib.n=40,40,40,40,40,40,40,40 \
	--json "$TMP/run.json" >"$TMP/run.out" 2>&1 &
RUN=$!
i=0
while ! ls /dev/shm 2>/dev/null | grep -q "^benchtop-$RUN-" && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ls /dev/shm | grep -q "^benchtop-$RUN-" || fail "the headless run has no stats segment"

$T new-session -d -x 100 -y 30 \
	"'$BENCHTOP' watch $RUN 2> '$TMP/watch.out'; echo EXIT=\$? > '$TMP/exit'; sleep 60" ||
	fail "cannot start tmux"
wait_for "watch $RUN" 10 || fail "watch did not start"
wait_for 'Processes: fib pool w=2' 10 || fail "the run's label is not shown"
wait_for '^│ +[0-9]+ +1 worker +running' 10 || fail "no running worker rows"
ROWS=$(screen | grep -Ec '^│ +[0-9]+ +[01] worker ')
[ "$ROWS" -eq 2 ] || fail "expected 2 worker rows, saw $ROWS"
for p in $(screen | sed -n 's/^│ *\([0-9][0-9]*\) *[01] worker .*/\1/p'); do
	[ -d "/proc/$p" ] || fail "worker pid $p is not live"
done
# the watcher is read-only: Enter and s do nothing
$T send-keys Enter s
sleep 0.3
kill -0 "$RUN" 2>/dev/null || fail "the watcher disturbed the run"

# end the run; watch must notice and exit
kill -TERM "$RUN"
wait "$RUN"
rc=$?
RUN=""
[ "$rc" -eq 143 ] || fail "headless run ended with $rc, expected 143"
i=0
while [ ! -s "$TMP/exit" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'EXIT=0' "$TMP/exit" 2>/dev/null || fail "watch did not exit 0 after the run ended"
grep -q "has ended" "$TMP/watch.out" || fail "watch gave no end message: $(cat "$TMP/watch.out")"
ls /dev/shm | grep -q "^benchtop-" && {
	# only segments of live benchtops (other runs) may remain; none of ours
	for f in /dev/shm/benchtop-*; do
		o=$(basename "$f" | cut -d- -f2)
		kill -0 "$o" 2>/dev/null || fail "stale segment $f left behind"
	done
}
echo "ok: watch"
exit 0
