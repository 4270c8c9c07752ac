#!/bin/sh
# The dashboard in a real terminal (tmux): select fib only, edit its n list,
# run a pool of 2 workers, see one row per worker with live pids, see the
# verified results row, export JSON and validate it, resize below 80x24 and
# back, open help, quit; then check nothing is left running or mapped.
. "$(dirname "$0")/tmux_lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not installed"; exit 77; }

cat >"$TMP/profile.json" <<'EOF'
{
  "name": "tui-test",
  "workloads": { "fib": { "n": "20" }, "heavy": { "iters": 1000 } },
  "modes": ["pool"],
  "workers": "2",
  "runs": 6,
  "warmup": 0
}
EOF

$T new-session -d -x 100 -y 30 \
	"cd '$TMP' && sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\" -p profile.json'; echo EXIT=\$? > '$TMP/exit'; sleep 60" ||
	fail "cannot start tmux"
wait_for "Workloads" 10 || fail "the dashboard did not start"
PID=$(cat "$TMP/pid")
screen | grep -q '\[x\] heavy' || fail "heavy is not preselected by the profile"

# deselect heavy (focus starts on fib), then edit fib's n list
$T send-keys j Space
wait_for '\[ \] heavy' 5 || fail "space did not deselect heavy"
$T send-keys k l i C-u "40,40,40,40,40,40" Enter
wait_for 'n +40,40,40,40,40,40' 5 || fail "editing fib.n did not take"
# a bad value is refused with a message naming the parameter
$T send-keys i C-u "abc" Enter
wait_for 'fib\.n' 5 || fail "no error for a bad fib.n"
screen | grep -q 'n  *40,40,40,40,40,40' || fail "a bad value replaced fib.n"

$T send-keys Enter
wait_for 'running' 10 || fail "the run did not start"

# one row per worker, with real live pids
wait_for '^│ +[0-9]+ +1 worker +running' 20 || fail "no running worker rows"
ROWS=$(screen | grep -Ec '^│ +[0-9]+ +[01] worker ')
[ "$ROWS" -eq 2 ] || fail "expected 2 worker rows, saw $ROWS"
PIDS=$(screen | sed -n 's/^│ *\([0-9][0-9]*\) *[01] worker  *running.*/\1/p')
[ -n "$PIDS" ] || fail "no pid in the running rows"
for p in $PIDS; do
	[ "$p" != "$PID" ] || fail "worker pid equals the dashboard's"
	[ -d "/proc/$p" ] || fail "worker pid $p is not a live process"
done
ls /dev/shm | grep -q "^benchtop-$PID-" || fail "no stats segment for the dashboard"

# the results row, verified
wait_for '^│fib +pool +2 .*(✓|ok) verified' 50 || fail "no verified results row"
wait_for 'finished: 1 results' 10 || fail "the run did not finish"
screen | grep -Eq '^│fib +pool' || fail "results row missing"

# export
$T send-keys e
wait_for 'exported 1 results to' 5 || fail "export did not report a path"
JSON=$(ls "$TMP"/benchtop-*.json 2>/dev/null | head -n 1)
[ -n "$JSON" ] || fail "no benchtop-*.json in the working directory"
case "$(basename "$JSON")" in
benchtop-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9].json) ;;
*) fail "unexpected export name $JSON" ;;
esac
python3 -m json.tool "$JSON" >/dev/null || fail "exported JSON does not parse"
python3 - "$JSON" <<'EOF' || fail "exported JSON lacks the run"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert len(r) == 1 and r[0]["workload"] == "fib" and r[0]["mode"] == "pool"
assert r[0]["workers"] == 2 and r[0]["verified"] is True and len(r[0]["times"]) == 6
EOF

# too small, then back
$T resize-window -x 60 -y 20
wait_for 'terminal too small \(need 80x24, have 60x20\)' 5 || fail "no too-small message"
$T resize-window -x 100 -y 30
wait_for 'Workloads' 5 || fail "did not recover after resize"

# help overlay, closed by any key
$T send-keys '?'
wait_for 'Help: keys' 5 || fail "no help overlay"
screen | grep -q 'F10' || fail "help does not list F10"
$T send-keys x
sleep 0.3
screen | grep -q 'Help: keys' && fail "help did not close"

# quit
$T send-keys q
i=0
while [ ! -s "$TMP/exit" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'EXIT=0' "$TMP/exit" 2>/dev/null || fail "dashboard did not exit 0 ($(cat "$TMP/exit" 2>/dev/null))"
kill -0 "$PID" 2>/dev/null && fail "dashboard pid $PID still alive"
for p in $PIDS; do
	[ -d "/proc/$p" ] && fail "worker $p still alive"
done
ls /dev/shm | grep -q "^benchtop-$PID-" && fail "stats segment left behind"
: >"$TMP/pid"
echo "ok: dashboard"
exit 0
