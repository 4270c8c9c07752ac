#!/bin/sh
# The dashboard interrupted mid-run: SIGINT, SIGTERM and SIGHUP sent by pid
# while a pool of 2 workers runs. Each time benchtop stops and reaps its
# workers, restores the terminal (tmux reports the alternate screen off
# again), removes its stats segment and exits with 130, 143 or 129.
. "$(dirname "$0")/tmux_lib.sh"

cat >"$TMP/long.json" <<'EOF2'
{
  "name": "tui-signals",
  "workloads": { "fib": { "n": "40,40,40,40,40,40,40,40,40,40,40,40" } },
  "modes": ["pool"],
  "workers": "2",
  "runs": 100,
  "warmup": 0
}
EOF2

for sig in INT TERM HUP; do
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	rm -f "$TMP/pid" "$TMP/exit"
	# a tmux server of its own each time: starting one on the socket of a
	# server that is still going away fails ("server exited unexpectedly")
	$T kill-server 2>/dev/null
	T="tmux -S $SOCK-$sig -f /dev/null"
	$T new-session -d -x 100 -y 30 \
		"cd '$TMP' && sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\" -p long.json'; echo EXIT=\$? > '$TMP/exit'; sleep 60" ||
		fail "cannot start tmux"
	wait_for "Workloads" 10 || fail "$sig: the dashboard did not start"
	PID=$(cat "$TMP/pid")
	$T send-keys Enter
	wait_for '^│ +[0-9]+ +1 worker +running' 20 || fail "$sig: no running worker rows"
	[ "$($T display -p '#{alternate_on}')" = 1 ] || fail "$sig: not on the alternate screen"
	KIDS=$(screen | sed -n 's/^│ *\([0-9][0-9]*\) *[01] worker .*/\1/p')
	[ -n "$KIDS" ] || fail "$sig: no worker pids on screen"
	ls /dev/shm | grep -q "^benchtop-$PID-" || fail "$sig: no stats segment"

	kill -"$sig" "$PID"
	i=0
	while [ ! -s "$TMP/exit" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q "EXIT=$want" "$TMP/exit" 2>/dev/null ||
		fail "$sig: want exit $want, got '$(cat "$TMP/exit" 2>/dev/null)'"
	[ "$($T display -p '#{alternate_on}')" = 0 ] || fail "$sig: the terminal was not restored"
	for k in $KIDS; do
		if [ -d "/proc/$k" ] && ! grep -q '^State:.*Z' "/proc/$k/status" 2>/dev/null; then
			fail "$sig: worker $k still running"
		fi
	done
	ls /dev/shm | grep -q "^benchtop-$PID-" && fail "$sig: stats segment left behind"
	echo "$sig: exit $want, terminal restored, workers $(echo $KIDS) gone, segment removed"
done
exit 0
