#!/bin/sh
# core_topo: `benchtop topo` agrees with hwloc's own tools on this machine
# (packages, NUMA nodes, cores, PUs), `topo --json` is strict JSON with the
# same counts, and a synthetic topology is described as given.
. "$(dirname "$0")/lib.sh"

command -v hwloc-calc >/dev/null 2>&1 || skip "hwloc-calc not installed (package hwloc)"
packages=$(hwloc-calc --number-of package all) || fail "hwloc-calc failed"
numa=$(hwloc-calc --number-of numanode all)
cores=$(hwloc-calc --number-of core all)
pus=$(hwloc-calc --number-of pu all)

expect_rc 0 topo
plural() {
	if [ "$1" -eq 1 ]; then echo "$1 $2"; else echo "$1 $3"; fi
}
has "$(plural "$packages" package packages), $(plural "$numa" "NUMA node" "NUMA nodes"), $(plural "$cores" core cores), $(plural "$pus" PU PUs)" "$T/out"
[ "$(grep -c 'Core L#' "$T/out")" -eq "$cores" ] || fail "tree does not show $cores cores"
[ "$(grep -c 'PU L#' "$T/out")" -eq "$pus" ] || fail "tree does not show $pus PUs"

expect_rc 0 topo --json
cat >"$T/want.py" <<EOF
want = {"packages": $packages, "numa_nodes": $numa, "cores": $cores, "pus": $pus}
EOF
{ cat "$T/want.py"; cat <<'EOF'; } | json_check -
for k, v in want.items():
    assert d[k] == v, (k, d[k], v)
assert isinstance(d["caches"], list)
for c in d["caches"]:
    assert isinstance(c["level"], int) and c["level"] >= 1, c
    assert c["type"] in ("data", "instruction", "unified"), c
    assert isinstance(c["size"], int) and c["size"] > 0, c
    assert isinstance(c["count"], int) and c["count"] >= 1, c
assert sum(1 for l in d["tree"] if l.strip().startswith("PU L#")) == d["pus"]
EOF

# synthetic: 2 packages x 4 cores x 2 PUs
expect_rc 0 topo --json --synthetic "pack:2 core:4 pu:2"
json_check - <<'EOF'
assert (d["packages"], d["cores"], d["pus"]) == (2, 8, 16), d
EOF
BENCHTOP_TOPOLOGY="pack:2 core:4 pu:2"
export BENCHTOP_TOPOLOGY
expect_rc 0 topo
unset BENCHTOP_TOPOLOGY
has "2 packages" "$T/out"
has "8 cores, 16 PUs" "$T/out"
exit 0
