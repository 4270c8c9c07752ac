#!/bin/sh
# core_help: --help of every sub-command and --version exit 0 and print to
# stdout; the version is the VERSION file's.
. "$(dirname "$0")/lib.sh"

for cmd in run topo list clean; do
	expect_rc 0 "$cmd" --help
	has "usage: benchtop $cmd" "$T/out"
	[ -s "$T/err" ] && fail "$cmd --help wrote to stderr: $(cat "$T/err")"
	expect_rc 0 "$cmd" -h
	has "usage: benchtop $cmd" "$T/out"
done
expect_rc 0 --help
has "usage: benchtop" "$T/out"
expect_rc 0 run --help
for opt in --profile --workloads --modes --workers --cores --runs --warmup --chunksize \
    --bind --param --json --timeout --dry-run; do
	has "$opt" "$T/out"
done
expect_rc 0 --version
if [ -f "$BENCHTOP_SRC/VERSION" ]; then
	[ "$(cat "$T/out")" = "benchtop $(cat "$BENCHTOP_SRC/VERSION")" ] ||
		fail "--version says '$(cat "$T/out")', VERSION has $(cat "$BENCHTOP_SRC/VERSION")"
else
	grep -qE '^benchtop [0-9]+\.[0-9]+\.[0-9]+' "$T/out" || fail "--version: $(cat "$T/out")"
fi
# clean removes only dead owners' segments and says how many
expect_rc 0 clean
grep -qE '^removed [0-9]+ stale stats segment' "$T/out" || fail "clean: $(cat "$T/out")"
exit 0
