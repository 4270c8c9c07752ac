#!/bin/sh
# rel_cycles: many start/stop cycles leak nothing. (a) 200 tiny headless
# runs in a row leave no /dev/shm segment and no process; (b) the
# tests/fuzz/cycles.c harness, built here against the src objects, runs 1000
# engine + named-region cycles in one process and checks that descriptors,
# heap in use, RSS and segments do not grow.
. "$(dirname "$0")/lib.sh"

RUNS=${REL_CYCLES_RUNS:-200}

# (a) sequential headless runs
fdn=$(ls /proc/$$/fd | wc -l)
t0=$(date +%s%N)
i=0
while [ $i -lt $RUNS ]; do
	"$BENCHTOP" run -w nop -P nop.tasks=10 -m pool -n 2 -r 1 --warmup 0 -q \
		>"$T/out" 2>"$T/err" &
	pid=$!
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || fail "run $i: exit $rc: $(cat "$T/err")"
	no_segment_of "$pid"
	i=$((i + 1))
done
ms=$((($(date +%s%N) - t0) / 1000000))
# (segments are checked per run, by owner pid: other people's benchtops
# may create and remove theirs meanwhile)
kids=$(ps -o pid= --ppid $$ | tr -d ' ' | grep -vx "$$" | wc -l)
# ps itself is a child while it runs: at most that one
[ "$kids" -le 1 ] || fail "processes left under the script: $(ps -o pid=,comm= --ppid $$)"
[ "$(ls /proc/$$/fd | wc -l)" -eq "$fdn" ] || fail "the script's descriptors changed"
echo "$RUNS headless runs in $ms ms ($((ms / RUNS)) ms each): no segment, no process left"

# (b) 1000 cycles in one process
objdir=$(dirname "$BENCHTOP")/obj
src=$BENCHTOP_SRC/tests/fuzz/cycles.c
[ -f "$src" ] || fail "missing $src"
[ -f "$objdir/engine.o" ] || skip "no objects in $objdir to link the cycles harness"
command -v cc >/dev/null 2>&1 || skip "no C compiler"
objs=$(ls "$objdir"/*.o "$objdir"/workloads/*.o 2>/dev/null | grep -v '/main\.o$')
pkgs=$(pkg-config --cflags --libs ncursesw hwloc libcjson) || skip "pkg-config lacks the libraries"
# shellcheck disable=SC2086
if ! cc -std=c11 -D_GNU_SOURCE -O2 -g -I"$BENCHTOP_SRC/src" -o "$T/cycles" "$src" $objs \
	$pkgs -lrt -lm 2>"$T/cc.err"; then
	# objects of a sanitizer build (build/san) need the runtime
	# shellcheck disable=SC2086
	cc -std=c11 -D_GNU_SOURCE -O2 -g -fsanitize=address,undefined -I"$BENCHTOP_SRC/src" \
		-o "$T/cycles" "$src" $objs $pkgs -lrt -lm 2>>"$T/cc.err" ||
		fail "cannot build the cycles harness: $(cat "$T/cc.err")"
fi
"$T/cycles" 1000 >"$T/cyc.out" 2>"$T/cyc.err" &
cpid=$!
wait $cpid
rc=$?
cat "$T/cyc.out"
[ $rc -eq 0 ] || fail "cycles: exit $rc: $(cat "$T/cyc.err")"
no_segment_of "$cpid"
exit 0
