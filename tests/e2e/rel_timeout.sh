#!/bin/sh
# rel_timeout: a stuck worker (fault.hang_task) under --timeout 2 is killed
# and reported as timed out with its index, pid and task; the configuration
# fails, the next one still runs (and times out too), exit status 1, and no
# worker or segment is left.
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
expect_rc 1 run -w heavy -P heavy.iters=1M -m single,pool -n 2 -r 2 --warmup 0 \
	-P fault.hang_task=1 --timeout 2 --json "$T/h.json"
secs=$(($(date +%s) - t0))
no_segment_of "$bt_pid"
# two configurations of at most ~2 s each (plus the 500 ms grace at most)
[ $secs -le 15 ] || fail "took $secs s for two 2 s timeouts"
grep -Eq '^benchtop: heavy single w=1: timed out after 2 s; worker 0 \(pid [0-9]+\) stuck in task 1$' "$T/err" ||
	fail "no timeout report for single: $(cat "$T/err")"
grep -Eq '^benchtop: heavy pool w=2: timed out after 2 s; worker [01] \(pid [0-9]+\) stuck in task 1$' "$T/err" ||
	fail "no timeout report for pool: $(cat "$T/err")"
for pid in $(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$T/err"); do
	alive "$pid" && fail "stuck worker $pid still alive"
done
json_check "$T/h.json" <<'EOF'
res = d["results"]
assert [r["command"] for r in res] == ["heavy single w=1", "heavy pool w=2"], res
for r in res:
    assert r["failed"] is True, r
    assert r["exit_codes"] and r["exit_codes"][0] != 0, r["exit_codes"]
    assert "timed out" in r.get("error", "timed out"), r
EOF
echo "two stuck configurations reported and killed in $secs s"
