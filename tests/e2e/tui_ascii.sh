#!/bin/sh
# The dashboard in a non-UTF-8 locale (LC_ALL=C) with NO_COLOR set: line
# drawing falls back to ASCII (+ - |), no escape sequence for colour is
# sent, a too-small terminal gets the message and recovers; q quits with 0.
# It runs the ipc profile, whose workloads appear several times with other
# parameters: each entry is a row of its own, named by its label.
. "$(dirname "$0")/tmux_lib.sh"

$T new-session -d -x 90 -y 28 \
	"cd '$TMP' && LC_ALL=C NO_COLOR=1 sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\" -p ipc'; echo EXIT=\$? > '$TMP/exit'; sleep 60" ||
	fail "cannot start tmux"
wait_for "Workloads" 10 || fail "the dashboard did not start"
screen | grep -Eq '^\+-.*Workloads' || fail "no ASCII box corner before the Workloads title"
screen | grep -q '[─│┌└]' && fail "Unicode line drawing in the C locale"
for row in prodcons/ring prodcons/pipe prodcons/mq shdict/lockfree shdict/server#2; do
	screen | grep -Eq "^\|\[x\] $row " || fail "no selected row $row"
done
screen | grep -Eq '^\|\[ \] fib ' || fail "fib (not in the profile) is not offered unselected"
# -e: with escapes; NO_COLOR means no foreground/background colour set
ESC=$(printf '\033')
$T capture-pane -e -p | grep -Eq "$ESC\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;|48;)" &&
	fail "colours drawn although NO_COLOR is set"

$T resize-window -x 60 -y 20 2>/dev/null || $T resize-pane -x 60 -y 20
wait_for 'terminal too small \(need 80x24, have 60x20\)' 10 || fail "no too-small message at 60x20"
$T resize-window -x 90 -y 28 2>/dev/null || $T resize-pane -x 90 -y 28
wait_for "Workloads" 10 || fail "did not recover after enlarging"

$T send-keys q
i=0
while [ ! -s "$TMP/exit" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'EXIT=0' "$TMP/exit" 2>/dev/null || fail "dashboard did not exit 0"
echo "ok: ASCII borders, no colour, too-small message and recovery"
