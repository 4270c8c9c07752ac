#!/bin/sh
# core_badprofile: every malformed profile of tests/bad/*.json is rejected
# with exit 2 and the message tests/bad/profiles.txt expects for it (naming
# file:line:column or the key path); every corpus file is in the table.
. "$(dirname "$0")/lib.sh"

dir=$BENCHTOP_SRC/tests/bad
table=$dir/profiles.txt
[ -f "$table" ] || fail "no $table"
n=0
while IFS= read -r line; do
	case $line in
	''|'#'*) continue ;;
	esac
	file=${line%% => *}
	frags=${line#* => }
	[ "$file" != "$line" ] || fail "profiles.txt: no ' => ' in: $line"
	[ -f "$dir/$file" ] || fail "profiles.txt names missing $file"
	echo "$file" >>"$T/listed"
	bt run -p "$dir/$file" --dry-run
	[ "$rc" -eq 2 ] || fail "-p $file: exit $rc, want 2
$(bt_output)"
	grep -qF -- "$dir/$file" "$T/err" || fail "-p $file: message does not name the file
$(bt_output)"
	while [ -n "$frags" ]; do
		frag=${frags%% && *}
		case $frags in
		*' && '*) frags=${frags#* && } ;;
		*) frags= ;;
		esac
		grep -qF -- "$frag" "$T/err" || fail "-p $file: stderr lacks \"$frag\"
$(bt_output)"
	done
	[ -s "$T/out" ] && fail "-p $file: printed a plan: $(head -c 300 "$T/out")"
	n=$((n + 1))
done <"$table"
for f in "$dir"/*.json; do
	grep -qxF "$(basename "$f")" "$T/listed" || fail "$(basename "$f") is not in profiles.txt"
done
echo "$n malformed profiles rejected"
exit 0
