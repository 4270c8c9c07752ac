#!/bin/sh
# core_seed: the seed profile (the tutorial's experiments at the tutorial's
# sizes) verifies with the tutorial's checksums: fib over 20,22,24,26 sums to
# 192237 and heavy over range(4) to 2999997000000. With --json - the JSON is
# all of stdout and the table moves to stderr.
. "$(dirname "$0")/lib.sh"

if [ -f "$BENCHTOP_SRC/profiles/seed.json" ]; then
	expect_rc 0 run -p seed -q --json -
else
	# the profile is not in this tree yet: the same sizes from -w
	expect_rc 0 run -w fib,heavy -m single,process,pool -n 4 -r 3 -q --json -
fi
no_segment_of "$bt_pid"
json_check - <<'EOF'
res = d["results"]
assert res, "no results"
got = {r["workload"] for r in res}
want = {"fib": 192237, "heavy": 2999997000000,
        # 'A', 'B', 'C' as items 1, 2, 3 of producer 0: ((s + 1) << 16) | 0
        "prodcons": (1 + 2 + 3) << 16,
        # d[i] = i * 10 for i in range(5)
        "shdict": 100}
assert got <= set(want) and {"fib", "heavy"} <= got, got
for r in res:
    w = want[r["workload"]]
    assert r["checksum"] == w, (r["command"], r["checksum"], w)
    assert r["expected"] == w and r["verified"] is True, r["command"]
    if r["workload"] in ("fib", "heavy"):
        assert r["tasks"] == 4, (r["command"], r["tasks"])
    if r["workload"] == "prodcons":
        assert r["params"]["items"] == "3" and r["ops"] == 3, r["command"]
        assert r["mode"] == "single" or r["workers"] == 1, r["command"]
    if r["workload"] == "shdict":
        assert r["params"]["keys"] == "5" and r["params"]["backend"] == "server", r["command"]
        assert r["mode"] == "single" or r["workers"] == 5, r["command"]
        assert r["metrics"]["entries"] == 5 and r["metrics"]["list_length"] == 5, r["metrics"]
if "prodcons" in got:
    assert len(res) == 12, [r["command"] for r in res]
EOF
# the table went to stderr, and -q kept progress lines out of it
has "command" "$T/err"
has "verified" "$T/err"
if grep -q '^\[[0-9]*/[0-9]*\] ' "$T/err"; then
	fail "progress lines despite -q: $(cat "$T/err")"
fi
exit 0
