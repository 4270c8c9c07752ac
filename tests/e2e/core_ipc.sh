#!/bin/sh
# core_ipc: the prodcons and shdict workloads through the real binary. Every
# queue (pipe, mq, ring) with 1 producer and 1 and 2 consumers, every dict
# backend with 1, 2 and 4 writers, single and pool: exit 0, every result
# verified, throughput in items/s or ops/s, latency percentiles for
# prodcons, per-worker roles and counts that add up. Then a writer killed
# while it holds the lock mutex: the others recover (no hang), the
# configuration is reported failed naming the writer, exit 1, the next
# configuration still runs; nothing is left behind.
. "$(dirname "$0")/lib.sh"

for q in pipe mq ring; do
	expect_rc 0 run -w prodcons -m single,pool -n 1,2 -r 2 --warmup 0 \
		-P prodcons.queue=$q -P prodcons.items=20000 --json "$T/pc-$q.json"
	no_segment_of "$bt_pid"
	json_check "$T/pc-$q.json" <<PY
res = d["results"]
assert [r["command"] for r in res] == ["prodcons single w=1", "prodcons pool w=1",
                                       "prodcons pool w=2"], [r["command"] for r in res]
for r in res:
    assert r["verified"] is True and not r["failed"], r["command"]
    assert r["params"]["queue"] == "$q", r["params"]
    assert r["ops"] == 20000 and r["throughput_unit"] == "items/s", r["command"]
    assert r["throughput"] > 0, r["command"]
    m = r["metrics"]
    assert 0 < m["latency_p50"] <= m["latency_p99"], m
    if r["mode"] == "pool":
        roles = [w["role"] for w in r["per_worker"]]
        assert roles.count("consumer") == r["workers"] and roles.count("producer") == 1, roles
        got = sum(w["ops"] for w in r["per_worker"] if w["role"] == "consumer")
        assert got == 20000, ("items consumed", got)
PY
done

for b in lock striped lockfree server; do
	expect_rc 0 run -w shdict -m single,pool -n 1,2,4 -r 2 --warmup 0 \
		-P shdict.backend=$b -P shdict.keys=3000 --json "$T/sd-$b.json"
	no_segment_of "$bt_pid"
	json_check "$T/sd-$b.json" <<PY
res = d["results"]
assert len(res) == 4, [r["command"] for r in res]
for r in res:
    assert r["verified"] is True and not r["failed"], r["command"]
    assert r["params"]["backend"] == "$b", r["params"]
    assert r["ops"] == 3000 and r["throughput_unit"] == "ops/s", r["command"]
    assert r["checksum"] == 10 * 3000 * 2999 // 2, r["checksum"]
    assert r["metrics"]["entries"] == 3000 and r["metrics"]["list_length"] == 3000, r["metrics"]
    writers = [w for w in r["per_worker"] if w["role"] == "writer"]
    assert len(writers) == r["workers"], r["per_worker"]
    assert sum(w["ops"] for w in writers) == 3000, writers
    if "$b" == "server" and r["mode"] == "pool":
        assert [w["role"] for w in r["per_worker"]].count("server") == 1, r["per_worker"]
PY
done

# writer 0 dies holding the lock: exit 1, reported, then the next config runs
expect_rc 1 run -w shdict -m pool -n 2,3 -r 1 --warmup 0 --timeout 60 \
	-P shdict.backend=lock -P shdict.keys=5000 -P shdict.die_holding_lock=0 --json "$T/die.json"
no_segment_of "$bt_pid"
has "FAILED" "$T/out"
json_check "$T/die.json" <<'PY'
res = d["results"]
assert [r["command"] for r in res] == ["shdict pool w=2", "shdict pool w=3"], res
for r in res:
    assert r["failed"] is True and r["exit_codes"] and r["exit_codes"][0] != 0, r["command"]
    assert "writer 0" in r["error"] or "process 0" in r["error"], r["error"]
PY
exit 0
