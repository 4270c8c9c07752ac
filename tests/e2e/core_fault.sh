#!/bin/sh
# core_fault: an injected worker crash fails the run: exit status 1, the
# error names the task and the signal, the JSON records failed=true and a
# non-zero exit code, the other configurations still run, and no worker
# or segment is left behind.
. "$(dirname "$0")/lib.sh"

expect_rc 1 run -w fib -m single,pool -n 2 -r 2 -P fault.crash_task=1 --json "$T/out.json"
no_segment_of "$bt_pid"
has "task 1) killed by SIGSEGV" "$T/err"
has "FAILED" "$T/out"
json_check "$T/out.json" <<'EOF'
res = d["results"]
assert [r["command"] for r in res] == ["fib single w=1", "fib pool w=2"], res
for r in res:
    assert r["failed"] is True and r["verified"] is False, r["command"]
    assert r["exit_codes"] and any(c != 0 for c in r["exit_codes"]), r["exit_codes"]
    assert len(r["times"]) == len(r["exit_codes"]), r["command"]
    assert isinstance(r["error"], str) and "task 1" in r["error"], r["error"]
    assert "SIGSEGV" in r["error"], r["error"]
assert d["plan"]["workloads"][0]["workload"] == "fib"
EOF

# exit_task: the worker exits with status 3
expect_rc 1 run -w heavy -m process -n 2 -r 1 --warmup 0 -P fault.exit_task=2 -q --json "$T/out.json"
json_check "$T/out.json" <<'EOF'
r = d["results"][0]
assert r["failed"] is True and r["exit_codes"] == [1], r
assert "status 3" in r["error"] and "task 2" in r["error"], r["error"]
EOF

# hang_task with --timeout: fails within the timeout, not the test's
start=$(date +%s)
expect_rc 1 run -w fib -m pool -n 2 -r 1 --warmup 0 -P fault.hang_task=0 --timeout 1 -q
end=$(date +%s)
[ $((end - start)) -lt 20 ] || fail "a 1 s timeout took $((end - start)) s"
has "timed out after 1 s" "$T/out"
has "stuck in task 0" "$T/out"
no_segment_of "$bt_pid"

# --fail-fast stops after the first failed configuration
expect_rc 1 run -w fib,heavy -m pool -n 1,2 -r 1 --warmup 0 -P fault.crash_task=0 --fail-fast --json "$T/out.json" -q
json_check "$T/out.json" <<'EOF'
assert len(d["results"]) == 1, [r["command"] for r in d["results"]]
EOF
exit 0
