#!/bin/sh
# The dashboard on a synthetic 256-PU machine (BENCHTOP_TOPOLOGY: 4 packages
# x 32 cores x 2 PUs): at 300x80 the header says 256 PUs and shows a heat
# strip, not 256 bars; at 80x24 the strip wraps onto numbered rows (at most
# four) and the panels below still fit; q quits with 0.
. "$(dirname "$0")/tmux_lib.sh"

$T new-session -d -x 300 -y 80 \
	"cd '$TMP' && BENCHTOP_TOPOLOGY='pack:4 core:32 pu:2' sh -c 'echo \$\$ > pid; exec \"$BENCHTOP\"'; echo EXIT=\$? > '$TMP/exit'; sleep 60" ||
	fail "cannot start tmux"
wait_for "Workloads" 10 || fail "the dashboard did not start"
screen | head -n 1 | grep -q '4 pkg, 1 NUMA, 128 cores, 256 PUs' || fail "header lacks the synthetic topology"
screen | grep -Eq '^ +0 [^[]{200,}' || fail "no heat strip at 300 columns"
screen | grep -Eq '\[[|]* *[0-9]+%\]' && fail "per-PU bars for 256 PUs at 300 columns"

$T resize-window -x 80 -y 24
wait_for '^ +222 ' 10 || fail "the strip does not wrap onto numbered rows at 80 columns"
rows=$(screen | grep -Ec '^ +[0-9]+ [^ ]')
[ "$rows" -le 4 ] || fail "the heat strip takes $rows rows (at most 4)"
screen | grep -q 'Workloads' || fail "no Workloads panel below the strip at 80x24"
screen | grep -q 'Results' || fail "no Results panel at 80x24"

$T send-keys q
i=0
while [ ! -s "$TMP/exit" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q 'EXIT=0' "$TMP/exit" 2>/dev/null || fail "dashboard did not exit 0"
echo "ok: 256 PUs as a heat strip, $rows rows at 80x24"
