#!/bin/sh
# rel_worker_crash: a worker that crashes (fault.crash_task), exits non-zero
# (fault.exit_task) or is SIGKILLed from outside is reported with its index,
# pid, task and signal; its configuration is marked failed (non-zero
# exit_codes, "failed": true, exit status 1) and the run goes on with the
# next configuration, or stops there with --fail-fast. Nothing is left.
. "$(dirname "$0")/lib.sh"

# 1. crash in task 1: both configurations ran, both failed, exit 1
expect_rc 1 run -w heavy -P heavy.iters=5M -m single,pool -n 2 -r 2 --warmup 0 \
	-P fault.crash_task=1 --json "$T/crash.json"
no_segment_of "$bt_pid"
grep -Eq '^benchtop: heavy single w=1: worker 0 \(pid [0-9]+, task 1\) killed by SIGSEGV$' "$T/err" ||
	fail "no crash report for single: $(cat "$T/err")"
grep -Eq '^benchtop: heavy pool w=2: worker [01] \(pid [0-9]+, task 1\) killed by SIGSEGV$' "$T/err" ||
	fail "no crash report for pool: $(cat "$T/err")"
has "[2/2] heavy pool w=2" "$T/err"
has FAILED "$T/out"
json_check "$T/crash.json" <<'EOF'
res = d["results"]
assert [r["command"] for r in res] == ["heavy single w=1", "heavy pool w=2"], res
for r in res:
    assert r["failed"] is True and r["verified"] is False, r
    assert r["exit_codes"] and any(c != 0 for c in r["exit_codes"]), r["exit_codes"]
    assert r["interrupted"] is False, r
assert d["interrupted"] is False
EOF

# 2. the same with --fail-fast: the pool configuration never ran
expect_rc 1 run -w heavy -P heavy.iters=5M -m single,pool -n 2 -r 2 --warmup 0 \
	-P fault.crash_task=1 --fail-fast --json "$T/ff.json"
no_segment_of "$bt_pid"
has "killed by SIGSEGV" "$T/err"
hasnt "heavy pool w=2" "$T/err"
hasnt "heavy pool w=2" "$T/out"
json_check "$T/ff.json" <<'EOF'
res = d["results"]
assert [r["command"] for r in res] == ["heavy single w=1"], [r["command"] for r in res]
assert res[0]["failed"] is True and res[0]["exit_codes"][0] != 0, res[0]
EOF

# 3. a worker exiting with status 3 (process mode: the worker of task 2)
expect_rc 1 run -w heavy -P heavy.iters=1M -m process -n 2 -r 1 --warmup 0 \
	-P fault.exit_task=2 --json "$T/exit.json"
no_segment_of "$bt_pid"
grep -Eq 'heavy process w=2: worker 2 \(pid [0-9]+, task 2\) exited with status 3' "$T/err" ||
	fail "no report of the exit status: $(cat "$T/err")"
json_check "$T/exit.json" <<'EOF'
r = d["results"][0]
assert r["failed"] is True and r["exit_codes"] != [0], r
EOF

# 4. SIGKILL a real worker from outside during a long single run; the pool
#    configuration after it still runs (and verifies)
"$BENCHTOP" run -w heavy -P heavy.iters=1500M -m single,pool -n 2 -r 1 --warmup 0 \
	--json "$T/kill.json" >"$T/kill.out" 2>"$T/kill.err" &
bpid=$!
i=0
w=
while [ -z "$w" ]; do
	w=$(ps -o pid= --ppid "$bpid" | tr -d ' ')
	i=$((i + 1))
	[ $i -le 200 ] || fail "no worker seen within 10 s"
	alive "$bpid" || fail "benchtop ended early: $(cat "$T/kill.err")"
	[ -n "$w" ] || sleep 0.05
done
sleep 0.2
t0=$(date +%s%N)
kill -KILL "$w"
while ! grep -q "killed by SIGKILL" "$T/kill.err"; do
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -lt 2000 ] || fail "the SIGKILL of worker $w not reported after $ms ms: $(cat "$T/kill.err")"
	sleep 0.005
done
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$bpid"
rc=$?
dead=$bpid
[ $rc -eq 1 ] || fail "exit $rc after a killed worker, want 1: $(cat "$T/kill.err")"
grep -Eq "^benchtop: heavy single w=1: worker 0 \(pid $w, task [0-3]\) killed by SIGKILL$" "$T/kill.err" ||
	fail "report lacks index, pid, task: $(cat "$T/kill.err")"
no_segment_of "$dead"
alive "$w" && fail "killed worker $w still there"
json_check "$T/kill.json" <<'EOF'
res = d["results"]
assert [r["command"] for r in res] == ["heavy single w=1", "heavy pool w=2"], res
assert res[0]["failed"] is True and res[0]["exit_codes"][0] != 0, res[0]
assert res[1]["failed"] is False and res[1]["verified"] is True, res[1]
assert res[1]["exit_codes"] == [0], res[1]
EOF
echo "external SIGKILL of worker $w reported within $ms ms (poll of stderr every 5 ms)"
