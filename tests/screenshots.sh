#!/bin/sh
# make screenshots: drive the real dashboard in tmux (120x36) through idle,
# a running pool, results, the scaling chart, the topology view and the help
# overlay, then a producer/consumer run (ipc); capture each pane with its colours (tmux capture-pane -e), turn
# the ANSI text into HTML (aha) and the HTML into PNG (wkhtmltoimage, from
# Debian's wkhtmltopdf) in screenshots/.
set -u
# The dashboard draws with Unicode line characters in a UTF-8 locale; the
# patterns below expect them (tests/run.sh runs everything else under C).
LC_ALL=C.UTF-8
export LC_ALL
: "${BENCHTOP:?set BENCHTOP to the benchtop binary}"
cd "$(dirname "$0")/.." || exit 1
OUT=$(pwd)/screenshots

PKGS="tmux aha wkhtmltopdf fonts-dejavu-core imagemagick" sh tests/deps.sh || exit 1

TMP=$(mktemp -d)
SOCK="$TMP/tmux.sock"   # in $TMP: nothing left in /tmp/tmux-UID
T="tmux -S $SOCK -f /dev/null"
cleanup() {
	[ -s "$TMP/pid" ] && kill "$(cat "$TMP/pid")" 2>/dev/null
	$T kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() {
	echo "screenshots: $*" >&2
	$T capture-pane -p >&2 2>/dev/null
	exit 1
}

wait_for() {
	i=0
	while [ "$i" -lt "$(($2 * 10))" ]; do
		$T capture-pane -p | grep -Eq -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# shot NAME: the pane as ANSI -> HTML -> PNG
shot() {
	$T capture-pane -e -p >"$TMP/$1.ans"
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>\n'
		printf 'body { background: #1c1c1c; margin: 12px; }\n'
		printf 'pre { font-family: "DejaVu Sans Mono", monospace; font-size: 14px;'
		printf ' line-height: 16px; color: #d0d0d0; margin: 0; }\n'
		printf '</style></head><body><pre>'
		aha --no-header <"$TMP/$1.ans" |
			sed -e 's/color:black;/color:#1c1c1c;/g' -e 's/color:dimgray;/color:#808080;/g'
		printf '</pre></body></html>\n'
	} >"$TMP/$1.html"
	QT_QPA_PLATFORM=offscreen wkhtmltoimage --quiet --width 1010 --encoding utf-8 \
		"$TMP/$1.html" "$TMP/$1.png" 2>/dev/null || fail "wkhtmltoimage failed for $1"
	# wkhtmltoimage writes barely compressed RGBA: shrink it ~20x
	convert "$TMP/$1.png" -strip -define png:compression-level=9 "$OUT/$1.png" ||
		fail "convert failed for $1"
	echo "screenshots/$1.png"
}

mkdir -p "$OUT"
cat >"$TMP/shots.json" <<'EOF'
{
  "name": "screenshots",
  "description": "fib and heavy, single vs pool, 1, 2 and 4 workers",
  "workloads": {
    "fib": { "n": "38,38,38,38,38,38,38,38,38,38,38,38" },
    "heavy": { "iters": 5000000, "data": 8 }
  },
  "modes": ["single", "pool"],
  "workers": "1,2,4",
  "runs": 3,
  "warmup": 0
}
EOF

$T new-session -d -x 120 -y 36 \
	"cd '$TMP' && sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\" -p shots.json'; sleep 60" ||
	fail "cannot start tmux"
wait_for "Workloads" 10 || fail "the dashboard did not start"
sleep 1.2   # a second /proc/stat sample for the PU meters
shot idle

$T send-keys Enter
wait_for 'Processes: fib pool w=4 +measure' 90 || fail "never reached fib pool w=4"
wait_for '^│ +[0-9]+ +3 worker +running' 10 || fail "no running rows"
sleep 0.6
shot running

wait_for 'finished: [0-9]+ results' 180 || fail "the run did not finish"
shot results
$T send-keys Tab
sleep 0.3
shot scaling
$T send-keys Tab
sleep 0.3
shot topology
$T send-keys Tab '?'
sleep 0.3
shot help
$T send-keys x q
sleep 0.5

# a second dashboard: prodcons through the ring (2 consumers, busy work per
# item) then the shdict server backend, so the rows show their roles
i=0
while [ -s "$TMP/pid" ] && kill -0 "$(cat "$TMP/pid")" 2>/dev/null && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
$T kill-server 2>/dev/null
rm -f "$TMP/pid"
cat >"$TMP/ipc.json" <<'EOF'
{
  "name": "ipc-shot",
  "description": "prodcons over the ring and the shdict server, single vs 2 workers",
  "workloads": [
    { "workload": "prodcons",
      "params": { "queue": "ring", "items": 200000000, "producers": 2, "work": 20 } },
    { "workload": "shdict", "params": { "backend": "server", "keys": 20000 } },
    { "workload": "shdict", "params": { "backend": "lockfree", "keys": 4000000 } }
  ],
  "modes": ["single", "pool"],
  "workers": "2",
  "runs": 2,
  "warmup": 0
}
EOF
$T new-session -d -x 120 -y 36 \
	"cd '$TMP' && sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\" -p ipc.json'; sleep 60" ||
	fail "cannot start tmux"
wait_for "Workloads" 10 || fail "the dashboard did not start (ipc)"
$T send-keys Enter
wait_for 'Processes: prodcons pool w=2 +measure' 90 || fail "never reached prodcons pool w=2"
wait_for '^│ +[0-9]+ +3 producer +running' 10 || fail "no running producer rows"
sleep 1
shot ipc
$T send-keys s
sleep 1
$T send-keys q
sleep 0.5
