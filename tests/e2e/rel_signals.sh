#!/bin/sh
# rel_signals: SIGINT, SIGTERM and SIGHUP during a headless run. Each signal
# is sent (by pid) once the first configuration has finished: benchtop stops
# its workers, exits 130/143/129, writes the JSON with "interrupted": true and
# the finished result in it, leaves no worker and unlinks its stats segment.
. "$(dirname "$0")/lib.sh"

# one_signal NAME NUMBER: the whole scenario for one signal.
one_signal() {
	sig=$1 num=$2
	want=$((128 + num))
	json=$T/$sig.json
	err=$T/$sig.err
	"$BENCHTOP" run -w heavy -P heavy.iters=400M -m single,pool -n 1 -r 3 --warmup 0 \
		--json "$json" >"$T/$sig.out" 2>"$err" &
	bpid=$!
	# wait for the first configuration to finish (up to 20 s)
	i=0
	until grep -q '^\[1/2\]' "$err"; do
		i=$((i + 1))
		[ $i -le 400 ] || fail "$sig: no '[1/2]' progress line after 20 s: $(cat "$err")"
		alive "$bpid" || fail "$sig: benchtop ended before the first configuration: $(cat "$err")"
		sleep 0.05
	done
	# the second configuration's worker(s) as benchtop's children
	i=0
	kids=
	while [ -z "$kids" ] && [ $i -lt 100 ]; do
		kids=$(ps -o pid= --ppid "$bpid" | tr -d ' ')
		i=$((i + 1))
		[ -n "$kids" ] || sleep 0.02
	done
	[ -n "$kids" ] || fail "$sig: no worker process seen"
	ls /dev/shm/benchtop-"$bpid"-* >/dev/null 2>&1 || fail "$sig: no stats segment while running"
	t0=$(date +%s%N)
	kill -"$sig" "$bpid"
	wait "$bpid"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	bpid_done=$bpid
	bpid=
	[ "$rc" -eq "$want" ] || fail "$sig: exit $rc, want $want: $(cat "$err")"
	[ $ms -lt 5000 ] || fail "$sig: took $ms ms to stop"
	for k in $kids; do
		alive "$k" && fail "$sig: worker $k still alive after benchtop exited"
	done
	no_segment_of "$bpid_done"
	[ -f "$json" ] || fail "$sig: no JSON written: $(cat "$err")"
	json_check "$json" <<'EOF'
assert d["interrupted"] is True, d.get("interrupted")
res = d["results"]
assert len(res) >= 1, res
first = res[0]
assert first["command"] == "heavy single w=1", first["command"]
assert first["interrupted"] is False and first["failed"] is False, first
assert first["verified"] is True and len(first["times"]) == 3, first
assert first["exit_codes"] == [0, 0, 0], first["exit_codes"]
for r in res[1:]:
    assert r["command"] == "heavy pool w=1", r["command"]
    assert r["interrupted"] is True, r
    assert len(r["times"]) < 3, r["times"]
EOF
	echo "$sig: exit $rc after $ms ms, workers $kids gone"
}

one_signal INT 2
one_signal TERM 15
one_signal HUP 1
