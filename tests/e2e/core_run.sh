#!/bin/sh
# core_run: the issue's done-when run. Every mode for fib and heavy at 1 and
# 2 workers, 5 runs: exit 0, every result verified, and a strict benchtop/1
# JSON document whose results read as hyperfine's export. Also: the file is
# written atomically (no temporary left beside it), the progress on a
# non-terminal stderr is one line per configuration, the table lands on
# stdout, and the stats segment is gone afterwards.
. "$(dirname "$0")/lib.sh"

mkdir "$T/res"
expect_rc 0 run -w fib,heavy -m single,process,pool -n 1,2 -r 5 --json "$T/res/out.json"
no_segment_of "$bt_pid"

# only out.json in the directory: the temporary was renamed, not copied
ls -A "$T/res" >"$T/ls"
[ "$(cat "$T/ls")" = out.json ] || fail "files beside the JSON: $(cat "$T/ls")"

# 2 workloads x (single + process x2 + pool x2) = 10 configurations
n=$(grep -c '^\[[0-9]*/10\] ' "$T/err")
[ "$n" -eq 10 ] || fail "want 10 progress lines on stderr, got $n
$(cat "$T/err")"
if grep -q "$(printf '\033')" "$T/err"; then
	fail "terminal escapes on a non-terminal stderr"
fi
has "fib single w=1" "$T/out"
has "heavy pool w=2" "$T/out"
[ "$(grep -c ' verified$' "$T/out")" -eq 10 ] || fail "table lacks 10 verified rows
$(cat "$T/out")"

json_check "$T/res/out.json" <<'EOF'
assert d["schema"] == "benchtop/1", d["schema"]
assert d["tool"]["name"] == "benchtop"
assert isinstance(d["tool"]["version"], str)
assert isinstance(d["created"], str) and d["created"].endswith("Z")
assert isinstance(d["host"], dict) and isinstance(d["plan"], dict)
res = d["results"]
assert len(res) == 10, len(res)
num = (int, float)
seen = set()
for r in res:
    cmd = r["command"]
    assert isinstance(cmd, str), cmd
    for k in ("mean", "stddev", "median", "user", "system", "min", "max"):
        assert isinstance(r[k], num) and not isinstance(r[k], bool), (cmd, k, r[k])
        assert r[k] >= 0, (cmd, k, r[k])
    assert r["min"] <= r["median"] <= r["max"], cmd
    assert r["min"] <= r["mean"] <= r["max"], cmd
    t = r["times"]
    assert isinstance(t, list) and len(t) == 5, (cmd, t)
    assert all(isinstance(x, num) and not isinstance(x, bool) and x > 0 for x in t), (cmd, t)
    assert abs(min(t) - r["min"]) < 1e-9 and abs(max(t) - r["max"]) < 1e-9, cmd
    assert r["exit_codes"] == [0] * 5, (cmd, r["exit_codes"])
    p = r["parameters"]
    assert list(p) == ["workers"] and isinstance(p["workers"], str), (cmd, p)
    assert int(p["workers"]) == r["workers"], (cmd, p)
    assert r["verified"] is True and r["failed"] is False, cmd
    assert r["checksum"] == r["expected"], cmd
    assert r["mode"] in ("single", "process", "pool"), cmd
    assert r["workload"] in ("fib", "heavy"), cmd
    assert isinstance(r["per_worker"], list) and r["per_worker"], cmd
    assert sum(w["tasks"] for w in r["per_worker"]) == r["tasks"], cmd
    seen.add((r["workload"], r["mode"], r["workers"]))
want = {(w, "single", 1) for w in ("fib", "heavy")}
want |= {(w, m, n) for w in ("fib", "heavy") for m in ("process", "pool") for n in (1, 2)}
assert seen == want, seen ^ want
# the tutorial's sizes (no profile, so -w starts from the tutorial's defaults)
for r in res:
    assert r["checksum"] == {"fib": 192237, "heavy": 2999997000000}[r["workload"]], r
EOF

# a second run over the same file replaces it, still with nothing beside it
expect_rc 0 run -w fib -m single -r 1 --warmup 0 -q --json "$T/res/out.json"
ls -A "$T/res" >"$T/ls"
[ "$(cat "$T/ls")" = out.json ] || fail "files beside the JSON: $(cat "$T/ls")"
json_check "$T/res/out.json" <<'EOF'
assert len(d["results"]) == 1 and d["results"][0]["command"] == "fib single w=1"
EOF
exit 0
