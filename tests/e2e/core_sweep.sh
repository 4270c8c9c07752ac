#!/bin/sh
# core_sweep: worker and core sweeps resolve against the topology. With the
# synthetic 2 packages x 4 cores x 2 PUs (8 cores, 16 PUs): -n sweep is
# 1,2,4,8,16, -n sweep:2x goes on to 32, -n cores is 8, -n pus is 16, and
# --cores sweep is 1,2,4,8; --dry-run prints the plan and runs nothing.
. "$(dirname "$0")/lib.sh"

BENCHTOP_TOPOLOGY="pack:2 core:4 pu:2"
export BENCHTOP_TOPOLOGY

# workers of the configurations listed by --dry-run, space-separated
workers_of() {
	sed -nE "s/^ *[0-9]+  $1 w=([0-9]+).*/\\1/p" "$T/out" | tr '\n' ' ' | sed 's/ $//'
}
cores_of() {
	sed -nE "s/^ *[0-9]+  $1 w=[0-9]+ c=([0-9]+)$/\\1/p" "$T/out" | tr '\n' ' ' | sed 's/ $//'
}
check() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'
$(cat "$T/out")"
}

expect_rc 0 run -w fib -m pool -n sweep --dry-run
no_segment_of "$bt_pid"
check "-n sweep" "$(workers_of "fib pool")" "1 2 4 8 16"
has "5 configurations" "$T/out"

expect_rc 0 run -w fib -m pool -n sweep:2x --dry-run
check "-n sweep:2x" "$(workers_of "fib pool")" "1 2 4 8 16 32"
expect_rc 0 run -w fib -m pool -n sweep:12 --dry-run
check "-n sweep:12" "$(workers_of "fib pool")" "1 2 4 8 12"
expect_rc 0 run -w fib -m pool -n cores --dry-run
check "-n cores" "$(workers_of "fib pool")" "8"
expect_rc 0 run -w fib -m pool -n pus --dry-run
check "-n pus" "$(workers_of "fib pool")" "16"
expect_rc 0 run -w fib -m pool -n 3,1 --dry-run
check "-n 3,1" "$(workers_of "fib pool")" "3 1"

# single is one configuration per workload and core count, whatever -n says
expect_rc 0 run -w fib,heavy -m single,pool -n sweep --dry-run
check "single" "$(workers_of "fib single")" "1"
check "heavy pool" "$(workers_of "heavy pool")" "1 2 4 8 16"
has "12 configurations" "$T/out"

expect_rc 0 run -w fib -m pool -n 2 --cores sweep --dry-run
check "--cores sweep" "$(cores_of "fib pool")" "1 2 4 8"
expect_rc 0 run -w fib -m pool -n 2 --cores 3 --dry-run
check "--cores 3" "$(cores_of "fib pool")" "3"
expect_rc 2 run -w fib -m pool -n 2 --cores 9 --dry-run
has "--cores: '9'" "$T/err"
has "8 cores" "$T/err"

# --synthetic beats the environment
expect_rc 0 run -w fib -m pool -n sweep --synthetic "pack:1 core:2 pu:1" --dry-run
check "--synthetic" "$(workers_of "fib pool")" "1 2"
exit 0
