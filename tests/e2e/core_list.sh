#!/bin/sh
# core_list: `benchtop list` shows every workload with each parameter and
# its default (the tutorial's), the modes, and the profiles default, quick,
# seed and scaling; each listed workload can be planned with -w.
. "$(dirname "$0")/lib.sh"

expect_rc 0 list
cp "$T/out" "$T/list"
# parameter lines read "      WL.PARAM = DEFAULT  help (range)"
line_of() {
	grep -E "^ +$1 += " "$T/list" || fail "list has no line for $1:
$(cat "$T/list")"
}
default_of() {
	line_of "$1" | sed -E "s/^ +$1 += ([^ ]+) .*/\\1/"
}
[ "$(default_of fib.n)" = 20,22,24,26 ] || fail "fib.n default: $(line_of fib.n)"
[ "$(default_of heavy.iters)" = 1000000 ] || fail "heavy.iters default: $(line_of heavy.iters)"
[ "$(default_of heavy.data)" = 0,1,2,3 ] || fail "heavy.data default: $(line_of heavy.data)"
has "fault.crash_task" "$T/list"
has "single, process, pool" "$T/list"

# every workload the list names has at least one parameter line, and runs
# through the planner with -w
sed -n '/^Workloads/,/^$/p' "$T/list" | grep -E '^  [a-z][a-z0-9_]* ' |
	awk '{ print $1 }' >"$T/workloads"
grep -qx fib "$T/workloads" || fail "fib not listed"
grep -qx heavy "$T/workloads" || fail "heavy not listed"
for w in $(cat "$T/workloads"); do
	grep -qE "^ +$w\\.[a-z_]+ += " "$T/list" || fail "workload $w lists no parameter"
	expect_rc 0 run -w "$w" --dry-run
	has "$w single w=1" "$T/out"
done

# a profile's line is its name and where it is, its description below it
sed -n '/^Profiles/,$p' "$T/list" | grep -E '^  [a-z]' | awk '{ print $1 }' >"$T/profiles"
for p in default quick seed scaling ipc; do
	grep -qx "$p" "$T/profiles" || fail "profile $p not listed:
$(cat "$T/profiles")"
done
# each listed profile loads
for p in $(cat "$T/profiles"); do
	expect_rc 0 run -p "$p" --dry-run
done
exit 0
