#!/bin/sh
# rel_valgrind: valgrind finds no memory error and 0 bytes definitely lost in
# a headless run, in a run writing JSON, and in a run whose worker crashes
# (the failure path), and with --dry-run and usage errors (exit 2 paths).
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
case $BENCHTOP in
*/san/*) skip "a sanitizer build cannot run under valgrind" ;;
esac

# vg WANT_RC ARGS...: benchtop under valgrind; exit WANT_RC, no error, no leak.
vg() {
	want=$1
	shift
	valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
		--trace-children=no --log-file="$T/vg.%p" "$BENCHTOP" "$@" >"$T/out" 2>"$T/err" &
	vpid=$!
	wait $vpid
	rc=$?
	log=$T/vg.$vpid
	[ -f "$log" ] || fail "no valgrind log for benchtop $*"
	[ $rc -eq 9 ] && fail "valgrind errors in benchtop $*: $(grep -A12 -E 'Invalid|uninitiali|definitely lost' "$log" | head -60)"
	[ $rc -eq "$want" ] || fail "benchtop $* under valgrind: exit $rc, want $want: $(cat "$T/err")"
	grep -q 'definitely lost: 0 bytes\|All heap blocks were freed' "$log" ||
		fail "benchtop $*: $(grep -A6 'LEAK SUMMARY' "$log")"
	grep -q 'ERROR SUMMARY: 0 errors' "$log" || fail "benchtop $*: $(grep 'ERROR SUMMARY' "$log")"
	no_segment_of "$vpid"
	echo "valgrind $*: exit $rc, $(grep -o 'definitely lost: [0-9,]* bytes' "$log" || echo 'all heap blocks freed')"
	rm -f "$T"/vg.*
}

vg 0 run -w fib -r 2 -q
vg 0 run -w heavy -P heavy.iters=2M -m single,process,pool -n 2 -r 1 --warmup 0 -q --json "$T/r.json"
vg 1 run -w heavy -P heavy.iters=2M -m single,pool -n 2 -r 1 --warmup 0 -q -P fault.crash_task=1 --json "$T/c.json"
vg 0 run -p quick --dry-run
vg 2 run -w fib -P fib.nn=3
# -P values are allocated while parsing: a usage error after them
vg 2 run -P fib.n=20 -P fib.n=22 --nope
