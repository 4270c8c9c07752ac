#!/bin/sh
# core_badcmd: every bad command line of tests/bad/cmdlines.txt exits 2 with
# a message naming the flag (the line's fragment) on stderr, prints nothing
# on stdout and leaves no stats segment behind.
. "$(dirname "$0")/lib.sh"

table=$BENCHTOP_SRC/tests/bad/cmdlines.txt
[ -f "$table" ] || fail "no $table"
n=0
while IFS= read -r line; do
	case $line in
	''|'#'*) continue ;;
	esac
	args=${line%% => *}
	frag=${line#* => }
	[ "$args" != "$line" ] || fail "cmdlines.txt: no ' => ' in: $line"
	eval "set -- $args"
	bt "$@"
	[ "$rc" -eq 2 ] || fail "benchtop $args: exit $rc, want 2
$(bt_output)"
	grep -qF -- "$frag" "$T/err" || fail "benchtop $args: stderr lacks \"$frag\"
$(bt_output)"
	[ -s "$T/out" ] && fail "benchtop $args: printed on stdout: $(head -c 500 "$T/out")"
	no_segment_of "$bt_pid"
	n=$((n + 1))
done <"$table"
[ "$n" -ge 15 ] || fail "only $n command lines in $table"
echo "$n bad command lines rejected"
exit 0
