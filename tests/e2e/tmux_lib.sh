# tests/e2e/tmux_lib.sh - shared helpers of the dashboard tests (sourced,
# not run): a private tmux server ($T is the tmux command for it), $TMP
# removed on exit, and on exit the dashboard whose pid a test writes to
# $TMP/pid and the background run in $RUN killed by pid. fail() shows the
# screen; screen() prints it; wait_for PATTERN SECONDS polls it.
#
# The dashboard draws with Unicode line characters in a UTF-8 locale and the
# tests' patterns expect them (tests/run.sh runs everything else under C).
set -u
LC_ALL=C.UTF-8
export LC_ALL
: "${BENCHTOP:?set BENCHTOP to the benchtop binary}"
command -v tmux >/dev/null 2>&1 || { echo "skip: tmux not installed"; exit 77; }

TMP=$(mktemp -d)
# the server's socket lives in $TMP, so nothing is left in /tmp/tmux-UID
SOCK="$TMP/tmux.sock"
T="tmux -S $SOCK -f /dev/null"
RUN=""
tmux_cleanup() {
	if [ -s "$TMP/pid" ]; then
		kill "$(cat "$TMP/pid")" 2>/dev/null
	fi
	[ -n "$RUN" ] && kill "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	$T kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap tmux_cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*"
	echo "--- screen:"
	$T capture-pane -p 2>/dev/null
	exit 1
}

screen() { $T capture-pane -p; }

# wait_for PATTERN SECONDS: poll the screen until grep -E matches
wait_for() {
	i=0
	while [ "$i" -lt "$(($2 * 10))" ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
