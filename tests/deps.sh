#!/bin/sh
# Install the Debian packages named in $PKGS that are missing: with apt-get
# when run as root, otherwise print the exact command to run.
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "benchtop: installing missing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2 ||
		{ echo "benchtop: apt-get install failed" >&2; exit 1; }
	exit 0
fi
echo "benchtop: missing Debian packages:$missing" >&2
echo "run:  sudo apt-get install$missing" >&2
exit 1
