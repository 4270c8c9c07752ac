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
assert got == {"fib", "heavy"}, got
for r in res:
    want = {"fib": 192237, "heavy": 2999997000000}[r["workload"]]
    assert r["checksum"] == want, (r["command"], r["checksum"], want)
    assert r["expected"] == want and r["verified"] is True, r["command"]
    assert r["tasks"] == 4, (r["command"], r["tasks"])
EOF
# the table went to stderr, and -q kept progress lines out of it
has "command" "$T/err"
has "verified" "$T/err"
if grep -q '^\[[0-9]*/[0-9]*\] ' "$T/err"; then
	fail "progress lines despite -q: $(cat "$T/err")"
fi
exit 0
