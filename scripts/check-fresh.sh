#!/bin/sh
# check-fresh.sh - run the README's two commands on a fresh Debian 12.
#
# usage: sh scripts/check-fresh.sh [DIR]
#
# README.md promises that on "a fresh Debian 12 machine with gcc and
# make", as root, 'make demo' and 'make check' pass.  This makes such a
# machine: a minimal Debian 12 root (debootstrap --variant=minbase, plus
# build-essential, git, python3 and curl) under DIR (default
# build/fresh), with /proc and /dev/pts mounted; clones this repository's HEAD into
# it, and runs the two commands there as root, each as the README gives
# it (they install what scripts/deps.sh names from the network).
#
# A real machine has file systems mounted outside such a root (/boot,
# /home), which the programs see in /proc/1/mounts but cannot reach; so
# that every host shows one, a small tmpfs is mounted on DIR/outside
# for the run.
#
# The pristine root is kept in DIR/base and copied for every run, so a
# second run does not download it again; remove DIR to start over.  The
# Debian mirror is the one apt uses here (/etc/apt/sources.list or
# sources.list.d), or $MIRROR.  Needs root and debootstrap.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$src/build/fresh}
suite=bookworm
pkgs=build-essential,git,python3,curl

if [ "$(id -u)" -ne 0 ]; then
	echo "check-fresh: needs root (debootstrap, chroot, mount)" >&2
	exit 1
fi
command -v debootstrap >/dev/null 2>&1 || {
	echo "check-fresh: debootstrap is missing: sh scripts/deps.sh fresh" >&2
	exit 1
}

# The first Debian mirror apt knows for the suite: a one-line "deb URI
# bookworm ..." entry, or a deb822 stanza whose Suites has it.
mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v s=$suite '$1 == "deb" {
			for (i = 2; i < NF; i++)
				if ($i ~ /^https?:/ && $(i + 1) == s) { print $i; exit }
		}' | head -n 1
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v s=$suite '
		function end() { if (ok && uri != "" && !done) { print uri; done = 1 }
			ok = 0; uri = "" }
		/^[ \t]*$/ { end(); next }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
		/^URIs:/ { uri = $2 }
		END { end() }' | head -n 1
}
url=${MIRROR:-$(mirror | head -n 1)}
url=${url:-http://deb.debian.org/debian}

start=$(date +%s)
mkdir -p "$dir"
if [ ! -f "$dir/base/.complete" ]; then
	echo "check-fresh: debootstrap $suite from $url" >&2
	rm -rf "$dir/base"
	debootstrap --variant=minbase --include=$pkgs $suite "$dir/base" \
	    "$url" >"$dir/debootstrap.log" 2>&1 || {
		tail -n 20 "$dir/debootstrap.log" >&2
		exit 1
	}
	touch "$dir/base/.complete"
fi

root=$dir/root
cleanup() {
	umount "$root/dev/pts" 2>/dev/null || true
	umount "$root/proc" 2>/dev/null || true
	umount "$dir/outside" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
rm -rf "$root"
cp -a "$dir/base" "$root"
rm "$root/.complete"
mount -t proc proc "$root/proc"
# Pseudo-terminals, as a machine has them (tests drive programs on one).
mkdir -p "$root/dev/pts"
mount --bind /dev/pts "$root/dev/pts"
mkdir -p "$dir/outside"
mount -t tmpfs -o size=1m,mode=755 check-fresh "$dir/outside"

# The committed HEAD, as a clone gets it (not the work tree's changes).
head=$(git -C "$src" rev-parse HEAD)
git clone -q --no-checkout "$(git -C "$src" rev-parse --path-format=absolute \
    --git-common-dir)" "$root/root/mtk"
git -C "$root/root/mtk" checkout -q "$head"
echo "check-fresh: $(git -C "$src" log -1 --format='%h %s' "$head")" >&2

rc=0
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /root/mtk && make demo && make check' || rc=$?
echo "check-fresh: exit $rc after $(( $(date +%s) - start ))s" >&2
exit $rc
